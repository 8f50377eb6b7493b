"""What the connector emulator remembers: conversations, received requests, faults, counters."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

# The outbox sender writes the outbox dedupe key here; the emulator counts a key seen twice
# among accepted sends as a duplicate delivery.
DEDUPE_KEY_FIELD = "werkplekDedupeKey"


@dataclass(slots=True)
class Conversation:
    id: str
    tenant_id: str
    member_ids: tuple[str, ...] = ()
    bot_id: str = ""
    is_group: bool = False
    gone: bool = False


@dataclass(frozen=True, slots=True)
class ReceivedActivity:
    """One accepted activity write (send, reply, update), or one entry of a batch operation
    Teams delivered (operation "batch": the batch's activity, in the member's conversation)."""

    conversation_id: str
    activity_id: str
    activity: dict[str, Any]
    operation: str  # "send" | "reply" | "update" | "batch"
    at: float  # time.monotonic() when admitted
    wall: float  # time.time()
    tenant_id: str
    had_token: bool
    reply_to_id: str = ""
    operation_id: str = ""  # batch entries: the operation, and the member it went to as sent
    member_id: str = ""
    # A batch entry's own key (the batch's key + ":" + the member id in lower case): the one
    # activity carries a single key for all its members.
    entry_dedupe_key: str = ""

    @property
    def dedupe_key(self) -> str:
        if self.operation == "batch":
            return self.entry_dedupe_key
        channel_data = self.activity.get("channelData")
        if isinstance(channel_data, dict):
            return str(channel_data.get(DEDUPE_KEY_FIELD) or "")
        return ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Deletion:
    """One accepted deletion of a message (DELETE .../activities/{id})."""

    conversation_id: str
    activity_id: str
    at: float  # time.monotonic() when admitted
    wall: float  # time.time()
    tenant_id: str
    had_token: bool

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class PostedMessage:
    """A message as its conversation shows it now: the accepted send (or reply) as edited by
    every accepted update since; `versions` holds each activity it showed, oldest first."""

    conversation_id: str
    activity_id: str
    activity: dict[str, Any]
    versions: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False

    @property
    def edits(self) -> int:
        return len(self.versions) - 1

    @property
    def text(self) -> str:
        return str(self.activity.get("text") or "")

    @property
    def attachments(self) -> list[Any]:
        attachments = self.activity.get("attachments")
        return list(attachments) if isinstance(attachments, list) else []

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ReceivedRequest:
    """Every request, whatever the answer (for assertions on retries and throttling)."""

    method: str
    path: str
    status: int
    at: float
    wall: float
    tenant_id: str
    conversation_id: str
    had_token: bool
    dedupe_key: str = ""
    error_code: str = ""
    retry_after: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Fault:
    """Answer the next `remaining` matching requests with `status` instead of serving them."""

    status: int
    remaining: int
    retry_after: float | None = None
    code: str = ""
    conversation_id: str = ""
    user_id: str = ""

    def matches(self, conversation: Conversation | None, conversation_id: str) -> bool:
        if self.conversation_id and self.conversation_id != conversation_id:
            return False
        return not self.user_id or (
            conversation is not None and self.user_id in conversation.member_ids
        )


@dataclass(slots=True)
class Stats:
    accepted: int = 0  # answered 2xx
    throttled: int = 0  # answered 429 by the rate limits (not injected)
    injected: int = 0  # answered by an injected fault
    blocked: int = 0  # 403
    not_found: int = 0  # 404
    updated: int = 0  # accepted edits of a message (PUT)
    deleted: int = 0  # accepted deletions of a message (DELETE)
    bad_requests: int = 0  # 400
    created_conversations: int = 0
    duplicates: int = 0  # dedupe keys seen again, across sends, replies and batch entries
    batch_operations: int = 0  # batch operations accepted
    batch_sent: int = 0  # batch entries delivered
    batch_failed: int = 0  # batch entries that failed (blocked, gone, injected)
    batch_cancelled: int = 0  # batch entries withdrawn unsent by a cancel
    with_token: int = 0
    without_token: int = 0
    # Highest number of requests admitted by the limiter in any sliding one-second window,
    # overall and per "app|tenant" (throttled attempts are not admitted, so not counted).
    max_per_second_window: int = 0
    peak_per_tenant: dict[str, int] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["statuses"] = {str(code): count for code, count in self.statuses.items()}
        return data
