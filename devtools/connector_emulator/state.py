"""The connector emulator's simulated world and records, and the Python API to steer them."""

from __future__ import annotations

import itertools

from devtools.connector_emulator.limits import SlidingWindow
from devtools.connector_emulator.records import (
    Conversation,
    Deletion,
    Fault,
    PostedMessage,
    ReceivedActivity,
    ReceivedRequest,
    Stats,
)

UNKNOWN_TENANT = "unknown"
_ACTIVITY_ID_BASE = 1_700_000_000_000


class EmulatorState:
    def __init__(
        self,
        *,
        tenant_rate_per_second: float | None = 50.0,
        enforce_conversation_limits: bool = True,
        strict_conversations: bool = False,
    ) -> None:
        """strict_conversations: answer 404 for conversation ids it never created or was told
        about (by default any id is accepted, as if it existed in Teams)."""
        self.tenant_rate_per_second = tenant_rate_per_second
        self.enforce_conversation_limits = enforce_conversation_limits
        self.strict_conversations = strict_conversations
        self.service_url = ""
        self.reset()

    # --- state --------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget everything received and all simulated state (limits settings are kept)."""
        self.conversations: dict[str, Conversation] = {}
        self._by_member: dict[tuple[str, str], str] = {}
        self.activities: list[ReceivedActivity] = []
        # Every message sent, by activity id, as it looks now (edits applied).
        self.posted: dict[str, PostedMessage] = {}
        self.requests: list[ReceivedRequest] = []
        # Every accepted deletion, in order (the message stays in `posted`, marked deleted).
        self.deleted: list[Deletion] = []
        self.stats = Stats()
        self.blocked_users: dict[str, str] = {}
        self.faults: list[Fault] = []
        self._tenant_windows: dict[str, SlidingWindow] = {}
        self._conversation_windows: dict[tuple[str, str], SlidingWindow] = {}
        self._seen_dedupe_keys: set[str] = set()
        self._activity_ids = itertools.count(1)

    def configure(
        self,
        *,
        tenant_rate_per_second: float | None,
        enforce_conversation_limits: bool | None = None,
    ) -> None:
        self.tenant_rate_per_second = tenant_rate_per_second
        if enforce_conversation_limits is not None:
            self.enforce_conversation_limits = enforce_conversation_limits
        self._tenant_windows.clear()

    def add_conversation(
        self, conversation_id: str, tenant_id: str, member_id: str = "", bot_id: str = ""
    ) -> None:
        """Make a conversation known (as if the person had installed the app earlier)."""
        members = (member_id,) if member_id else ()
        self.conversations[conversation_id] = Conversation(
            conversation_id, tenant_id, members, bot_id
        )
        if member_id:
            self._by_member[(tenant_id, member_id)] = conversation_id

    def block_user(self, user_id: str, code: str = "MessageWritesBlocked") -> None:
        """Sends to this person answer 403 with `code`; with BotNotInConversationRoster even
        opening the 1:1 chat does."""
        self.blocked_users[user_id] = code

    def unblock_user(self, user_id: str) -> None:
        self.blocked_users.pop(user_id, None)

    def drop_conversation(self, conversation_id: str) -> None:
        """The conversation is gone: everything addressed to it answers 404."""
        conversation = self.conversations.get(conversation_id)
        if conversation is None:
            conversation = Conversation(conversation_id, UNKNOWN_TENANT)
            self.conversations[conversation_id] = conversation
        conversation.gone = True

    def inject(
        self,
        status: int,
        times: int,
        retry_after: float | None = None,
        *,
        code: str = "",
        conversation_id: str = "",
        user_id: str = "",
    ) -> None:
        """Answer the next `times` requests (to that conversation / person, if given) with
        `status` instead of serving them."""
        self.faults.append(Fault(status, times, retry_after, code, conversation_id, user_id))

    # --- convenience for assertions ------------------------------------------------------------
    @property
    def accepted(self) -> int:
        return self.stats.accepted

    @property
    def throttled(self) -> int:
        return self.stats.throttled

    @property
    def max_per_second_window(self) -> int:
        return self.stats.max_per_second_window

    @property
    def duplicates(self) -> int:
        return self.stats.duplicates

    def sends(self) -> list[ReceivedActivity]:
        """Accepted new messages (sends and replies, not updates)."""
        return [a for a in self.activities if a.operation in ("send", "reply")]

    def updates(self) -> list[ReceivedActivity]:
        """Accepted edits of earlier messages."""
        return [a for a in self.activities if a.operation == "update"]

    def deletions(self) -> list[Deletion]:
        """Accepted deletions of earlier messages."""
        return list(self.deleted)

    def message(self, activity_id: str) -> PostedMessage | None:
        """The message with that id as it looks now (None: never sent)."""
        return self.posted.get(activity_id)

    def _next_id(self) -> str:
        return str(_ACTIVITY_ID_BASE + next(self._activity_ids))

    def _count(self, status: int) -> None:
        stats = self.stats
        stats.statuses[status] += 1
        if 200 <= status < 300:
            stats.accepted += 1
        elif status == 403:
            stats.blocked += 1
        elif status == 404:
            stats.not_found += 1
        elif status == 400:
            stats.bad_requests += 1
