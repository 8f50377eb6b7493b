"""An announcement as a row and back: its texts and audience as JSON documents."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

import sqlalchemy as sa

from bot.domain.announcements.announcements import (
    Announcement,
    AnnouncementState,
)
from bot.domain.announcements.audiences import Audience, AudienceKind, Channel
from bot.domain.announcements.batches import DeliveryMode
from bot.domain.announcements.content import Content, Importance

_CONTENT_FIELDS = tuple(field.name for field in fields(Content))


def announcement_row(announcement: Announcement) -> dict[str, Any]:
    """Every column but the id."""
    return {
        "reference": announcement.reference,
        "tenant_id": announcement.tenant_id,
        "author_id": announcement.author_id,
        "author_name": announcement.author_name,
        "author_entity": announcement.author_entity,
        "state": announcement.state.value,
        "version": announcement.version,
        "importance": announcement.importance.value,
        "dutch": asdict(announcement.dutch),
        "english": None if announcement.english is None else asdict(announcement.english),
        "audience": None if announcement.audience is None else _audience_document(announcement),
        "created_at": announcement.created_at,
        "updated_at": announcement.updated_at,
        "send_at": announcement.send_at,
        "approval_required": announcement.approval_required,
        "decided_by": announcement.decided_by,
        "decided_by_name": announcement.decided_by_name,
        "decision_note": announcement.decision_note,
        "started_at": announcement.started_at,
        "finished_at": announcement.finished_at,
        "audience_size": announcement.audience_size,
        "resolved": announcement.resolved,
        "edits": announcement.edits,
        "source": announcement.source,
        "client_key": announcement.client_key,
        "delivery": announcement.delivery.value,
    }


def announcement_of(row: sa.Row[Any]) -> Announcement:
    return Announcement(
        id=row.id,
        reference=row.reference,
        tenant_id=row.tenant_id,
        author_id=row.author_id,
        author_name=row.author_name,
        author_entity=row.author_entity,
        state=AnnouncementState(row.state),
        version=row.version,
        dutch=_content(row.dutch) or Content(title=""),
        english=_content(row.english),
        importance=Importance(row.importance),
        audience=_audience(row.audience),
        created_at=row.created_at,
        updated_at=row.updated_at,
        send_at=row.send_at,
        approval_required=bool(row.approval_required),
        decided_by=row.decided_by,
        decided_by_name=row.decided_by_name,
        decision_note=row.decision_note,
        started_at=row.started_at,
        finished_at=row.finished_at,
        audience_size=row.audience_size,
        resolved=bool(row.resolved),
        edits=row.edits,
        source=row.source,
        client_key=row.client_key,
        delivery=DeliveryMode(row.delivery),
    )


def _audience_document(announcement: Announcement) -> dict[str, Any]:
    audience = announcement.audience
    assert audience is not None
    return {
        "kind": audience.kind.value,
        "entities": list(audience.entities),
        "groups": list(audience.groups),
        "channels": [
            {"conversation_id": channel.conversation_id, "name": channel.name}
            for channel in audience.channels
        ],
        "list_name": audience.list_name,
        "list_size": audience.list_size,
    }


def _content(document: dict[str, Any] | None) -> Content | None:
    if document is None:
        return None
    # Only the fields Content has: a document written by a later version may hold more.
    return Content(**{name: str(document.get(name, "")) for name in _CONTENT_FIELDS})


def _audience(document: dict[str, Any] | None) -> Audience | None:
    if document is None:
        return None
    return Audience(
        kind=AudienceKind(document["kind"]),
        entities=tuple(str(code) for code in document.get("entities", ())),
        groups=tuple(str(group) for group in document.get("groups", ())),
        channels=tuple(
            Channel(str(channel["conversation_id"]), str(channel.get("name", "")))
            for channel in document.get("channels", ())
        ),
        list_name=str(document.get("list_name", "")),
        list_size=int(document.get("list_size", 0)),
    )
