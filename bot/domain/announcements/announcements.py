"""An announcement and the steps of its life.

    DRAFT ──submit──> AWAITING_APPROVAL ──approve──> SCHEDULED / SENDING
      ^  └─submit (no approval needed)──────────────> SCHEDULED / SENDING ──> SENT
      └── edit <── REJECTED <──reject──┘                    │
    CANCELLED <── cancel (from AWAITING_APPROVAL, SCHEDULED, SENDING)
    RECALLED  <── recall (from SENDING, SENT): its sent messages are deleted

A step is taken by `step()`, which refuses a step the state does not allow (the service then
says so; a second click on an old card lands here). Approval is by another person than the
author; the first decision wins because the store saves a step only on the version it read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from bot.domain.announcements.audiences import Audience
from bot.domain.announcements.batches import DeliveryMode
from bot.domain.announcements.content import Content, Importance, text_for

# The author an API key acts as is "api:<key name>": no person, so no chat to tell things in.
API_AUTHOR_PREFIX = "api:"


def is_person(author_id: str) -> bool:
    """Whether an author is a person with a chat (not an API key)."""
    return bool(author_id) and not author_id.startswith(API_AUTHOR_PREFIX)


class AnnouncementState(StrEnum):
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"
    REJECTED = "rejected"  # back with the author, editable like a draft
    SCHEDULED = "scheduled"  # approved (or needing none), waiting for send_at
    SENDING = "sending"  # its recipients are being resolved and delivered
    SENT = "sent"  # every recipient has a final outcome
    CANCELLED = "cancelled"
    RECALLED = "recalled"


EDITABLE = frozenset({AnnouncementState.DRAFT, AnnouncementState.REJECTED})
# An announcement in these states can still be stopped before (more) people get it.
CANCELLABLE = frozenset(
    {
        AnnouncementState.AWAITING_APPROVAL,
        AnnouncementState.SCHEDULED,
        AnnouncementState.SENDING,
    }
)
RECALLABLE = frozenset({AnnouncementState.SENDING, AnnouncementState.SENT})
# Sent messages can be edited in place (the same card, new text) in these states.
EDITABLE_AFTER_SENDING = RECALLABLE
FINISHED = frozenset(
    {AnnouncementState.SENT, AnnouncementState.CANCELLED, AnnouncementState.RECALLED}
)


class Step(StrEnum):
    SUBMIT = "submit"  # the author asks to send (now or at send_at)
    APPROVE = "approve"
    REJECT = "reject"
    EDIT = "edit"  # a rejected announcement goes back to draft
    START = "start"  # the sender begins (send_at reached)
    FINISH = "finish"
    CANCEL = "cancel"
    RECALL = "recall"


class StepRefused(Exception):
    """The announcement's state does not allow this step (a stale card, a double click)."""

    def __init__(self, state: AnnouncementState, step: Step) -> None:
        super().__init__(f"{step} not allowed in {state}")
        self.state = state
        self.step = step


@dataclass(frozen=True, slots=True)
class NewAnnouncement:
    tenant_id: str
    author_id: str
    author_name: str
    author_entity: str  # the author's entity code when written (their scope's "own entity")
    dutch: Content
    created_at: datetime
    english: Content | None = None
    importance: Importance = Importance.NORMAL
    audience: Audience | None = None
    send_at: datetime | None = None  # None: as soon as it may go
    # Who created it through the API (the key's name), empty for chat.
    source: str = ""
    client_key: str = ""  # the API client's idempotency key
    # How it goes out (bot.domain.announcements.batches); AUTOMATIC decides by audience size.
    delivery: DeliveryMode = DeliveryMode.AUTOMATIC


@dataclass(frozen=True, slots=True)
class Announcement:
    id: int
    reference: str  # ANN-2026-000042
    tenant_id: str
    author_id: str
    author_name: str
    author_entity: str
    state: AnnouncementState
    version: int
    dutch: Content
    english: Content | None
    importance: Importance
    audience: Audience | None
    created_at: datetime
    updated_at: datetime
    send_at: datetime | None = None
    approval_required: bool = False
    decided_by: str = ""  # the approver or the rejecter (object id)
    decided_by_name: str = ""
    decision_note: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    audience_size: int = 0  # recipients in the snapshot (0 until resolved)
    resolved: bool = False  # the snapshot is complete
    edits: int = 0  # times the sent messages were edited
    source: str = ""
    client_key: str = ""
    delivery: DeliveryMode = DeliveryMode.AUTOMATIC

    @property
    def editable(self) -> bool:
        return self.state in EDITABLE

    def text(self, locale: str) -> Content:
        return text_for(self.dutch, self.english, locale)


def drafted(new: NewAnnouncement, *, announcement_id: int, reference: str) -> Announcement:
    """A new announcement as it is first stored: a draft at version 1."""
    return Announcement(
        id=announcement_id,
        reference=reference,
        tenant_id=new.tenant_id,
        author_id=new.author_id,
        author_name=new.author_name,
        author_entity=new.author_entity,
        state=AnnouncementState.DRAFT,
        version=1,
        dutch=new.dutch,
        english=new.english,
        importance=new.importance,
        audience=new.audience,
        created_at=new.created_at,
        updated_at=new.created_at,
        send_at=new.send_at,
        source=new.source,
        client_key=new.client_key,
        delivery=new.delivery,
    )


def step(
    announcement: Announcement,
    what: Step,
    at: datetime,
    *,
    approval_required: bool = False,
    by: str = "",
    by_name: str = "",
    note: str = "",
) -> Announcement:
    """The announcement after `what`, or StepRefused. Pure: the caller stores it on the
    version it read (a newer version means someone else decided first)."""
    state = announcement.state
    moved = replace(announcement, version=announcement.version + 1, updated_at=at)
    due = announcement.send_at is None or announcement.send_at <= at
    match what:
        case Step.SUBMIT if state in EDITABLE:
            if approval_required:
                return replace(
                    moved,
                    state=AnnouncementState.AWAITING_APPROVAL,
                    approval_required=True,
                    decided_by="",
                    decided_by_name="",
                    decision_note="",
                )
            return replace(
                moved,
                state=AnnouncementState.SENDING if due else AnnouncementState.SCHEDULED,
                started_at=at if due else None,
            )
        case Step.APPROVE if state is AnnouncementState.AWAITING_APPROVAL:
            return replace(
                moved,
                state=AnnouncementState.SENDING if due else AnnouncementState.SCHEDULED,
                started_at=at if due else None,
                decided_by=by,
                decided_by_name=by_name,
                decision_note=note,
            )
        case Step.REJECT if state is AnnouncementState.AWAITING_APPROVAL:
            return replace(
                moved,
                state=AnnouncementState.REJECTED,
                decided_by=by,
                decided_by_name=by_name,
                decision_note=note,
            )
        case Step.EDIT if state is AnnouncementState.REJECTED:
            return replace(moved, state=AnnouncementState.DRAFT)
        case Step.START if state is AnnouncementState.SCHEDULED:
            return replace(moved, state=AnnouncementState.SENDING, started_at=at)
        case Step.FINISH if state is AnnouncementState.SENDING:
            return replace(moved, state=AnnouncementState.SENT, finished_at=at)
        case Step.CANCEL if state in CANCELLABLE:
            return replace(moved, state=AnnouncementState.CANCELLED, finished_at=at)
        case Step.RECALL if state in RECALLABLE:
            return replace(moved, state=AnnouncementState.RECALLED, finished_at=at)
    raise StepRefused(state, what)


def format_announcement_reference(year: int, number: int) -> str:
    return f"ANN-{year}-{number:06d}"
