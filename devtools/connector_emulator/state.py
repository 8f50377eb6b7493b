"""The connector emulator's simulated world and records, and the Python API to steer them."""

from __future__ import annotations

import itertools
import uuid

from devtools.connector_emulator.batches import BatchEngine, BatchOperation
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
from devtools.connector_emulator.replies import EmulatorReply

UNKNOWN_TENANT = "unknown"
_ACTIVITY_ID_BASE = 1_700_000_000_000


class EmulatorState:
    def __init__(
        self,
        *,
        tenant_rate_per_second: float | None = 50.0,
        enforce_conversation_limits: bool = True,
        strict_conversations: bool = False,
        batch_entries_per_second: float | None = 1000.0,
        batch_create_per_second: float | None = 4.0,
        failed_entries_page: int = 50,
    ) -> None:
        """strict_conversations: answer 404 for conversation ids it never created or was told
        about (by default any id is accepted, as if it existed in Teams). The batch_ settings
        are batches.py's (None: unlimited); the failed entries' page is small by default so
        that clients page through it."""
        self.tenant_rate_per_second = tenant_rate_per_second
        self.enforce_conversation_limits = enforce_conversation_limits
        self.strict_conversations = strict_conversations
        self.batch_entries_per_second = batch_entries_per_second
        self.batch_create_per_second = batch_create_per_second
        self.failed_entries_page = failed_entries_page
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
        # A member's next batch entry fails with (status, code), once (fail_in_batch).
        self.batch_failures: dict[str, tuple[int, str]] = {}
        previous: BatchEngine | None = getattr(self, "batches", None)
        if previous is not None:
            previous.cancel_task()
        self.batches = BatchEngine(self)

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

    def configure_batches(
        self, *, entries_per_second: float | None, create_per_second: float | None
    ) -> None:
        self.batch_entries_per_second = entries_per_second
        self.batch_create_per_second = create_per_second
        self.batches.create_windows.clear()

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

    def fail_in_batch(self, member_id: str, status: int = 500, code: str = "ServiceError") -> None:
        """The member's next batch entry (not a single send) fails with `status` and `code`."""
        self.batch_failures[member_id] = (status, code)

    # --- the world's rules, shared by single sends and batch entries ---------------------------
    def open_personal_chat(self, tenant_id: str, member_id: str, bot_id: str = "") -> str:
        """The person's 1:1 conversation id, opened (and counted) when there is none."""
        existing = self._by_member.get((tenant_id, member_id))
        if existing and not self.conversations[existing].gone:
            return existing
        conversation_id = "a:1" + uuid.uuid4().hex
        self.add_conversation(conversation_id, tenant_id, member_id, bot_id)
        self.stats.created_conversations += 1
        return conversation_id

    def known_conversation(self, conversation_id: str) -> Conversation:
        """The conversation as Teams would find it; 404 when gone (or unknown, when strict)."""
        conversation = self.conversations.get(conversation_id)
        if conversation is None and self.strict_conversations:
            raise EmulatorReply(404, "ConversationNotFound", "Conversation not found.")
        if conversation is None:
            return Conversation(conversation_id, UNKNOWN_TENANT)
        if conversation.gone:
            raise EmulatorReply(404, "ConversationNotFound", "Conversation not found.")
        return conversation

    def reachable_conversation(self, conversation_id: str) -> Conversation:
        """known_conversation, and 403 when one of its members blocked the bot."""
        conversation = self.known_conversation(conversation_id)
        for member_id in conversation.member_ids:
            code = self.blocked_users.get(member_id)
            if code:
                raise EmulatorReply(403, code, "The bot cannot write to this conversation.")
        return conversation

    def record_message(self, received: ReceivedActivity) -> None:
        """Keep a new message (a send, a reply, a batch entry) and count a repeated key."""
        self.activities.append(received)
        self.posted[received.activity_id] = PostedMessage(
            received.conversation_id, received.activity_id, received.activity, [received.activity]
        )
        key = received.dedupe_key
        if key:
            if key in self._seen_dedupe_keys:
                self.stats.duplicates += 1
            self._seen_dedupe_keys.add(key)

    def next_activity_id(self) -> str:
        return str(_ACTIVITY_ID_BASE + next(self._activity_ids))

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

    def batch_sends(self) -> list[ReceivedActivity]:
        """Batch entries delivered, one per member reached."""
        return [a for a in self.activities if a.operation == "batch"]

    def batch_operations(self) -> list[BatchOperation]:
        """Every batch operation accepted, oldest first."""
        return list(self.batches.operations.values())

    async def wait_batches_idle(self) -> None:
        """Return once no batch entry is waiting to be processed (TimeoutError after a minute)."""
        await self.batches.wait_idle()

    def updates(self) -> list[ReceivedActivity]:
        """Accepted edits of earlier messages."""
        return [a for a in self.activities if a.operation == "update"]

    def deletions(self) -> list[Deletion]:
        """Accepted deletions of earlier messages."""
        return list(self.deleted)

    def message(self, activity_id: str) -> PostedMessage | None:
        """The message with that id as it looks now (None: never sent)."""
        return self.posted.get(activity_id)

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
