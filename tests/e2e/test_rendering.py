"""What a person sees: the Playground page in headless Chromium shows the bot's cards.

Optional: skips without Debian's chromium. The screenshot stays in /tmp for a human to look at.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from devtools.chromium import Chromium, chromium_available
from devtools.playground import BotMessage, PlaygroundClient, card_text
from devtools.stack import LocalStack

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.skipif(not chromium_available(), reason="Debian's chromium is not installed"),
]

SCREENSHOT = Path("/tmp/werkplek-playground-help.png")
_PAGE_TIMEOUT_SECONDS = 30.0
_STREAM_SETTLE_SECONDS = 2.0
# Markdown and templating marks render differently from their source text.
_PLAIN_LINE = re.compile(r"^[\w .,:;!?'’-]{4,}$")


def plain_line(message: BotMessage) -> str:
    """A line of the card that the page shows exactly as written."""
    assert message.card is not None
    lines = [line.strip() for line in card_text(message.card).splitlines()]
    return next((line[:40] for line in lines if _PLAIN_LINE.match(line)), "")


async def test_page_renders_the_help_card(
    playground: PlaygroundClient, werkplek_stack: LocalStack
) -> None:
    assert werkplek_stack.playground is not None
    async with Chromium() as page:
        # The page and this client share the personal chat: what the bot answers here is
        # broadcast to both. (The welcome card is sent once per install, so ask for help.)
        await page.navigate(werkplek_stack.playground.url)
        # The chat is open once the page shows the bot's name; its stream connects right after.
        await page.wait_for(
            "!!document.body && document.body.innerText.includes('Werkplek')",
            within=_PAGE_TIMEOUT_SECONDS,
        )
        await asyncio.sleep(_STREAM_SETTLE_SECONDS)
        playground.clear()
        await playground.send_text("hulp")
        answer = await playground.next_message(
            _PAGE_TIMEOUT_SECONDS, predicate=lambda m: m.card is not None
        )
        expected = plain_line(answer)
        rendered = await page.wait_for(
            "Array.from(document.querySelectorAll('.ac-adaptiveCard'))"
            f".some(card => card.innerText.includes({json.dumps(expected)}))",
            within=_PAGE_TIMEOUT_SECONDS,
        )
        await page.screenshot(SCREENSHOT)

    assert rendered, f"no rendered Adaptive Card shows {expected!r}"
