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
  `conversation` is the one holding the message: for a bot post in a channel, its thread
  (`postConversationId`, `<channel>;messageid=<id>`), else 400 ActivityNotFoundInConversation.
- `POST /_conversation/v1/submit` with `{conversation, from, replyToId, value}` (Action.Submit).
- WebSocket `/_ws_conversation/v1/conversations/stream`: `{action: createMessage|updateMessage|
  typing, actionConversationId, message: {messageId, timestamp, from, text, textFormat,
  attachments: [{contentType, content}], ...}}`. Only chats the current user is in: a message
  in another user's chat is stored, but never streamed.

Other users' chats (an approver's 1:1 chat the bot opens with `POST /_connector/v3/conversations`,
`members: [{id}]`): the Playground makes a personal chat for that member id, one per id, and
returns its conversation id. Sending into it works only when the id is a configured user's `id`
(else 500 UserNotFound), which is why playground.json gives every user their aadObjectId as id.
Such messages are followed through the Playground's events recording (`POST
/_internal/v1/configDebugOptions {eventsRecordingEnabled: true}`; the file named by
`M365_AGENTS_PLAYGROUND_RECORDING_FILE`): one JSON record per HTTP exchange, separated by
`\n---\n`, with `direction`, `request: {method, url, body}` and `response: {statusCode, body}`.
Clicking a card in such a chat is the same invoke with that user in `from` and that chat in
`conversation`: the Playground checks the user is a member and the message is in the chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import aiohttp

from devtools.card_inspection import adaptive_cards, card_text, find_action

_STREAM_PATH = "/_ws_conversation/v1/conversations/stream"
_MESSAGE_ACTIONS = ("createMessage", "updateMessage")
_DEFAULT_TIMEOUT_SECONDS = 15.0
# The events recording: its switch, its record separator, the bot's side of an exchange.
_DEBUG_OPTIONS_PATH = "/_internal/v1/configDebugOptions"
_RECORD_SEPARATOR = b"\n---\n"
_FROM_BOT = "User Application ->"
_CONNECTOR_CONVERSATIONS = ("_connector", "v3", "conversations")
_RECORDING_POLL_SECONDS = 0.1


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
    # The other user whose chat it is in; "" for the current user's chats.
    to: str = ""

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
    def thread_id(self) -> str:
        """The conversation the message itself is in, which a click on it must name: in a
        channel each bot post starts a thread (`<channel>;messageid=<id>`, the event's
        `postConversationId`); in a chat it is the chat."""
        message = self.raw.get("message") if isinstance(self.raw, dict) else None
        post = message.get("postConversationId") if isinstance(message, dict) else None
        return str(post) if post else self.conversation_id

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
    """Talks to one Playground as its current user; keeps every bot message it receives.

    With `recording_file` (the Playground's events recording, which connect() switches on) it
    also sees what the bot sends into other users' chats, and can click there as them."""

    def __init__(self, base_url: str, *, recording_file: Path | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.recording_file = recording_file
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        self._follower: asyncio.Task[None] | None = None
        self._received: list[BotMessage] = []
        self._unread: list[BotMessage] = []
        # Other users' chats: conversation id -> user id, and their unread messages by user.
        self._chats: dict[str, str] = {}
        self._unread_to: dict[str, list[BotMessage]] = {}
        self._arrived = asyncio.Condition()
        self._config: dict[str, Any] | None = None
        self._stream_closed = False

    # --- connection ----------------------------------------------------------------------
    async def connect(self) -> PlaygroundClient:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        self._ws = await self._session.ws_connect(self.base_url + _STREAM_PATH, heartbeat=20)
        self._reader = asyncio.create_task(self._read_stream(self._ws))
        await self.config()
        if self.recording_file is not None:
            await self._request("POST", _DEBUG_OPTIONS_PATH, {"eventsRecordingEnabled": True})
            self._follower = asyncio.create_task(self._follow_recording(self.recording_file))
        return self

    async def close(self) -> None:
        for task in (self._reader, self._follower):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
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

    async def _follow_recording(self, path: Path) -> None:
        """Turn the bot's connector calls into other users' chats into messages for them."""
        position, pending = 0, b""
        while True:
            chunk = await asyncio.to_thread(_read_from, path, position)
            position += len(chunk)
            *records, pending = (pending + chunk).split(_RECORD_SEPARATOR)
            for record in records:
                # A record this reading does not understand is no message for anyone.
                with contextlib.suppress(ValueError, TypeError, AttributeError):
                    await self._recorded(json.loads(record.decode("utf-8")))
            await asyncio.sleep(_RECORDING_POLL_SECONDS)

    async def _recorded(self, record: dict[str, Any]) -> None:
        if not str(record.get("direction", "")).startswith(_FROM_BOT):
            return
        request = record.get("request") or {}
        response = record.get("response") or {}
        status = int(response.get("statusCode") or 0)
        if not 200 <= status < 300:
            return  # refused: nothing reached the chat
        body = request.get("body") or {}
        answer = response.get("body") or {}
        path = [unquote(part) for part in urlsplit(str(request.get("url"))).path.split("/")[1:]]
        if tuple(path[:3]) != _CONNECTOR_CONVERSATIONS:
            return
        rest = path[3:]
        if not rest and request.get("method") == "POST":  # a chat opened with someone
            members = body.get("members") or [{}]
            user = str(members[0].get("id", ""))
            if user and user != self.user_id and answer.get("id"):
                self._chats[str(answer["id"])] = user
            return
        if len(rest) < 2 or rest[1] != "activities" or body.get("type", "message") != "message":
            return
        recipient = self._chats.get(rest[0])
        if recipient is None:
            return  # the current user's chats arrive on the stream
        if request.get("method") == "PUT" and len(rest) == 3:
            action, message_id = "updateMessage", rest[2]
        elif request.get("method") == "POST":
            action, message_id = "createMessage", str(answer.get("id", ""))
        else:
            return
        message = BotMessage(
            action=action,
            conversation_id=rest[0],
            id=message_id,
            text=body.get("text"),
            attachments=list(body.get("attachments") or []),
            raw=record,
            to=recipient,
        )
        async with self._arrived:
            self._received.append(message)
            self._unread_to.setdefault(recipient, []).append(message)
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

    def user_id_of(self, name: str) -> str:
        """The id of one of the configured other users, by display name."""
        for user in self.settings["users"]:
            if user["name"] == name:
                return str(user["id"])
        raise LookupError(f"{name!r} is not a user of this Playground")

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
        self,
        text: str,
        *,
        conversation_id: str | None = None,
        mention_bot: bool = False,
        as_user: str | None = None,
    ) -> str:
        """Post a message as the current user (or `as_user`, a member of that conversation);
        returns its Playground message id.

        Outside the personal chat the bot only hears messages that @mention it.
        """
        conversation = conversation_id or self.personal_chat_id
        # The Playground keeps the id but names a typed message's sender after its current
        # user whatever is sent (a click's `from` keeps both).
        sender = {"id": as_user or self.user_id}
        body: dict[str, Any] = {"text": text, "textFormat": "plain", "from": sender}
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
        as_user: str | None = None,
    ) -> dict[str, Any]:
        """Press an Action.Execute button; returns the invoke response `{type, value}`.

        As Teams does, the card's inputs go along with their current values (unless the action
        says `associatedInputs: None`); `data` plays what the person typed: it overrides them.
        `as_user`: another user's id, for a card in their chat (`BotMessage.to`).
        """
        cards = card_message.cards
        if not cards:
            raise LookupError("the message has no Adaptive Card")
        action = find_action(cards[card_index], action_title_or_verb)
        if action.get("type") != "Action.Execute":
            raise ValueError(f"{action.get('type')} is not an Action.Execute (use submit())")
        inputs = {} if action.get("associatedInputs") == "None" else input_values(cards[card_index])
        merged = {**(action.get("data") or {}), **inputs, **(data or {})}
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
            "from": {"id": as_user or self.user_id},
            "conversation": {"id": card_message.thread_id},
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
            "conversation": {"id": card_message.thread_id},
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
        self._unread_to.clear()

    async def next_message(
        self,
        # A plain seconds argument reads best in tests (`next_message(5)`).
        timeout: float = _DEFAULT_TIMEOUT_SECONDS,  # noqa: ASYNC109
        predicate: Callable[[BotMessage], bool] | None = None,
        *,
        to: str | None = None,
    ) -> BotMessage:
        """The oldest unread bot message that satisfies `predicate`, waiting up to `timeout`.

        Messages that do not match stay unread for later calls. `to`: another user's id, for
        what the bot sent into their chats (needs the recording file); default: this user.
        """
        accept = predicate or (lambda _message: True)
        if to is not None and to != self.user_id and self.recording_file is None:
            raise RuntimeError("other users' chats need the Playground's recording file")

        def pick() -> BotMessage | None:
            if to is None or to == self.user_id:
                unread = self._unread
            else:
                unread = self._unread_to.setdefault(to, [])
            for index, message in enumerate(unread):
                if accept(message):
                    return unread.pop(index)
            return None

        async with self._arrived:
            try:
                async with asyncio.timeout(timeout):
                    while (found := pick()) is None:
                        if self._stream_closed:
                            raise PlaygroundError("the Playground closed the message stream")
                        await self._arrived.wait()
            except TimeoutError:
                unread = self._unread if to in (None, self.user_id) else self._unread_to[to]
                seen = [m.all_text[:80] for m in unread]
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


def input_values(card: dict[str, Any]) -> dict[str, Any]:
    """The inputs of a card with their current values ("" when empty), as a client sends them.

    Inputs of ShowCard sub-cards are left out: they belong to that sub-card's own actions."""
    return {
        str(node["id"]): node.get("value", "")
        for node in _card_nodes(card.get("body") or [])
        if str(node.get("type", "")).startswith("Input.") and node.get("id")
    }


def _card_nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if key != "card":  # an Action.ShowCard's own card
                yield from _card_nodes(value)
    elif isinstance(node, list):
        for item in node:
            yield from _card_nodes(item)


def _read_from(path: Path, position: int) -> bytes:
    """What was appended to `path` since `position` (nothing while it does not exist)."""
    try:
        with path.open("rb") as handle:
            handle.seek(position)
            return handle.read()
    except FileNotFoundError:
        return b""
