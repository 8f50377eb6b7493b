"""Post items in a chosen state, for the register and rules tests (tests only)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.post.items import (
    Destination,
    DestinationKind,
    DocumentType,
    IntakeMetadata,
    PostItem,
    PostState,
    Routing,
    Sender,
    StoredDocument,
    format_post_reference,
)

JEF = "2d4f6a8c-0e1b-4d3f-a5c7-e9b1d3f5a7c9"
AN = "08c483c0-e05f-4da4-9567-595928862476"
GROUP = "45051185-e7a1-43b1-a23e-15b0763768d2"
CHANNEL = "19:8a1f0c@thread.tacv2"
MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 09:00 in Brussels


def item(
    number: int,
    *,
    received: datetime = MONDAY,
    entity: str = "ADV",
    kind: DocumentType = DocumentType.LETTER,
    addressee: str = "Jef Peeters",
    subject: str = "Uw dossier",
    registered: bool = False,
) -> PostItem:
    """A received item, stored when the paper was received."""
    metadata = IntakeMetadata(
        external_id=f"scan-{number}",
        received_at=received,
        scanned_at=received + timedelta(minutes=20),
        sender=Sender("Marie Claes", "FOD Financiën"),
        addressee=addressee,
        entity=entity,
        subject=subject,
        document_type=kind,
        registered=registered,
        tracking_number="RR123456789BE" if registered else "",
        pages=2,
    )
    return PostItem(
        id=number,
        reference=format_post_reference(received.year, number),
        tenant_id="tenant",
        metadata=metadata,
        document=StoredDocument(f"2026/03/{number:032x}.pdf", "0" * 64, 1234),
        state=PostState.RECEIVED,
        created_at=received,
        updated_at=received,
    )


def routed(
    post: PostItem,
    to: Destination | None = None,
    *,
    rule_id: str = "R-001",
    addressee_id: str = JEF,
) -> PostItem:
    destination = to or Destination(DestinationKind.PERSON, JEF)
    return post.route(Routing(destination, addressee_id, rule_id), post.created_at)


def handled(post: PostItem, after: timedelta, by: str = JEF) -> PostItem:
    at = post.created_at + after
    if post.needs_acknowledgement:
        post = post.acknowledge(by, at)
    return post.handle(by, at)


def scan_gone(post: PostItem, at: datetime) -> PostItem:
    return post.scan_deleted(at)
