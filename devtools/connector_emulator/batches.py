"""Teams batch operations in the connector emulator: one activity for up to 100 people or
channels, which "Teams" then sends out itself, entry by entry, in the background.

    POST   v3/batch/conversation/users     {"activity", "members": [{"id"}], "tenantId"}
    POST   v3/batch/conversation/channels  (members are channel conversation ids)
           -> 201 {"operationId"}
    GET    v3/batch/conversation/{operationId}
           -> {"state", "statusMap": {"201": n, ...}, "retryAfter": null, "totalEntriesCount"}
    GET    v3/batch/conversation/failedentries/{operationId}?continuationToken=...
           -> {"continuationToken": <opaque> | null, "failedEntryResponses": [{"id", "error"}]}
    DELETE v3/batch/conversation/{operationId} -> {}

Decisions (and why):
- Entries are sent by one background task, first in first out across operations, at
  `batch_entries_per_second` (None: as fast as possible). They do not count against the
  tenant's per-second window: getting past that window is what batch operations are for. The
  requests themselves (create, state, failed entries, cancel) do count, and creates also count
  against `batch_create_per_second` per app per tenant.
- A person's entry goes to their personal chat (opened when there is none). It fails with 403
  and the block code when they blocked the bot, or with what `fail_in_batch` set for them (once).
  A channel entry fails with 404 ConversationNotFound when the channel was dropped.
- A cancelled operation's entries not yet sent are never sent; they are listed among the failed
  entries with the error OperationCancelled and counted in statusMap under
  CANCELLED_ENTRY_STATUS (499, "client closed request": it was the bot that withdrew them).
- Duplicates are counted across batch and single sends: an entry's dedupe key is the batch
  activity's `channelData.werkplekDedupeKey` + ":" + the member id in lower case, which is the
  key the outbox gives a single send of the same announcement to the same person.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from devtools.connector_emulator.limits import SlidingWindow
from devtools.connector_emulator.records import DEDUPE_KEY_FIELD, ReceivedActivity
from devtools.connector_emulator.replies import EmulatorReply
from devtools.connector_emulator.routes import Route

if TYPE_CHECKING:
    from devtools.connector_emulator.state import EmulatorState

logger = logging.getLogger(__name__)

BATCH_CREATES = frozenset({"batch_users", "batch_channels"})
MAX_BATCH_MEMBERS = 100  # Teams refuses larger lists
CANCELLED_ENTRY_STATUS = 499
CANCELLED_ENTRY_ERROR = "OperationCancelled"
DELIVERED_STATUS = 201
# Without a rate, the sender hands the event loop back after this many entries, so requests
# (state polls, cancels) are still served while a large backlog drains.
_ENTRIES_PER_TURN = 100
_IDLE_WAIT_SECONDS = 60.0


@dataclass(slots=True)
class BatchOperation:
    id: str
    kind: str  # "users" | "channels"
    tenant_id: str
    activity: dict[str, Any]
    members: tuple[str, ...]
    had_token: bool
    created_at: float  # time.monotonic()
    next_index: int = 0  # members before it were processed
    cancelled: bool = False
    status_map: Counter[int] = field(default_factory=Counter)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (member id, error code)

    @property
    def waiting(self) -> int:
        return 0 if self.cancelled else len(self.members) - self.next_index

    @property
    def state(self) -> str:
        if self.cancelled:
            return "Cancelled"
        if self.next_index >= len(self.members):
            return "Completed"
        return "InProgress" if self.next_index else "NotStarted"

    def state_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "statusMap": {str(status): count for status, count in self.status_map.items()},
            "retryAfter": None,
            "totalEntriesCount": len(self.members),
        }

    def entry_dedupe_key(self, member_id: str) -> str:
        channel_data = self.activity.get("channelData")
        key = channel_data.get(DEDUPE_KEY_FIELD) if isinstance(channel_data, dict) else ""
        return f"{key}:{member_id.lower()}" if key else ""


class BatchEngine:
    """The batch operations of one emulator run (EmulatorState.reset makes a new one)."""

    def __init__(self, world: EmulatorState) -> None:
        self._world = world
        self.operations: dict[str, BatchOperation] = {}
        self.create_windows: dict[str, SlidingWindow] = {}  # by "app|tenant"
        self._queue: deque[BatchOperation] = deque()
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()

    # --- lifecycle ----------------------------------------------------------------------------
    def cancel_task(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    @property
    def waiting(self) -> int:
        return sum(operation.waiting for operation in self._queue)

    async def wait_idle(self) -> None:
        """Raises TimeoutError when entries are still waiting after _IDLE_WAIT_SECONDS: a stuck
        sender fails a test instead of hanging it."""
        async with asyncio.timeout(_IDLE_WAIT_SECONDS):
            await self._idle.wait()

    def create_window(self, tenant_key: str) -> SlidingWindow | None:
        rate = self._world.batch_create_per_second
        if rate is None:
            return None
        window = self.create_windows.get(tenant_key)
        if window is None:
            # Below one a second the window is one create per 1/rate seconds.
            limit = (int(rate), 1.0) if rate >= 1 else (1, 1.0 / rate)
            window = self.create_windows[tenant_key] = SlidingWindow(limits=(limit,))
        return window

    # --- requests -----------------------------------------------------------------------------
    def serve(
        self, route: Route, body: dict[str, Any], tenant_id: str, now: float, had_token: bool
    ) -> tuple[int, dict[str, Any]]:
        if route.operation in BATCH_CREATES:
            kind = route.operation.removeprefix("batch_")
            return 201, {"operationId": self._create(kind, body, tenant_id, now, had_token).id}
        operation = self.operations.get(route.operation_id)
        if operation is None:
            raise EmulatorReply(404, "NotFound", "No such batch operation.")
        if route.operation == "batch_state":
            return 200, operation.state_json()
        if route.operation == "batch_failed":
            return 200, self._failed_page(operation, route.continuation)
        self._cancel(operation)
        return 200, {}

    def _create(
        self, kind: str, body: dict[str, Any], tenant_id: str, now: float, had_token: bool
    ) -> BatchOperation:
        activity = body.get("activity")
        if not isinstance(activity, dict):
            raise EmulatorReply(400, "BadArgument", "activity must be an activity object.")
        members = body.get("members")
        if not isinstance(members, list) or not members:
            raise EmulatorReply(400, "BadArgument", "members must list at least one member.")
        ids = [member.get("id") if isinstance(member, dict) else None for member in members]
        if not all(isinstance(member_id, str) and member_id for member_id in ids):
            raise EmulatorReply(400, "BadArgument", "Every member needs an id.")
        if len(ids) > MAX_BATCH_MEMBERS:
            raise EmulatorReply(400, "BadArgument", "At most 100 members per operation.")
        if not isinstance(body.get("tenantId"), str) or not body["tenantId"]:
            raise EmulatorReply(400, "BadArgument", "tenantId is required.")
        operation = BatchOperation(
            id=str(uuid.uuid4()),
            kind=kind,
            tenant_id=tenant_id,
            activity=activity,
            members=tuple(str(member_id) for member_id in ids),
            had_token=had_token,
            created_at=now,
        )
        self.operations[operation.id] = operation
        self._queue.append(operation)
        self._world.stats.batch_operations += 1
        self._idle.clear()
        self._wake.set()
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())
        return operation

    def _failed_page(self, operation: BatchOperation, continuation: str) -> dict[str, Any]:
        start = _offset_of(continuation, operation.id) if continuation else 0
        end = start + self._world.failed_entries_page
        page = operation.failed[start:end]
        return {
            "continuationToken": _token(operation.id, end) if end < len(operation.failed) else None,
            "failedEntryResponses": [{"id": member, "error": error} for member, error in page],
        }

    def _cancel(self, operation: BatchOperation) -> None:
        if operation.cancelled or operation.waiting == 0:
            return  # nothing left to withdraw: it stays as it ended
        unsent = operation.members[operation.next_index :]
        operation.failed.extend((member, CANCELLED_ENTRY_ERROR) for member in unsent)
        operation.status_map[CANCELLED_ENTRY_STATUS] += len(unsent)
        operation.cancelled = True
        self._world.stats.batch_cancelled += len(unsent)

    # --- the sender ---------------------------------------------------------------------------
    async def _run(self) -> None:
        due = time.monotonic()
        while True:
            if not self._has_work():
                self._idle.set()
                self._wake.clear()
                await self._wake.wait()
                due = time.monotonic()
                continue
            rate = self._world.batch_entries_per_second
            sent = 0
            now = time.monotonic()
            # Every entry that fell due while the loop slept goes now (a sleep lasts a
            # millisecond or more, longer than one entry's slot at 1000 a second).
            while sent < _ENTRIES_PER_TURN and (rate is None or due <= now) and self._step():
                sent += 1
                if rate is not None:
                    due += 1.0 / rate
            await asyncio.sleep(0.0 if rate is None else max(0.0, due - time.monotonic()))

    def _has_work(self) -> bool:
        while self._queue and self._queue[0].waiting == 0:
            self._queue.popleft()
        return bool(self._queue)

    def _step(self) -> bool:
        """Process the next entry; False when none is waiting."""
        if not self._has_work():
            return False
        operation = self._queue[0]
        member_id = operation.members[operation.next_index]
        operation.next_index += 1
        stats = self._world.stats
        try:
            self._deliver(operation, member_id)
        except EmulatorReply as failure:
            operation.failed.append((member_id, failure.code))
            operation.status_map[failure.status] += 1
            stats.batch_failed += 1
        except Exception:  # a bug here must not stop every later operation
            logger.exception("Batch operation %s: entry not processed", operation.id)
            operation.failed.append((member_id, "InternalServerError"))
            operation.status_map[500] += 1
            stats.batch_failed += 1
        else:
            operation.status_map[DELIVERED_STATUS] += 1
            stats.batch_sent += 1
        return True

    def _deliver(self, operation: BatchOperation, member_id: str) -> None:
        world = self._world
        if operation.kind == "users":
            code = world.blocked_users.get(member_id)
            if code:
                raise EmulatorReply(403, code, "The bot cannot write to this person.")
        failure = world.batch_failures.pop(member_id, None)
        if failure is not None:
            raise EmulatorReply(failure[0], failure[1], "Injected batch entry failure.")
        if operation.kind == "users":
            sender = operation.activity.get("from")
            bot_id = str(sender.get("id") or "") if isinstance(sender, dict) else ""
            conversation_id = world.open_personal_chat(operation.tenant_id, member_id, bot_id)
        else:
            conversation_id = world.reachable_conversation(member_id).id
        now = time.monotonic()
        world.record_message(
            ReceivedActivity(
                conversation_id=conversation_id,
                activity_id=world.next_activity_id(),
                activity=operation.activity,
                operation="batch",
                at=now,
                wall=time.time(),
                tenant_id=operation.tenant_id,
                had_token=operation.had_token,
                operation_id=operation.id,
                member_id=member_id,
                entry_dedupe_key=operation.entry_dedupe_key(member_id),
            )
        )


def _token(operation_id: str, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{operation_id}|{offset}".encode()).decode()


def _offset_of(token: str, operation_id: str) -> int:
    try:
        owner, _, offset = base64.urlsafe_b64decode(token.encode()).decode().partition("|")
        if owner == operation_id and int(offset) >= 0:
            return int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise EmulatorReply(400, "BadArgument", "Not a continuation token of this operation.")
