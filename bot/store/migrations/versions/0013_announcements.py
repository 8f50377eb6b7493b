"""Announcements and their recipient snapshots.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-10

- `announcements`: one row per announcement (its texts and audience as JSON documents), saved on
  its version; references count per year in reference_counters (prefix "ANN"). A partial index
  keeps the scheduled and sending ones at hand; a partial unique index makes an API client's
  key (per source) name one announcement.
- `announcement_recipients`: the snapshot, one row per person (or team channel), deleted with
  its announcement. A partial index holds the ones not queued yet (what the sender takes next,
  by user id); another finds a person's rows for their read receipts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# Frozen copies of the column types and predicates as they are at this revision.
_TIMESTAMP = sa.DateTime(timezone=True)
_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_STATES = (
    "state IN ('awaiting_approval', 'cancelled', 'draft', 'recalled', 'rejected', 'scheduled',"
    " 'sending', 'sent')"
)
_ACTIVE = "state IN ('scheduled', 'sending')"
_WITH_CLIENT_KEY = "client_key <> ''"
_UNQUEUED = "NOT queued"


def upgrade() -> None:
    # Retryable failures of a message, apart from its claims: an announcement's figures tell
    # "sent after throttling" from "claimed again after a sender died".
    op.add_column("outbox", sa.Column("retries", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "announcements",
        sa.Column("id", _BIG_ID, sa.Identity(), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("author_id", sa.String(64), nullable=False),
        sa.Column("author_name", sa.String(256), nullable=False, server_default=""),
        sa.Column("author_entity", sa.String(128), nullable=False, server_default=""),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("importance", sa.String(16), nullable=False),
        sa.Column("dutch", _JSON, nullable=False),
        sa.Column("english", _JSON, nullable=True),
        sa.Column("audience", _JSON, nullable=True),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("updated_at", _TIMESTAMP, nullable=False),
        sa.Column("send_at", _TIMESTAMP, nullable=True),
        sa.Column("approval_required", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("decided_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("decided_by_name", sa.String(256), nullable=False, server_default=""),
        sa.Column("decision_note", sa.Text(), nullable=False, server_default=""),
        sa.Column("started_at", _TIMESTAMP, nullable=True),
        sa.Column("finished_at", _TIMESTAMP, nullable=True),
        sa.Column("audience_size", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("resolved", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("edits", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("source", sa.String(128), nullable=False, server_default=""),
        sa.Column("client_key", sa.String(128), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_announcements"),
        sa.UniqueConstraint("reference", name="uq_announcements_reference"),
        sa.CheckConstraint(_STATES, name=op.f("ck_announcements_state")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_announcements_author", "announcements", ["author_id", "created_at"])
    op.create_index(
        "ix_announcements_active",
        "announcements",
        ["id"],
        postgresql_where=sa.text(_ACTIVE),
        sqlite_where=sa.text(_ACTIVE),
    )
    op.create_index(
        "uq_announcements_source_client_key",
        "announcements",
        ["source", "client_key"],
        unique=True,
        postgresql_where=sa.text(_WITH_CLIENT_KEY),
        sqlite_where=sa.text(_WITH_CLIENT_KEY),
    )
    op.create_table(
        "announcement_recipients",
        sa.Column("announcement_id", _BIG_ID, nullable=False),
        sa.Column("user_id", sa.String(200), nullable=False),
        sa.Column("entity", sa.String(128), nullable=False, server_default=""),
        sa.Column("locale", sa.String(16), nullable=False, server_default=""),
        sa.Column("conversation_id", sa.String(512), nullable=False, server_default=""),
        sa.Column("queued", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("read_at", _TIMESTAMP, nullable=True),
        sa.Column("acknowledged_at", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("announcement_id", "user_id", name="pk_announcement_recipients"),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name="fk_announcement_recipients_announcement_id_announcements",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_announcement_recipients_unqueued",
        "announcement_recipients",
        ["announcement_id", "user_id"],
        postgresql_where=sa.text(_UNQUEUED),
        sqlite_where=sa.text(_UNQUEUED),
    )
    op.create_index("ix_announcement_recipients_user_id", "announcement_recipients", ["user_id"])


def downgrade() -> None:
    # The announcements and their snapshots go; their outbox messages (and the counters in
    # reference_counters) stay, so an upgrade again never hands out a reference twice.
    op.drop_table("announcement_recipients")
    op.drop_table("announcements")
    with op.batch_alter_table("outbox") as outbox:
        outbox.drop_column("retries")
