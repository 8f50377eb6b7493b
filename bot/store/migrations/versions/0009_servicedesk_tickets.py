"""The service desk's tickets and their conversations.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

A ticket's references count per year in reference_counters (prefix "SD"), as licence requests
do. Two partial indexes keep the desk's queue (tickets new, open or waiting) and the tickets
whose card is not posted yet small, whatever the number of closed tickets.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Frozen copies of the column types and predicates as they are at this revision.
_TIMESTAMP = sa.DateTime(timezone=True)
_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_STATES = "state IN ('closed', 'new', 'open', 'resolved', 'waiting')"
_OPEN = "state IN ('new', 'open', 'waiting')"
_UNPOSTED = "desk_activity_id = ''"
_KINDS = "kind IN ('agent', 'event', 'note', 'requester')"


def upgrade() -> None:
    op.create_table(
        "servicedesk_tickets",
        sa.Column("id", _BIG_ID, sa.Identity(), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("requester_id", sa.String(64), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("desk", sa.String(128), nullable=False, server_default=""),
        sa.Column("assignee_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("context", _JSON, nullable=False),
        sa.Column("first_response_at", _TIMESTAMP, nullable=True),
        sa.Column("resolved_at", _TIMESTAMP, nullable=True),
        sa.Column("closed_at", _TIMESTAMP, nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False, server_default=""),
        sa.Column("waited_hours", sa.Float(), nullable=False, server_default="0"),
        sa.Column("waiting_since", _TIMESTAMP, nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("rating_comment", sa.Text(), nullable=False, server_default=""),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", _TIMESTAMP, nullable=False),
        sa.Column("desk_conversation_id", sa.String(256), nullable=False, server_default=""),
        sa.Column("desk_activity_id", sa.String(128), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_servicedesk_tickets"),
        sa.UniqueConstraint("reference", name="uq_servicedesk_tickets_reference"),
        sa.CheckConstraint(_STATES, name=op.f("ck_servicedesk_tickets_state")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_servicedesk_tickets_requester",
        "servicedesk_tickets",
        ["tenant_id", "requester_id", "created_at"],
    )
    op.create_index(
        "ix_servicedesk_tickets_open",
        "servicedesk_tickets",
        ["desk", "state", "created_at"],
        postgresql_where=sa.text(_OPEN),
        sqlite_where=sa.text(_OPEN),
    )
    op.create_index(
        "ix_servicedesk_tickets_unposted",
        "servicedesk_tickets",
        ["id"],
        postgresql_where=sa.text(_UNPOSTED),
        sqlite_where=sa.text(_UNPOSTED),
    )
    op.create_table(
        "servicedesk_ticket_messages",
        sa.Column("id", _BIG_ID, sa.Identity(), nullable=False),
        sa.Column("ticket_id", _BIG_ID, nullable=False),
        sa.Column("at", _TIMESTAMP, nullable=False),
        sa.Column("author_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_servicedesk_ticket_messages"),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["servicedesk_tickets.id"],
            name="fk_servicedesk_ticket_messages_ticket_id_servicedesk_tickets",
        ),
        sa.CheckConstraint(_KINDS, name=op.f("ck_servicedesk_ticket_messages_kind")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_servicedesk_ticket_messages_ticket",
        "servicedesk_ticket_messages",
        ["ticket_id", "id"],
    )


def downgrade() -> None:
    # The tickets and their conversations go. Their counters in reference_counters stay, so an
    # upgrade again never hands out a reference someone may still have in a chat.
    op.drop_table("servicedesk_ticket_messages")
    op.drop_table("servicedesk_tickets")
