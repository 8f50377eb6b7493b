"""The service desk's tables: the knowledge base (replaced as a whole), its searches, and the
tickets with their conversations.

The search index beside the articles is no table of this MetaData: it is the engine's own full
text search (an FTS5 table on SQLite, a tsvector column with a GIN index on PostgreSQL), created
by migration 0008 for the engine at hand and kept by bot/store/servicedesk/articles.py. The
migration check leaves it out by name (INDEX_TABLE).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from bot.domain.servicedesk.tickets import OPEN_STATES, MessageKind, TicketState
from bot.store.columns import BigId, JsonDocument, UtcDateTime
from bot.store.metadata import metadata

# The full-text index of the articles, one row per article and language.
INDEX_TABLE = "servicedesk_article_index"

articles = sa.Table(
    "servicedesk_articles",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("title_nl", sa.Text(), nullable=False),
    sa.Column("title_en", sa.Text(), nullable=False, server_default=""),
    sa.Column("answer_nl", sa.Text(), nullable=False),
    sa.Column("answer_en", sa.Text(), nullable=False, server_default=""),
    sa.Column("questions", JsonDocument, nullable=False),  # {"nl": [...], "en": [...]}
    sa.Column("links", JsonDocument, nullable=False),  # [{title_nl, title_en, url}]
    sa.Column("owner", sa.Text(), nullable=False, server_default=""),
    sa.Column("last_reviewed", sa.Date(), nullable=True),
)

# One row per question searched: what it found and, once the person says so, whether it helped
# (the knowledge base's deflection). `asked_by` (an Entra object id) is there so that only the
# person who asked can say whether it helped; the figures count searches, never people.
searches = sa.Table(
    "servicedesk_searches",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("reference", sa.String(32), nullable=False, unique=True),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("asked_by", sa.String(64), nullable=False),
    sa.Column("asked_at", UtcDateTime, nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("question", sa.Text(), nullable=False),
    sa.Column("article_key", sa.String(64), nullable=True),  # the best answer; None: nothing
    sa.Column("helped", sa.Boolean(), nullable=True),  # None until the person answers
    sa.Column("answered_at", UtcDateTime, nullable=True),
    sa.Index("ix_servicedesk_searches_asked_at", "asked_at"),
)


def _one_of(column: str, values: Iterable[str]) -> str:
    """ "state IN ('new', 'open')": a check or index predicate, in a stable order."""
    return "{} IN ({})".format(column, ", ".join(f"'{value}'" for value in sorted(values)))


# Tickets in the desk's queue, and tickets whose card is not in the desk's channel yet: both
# partial indexes, repeated literally by the queries (bot/store/servicedesk/tickets.py) so the
# planners may use them; most tickets end up closed and posted, and stay out of both.
TICKET_OPEN_PREDICATE = _one_of("state", (state.value for state in OPEN_STATES))
TICKET_UNPOSTED_PREDICATE = "desk_activity_id = ''"
TICKET_STATE_CHECK = _one_of("state", (state.value for state in TicketState))
MESSAGE_KIND_CHECK = _one_of("kind", (kind.value for kind in MessageKind))

# One row per ticket; `version` guards every save (optimistic concurrency). The desk card
# columns are the store's own (not the Ticket's): a save never touches them.
tickets = sa.Table(
    "servicedesk_tickets",
    metadata,
    sa.Column("id", BigId, sa.Identity(), primary_key=True),
    sa.Column("reference", sa.String(32), nullable=False),  # SD-2026-000123
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("requester_id", sa.String(64), nullable=False),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("urgency", sa.String(16), nullable=False),
    sa.Column("question", sa.Text(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("desk", sa.String(128), nullable=False, server_default=""),  # "": the central desk
    # The person's entity code when they asked it, whether it has a desk of its own or not ("":
    # unknown); the report's entity (migration 0015).
    sa.Column("requester_entity", sa.String(128), nullable=False, server_default=""),
    sa.Column("assignee_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("context", JsonDocument, nullable=False),  # [[key, value], ...]
    sa.Column("first_response_at", UtcDateTime(), nullable=True),
    sa.Column("resolved_at", UtcDateTime(), nullable=True),
    sa.Column("closed_at", UtcDateTime(), nullable=True),
    sa.Column("resolution", sa.Text(), nullable=False, server_default=""),
    sa.Column("waited_hours", sa.Float(), nullable=False, server_default="0"),
    sa.Column("waiting_since", UtcDateTime(), nullable=True),
    sa.Column("rating", sa.Integer(), nullable=True),
    # What the person wrote with their rating: their own words, in the report only.
    sa.Column("rating_comment", sa.Text(), nullable=False, server_default=""),
    # The service-level notices sent, space-separated ("first_response.at_risk ..."; migration
    # 0010): the worker saves them with the version check, so each goes out once.
    sa.Column("sla_notified", sa.String(128), nullable=False, server_default=""),
    # Whether the person's free messages go to the ticket: "" not asked, "on", "off" (0011).
    sa.Column("relay", sa.String(8), nullable=False, server_default=""),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    # The ticket's card in the service desk's channel; "" until it is posted.
    sa.Column("desk_conversation_id", sa.String(256), nullable=False, server_default=""),
    sa.Column("desk_activity_id", sa.String(128), nullable=False, server_default=""),
    sa.UniqueConstraint("reference", name="uq_servicedesk_tickets_reference"),
    sa.CheckConstraint(TICKET_STATE_CHECK, name="state"),
    # "my tickets", newest first
    sa.Index("ix_servicedesk_tickets_requester", "tenant_id", "requester_id", "created_at"),
    # a desk's queue, oldest first
    sa.Index(
        "ix_servicedesk_tickets_open",
        "desk",
        "state",
        "created_at",
        postgresql_where=sa.text(TICKET_OPEN_PREDICATE),
        sqlite_where=sa.text(TICKET_OPEN_PREDICATE),
    ),
    # every desk's open tickets by id, for the service-level worker (migration 0010)
    sa.Index(
        "ix_servicedesk_tickets_open_id",
        "id",
        postgresql_where=sa.text(TICKET_OPEN_PREDICATE),
        sqlite_where=sa.text(TICKET_OPEN_PREDICATE),
    ),
    # cards to post again
    sa.Index(
        "ix_servicedesk_tickets_unposted",
        "id",
        postgresql_where=sa.text(TICKET_UNPOSTED_PREDICATE),
        sqlite_where=sa.text(TICKET_UNPOSTED_PREDICATE),
    ),
    sqlite_autoincrement=True,
)

# A ticket's conversation, in the order it was written (by id). Notes are internal: the
# person never sees them.
ticket_messages = sa.Table(
    "servicedesk_ticket_messages",
    metadata,
    sa.Column("id", BigId, sa.Identity(), primary_key=True),
    sa.Column("ticket_id", BigId, sa.ForeignKey(tickets.c.id), nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("author_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.CheckConstraint(MESSAGE_KIND_CHECK, name="kind"),
    sa.Index("ix_servicedesk_ticket_messages_ticket", "ticket_id", "id"),
    sqlite_autoincrement=True,
)

# --- files attached to tickets (migration 0012) -------------------------------------------------
# One row per file a person sent while their chat went to the ticket. The bytes live in the
# document store (the scans' one) under `document_key`; `name` is a label, never a path.
ticket_files = sa.Table(
    "servicedesk_ticket_files",
    metadata,
    sa.Column("id", BigId, sa.Identity(), primary_key=True),
    sa.Column("ticket_id", BigId, sa.ForeignKey(tickets.c.id), nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("author_id", sa.String(64), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("content_type", sa.String(128), nullable=False),
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("document_key", sa.String(1024), nullable=False),
    sa.Index("ix_servicedesk_ticket_files_ticket", "ticket_id", "id"),
    sqlite_autoincrement=True,
)
