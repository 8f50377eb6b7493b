"""python -m devtools.graph_emulator: run the Graph emulator and token authority until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import shlex
import signal
from pathlib import Path

from devtools.graph_emulator.emulator import GraphEmulator


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devtools.graph_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--graph-port", type=int, default=5001)
    parser.add_argument("--authority-port", type=int, default=5443)
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path("var/emulator"),
        help="where the CA and server certificate are written",
    )
    parser.add_argument(
        "--tenant-file",
        type=Path,
        default=None,
        help="tenant JSON (default: devtools/demo_tenant.json)",
    )
    parser.add_argument("--client-id", default="werkplek-demo")
    parser.add_argument("--client-secret", default="demo-secret")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument(
        "--page-size", type=int, default=100, help="page size when a request has no $top"
    )
    return parser.parse_args()


async def _serve(args: argparse.Namespace) -> None:
    emulator = GraphEmulator(
        args.tenant_file,
        client_id=args.client_id,
        client_secret=args.client_secret,
        state_dir=args.state_dir.resolve(),
        latency_ms=args.latency_ms,
        page_size=args.page_size,
    )
    await emulator.start(args.host, args.graph_port, args.authority_port)
    print("Graph emulator running. Point the bot at it with:")
    for name, value in emulator.env().items():
        print(f"export {name}={shlex.quote(value)}")
    print(
        f"# control API: {emulator.graph_url.removesuffix('/v1.0')}/_emulator/info  (Ctrl-C stops)"
    )
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stopped.set)
    try:
        await stopped.wait()
    finally:
        await emulator.stop()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(_arguments()))


if __name__ == "__main__":
    main()
