"""Foundation: users, conversation references, activity dedupe, audit log, outbox, rate budget.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copies of the column types as they were at this revision (bot/store/columns.py may move
# on; a migration must keep meaning what it meant).
_TIMESTAMP = sa.DateTime(timezone=True)
_JSON = sa.JSON().with_variant(JSONB(), "postgresql")
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_ACTIVE = "status IN ('pending', 'in_flight')"
_STATUSES = "status IN ('pending', 'in_flight', 'sent', 'unreachable', 'gone', 'failed')"
_APPEND_ONLY = "audit_log is append-only"


def upgrade() -> None:
    _create_people_tables()
    _create_audit_log()
    _create_outbox()
    op.create_table(
        "rate_budget",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_rate_budget"),
    )
    _forbid_audit_changes()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION werkplek_audit_log_append_only() CASCADE")
    for table in (
        "rate_budget",
        "outbox",
        "audit_log",
        "processed_activities",
        "conversation_refs",
        "users",
    ):
        op.drop_table(table)


def _create_people_tables() -> None:
    op.create_table(
        "users",
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("user_principal_name", sa.String(320), nullable=False, server_default=""),
        sa.Column("display_name", sa.String(256), nullable=False, server_default=""),
        sa.Column("locale", sa.String(16), nullable=False, server_default="nl"),
        sa.Column("entity", sa.String(128), nullable=False, server_default=""),
        sa.Column("first_seen", _TIMESTAMP, nullable=False),
        sa.Column("last_seen", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_users"),
    )
    op.create_index("ix_users_tenant_id_entity", "users", ["tenant_id", "entity"])
    op.create_table(
        "conversation_refs",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("service_url", sa.Text(), nullable=False),
        sa.Column("conversation_id", sa.String(512), nullable=False),
        sa.Column("bot_id", sa.String(128), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False, server_default="msteams"),
        sa.Column("locale", sa.String(16), nullable=False, server_default="nl"),
        sa.Column("updated_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "user_id", name="pk_conversation_refs"),
    )
    op.create_table(
        "processed_activities",
        sa.Column("key", sa.String(512), nullable=False),
        sa.Column("seen_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_processed_activities"),
    )
    op.create_index("ix_processed_activities_seen_at", "processed_activities", ["seen_at"])


def _create_audit_log() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", _BIG_ID, sa.Identity(), nullable=False),
        sa.Column("at", _TIMESTAMP, nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False, server_default=""),
        sa.Column("tenant_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(64), nullable=False, server_default=""),
        sa.Column("object_id", sa.String(128), nullable=False, server_default=""),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("correlation_id", sa.String(128), nullable=False, server_default=""),
        sa.Column("detail", _JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_action_at", "audit_log", ["action", "at"])
    op.create_index("ix_audit_log_object_type_object_id", "audit_log", ["object_type", "object_id"])


def _create_outbox() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", _BIG_ID, sa.Identity(), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("dedupe_key", sa.String(255), nullable=False),
        sa.Column("recipient_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("conversation_id", sa.String(512), nullable=False, server_default=""),
        sa.Column("service_url", sa.Text(), nullable=False, server_default=""),
        sa.Column("activity", _JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("not_before", _TIMESTAMP, nullable=True),
        sa.Column("lease_until", _TIMESTAMP, nullable=True),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("sent_at", _TIMESTAMP, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
        sa.CheckConstraint(_STATUSES, name=op.f("ck_outbox_status")),
        sqlite_autoincrement=True,
    )
    # Partial: claims scan unfinished rows in id order, however many rows are already sent.
    op.create_index(
        "ix_outbox_due",
        "outbox",
        ["id"],
        postgresql_where=sa.text(_ACTIVE),
        sqlite_where=sa.text(_ACTIVE),
    )
    if op.get_bind().dialect.name == "postgresql":
        # A queue table: every send leaves a dead row version (and a dead entry at the front of
        # ix_outbox_due that each claim walks past) until vacuumed, so vacuum it early and often.
        op.execute(
            "ALTER TABLE outbox SET (autovacuum_vacuum_scale_factor = 0.01, "
            "autovacuum_vacuum_threshold = 1000)"
        )


def _forbid_audit_changes() -> None:
    """The audit log is evidence: the database itself refuses to change or remove a line."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION werkplek_audit_log_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"RAISE EXCEPTION '{_APPEND_ONLY}' USING ERRCODE = 'restrict_violation'; "
            "END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION werkplek_audit_log_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION werkplek_audit_log_append_only()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
            f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END"
        )
