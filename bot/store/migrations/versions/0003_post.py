"""Incoming post: scanned items, routing rules and delegations.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Frozen copies of the column types and predicates as they were at this revision.
_TIMESTAMP = sa.DateTime(timezone=True)
_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_SCAN_KEPT = "scan_deleted_at IS NULL"
_STATES = "state IN ('received', 'routed', 'triage', 'handled')"


def upgrade() -> None:
    _create_post_items()
    op.create_table(
        "post_rules",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(128), nullable=False),
        sa.Column("conditions", _JSON, nullable=False),
        sa.Column("destination_kind", sa.String(16), nullable=False),
        sa.Column("destination_target", sa.String(512), nullable=False, server_default=""),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.PrimaryKeyConstraint("id", name="pk_post_rules"),
    )
    op.create_table(
        "post_delegations",
        sa.Column("id", _BIG_ID, sa.Identity(), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("delegate_id", sa.String(64), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_post_delegations"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_post_delegations_user_id_ends", "post_delegations", ["user_id", "ends"])


def downgrade() -> None:
    for table in ("post_delegations", "post_rules", "post_items"):
        op.drop_table(table)
    # The numbers handed out for post references go with the items they numbered.
    op.execute("DELETE FROM reference_counters WHERE prefix = 'POST'")


def _create_post_items() -> None:
    op.create_table(
        "post_items",
        sa.Column("id", _BIG_ID, sa.Identity(), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("received_at", _TIMESTAMP, nullable=False),
        sa.Column("scanned_at", _TIMESTAMP, nullable=False),
        sa.Column("sender_name", sa.Text(), nullable=False, server_default=""),
        sa.Column("sender_organisation", sa.Text(), nullable=False, server_default=""),
        sa.Column("addressee_text", sa.Text(), nullable=False, server_default=""),
        sa.Column("entity", sa.String(128), nullable=False, server_default=""),
        sa.Column("subject", sa.Text(), nullable=False, server_default=""),
        sa.Column("document_type", sa.String(32), nullable=False),
        sa.Column("registered", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("tracking_number", sa.String(128), nullable=False, server_default=""),
        sa.Column("pages", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("confidential", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("ocr_text", sa.Text(), nullable=False, server_default=""),
        sa.Column("search_text", sa.Text(), nullable=False, server_default=""),
        sa.Column("document_key", sa.String(1024), nullable=False),
        sa.Column("document_sha256", sa.String(64), nullable=False),
        sa.Column("document_size", sa.BigInteger(), nullable=False),
        sa.Column("document_content_type", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("destination_kind", sa.String(16), nullable=False),
        sa.Column("destination_target", sa.String(512), nullable=False, server_default=""),
        sa.Column("addressee_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("rule_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("delegated_from", sa.String(64), nullable=False, server_default=""),
        sa.Column("triage_reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("forwarded_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("acknowledged_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("acknowledged_at", _TIMESTAMP, nullable=True),
        sa.Column("handled_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("handled_at", _TIMESTAMP, nullable=True),
        sa.Column("original_requested_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("original_requested_at", _TIMESTAMP, nullable=True),
        sa.Column("reminders_sent", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("card_version", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_reminded_at", _TIMESTAMP, nullable=True),
        sa.Column("scan_deleted_at", _TIMESTAMP, nullable=True),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("updated_at", _TIMESTAMP, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_post_items"),
        sa.UniqueConstraint("reference", name="uq_post_items_reference"),
        sa.UniqueConstraint("external_id", name="uq_post_items_external_id"),
        sa.CheckConstraint(_STATES, name=op.f("ck_post_items_state")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_post_items_destination",
        "post_items",
        ["destination_kind", "destination_target", "state", "received_at"],
    )
    op.create_index("ix_post_items_state_updated_at", "post_items", ["state", "updated_at"])
    op.create_index(
        "ix_post_items_purge",
        "post_items",
        ["state", "handled_at"],
        postgresql_where=sa.text(_SCAN_KEPT),
        sqlite_where=sa.text(_SCAN_KEPT),
    )
    op.create_index("ix_post_items_received_at", "post_items", ["received_at"])
