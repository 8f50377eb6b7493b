"""Digital incoming post: one scanned item, where it is routed, and what may happen to it.

The scanning service delivers a PDF and its metadata; Werkplek routes it to a person, a team
channel or an entity's post queue (or the mailroom's triage queue when no rule knows), tells the
addressee in Teams, and records what they do with it. Every change is a method returning a new
item (or raising IllegalPostTransition), saved only if nobody saved another change in between.

    received --route--> routed --handle--> handled
    received --route (to the triage queue)--> triage --route--> routed
    routed --forward--> routed (another person)     routed --not_for_me--> triage
    registered and legal items: acknowledge (who, when) before handle
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.domain.platform.errors import DomainError

REFERENCE_PREFIX = "POST"


class DocumentType(StrEnum):
    LETTER = "letter"
    INVOICE = "invoice"
    REGISTERED = "registered"
    LEGAL = "legal"  # summons, judgments, notices with a legal deadline
    NOTICE = "notice"  # administrative notices, tax assessments
    PARCEL_NOTICE = "parcel_notice"
    OTHER = "other"


# Items someone must explicitly acknowledge (who, when) before they can be marked handled.
NEEDS_ACKNOWLEDGEMENT = frozenset({DocumentType.REGISTERED, DocumentType.LEGAL})


class PostState(StrEnum):
    RECEIVED = "received"  # stored, not routed yet (a crash between intake and routing)
    ROUTED = "routed"
    TRIAGE = "triage"  # in the mailroom's queue: unroutable, or sent back "niet voor mij"
    HANDLED = "handled"


class DestinationKind(StrEnum):
    PERSON = "person"  # target: Entra object id
    TEAM = "team"  # target: "<team aad group id>/<channel id>"; members of the group may act
    ENTITY = "entity"  # target: entity code; that entity's post queue (its admins, mailroom)
    TRIAGE = "triage"  # the mailroom triage queue (target "")


@dataclass(frozen=True, slots=True)
class Destination:
    kind: DestinationKind
    target: str = ""

    @classmethod
    def triage(cls) -> Destination:
        return cls(DestinationKind.TRIAGE)


TRIAGE = Destination(DestinationKind.TRIAGE)


class IllegalPostTransition(DomainError):
    message_key = "post.error.illegal_transition"

    def __init__(self, state: PostState, transition: str) -> None:
        super().__init__(state=state.value, transition=transition)
        self.state = state
        self.transition = transition


class AcknowledgementRequired(DomainError):
    """A registered or legal item is handled only after someone acknowledged receiving it."""

    message_key = "post.error.acknowledge_first"


class StalePostItem(DomainError):
    message_key = "post.error.changed_meanwhile"


class ExternalIdTaken(DomainError):
    """The scanner sent an external id it used before, with another file or other metadata.
    The stored item is kept as it is: the scanner must give the new item a new id."""

    message_key = "post.intake.external_id_taken"

    def __init__(self, stored: PostItem, differences: tuple[str, ...]) -> None:
        super().__init__(external_id=stored.metadata.external_id, reference=stored.reference)
        self.stored = stored
        self.differences = differences


@dataclass(frozen=True, slots=True)
class Sender:
    name: str = ""
    organisation: str = ""


@dataclass(frozen=True, slots=True)
class IntakeMetadata:
    """What the scanning service says about an item (validated at the HTTP edge)."""

    external_id: str  # the scanner's id: the same id again is the same item
    received_at: datetime
    scanned_at: datetime
    sender: Sender
    addressee: str  # as written on the envelope
    entity: str = ""  # an entity code, when the scanner knows it
    subject: str = ""
    document_type: DocumentType = DocumentType.LETTER
    registered: bool = False
    tracking_number: str = ""
    pages: int = 0
    confidential: bool = False  # "persoonlijk / vertrouwelijk": only the envelope was scanned
    ocr_text: str = ""
    # Who delivered it: the intake token's name (or the folder import's). External ids are the
    # scanner's own numbering, so they are unique per scanner, not across scanners.
    scanner: str = ""


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """Where the scan lives (a DocumentStore key) and what it was."""

    key: str
    sha256: str
    size: int
    content_type: str = "application/pdf"


@dataclass(frozen=True, slots=True)
class Routing:
    """Where routing sent an item and why (for the audit trail and the rule dry run)."""

    destination: Destination
    addressee_id: str = ""  # the person the envelope names, when matched
    rule_id: str = ""  # the rule that matched; "" for the default (triage)
    delegated_from: str = ""  # the addressee whose delegate received it ("doorgestuurd")
    reason: str = ""  # a message id: why it went to triage ("post.reason.no_rule", ...)


@dataclass(frozen=True, slots=True)
class PostItem:
    id: int
    reference: str  # POST-2026-000123
    tenant_id: str
    metadata: IntakeMetadata
    document: StoredDocument
    state: PostState
    created_at: datetime
    updated_at: datetime
    version: int = 1
    destination: Destination = TRIAGE
    addressee_id: str = ""
    rule_id: str = ""
    delegated_from: str = ""
    triage_reason: str = ""  # message id, or the addressee's own words for "niet voor mij"
    forwarded_by: str = ""
    note: str = ""  # the forwarder's note to the new addressee
    acknowledged_by: str = ""
    acknowledged_at: datetime | None = None
    handled_by: str = ""
    handled_at: datetime | None = None
    original_requested_by: str = ""
    original_requested_at: datetime | None = None
    reminders_sent: int = 0
    last_reminded_at: datetime | None = None
    scan_deleted_at: datetime | None = None  # retention: the PDF is gone, metadata kept
    # Counts the cards announcing the item: each routing, forward or return to triage sends a
    # new one, and later edits must find the card of that occasion (see item_card_key).
    card_version: int = 0

    @property
    def needs_acknowledgement(self) -> bool:
        return self.metadata.document_type in NEEDS_ACKNOWLEDGEMENT or self.metadata.registered

    @property
    def is_open(self) -> bool:
        return self.state in (PostState.ROUTED, PostState.TRIAGE, PostState.RECEIVED)

    # --- transitions -------------------------------------------------------------------------
    def route(self, routing: Routing, now: datetime) -> PostItem:
        self._require({PostState.RECEIVED, PostState.TRIAGE}, "route")
        state = (
            PostState.TRIAGE
            if routing.destination.kind is DestinationKind.TRIAGE
            else PostState.ROUTED
        )
        return self._to(
            state,
            now,
            destination=routing.destination,
            addressee_id=routing.addressee_id or self.addressee_id,
            rule_id=routing.rule_id,
            delegated_from=routing.delegated_from,
            triage_reason=routing.reason if state is PostState.TRIAGE else "",
            # A new addressee starts afresh: no reminders, no note meant for someone else.
            forwarded_by="",
            note="",
            reminders_sent=0,
            last_reminded_at=None,
            card_version=self.card_version + 1,
        )

    def forward(self, by: str, to_person: str, note: str, now: datetime) -> PostItem:
        self._require({PostState.ROUTED}, "forward")
        current = self.destination
        if not to_person or (
            current.kind is DestinationKind.PERSON
            and current.target.casefold() == to_person.casefold()
        ):
            raise IllegalPostTransition(self.state, "forward")
        return self._to(
            PostState.ROUTED,
            now,
            destination=Destination(DestinationKind.PERSON, to_person),
            delegated_from="",
            card_version=self.card_version + 1,
            forwarded_by=by,
            note=note,
            reminders_sent=0,
            last_reminded_at=None,
        )

    def not_for_me(self, by: str, reason: str, now: datetime) -> PostItem:
        self._require({PostState.ROUTED}, "not_for_me")
        return self._to(
            PostState.TRIAGE,
            now,
            destination=TRIAGE,
            triage_reason=reason,
            forwarded_by=by,
            card_version=self.card_version + 1,
        )

    def acknowledge(self, by: str, now: datetime) -> PostItem:
        self._require({PostState.ROUTED, PostState.TRIAGE}, "acknowledge")
        if self.acknowledged_at is not None:
            return self
        return self._to(self.state, now, acknowledged_by=by, acknowledged_at=now)

    def handle(self, by: str, now: datetime) -> PostItem:
        self._require({PostState.ROUTED}, "handle")
        if self.needs_acknowledgement and self.acknowledged_at is None:
            raise AcknowledgementRequired()
        return self._to(PostState.HANDLED, now, handled_by=by, handled_at=now)

    def request_original(self, by: str, now: datetime) -> PostItem:
        self._require({PostState.ROUTED, PostState.TRIAGE, PostState.HANDLED}, "request_original")
        if self.original_requested_at is not None:
            return self
        return self._to(self.state, now, original_requested_by=by, original_requested_at=now)

    def reminded(self, now: datetime) -> PostItem:
        self._require({PostState.ROUTED}, "reminded")
        return self._to(
            PostState.ROUTED, now, reminders_sent=self.reminders_sent + 1, last_reminded_at=now
        )

    def scan_deleted(self, now: datetime) -> PostItem:
        self._require({PostState.HANDLED}, "scan_deleted")
        if self.scan_deleted_at is not None:
            return self
        return self._to(PostState.HANDLED, now, scan_deleted_at=now)

    # --- helpers -----------------------------------------------------------------------------
    def _require(self, allowed: set[PostState], name: str) -> None:
        if self.state not in allowed:
            raise IllegalPostTransition(self.state, name)

    def _to(self, state: PostState, now: datetime, **changes: Any) -> PostItem:
        return replace(self, state=state, updated_at=now, version=self.version + 1, **changes)


# The metadata fields a repeat must carry unchanged, by their JSON path on the wire.
_REPEATED_FIELDS: tuple[tuple[str, Callable[[IntakeMetadata], object]], ...] = (
    ("$.receivedAt", lambda m: m.received_at),
    ("$.scannedAt", lambda m: m.scanned_at),
    ("$.sender.name", lambda m: m.sender.name),
    ("$.sender.organisation", lambda m: m.sender.organisation),
    ("$.addressee", lambda m: m.addressee),
    ("$.subject", lambda m: m.subject),
    ("$.documentType", lambda m: m.document_type),
    ("$.registered", lambda m: m.registered),
    ("$.trackingNumber", lambda m: m.tracking_number),
    ("$.confidential", lambda m: m.confidential),
    ("$.ocrText", lambda m: m.ocr_text),
)


def upload_differences(stored: PostItem, metadata: IntakeMetadata, sha256: str) -> tuple[str, ...]:
    """What makes an upload under a stored item's external id another item: "file" when the
    bytes differ, else the JSON paths of the metadata fields that differ. Empty: a true repeat
    (a retry after a lost answer), answered with the stored item.

    Two fields are compared only when the scanner gave them, since the intake fills them in
    when it did not: the entity (the addressee's, from the directory) and the page count (from
    the PDF). Times compare as instants: "+01:00" and "Z" may name the same moment."""
    differences: list[str] = []
    if stored.document.sha256.casefold() != sha256.casefold():
        differences.append("file")
    before = stored.metadata
    differences += [path for path, value in _REPEATED_FIELDS if value(before) != value(metadata)]
    if metadata.entity and metadata.entity.casefold() != before.entity.casefold():
        differences.append("$.entity")
    if metadata.pages > 0 and metadata.pages != before.pages:
        differences.append("$.pages")
    return tuple(differences)


def format_post_reference(year: int, number: int) -> str:
    return f"{REFERENCE_PREFIX}-{year}-{number:06d}"


class PostNoticeKind(StrEnum):
    NEW_ITEM = "new_item"  # to the addressee (person) or into the destination channel
    FORWARDED = "forwarded"  # to the new addressee, with the forwarder's note
    TRIAGE = "triage"  # into the mailroom channel: route this item (people picker)
    ORIGINAL_REQUESTED = "original_requested"  # into the mailroom channel: a task
    REMINDER = "reminder"  # to the addressee: still unhandled after N working days
    ESCALATION = "escalation"  # to the entity admins: still unhandled after more days
    ITEM_UPDATED = "item_updated"  # edits an earlier item card in place (replaces)


@dataclass(frozen=True, slots=True)
class PostNotice:
    """A proactive message about an item: to a person (recipient_id) or into a channel
    (conversation_id, for team destinations and the mailroom)."""

    kind: PostNoticeKind
    item: PostItem
    recipient_id: str = ""
    conversation_id: str = ""
    step: str = ""  # makes the dedupe key unique per occasion (e.g. "reminder-2")
    replaces: str = ""  # dedupe key of the card this notice edits in place

    @property
    def dedupe_key(self) -> str:
        who = self.recipient_id or self.conversation_id
        if self.kind in ANNOUNCING:
            return item_card_key(self.item.id, who, self.item.card_version)
        step = self.step or f"v{self.item.version}"
        return f"post:{self.item.id}:{step}:{self.kind.value}:{who.casefold()}"


# The notices that announce an item to whoever now holds it: their cards are edited in place
# after each later action, so their keys must be known (item_card_key).
ANNOUNCING = frozenset({PostNoticeKind.NEW_ITEM, PostNoticeKind.FORWARDED, PostNoticeKind.TRIAGE})


def item_card_key(item_id: int, recipient: str, card_version: int) -> str:
    """The dedupe key of the card announcing an item to one recipient (a person's id or a
    channel's conversation id) on one occasion (the item's card_version)."""
    return f"post:{item_id}:card:{card_version}:{recipient.casefold()}"
