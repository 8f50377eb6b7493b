"""Post items and intake metadata in the shapes the routing and state-machine tests need."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.domain.post.items import (
    Destination,
    DestinationKind,
    DocumentType,
    IntakeMetadata,
    PostItem,
    PostState,
    Sender,
    StoredDocument,
    format_post_reference,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
TENANT = "tenant-1"
JEF = "2d4f6a8c"
LOTTE = "6c1e2f3a"
THOMAS = "8e31cd68"
MAILROOM = "63d30060"


def person(user_id: str) -> Destination:
    return Destination(DestinationKind.PERSON, user_id)


def metadata(**changes: Any) -> IntakeMetadata:
    base = IntakeMetadata(
        external_id="scan-0001",
        received_at=T0,
        scanned_at=T0,
        sender=Sender("Jan Smit", "FOD Financiën"),
        addressee="T.a.v. Dhr. Jef Peeters",
        subject="Aanslagbiljet personenbelasting 2026",
        document_type=DocumentType.LETTER,
        pages=2,
    )
    return replace(base, **changes)


def item(state: PostState = PostState.RECEIVED, **changes: Any) -> PostItem:
    meta = changes.pop("metadata", None) or metadata()
    base = PostItem(
        id=123,
        reference=format_post_reference(2026, 123),
        tenant_id=TENANT,
        metadata=meta,
        document=StoredDocument("2026/11/scan-0001.pdf", "ab" * 32, 1024),
        state=state,
        created_at=T0,
        updated_at=T0,
    )
    return replace(base, **changes)
