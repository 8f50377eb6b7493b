"""Licences: the catalogue, requests with their reference counter; outbox edits in place.

The outbox learns which earlier message a message replaces (`replaces`) and the Teams id of a
sent message (`activity_id`); both default to '' so rows queued before this revision still work.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen copies of the column types and predicates as they were at this revision.
_TIMESTAMP = sa.DateTime(timezone=True)
_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AWAKE = "wake_at IS NOT NULL"
_STATES = (
    "state IN ('submitted', 'pending_approval', 'approved', 'fulfilling', 'fulfilled', "
    "'rejected', 'cancelled', 'expired', 'waiting_for_seats', 'failed', 'ended')"
)
_OUTBOX_COLUMNS = ("replaces", "activity_id")


def upgrade() -> None:
    for column in _OUTBOX_COLUMNS:
        op.add_column(
            "outbox", sa.Column(column, sa.String(255), nullable=False, server_default="")
        )
    _create_catalogue()
    op.create_table(
        "reference_counters",
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "year", name="pk_reference_counters"),
    )
    _create_licence_requests()


def downgrade() -> None:
    for table in (
        "licence_requests",
        "reference_counters",
        "catalogue_offers",
        "catalogue_policies",
        "catalogue_entities",
        "catalogue_items",
    ):
        op.drop_table(table)
    for column in reversed(_OUTBOX_COLUMNS):
        # SQLite (3.35+) and PostgreSQL both drop a column in place: no table copy, so the
        # outbox keeps its partial index and autovacuum settings.
        op.drop_column("outbox", column)


def _create_catalogue() -> None:
    op.create_table(
        "catalogue_items",
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name_nl", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False, server_default=""),
        sa.Column("fulfilment", sa.String(16), nullable=False),
        sa.Column("group_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("sku_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("workspace", sa.Text(), nullable=False, server_default=""),
        sa.Column("workspace_role", sa.String(32), nullable=True),
        sa.Column("description_nl", sa.Text(), nullable=False, server_default=""),
        sa.Column("description_en", sa.Text(), nullable=False, server_default=""),
        sa.Column("synonyms", _JSON, nullable=False),
        sa.Column("questions", _JSON, nullable=False),
        sa.Column("min_justification", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_catalogue_items"),
    )
    op.create_table(
        "catalogue_entities",
        sa.Column("code", sa.String(128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_nl", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False, server_default=""),
        sa.Column("staff_group_id", sa.String(64), nullable=False),
        sa.Column("admin_group_id", sa.String(64), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("code", name="pk_catalogue_entities"),
    )
    op.create_table(
        "catalogue_policies",
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("stages", _JSON, nullable=False),
        sa.Column("decision_days", sa.Integer(), nullable=False),
        sa.Column("fallback", _JSON, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_catalogue_policies"),
    )
    op.create_table(
        "catalogue_offers",
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("item_key", sa.String(128), nullable=False),
        sa.Column("entity", sa.String(128), nullable=False),
        sa.Column("policy_key", sa.String(128), nullable=False),
        sa.Column("max_days", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("position", name="pk_catalogue_offers"),
    )


def _create_licence_requests() -> None:
    op.create_table(
        "licence_requests",
        sa.Column("id", _BIG_ID, sa.Identity(), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("requester_id", sa.String(64), nullable=False),
        sa.Column("requester_name", sa.Text(), nullable=False, server_default=""),
        sa.Column("entity", sa.String(128), nullable=False),
        sa.Column("item_key", sa.String(128), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("answers", _JSON, nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("previous_reference", sa.Text(), nullable=False, server_default=""),
        sa.Column("stages", _JSON, nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("approvers", _JSON, nullable=False),
        sa.Column("invited", _JSON, nullable=False),
        sa.Column("deadline", _TIMESTAMP, nullable=True),
        sa.Column("remind_at", _TIMESTAMP, nullable=True),
        sa.Column("reminded", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("decisions", _JSON, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", _TIMESTAMP, nullable=True),
        sa.Column("fulfilled_at", _TIMESTAMP, nullable=True),
        sa.Column("ends_at", _TIMESTAMP, nullable=True),
        sa.Column("end_warned", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("ended_at", _TIMESTAMP, nullable=True),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("updated_at", _TIMESTAMP, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("wake_at", _TIMESTAMP, nullable=True),
        sa.Column("lease_until", _TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_licence_requests"),
        sa.UniqueConstraint("reference", name="uq_licence_requests_reference"),
        sa.CheckConstraint(_STATES, name=op.f("ck_licence_requests_state")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_licence_requests_requester",
        "licence_requests",
        ["tenant_id", "requester_id", "created_at"],
    )
    op.create_index(
        "ix_licence_requests_open_for",
        "licence_requests",
        ["tenant_id", "requester_id", "item_key"],
    )
    op.create_index(
        "ix_licence_requests_wake_at",
        "licence_requests",
        ["wake_at", "id"],
        postgresql_where=sa.text(_AWAKE),
        sqlite_where=sa.text(_AWAKE),
    )
    op.create_index("ix_licence_requests_created_at", "licence_requests", ["created_at"])
