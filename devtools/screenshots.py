"""`python -m devtools.screenshots` (what `make screenshots` runs): what people see, as PNGs.

The demo stack (Graph emulator, `python app.py`, the Agents Playground; devtools/stack.py) runs on
free ports with a fresh database, and headless Chromium opens the Playground page in Dutch
(nl-BE). Everything happens through the page as a person would do it: the chat opens (the
welcome card), a button is clicked, commands are typed. Each answer is photographed cropped to
its message (author line and card) and written to devtools/screenshots/<name>.png.

Who is who. The page is Jef Peeters (the demo's playground.json with Jef as current user): he is
Lotte Janssens' manager in the demo tenant, so the approval card for her licence request lands in
his own chat, which is the one the page shows. Lotte talks from her own chat through the
Playground's API (the page shows one person); the post card is the demo's scanned letter for
"Dhr. J. Peeters", delivered through the bot's intake API.

Commands are typed with their explicit keyword ("hulp", "toegang", "post", ...), not as free
sentences, so the pictures do not change when the understanding of free text does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import sys
import tempfile
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import aiohttp

from devtools.chromium import Chromium, chromium_available
from devtools.playground import BotMessage, PlaygroundClient, load_config
from devtools.playground_page import PageTimeout, PlaygroundPage
from devtools.processes import ProcessFailed, free_port
from devtools.stack import REPO_ROOT, LocalStack, StackOptions, StackPorts

OUTPUT_DIR = Path(__file__).with_name("screenshots")
VIEWER = "Jef Peeters"
REQUESTER = "Lotte Janssens"
# The demo's scanned letter addressed to "Dhr. J. Peeters" (devtools/demo_post.py).
POST_SUBJECT = "fietsparking"

# Tall enough that the longest card (help) fits in the chat pane without scrolling inside it.
_VIEWPORT = (1400, 2200)
_PAGE_TIMEOUT_SECONDS = 60.0
_ANSWER_TIMEOUT_SECONDS = 45.0
# Proactive messages (approval, post) go through the outbox, which opens the chat first.
_NOTICE_TIMEOUT_SECONDS = 60.0
# Markdown and templating marks render differently from their source text.
_PLAIN_LINE = re.compile(r"^[\w .,:;!?'’()-]{4,}$")


@dataclass(frozen=True, slots=True)
class Typed:
    """A message the viewer types; it opens with the keyword of `command` (a command name)."""

    text: str
    command: str


# What is typed, by the picture it gives; tests/unit check every one names a command by its
# keyword.
TYPED: dict[str, Typed] = {
    "access": Typed("toegang", "status"),
    # The item's name is a keyword of its own; the rest becomes the form's first draft.
    "licence-form": Typed("Power Automate om de goedkeuringen in ons team te regelen", "licence"),
    "post-list": Typed("post", "post"),
    # Jef is no mailroom clerk nor ICT admin: the mailroom's routing rules are refused.
    "refusal": Typed("regels", "post_rules"),
}
# What Lotte types in her own chat to ask for the licence Jef then approves.
REQUEST = Typed("Power Apps om een app voor onze verlofaanvragen te bouwen", "licence")
# The welcome card's button the viewer clicks for the help card (a command name).
HELP_BUTTON_COMMAND = "help"
# Every picture with the catalog key of the heading its card must have: an answer that is not
# the one meant (a "not understood", a failure) stops the run instead of becoming a picture.
HEADINGS: dict[str, str] = {
    "welcome": "welcome.title",
    "help": "help.title",
    "access": "access.title.own",
    "licence-form": "licence.form.title",
    "licence-approval": "licence.approval.title",
    "post-card": "post.notice.new_item",
    "post-list": "post.list.title",
    "refusal": "denied.title",
}


_T = TypeVar("_T")


class ScreenshotFailed(RuntimeError):
    """A step did not happen in time or the page did not show what the bot sent."""


def viewer_config(directory: Path) -> Path:
    """The demo Playground config with the viewer as current user and the demo's current user
    (Lotte) among the others, written to `directory`."""
    config = load_config()
    viewer = next(u for u in config["users"] if u["name"] == VIEWER)
    config["users"] = [config["currentUser"] if u is viewer else u for u in config["users"]]
    config["currentUser"] = viewer
    path = directory / "playground-as-viewer.json"
    path.write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def heading_pieces(key: str) -> list[str]:
    """The Dutch catalog text of `key` without its placeholders: the parts every card with
    that heading shows word for word ("{item} aanvragen" -> [" aanvragen"])."""
    from bot.i18n import Translator

    mark = "\x00"
    text = Translator("nl")(key)
    filled = Translator("nl")(key, **dict.fromkeys(re.findall(r"{(\w+)}", text), mark))
    return [piece.strip() for piece in filled.split(mark) if piece.strip()]


def heading_of(message: BotMessage) -> str:
    """The first line of the message's card as the page shows it word for word."""
    if message.card is None:
        return next((line for line in (message.text or "").splitlines() if line.strip()), "")
    for node in message.card.get("body") or []:
        line = str(node.get("text", "")).strip() if isinstance(node, dict) else ""
        if _PLAIN_LINE.match(line):
            return line
    raise ScreenshotFailed(f"the card has no plain line to find it by: {message.all_text[:200]}")


class Session:
    """The page, the viewer's Playground client and the stack, with the steps they share."""

    def __init__(
        self, stack: LocalStack, page: PlaygroundPage, client: PlaygroundClient, out: Path
    ) -> None:
        self.stack = stack
        self.page = page
        self.client = client
        self.out = out

    async def within(self, seconds: float, what: str, step: Awaitable[_T]) -> _T:
        try:
            async with asyncio.timeout(seconds):
                return await step
        except TimeoutError:
            raise ScreenshotFailed(f"{what}: nothing within {seconds:.0f}s") from None

    async def answer(self, what: str, seconds: float = _ANSWER_TIMEOUT_SECONDS) -> BotMessage:
        """The bot's next message with a card in the viewer's chat."""
        return await self.within(
            seconds, what, self.client.next_message(seconds, lambda m: m.card is not None)
        )

    async def shoot(self, name: str, message: BotMessage, *more: str) -> Path:
        """Check `message` is the card meant, then photograph it as the page shows it (found by
        its heading and `more`)."""
        heading = heading_of(message)
        if not all(piece in heading for piece in heading_pieces(HEADINGS[name])):
            raise ScreenshotFailed(
                f"{name}: the bot answered with another card: {message.all_text[:300]!r}"
            )
        path = await self.page.photograph([heading, *more], self.out / f"{name}.png")
        print(f"  {name}: taken", flush=True)
        return path

    async def type(self, typed: Typed) -> BotMessage:
        """Type in the page; the bot's answer."""
        self.client.clear()
        await self.page.type(typed.text)
        return await self.answer(f"the answer to {typed.text!r}")

    async def click(self, message: BotMessage, title: str) -> BotMessage:
        """Click the button `title` on the page's copy of `message`; the bot's next message."""
        self.client.clear()
        await self.page.click([heading_of(message)], title)
        return await self.answer(f"the answer to the button {title!r}")


async def _welcome_and_help(session: Session) -> None:
    from bot.i18n import Translator
    from dialogs import command_specs

    welcome = await session.answer("the welcome card when the chat opens", _PAGE_TIMEOUT_SECONDS)
    await session.shoot("welcome", welcome)
    spec = next(s for s in command_specs() if s.name == HELP_BUTTON_COMMAND)
    help_card = await session.click(welcome, Translator("nl")(spec.title_key))
    await session.shoot("help", help_card)


async def _typed(session: Session, name: str) -> BotMessage:
    answer = await session.type(TYPED[name])
    await session.shoot(name, answer)
    return answer


async def _approval(session: Session) -> None:
    """Lotte asks for Power Apps in her own chat and sends the form; Jef gets the card."""
    client = session.client
    lotte = client.user_id_of(REQUESTER)
    await _say_as(client, lotte, REQUEST.text)
    form = await session.within(
        _ANSWER_TIMEOUT_SECONDS,
        "the licence form in Lotte's chat",
        client.next_message(_ANSWER_TIMEOUT_SECONDS, lambda m: m.card is not None, to=lotte),
    )
    await client.click(form, "licence.submit", as_user=lotte)
    approval = await session.answer("the approval card in Jef's chat", _NOTICE_TIMEOUT_SECONDS)
    await session.shoot("licence-approval", approval, REQUESTER)


async def _say_as(client: PlaygroundClient, user_id: str, text: str) -> None:
    """`user_id` types `text` in their own chat with the bot.

    The page (and its message API) speaks only as its current user, so this goes the way of the
    Playground's "Mock an Activity": its chat is opened as the bot would open it, and a message
    activity from that user, built on the Playground's own template for the chat, is sent."""
    base = client.base_url
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        opened = {"members": [{"id": user_id}]}
        async with http.post(f"{base}/_connector/v3/conversations", json=opened) as answer:
            answer.raise_for_status()
            chat = str((await answer.json(content_type=None))["id"])
        template_url = f"{base}/_internal/v1/customActivities/template"
        async with http.get(template_url, params={"conversationId": chat}) as answer:
            answer.raise_for_status()
            activity = dict(await answer.json(content_type=None))
        name = next(u["name"] for u in client.settings["users"] if u["id"] == user_id)
        activity.update(
            type="message",
            text=text,
            textFormat="plain",
            locale="nl-BE",
            **{"from": {"id": user_id, "name": name, "aadObjectId": user_id}},
        )
        async with http.post(f"{base}/_internal/v1/customActivities", json=activity) as answer:
            answer.raise_for_status()


async def _post(session: Session) -> None:
    session.client.clear()
    await asyncio.to_thread(session.stack.post_samples)
    card = await session.within(
        _NOTICE_TIMEOUT_SECONDS,
        "the post card for the scanned letter",
        session.client.next_message(
            _NOTICE_TIMEOUT_SECONDS, lambda m: POST_SUBJECT in m.all_text and m.card is not None
        ),
    )
    await session.shoot("post-card", card, POST_SUBJECT)
    await _typed(session, "post-list")


async def shoot_all(stack: LocalStack, out: Path) -> list[Path]:
    """Open the page on the running stack and take every picture, in the order of a day."""
    assert stack.playground is not None
    async with stack.playground.client() as client, Chromium() as browser:
        page = PlaygroundPage(browser, _ANSWER_TIMEOUT_SECONDS)
        session = Session(stack, page, client, out)
        await page.open(stack.playground.url, *_VIEWPORT)
        await _welcome_and_help(session)
        await _typed(session, "access")
        await _typed(session, "licence-form")
        await _approval(session)
        await _post(session)
        await _typed(session, "refusal")
    return [out / f"{name}.png" for name in HEADINGS]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, default=OUTPUT_DIR, help="where the PNGs go")
    args = parser.parse_args(argv)
    if not chromium_available():
        print("Chromium is missing: `make chromium` (as root) installs Debian's.", file=sys.stderr)
        return 2
    # A fresh database and Playground every time: the welcome card comes once per install.
    var_dir = Path(tempfile.mkdtemp(prefix="werkplek-screenshots-"))
    # Pictures replace the old ones only once all of them are taken.
    taken = var_dir / "png"
    taken.mkdir()
    options = StackOptions(
        var_dir=var_dir,
        ports=StackPorts(bot=free_port(), graph=0, authority=0, playground=0),
        log_dir=var_dir / "logs",
        locale="nl-BE",
        playground_config=viewer_config(var_dir),
    )
    print("Starting the Graph emulator, the Playground and the bot...", flush=True)
    try:
        # Started from this (the main) thread: the children die with it.
        with LocalStack(options) as stack:
            written = asyncio.run(shoot_all(stack, taken))
    except (ScreenshotFailed, PageTimeout, ProcessFailed) as error:
        print(f"Screenshots failed: {error}\nLogs: {var_dir / 'logs'}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    for path in written:
        shutil.copyfile(path, args.out / path.name)
        print(f"  wrote {_shown(args.out / path.name)}")
    shutil.rmtree(var_dir, ignore_errors=True)
    return 0


def _shown(path: Path) -> str:
    absolute = path.resolve()
    return str(absolute.relative_to(REPO_ROOT) if absolute.is_relative_to(REPO_ROOT) else path)


if __name__ == "__main__":
    sys.exit(main())
