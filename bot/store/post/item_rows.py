"""A post item as a row of `post_items`, and back (the repository in bot.store.post.items)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from bot.domain.platform.text import fold
from bot.domain.post.items import (
    Destination,
    DestinationKind,
    DocumentType,
    IntakeMetadata,
    PostItem,
    PostState,
    Sender,
    StoredDocument,
)


def search_text(metadata: IntakeMetadata) -> str:
    """What `visible_to` searches: the folded sender and subject, one space between parts."""
    parts = (metadata.sender.name, metadata.sender.organisation, metadata.subject)
    return " ".join(fold(part) for part in parts if part)


def item_row(item: PostItem) -> dict[str, Any]:
    """Every column of the item's row but the id."""
    meta, document = item.metadata, item.document
    return {
        "reference": item.reference,
        "tenant_id": item.tenant_id,
        "scanner": meta.scanner,
        "external_id": meta.external_id,
        "received_at": meta.received_at,
        "scanned_at": meta.scanned_at,
        "sender_name": meta.sender.name,
        "sender_organisation": meta.sender.organisation,
        "addressee_text": meta.addressee,
        "entity": meta.entity,
        "subject": meta.subject,
        "document_type": meta.document_type.value,
        "registered": meta.registered,
        "tracking_number": meta.tracking_number,
        "pages": meta.pages,
        "confidential": meta.confidential,
        "ocr_text": meta.ocr_text,
        "search_text": search_text(meta),
        "document_key": document.key,
        "document_sha256": document.sha256,
        "document_size": document.size,
        "document_content_type": document.content_type,
        "state": item.state.value,
        "destination_kind": item.destination.kind.value,
        "destination_target": item.destination.target,
        "addressee_id": item.addressee_id,
        "rule_id": item.rule_id,
        "delegated_from": item.delegated_from,
        "triage_reason": item.triage_reason,
        "forwarded_by": item.forwarded_by,
        "note": item.note,
        "acknowledged_by": item.acknowledged_by,
        "acknowledged_at": item.acknowledged_at,
        "handled_by": item.handled_by,
        "handled_at": item.handled_at,
        "original_requested_by": item.original_requested_by,
        "original_requested_at": item.original_requested_at,
        "reminders_sent": item.reminders_sent,
        "card_version": item.card_version,
        "last_reminded_at": item.last_reminded_at,
        "scan_deleted_at": item.scan_deleted_at,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "version": item.version,
    }


def item_from_row(row: sa.Row[Any]) -> PostItem:
    return PostItem(
        id=row.id,
        reference=row.reference,
        tenant_id=row.tenant_id,
        metadata=IntakeMetadata(
            external_id=row.external_id,
            received_at=row.received_at,
            scanned_at=row.scanned_at,
            sender=Sender(row.sender_name, row.sender_organisation),
            addressee=row.addressee_text,
            entity=row.entity,
            subject=row.subject,
            document_type=DocumentType(row.document_type),
            registered=bool(row.registered),
            tracking_number=row.tracking_number,
            pages=row.pages,
            confidential=bool(row.confidential),
            ocr_text=row.ocr_text,
            scanner=row.scanner,
        ),
        document=StoredDocument(
            key=row.document_key,
            sha256=row.document_sha256,
            size=row.document_size,
            content_type=row.document_content_type,
        ),
        state=PostState(row.state),
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        destination=Destination(DestinationKind(row.destination_kind), row.destination_target),
        addressee_id=row.addressee_id,
        rule_id=row.rule_id,
        delegated_from=row.delegated_from,
        triage_reason=row.triage_reason,
        forwarded_by=row.forwarded_by,
        note=row.note,
        acknowledged_by=row.acknowledged_by,
        acknowledged_at=row.acknowledged_at,
        handled_by=row.handled_by,
        handled_at=row.handled_at,
        original_requested_by=row.original_requested_by,
        original_requested_at=row.original_requested_at,
        reminders_sent=row.reminders_sent,
        card_version=row.card_version,
        last_reminded_at=row.last_reminded_at,
        scan_deleted_at=row.scan_deleted_at,
    )
