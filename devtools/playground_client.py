"""Drive a running Playground without a browser: what its web page does, over HTTP + WebSocket.

- `GET /_internal/v1/config` -> ids of the tenant, users, bot and conversations. (It first waits,
  up to 15 s, for the bot endpoint to answer a HEAD request.)
- `POST /_debug/conversation/{id}/installation` -> the bot gets installationUpdate +
  conversationUpdate, as when the page opens a chat.
- `POST /_conversation/v1/conversations/{id}/messages` with
  `{text, textFormat, from: {id}, mentions?}` -> `{messageId, timestamp, postConversationId?}`.
  The bot hears personal-chat messages, and group/channel messages only when mentioned.
- `POST /_conversation/v1/invoke` with `{name: "adaptiveCard/action", value: {action: {type,
  title, verb, data}}, from, conversation, replyToId}` -> the bot's invoke response body reduced
  to `{type, value}` (for a refreshed card: `application/vnd.microsoft.card.adaptive` + card).
- `POST /_conversation/v1/submit` with `{conversation, from, replyToId, value}` (Action.Submit).
- WebSocket `/_ws_conversation/v1/conversations/stream`: `{action: createMessage|updateMessage|
  typing, actionConversationId, message: {messageId, timestamp, from, text, textFormat,
  attachments: [{contentType, content}], ...}}`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from devtools.card_inspection import adaptive_cards, card_text, find_action

_STREAM_PATH = "/_ws_conversation/v1/conversations/stream"
_MESSAGE_ACTIONS = ("createMessage", "updateMessage")
_DEFAULT_TIMEOUT_SECONDS = 15.0


class PlaygroundError(RuntimeError):
    """The Playground refused a request (the message has its status and answer)."""


@dataclass(frozen=True, slots=True)
class BotMessage:
    """One message event from the bot as the page receives it."""

    action: str
    conversation_id: str
    id: str
    text: str | None
    attachments: list[dict[str, Any]]
    raw: dict[str, Any] = field(repr=False)

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> BotMessage:
        message = event.get("message") or {}
        return cls(
            action=str(event.get("action")),
            conversation_id=str(event.get("actionConversationId", "")),
            id=str(message.get("messageId", "")),
            text=message.get("text"),
            attachments=list(message.get("attachments") or []),
            raw=event,
        )

    @property
    def cards(self) -> list[dict[str, Any]]:
        return adaptive_cards(self.attachments)

    @property
    def card(self) -> dict[str, Any] | None:
        cards = self.cards
        return cards[0] if cards else None

    @property
    def all_text(self) -> str:
        """The message text and every text of its cards, for assertions on wording."""
        parts = [self.text or ""] + [card_text(card) for card in self.cards]
        return "\n".join(part for part in parts if part)


class PlaygroundClient:
    """Talks to one Playground as its current user; keeps every bot message it receives."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        self._received: list[BotMessage] = []
        self._unread: list[BotMessage] = []
        self._arrived = asyncio.Condition()
        self._config: dict[str, Any] | None = None
        self._stream_closed = False

    # --- connection ----------------------------------------------------------------------
    async def connect(self) -> PlaygroundClient:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        self._ws = await self._session.ws_connect(self.base_url + _STREAM_PATH, heartbeat=20)
        self._reader = asyncio.create_task(self._read_stream(self._ws))
        await self.config()
        return self

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._ws is not None:
            await self._ws.close()
        if self._session is not None:
            await self._session.close()

    async def __aenter__(self) -> PlaygroundClient:
        return await self.connect()

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def _read_stream(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        try:
            await self._consume(ws)
        finally:
            # Waiters must not sit out their whole timeout for a Playground that went away.
            async with self._arrived:
                self._stream_closed = True
                self._arrived.notify_all()

    async def _consume(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for frame in ws:
            if frame.type != aiohttp.WSMsgType.TEXT:
                continue
            event = frame.json()
            if event.get("action") not in _MESSAGE_ACTIONS:
                continue  # typing indicators
            message = BotMessage.from_event(event)
            async with self._arrived:
                self._received.append(message)
                self._unread.append(message)
                self._arrived.notify_all()

    # --- ids -----------------------------------------------------------------------------
    async def config(self) -> dict[str, Any]:
        """The Playground's `/_internal/v1/config` answer: `{config, internalConfig}`."""
        self._config = await self._request("GET", "/_internal/v1/config")
        return self._config

    @property
    def settings(self) -> dict[str, Any]:
        if self._config is None:
            raise RuntimeError("not connected")
        return dict(self._config["config"])

    @property
    def user_id(self) -> str:
        return str(self.settings["currentUser"]["id"])

    @property
    def bot_id(self) -> str:
        return str(self.settings["bot"]["id"])

    @property
    def bot_name(self) -> str:
        return str(self.settings["bot"]["name"])

    @property
    def tenant_id(self) -> str:
        return str(self.settings["tenantId"])

    @property
    def personal_chat_id(self) -> str:
        return str(self.settings["personalChat"]["id"])

    @property
    def group_chat_id(self) -> str:
        return str(self.settings["groupChats"][0]["id"])

    @property
    def team_id(self) -> str:
        """The team id, which is also the General channel's conversation id."""
        return str(self.settings["teams"][0]["id"])

    @property
    def channel_ids(self) -> dict[str, str]:
        """Channel name -> conversation id, General included."""
        return {c["name"]: c["id"] for c in self.settings["teams"][0]["channels"]}

    # --- acting as the user --------------------------------------------------------------
    async def install(self, conversation_id: str | None = None) -> None:
        """What opening a chat in the page does: installationUpdate + membersAdded to the bot."""
        conversation = conversation_id or self.personal_chat_id
        await self._request("POST", f"/_debug/conversation/{conversation}/installation", {})

    async def send_text(
        self, text: str, *, conversation_id: str | None = None, mention_bot: bool = False
    ) -> str:
        """Post a message as the current user; returns its Playground message id.

        Outside the personal chat the bot only hears messages that @mention it.
        """
        conversation = conversation_id or self.personal_chat_id
        body: dict[str, Any] = {"text": text, "textFormat": "plain", "from": {"id": self.user_id}}
        if mention_bot:
            mention = f"<at>{self.bot_name}</at>"
            body["text"] = f"{mention} {text}"
            body["mentions"] = [{"mentioned": {"id": self.bot_id}, "text": mention}]
        answer = await self._request(
            "POST", f"/_conversation/v1/conversations/{conversation}/messages", body
        )
        return str(answer["messageId"])

    async def click(
        self,
        card_message: BotMessage,
        action_title_or_verb: str,
        data: dict[str, Any] | None = None,
        *,
        card_index: int = 0,
    ) -> dict[str, Any]:
        """Press an Action.Execute button; returns the invoke response `{type, value}`.

        `data` plays the card's inputs: it is merged into the action's data, as the page does.
        """
        cards = card_message.cards
        if not cards:
            raise LookupError("the message has no Adaptive Card")
        action = find_action(cards[card_index], action_title_or_verb)
        if action.get("type") != "Action.Execute":
            raise ValueError(f"{action.get('type')} is not an Action.Execute (use submit())")
        merged = {**(action.get("data") or {}), **(data or {})}
        body = {
            "name": "adaptiveCard/action",
            "value": {
                "action": {
                    "type": "Action.Execute",
                    "title": action.get("title"),
                    "verb": action.get("verb"),
                    "data": merged,
                }
            },
            "from": {"id": self.user_id},
            "conversation": {"id": card_message.conversation_id},
            "replyToId": card_message.id,
        }
        return dict(await self._request("POST", "/_conversation/v1/invoke", body))

    async def submit(
        self, card_message: BotMessage, action_title: str, data: dict[str, Any] | None = None
    ) -> None:
        """Press an Action.Submit button: the bot gets a message activity with `value`."""
        cards = card_message.cards
        action = find_action(cards[0], action_title) if cards else {}
        value = {**(action.get("data") or {}), **(data or {})}
        body = {
            "conversation": {"id": card_message.conversation_id},
            "from": {"id": self.user_id},
            "replyToId": card_message.id,
            "value": value,
        }
        await self._request("POST", "/_conversation/v1/submit", body)

    # --- reading the bot -----------------------------------------------------------------
    @property
    def received(self) -> list[BotMessage]:
        """Every bot message seen since connecting, oldest first."""
        return list(self._received)

    def clear(self) -> None:
        """Forget unread messages (a test calls this before its first step)."""
        self._unread.clear()

    async def next_message(
        self,
        # A plain seconds argument reads best in tests (`next_message(5)`).
        timeout: float = _DEFAULT_TIMEOUT_SECONDS,  # noqa: ASYNC109
        predicate: Callable[[BotMessage], bool] | None = None,
    ) -> BotMessage:
        """The oldest unread bot message that satisfies `predicate`, waiting up to `timeout`.

        Messages that do not match stay unread for later calls.
        """
        accept = predicate or (lambda _message: True)

        def pick() -> BotMessage | None:
            for index, message in enumerate(self._unread):
                if accept(message):
                    return self._unread.pop(index)
            return None

        async with self._arrived:
            try:
                async with asyncio.timeout(timeout):
                    while (found := pick()) is None:
                        if self._stream_closed:
                            raise PlaygroundError("the Playground closed the message stream")
                        await self._arrived.wait()
            except TimeoutError:
                seen = [m.all_text[:80] for m in self._unread]
                raise TimeoutError(
                    f"no matching bot message within {timeout:.0f}s; unread: {seen}"
                ) from None
        return found

    async def _request(self, method: str, path: str, body: Any = None) -> Any:
        if self._session is None:
            raise RuntimeError("not connected")
        async with self._session.request(method, self.base_url + path, json=body) as response:
            text = await response.text()
            if response.status >= 400:
                raise PlaygroundError(f"{method} {path} -> {response.status}: {text[:500]}")
            if not text:
                return {}
            return await response.json(content_type=None)
