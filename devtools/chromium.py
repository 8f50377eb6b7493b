"""Headless Chromium driven over the DevTools protocol, to look at the Playground page as a person
would (the rendering test, `make screenshots`). Only Debian's `/usr/bin/chromium` is used; nothing
is downloaded. The protocol calls are few (navigate, evaluate, type, click, screenshot), so
aiohttp's WebSocket client is enough.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from devtools.processes import ManagedProcess

CHROMIUM = "/usr/bin/chromium"
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
    "--hide-scrollbars",
    "--window-size=1400,1000",
    "--lang=nl-BE",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)
_START_TIMEOUT_SECONDS = 30.0
_POLL_SECONDS = 0.25


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle of the page in CSS pixels (what `getBoundingClientRect` gives)."""

    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2


def chromium_available() -> bool:
    return Path(CHROMIUM).is_file() and shutil.which(CHROMIUM) is not None


class Chromium:
    """One headless browser with one page; `async with Chromium() as page: ...`."""

    def __init__(self) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="werkplek-chromium-")
        argv = [CHROMIUM, *_FLAGS, f"--user-data-dir={self._profile.name}", "about:blank"]
        # The page shows message times in the browser's time zone: the users' one.
        env = {**os.environ, "TZ": "Europe/Brussels"}
        self._process = ManagedProcess("chromium", argv, env=env)
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ids = itertools.count(1)

    async def __aenter__(self) -> Chromium:
        self._process.start()
        match = await asyncio.to_thread(
            self._process.wait_for_line,
            r"DevTools listening on ws://([\d.]+:\d+)/",
            _START_TIMEOUT_SECONDS,
        )
        self._session = aiohttp.ClientSession()
        async with self._session.get(f"http://{match.group(1)}/json/list") as response:
            targets = json.loads(await response.text())
        page = next(t for t in targets if t.get("type") == "page")
        self._ws = await self._session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
        await self.call("Page.enable")
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._session is not None:
            await self._session.close()
        await asyncio.to_thread(self._process.stop)
        self._profile.cleanup()

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one protocol command and return its result (events in between are dropped)."""
        assert self._ws is not None
        call_id = next(self._ids)
        await self._ws.send_json({"id": call_id, "method": method, "params": params})
        async for frame in self._ws:
            answer = json.loads(frame.data)
            if answer.get("id") != call_id:
                continue
            if "error" in answer:
                raise RuntimeError(f"{method}: {answer['error']}")
            return dict(answer.get("result") or {})
        raise ConnectionError("DevTools connection closed")

    async def navigate(self, url: str) -> None:
        await self.call("Page.navigate", url=url)

    async def evaluate(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    async def wait_for(self, expression: str, within: float) -> Any:
        """Poll a JavaScript expression until it is truthy, for at most `within` seconds."""
        async with asyncio.timeout(within):
            # The page changes on its own (WebSocket pushes), so polling is the honest wait.
            while True:
                value = await self.evaluate(expression)
                if value:
                    return value
                await asyncio.sleep(_POLL_SECONDS)

    async def set_viewport(self, width: int, height: int) -> None:
        """Size the page as a window of `width` x `height` CSS pixels would."""
        await self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    async def click_at(self, x: float, y: float) -> None:
        """A left click as a mouse makes it: move there, press, release."""
        await self.call("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
        for kind in ("mousePressed", "mouseReleased"):
            await self.call(
                "Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1
            )

    async def type_text(self, text: str) -> None:
        """Type into the focused element (as an input method would: the whole text at once)."""
        await self.call("Input.insertText", text=text)

    async def press_enter(self) -> None:
        for kind in ("keyDown", "keyUp"):
            await self.call(
                "Input.dispatchKeyEvent",
                type=kind,
                key="Enter",
                code="Enter",
                windowsVirtualKeyCode=13,
                **({"text": "\r"} if kind == "keyDown" else {}),
            )

    async def screenshot(self, path: Path, clip: Box | None = None) -> Path:
        """The page as a PNG; only `clip` (page coordinates of the viewport) when given."""
        params: dict[str, Any] = {"format": "png"}
        if clip is not None:
            params["clip"] = {
                "x": clip.x,
                "y": clip.y,
                "width": clip.width,
                "height": clip.height,
                "scale": 1,
            }
        result = await self.call("Page.captureScreenshot", **params)
        await asyncio.to_thread(path.write_bytes, base64.b64decode(result["data"]))
        return path
