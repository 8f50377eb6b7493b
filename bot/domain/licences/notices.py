"""Messages the licence capability sends on its own (not as a reply): what, to whom, about what.

Services decide that a notice is due; bot.ports.licences.LicenceCards turns it into a card in the
recipient's language; the outbox delivers it. Each notice has a dedupe key, so a step that is
retried after a crash never sends the same message twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.licences.catalogue import CatalogueItem
from bot.domain.licences.requests import LicenceRequest


class NoticeKind(StrEnum):
    APPROVAL_REQUEST = "approval_request"  # to each approver of a stage: Approve / Reject
    APPROVAL_REMINDER = "approval_reminder"  # halfway to the deadline
    APPROVAL_CLOSED = "approval_closed"  # replaces an approver's card: who decided, when
    STAGE_APPROVED = "stage_approved"  # to the requester: stage 1 of 2 approved
    APPROVED = "approved"  # to the requester: approved, being granted
    REJECTED = "rejected"
    EXPIRED = "expired"
    FULFILLED = "fulfilled"
    WAITING_FOR_SEATS = "waiting_for_seats"  # to the requester
    SEATS_NEEDED = "seats_needed"  # to the entity's ICT admins: order seats
    USAGE_LOCATION_MISSING = "usage_location_missing"  # to the entity's ICT admins
    WAITING_FOR_COUNTRY = "waiting_for_country"  # to the requester, the same once: it waits
    FAILED = "failed"  # to the requester (and the admins)
    ENDING_SOON = "ending_soon"  # to the requester, with "verlengen"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class LicenceNotice:
    kind: NoticeKind
    recipient_id: str
    request: LicenceRequest
    item: CatalogueItem
    # Kind-specific facts, as text: "free_seats", "sku", "stage".
    facts: dict[str, str] = field(default_factory=dict)

    replaces: str = ""  # dedupe key of the card this notice edits in place (APPROVAL_CLOSED)

    @property
    def dedupe_key(self) -> str:
        """One message per request, step, kind and recipient: a retried step sends nothing twice.

        The step is the request's version unless the notice names its own ("stage-2"), so an
        approver's card keeps a key that later edits can point at."""
        if self.kind is NoticeKind.APPROVAL_REQUEST:
            return approval_card_key(self.request.id, self.request.stage, self.recipient_id)
        if self.kind is NoticeKind.APPROVAL_REMINDER:
            return reminder_card_key(self.request.id, self.request.stage, self.recipient_id)
        step = self.facts.get("step", f"v{self.request.version}")
        return f"licence:{self.request.id}:{step}:{self.kind.value}:{self.recipient_id.casefold()}"


def approval_card_key(request_id: int, stage: int, approver_id: str) -> str:
    """The dedupe key of an approver's card, so later messages can replace it in place."""
    return f"licence:{request_id}:approval:{stage}:{approver_id.casefold()}"


def reminder_card_key(request_id: int, stage: int, approver_id: str) -> str:
    return f"licence:{request_id}:reminder:{stage}:{approver_id.casefold()}"
