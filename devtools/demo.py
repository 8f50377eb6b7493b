"""`python -m devtools.demo` (what `make demo` runs): the Graph emulator, the Werkplek bot and the
Agents Playground on this machine, with their logs, until Ctrl-C.

Everything listens on 127.0.0.1 except the Playground, which binds all interfaces (its own
choice). State lives under var/: the bot's SQLite database, the scans, the emulator's
certificates and the Playground's log.

Once the bot is ready, the demo's scanned post goes in through the intake API
(devtools/demo_post.py), so Lotte finds new post cards in her chat when she opens the page.
"""

from __future__ import annotations

import argparse
import json
import shlex
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from devtools.playground import load_config
from devtools.processes import ProcessFailed, print_sink
from devtools.stack import DEMO_ROLES_FILE, REPO_ROOT, LocalStack, StackOptions, StackPorts

_WATCH_INTERVAL_SECONDS = 1.0
_WORD_COLUMN = 13
# The group the demo's announcements go to (devtools/demo_tenant.json): Nora, Griet and Thomas,
# three of the Playground's people, so what they get can be read and clicked in the page.
DEMO_ANNOUNCEMENT_GROUP_ID = "7f3d9a21-5c4e-4b8a-9e61-2d0f8c7b3a45"
DEMO_ANNOUNCEMENT_GROUP_NAME = "Ambassadeurs Digitale Werkplek"


def announcement_settings() -> dict[str, str]:
    """The demo's announcement settings (issue #13). The comms role group holds the intranet's
    editors, Lotte and Pieter-Jan: each may send to the ambassadors' group (and their own
    entity), and each announcement waits for the other one (or an admin) to approve it."""
    comms_groups = json.loads(DEMO_ROLES_FILE.read_text(encoding="utf-8"))["comms"]
    scope = {"own_entity": True, "groups": [DEMO_ANNOUNCEMENT_GROUP_ID]}
    return {
        "WERKPLEK_ANNOUNCEMENT_APPROVAL_REQUIRED": "true",
        "WERKPLEK_ANNOUNCEMENT_GROUPS": json.dumps(
            {DEMO_ANNOUNCEMENT_GROUP_ID: DEMO_ANNOUNCEMENT_GROUP_NAME}
        ),
        "WERKPLEK_ANNOUNCEMENT_SCOPES": json.dumps({group: scope for group in comms_groups}),
    }


def _try_these() -> list[tuple[str, str]]:
    """What to type: every command the bot has today for everyone (from its registry; the
    admins' ones would only refuse), a whole sentence and a typo."""
    from bot.domain.platform.roles import Role
    from bot.i18n import Translator
    from dialogs import command_specs

    t = Translator("nl")
    examples = [
        (spec.keywords["nl"][0], t(spec.help_key))
        for spec in command_specs()
        if spec.role is Role.STAFF
    ]
    return [
        *examples,
        ("ik wil Power Apps gebruiken om een app te bouwen", "een licentie, in één zin"),
        ("profeil", "een tikfout: Werkplek stelt voor wat je bedoelde"),
    ]


def _post_samples(stack: LocalStack) -> None:
    """The morning's scanned post, through the bot's intake API. A failure is shown, but the
    rest of the demo still runs."""
    print("Delivering the demo's scanned post through the intake API...", flush=True)
    try:
        stack.post_samples()
    except ProcessFailed as error:
        print(f"Demo post not delivered: {error}", file=sys.stderr, flush=True)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    defaults = StackPorts()
    parser = argparse.ArgumentParser(prog="python -m devtools.demo", description=__doc__)
    parser.add_argument("--var-dir", type=Path, default=REPO_ROOT / "var")
    parser.add_argument("--bot-port", type=int, default=defaults.bot)
    parser.add_argument("--graph-port", type=int, default=defaults.graph)
    parser.add_argument("--authority-port", type=int, default=defaults.authority)
    parser.add_argument("--playground-port", type=int, default=defaults.playground)
    parser.add_argument("--locale", default="nl-BE", help="client locale the bot sees")
    parser.add_argument("--quiet", action="store_true", help="do not stream the processes' logs")
    parser.add_argument(
        "--bot",
        default=None,
        help="command for the bot instead of `python app.py` (e.g. the e2e echo bot)",
    )
    return parser.parse_args(argv)


def _banner(stack: LocalStack) -> str:
    assert stack.playground is not None
    user = load_config(stack.playground.config_file)["currentUser"]
    lines = [
        "",
        "=" * 72,
        f"  Werkplek draait. Open {stack.playground.url} in je browser.",
        f"  Je bent {user['name']} ({user['userPrincipleName']}).",
        "  Typ in de persoonlijke chat met Werkplek bijvoorbeeld:",
        *_columns(_try_these()),
        "  Groepschat en kanaal: vermeld @Werkplek in je bericht.",
        "",
        f"  bot        {stack.bot_url}  (/healthz, /readyz, /metrics)",
    ]
    if stack.options.bot_argv is None:
        lines.append(
            f"  post       POST {stack.bot_url}/api/post/items  "
            f"(Bearer {stack.intake_token}; python -m devtools.demo_post)"
        )
    if stack.emulator_env:
        lines.append(f"  Graph      {stack.emulator_env.get('GRAPH_BASE_URL', '?')}")
    lines += [f"  database   {stack.database_url}", "  Stoppen: Ctrl-C", "=" * 72, ""]
    return "\n".join(lines)


def _columns(rows: list[tuple[str, str]]) -> list[str]:
    """Word and meaning side by side; a word too long for the column gets its own line."""
    lines = []
    for word, meaning in rows:
        if len(word) > _WORD_COLUMN:
            lines += [f"    {word}", f"    {'':<{_WORD_COLUMN}} {meaning}"]
        else:
            lines.append(f"    {word:<{_WORD_COLUMN}} {meaning}")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    options = StackOptions(
        var_dir=args.var_dir,
        ports=StackPorts(
            bot=args.bot_port,
            graph=args.graph_port,
            authority=args.authority_port,
            playground=args.playground_port,
        ),
        sink=None if args.quiet else print_sink,
        log_dir=args.var_dir / "logs",
        locale=args.locale,
        bot_argv=shlex.split(args.bot) if args.bot else None,
        extra_bot_env=announcement_settings(),
    )
    # SIGTERM gets Ctrl-C's meaning. Children run in their own process groups, so only this
    # process sees a Ctrl-C, and it stops them in order.
    signal.signal(signal.SIGTERM, _interrupt)
    stack = LocalStack(options)
    try:
        print("Starting the Graph emulator, the Playground and the bot...", flush=True)
        stack.start()
        if options.bot_argv is None:
            _post_samples(stack)
        if stack.playground is not None and stack.playground.port != args.playground_port:
            print(f"Port {args.playground_port} was taken: the Playground took another.")
        print(_banner(stack), flush=True)
        return _watch(stack)
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return 0
    except ProcessFailed as error:
        print(f"Start failed: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        # A second Ctrl-C must not cut the clean-up short and leave orphans.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
        print("Everything stopped.", flush=True)


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _watch(stack: LocalStack) -> int:
    """Sleep until Ctrl-C; a child that dies on its own ends the demo."""
    while True:
        time.sleep(_WATCH_INTERVAL_SECONDS)
        for process in (stack.emulator, stack.bot):
            if process is not None and not process.running:
                print(f"{process.name} exited ({process.returncode}); stopping.", flush=True)
                return 1


if __name__ == "__main__":
    sys.exit(main())
