"""The Playground's web page in headless Chromium, used as a person uses it: type in the compose
box, click a card's button, find a message and photograph it.

What this relies on in the page of `@microsoft/m365agentsplayground` 0.2.28 (read from its DOM):
each message has a header (`aria-label="Message header"`: author and time) whose parent holds the
avatar (`.fui-Avatar`) and the bubble (`.fai-OutputCard`, the Adaptive Card inside it); under the
bubble the Playground may add notes of its own ("Full width control is not supported yet"),
which Teams does not show. Buttons carry their title in `title`. The compose box is the one
`contenteditable` textbox. The page shows no message ids, so a message is found by its words:
the newest one that has them all.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from devtools.chromium import Box, Chromium

# Around the message in a picture; below it less, to leave out the Playground's own notes.
_MARGIN = 8
_MARGIN_BELOW = 3
# Scrolled into view: let the layout and the fonts settle before the picture.
_SETTLE_SECONDS = 1.0

_MESSAGES_WITH = """
  Array.from(document.querySelectorAll('[aria-label="Message header"]'))
    .map(header => header.parentElement)
    .filter(root => needles.every(needle => root.innerText.includes(needle)))
"""

# The newest message with every needle: its header, avatar and bubble, in page coordinates.
_FIND_MESSAGE = """
(() => {
  const needles = %s;
  const roots = %s;
  const root = roots[roots.length - 1];
  if (!root) return null;
  root.scrollIntoView({block: 'center'});
  const parts = [root.querySelector('[aria-label="Message header"]'),
                 root.querySelector('.fui-Avatar'),
                 root.querySelector('.fai-OutputCard') || root];
  const boxes = parts.filter(Boolean).map(part => part.getBoundingClientRect());
  const left = Math.min(...boxes.map(b => b.left));
  const top = Math.min(...boxes.map(b => b.top));
  const right = Math.max(...boxes.map(b => b.right));
  const bottom = Math.max(...boxes.map(b => b.bottom));
  return {x: left + window.scrollX, y: top + window.scrollY, width: right - left,
          height: bottom - top};
})()
"""

# A button, by its title, of the newest message with every needle.
_FIND_BUTTON = """
(() => {
  const needles = %s;
  const roots = %s;
  const root = roots[roots.length - 1];
  const button = root && Array.from(root.querySelectorAll('button'))
    .find(candidate => candidate.getAttribute('title') === %s);
  if (!button) return null;
  button.scrollIntoView({block: 'center'});
  const box = button.getBoundingClientRect();
  return {x: box.left, y: box.top, width: box.width, height: box.height};
})()
"""

_FIND_COMPOSE_BOX = """
(() => {
  const box = document.querySelector('[contenteditable="true"][role="textbox"]');
  if (!box) return null;
  const r = box.getBoundingClientRect();
  return {x: r.left, y: r.top, width: r.width, height: r.height};
})()
"""


class PageTimeout(RuntimeError):
    """The page did not show something within the time given."""


class PlaygroundPage:
    """One Playground page in a Chromium; every wait ends after `timeout` seconds."""

    def __init__(self, browser: Chromium, timeout: float) -> None:
        self.browser = browser
        self.timeout = timeout

    async def open(self, url: str, width: int, height: int) -> None:
        await self.browser.set_viewport(width, height)
        await self.browser.navigate(url)

    async def _box(self, expression: str, what: str) -> Box:
        try:
            found = await self.browser.wait_for(expression, within=self.timeout)
        except TimeoutError:
            raise PageTimeout(f"the page did not show {what} within {self.timeout:.0f}s") from None
        return Box(**found)

    async def message(self, needles: list[str]) -> Box:
        """Where the newest message with all these words is, once the page shows it."""
        expression = _FIND_MESSAGE % (_json(needles), _MESSAGES_WITH)
        return await self._box(expression, f"a message with {needles}")

    async def type(self, text: str) -> None:
        """Click in the compose box, type `text` and press Enter."""
        box = await self._box(_FIND_COMPOSE_BOX, "the compose box")
        await self.browser.click_at(*box.centre)
        await self.browser.type_text(text)
        await self.browser.press_enter()

    async def click(self, needles: list[str], title: str) -> None:
        """Click the button `title` on the newest message with all these words."""
        expression = _FIND_BUTTON % (_json(needles), _MESSAGES_WITH, _json(title))
        box = await self._box(expression, f"the button {title!r} on a message with {needles}")
        await self.browser.click_at(*box.centre)

    async def photograph(self, needles: list[str], path: Path) -> Path:
        """A PNG of the newest message with all these words, cropped to it."""
        await self.message(needles)
        await asyncio.sleep(_SETTLE_SECONDS)
        box = await self.message(needles)
        clip = Box(
            box.x - _MARGIN,
            box.y - _MARGIN,
            box.width + 2 * _MARGIN,
            box.height + _MARGIN + _MARGIN_BELOW,
        )
        return await self.browser.screenshot(path, clip)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
