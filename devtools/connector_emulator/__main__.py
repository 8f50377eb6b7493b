"""`python -m devtools.connector_emulator --port 3980 --rate 50`: serve until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from devtools.connector_emulator.emulator import ConnectorEmulator


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Teams connector emulator (Bot Framework v3)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3980, help="0 picks a free port")
    parser.add_argument(
        "--rate", default="50", help="requests per second per app per tenant, or 'none'"
    )
    parser.add_argument(
        "--no-conversation-limits", action="store_true", help="do not enforce 7/1s, 8/2s, ..."
    )
    parser.add_argument("--strict", action="store_true", help="404 for unknown conversations")
    parser.add_argument(
        "--batch-rate", default="1000", help="batch entries sent per second, or 'none'"
    )
    parser.add_argument(
        "--batch-create-rate",
        default="4",
        help="batch operations created per second per app per tenant, or 'none'",
    )
    return parser.parse_args()


def _rate(text: str) -> float | None:
    return None if text.lower() in ("none", "off", "0") else float(text)


async def _serve(args: argparse.Namespace) -> None:
    emulator = ConnectorEmulator(
        tenant_rate_per_second=_rate(args.rate),
        enforce_conversation_limits=not args.no_conversation_limits,
        strict_conversations=args.strict,
        batch_entries_per_second=_rate(args.batch_rate),
        batch_create_per_second=_rate(args.batch_create_rate),
    )
    service_url = await emulator.start(args.host, args.port)
    # The first line on stdout is the service url: parent processes read it to find the port.
    print(service_url, flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await emulator.stop()


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(_parse()))


if __name__ == "__main__":
    main()
