"""What a person sees: the Playground page in headless Chromium shows the bot's welcome card.

Optional: skips without Debian's chromium. The screenshot stays in /tmp for a human to look at.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from devtools.playground import BotMessage, PlaygroundClient, card_text
from devtools.stack import LocalStack
from tests.e2e.chromium import Chromium, chromium_available

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.skipif(not chromium_available(), reason="Debian's chromium is not installed"),
]

SCREENSHOT = Path("/tmp/werkplek-playground-welcome.png")
_PAGE_TIMEOUT_SECONDS = 30.0
# Markdown and templating marks render differently from their source text.
_PLAIN_LINE = re.compile(r"^[\w .,:;!?'’-]{4,}$")


def plain_line(message: BotMessage) -> str:
    """A line of the card that the page shows exactly as written."""
    assert message.card is not None
    lines = [line.strip() for line in card_text(message.card).splitlines()]
    return next((line[:40] for line in lines if _PLAIN_LINE.match(line)), "")


async def test_page_renders_the_welcome_card(
    playground: PlaygroundClient, werkplek_stack: LocalStack
) -> None:
    assert werkplek_stack.playground is not None
    async with Chromium() as page:
        # Opening the page opens the personal chat, which installs the bot: the welcome card
        # reaches the page and, over the same WebSocket broadcast, this client.
        await page.navigate(werkplek_stack.playground.url)
        welcome = await playground.next_message(
            _PAGE_TIMEOUT_SECONDS, predicate=lambda m: m.card is not None
        )
        expected = plain_line(welcome)
        rendered = await page.wait_for(
            "Array.from(document.querySelectorAll('.ac-adaptiveCard'))"
            f".some(card => card.innerText.includes({json.dumps(expected)}))",
            within=_PAGE_TIMEOUT_SECONDS,
        )
        await page.screenshot(SCREENSHOT)

    assert rendered, f"no rendered Adaptive Card shows {expected!r}"
