"""Announcements sent by Teams batch operations.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-12

- `announcements.delivery`: how the author chose to send it (DeliveryMode: 'auto',
  'per_recipient', 'batch'); the ones stored before are 'auto'.
- `announcement_batches`: one row per batch operation (claimed, running, settled), deleted with
  its announcement.
- `announcement_recipients.batch_id` (the batch that took the recipient) and `batch_failed`
  (among the operation's failed entries), with a partial index of the recipients in a batch.

SQLite adds a column with its REFERENCES clause in place (ALTER TABLE ... ADD COLUMN) and drops
it in place too, so the recipients table (every announcement's, ever) is never copied; a copy
would also lose what reflection does not see (the predicates of its partial indexes). That is
why the reference has no ON DELETE action: SQLite's reflection reads none from a column's own
REFERENCES clause, and the schema must read back as the code declares it (NO ACTION is checked
at the end of the statement, so deleting an announcement still takes its batches and
recipients together).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# Frozen copies of the column types and predicates as they are at this revision.
_TIMESTAMP = sa.DateTime(timezone=True)
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_PHASES = "phase IN ('claimed', 'running', 'settled')"
_IN_BATCH = "batch_id IS NOT NULL"
_BATCH_FK = "fk_announcement_recipients_batch_id_announcement_batches"


def upgrade() -> None:
    op.add_column(
        "announcements",
        sa.Column("delivery", sa.String(16), nullable=False, server_default="auto"),
    )
    op.create_table(
        "announcement_batches",
        sa.Column("id", _BIG_ID, sa.Identity(), nullable=False),
        sa.Column("announcement_id", _BIG_ID, nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("locale", sa.String(16), nullable=False, server_default=""),
        sa.Column("in_channel", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("operation_id", sa.String(128), nullable=False, server_default=""),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("next_check_at", _TIMESTAMP, nullable=True),
        sa.Column("settled_at", _TIMESTAMP, nullable=True),
        sa.Column("failed", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id", name="pk_announcement_batches"),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name="fk_announcement_batches_announcement_id_announcements",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(_PHASES, name=op.f("ck_announcement_batches_phase")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_announcement_batches_announcement_id_phase",
        "announcement_batches",
        ["announcement_id", "phase"],
    )
    if op.get_bind().dialect.name == "sqlite":
        # Alembic would copy the table to add a constraint; SQLite takes it with the column.
        op.execute(
            "ALTER TABLE announcement_recipients ADD COLUMN batch_id INTEGER"
            f" CONSTRAINT {_BATCH_FK} REFERENCES announcement_batches (id)"
        )
    else:
        op.add_column("announcement_recipients", sa.Column("batch_id", _BIG_ID, nullable=True))
        op.create_foreign_key(
            _BATCH_FK,
            "announcement_recipients",
            "announcement_batches",
            ["batch_id"],
            ["id"],
        )
    op.add_column(
        "announcement_recipients",
        sa.Column("batch_failed", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index(
        "ix_announcement_recipients_batch_id",
        "announcement_recipients",
        ["batch_id"],
        postgresql_where=sa.text(_IN_BATCH),
        sqlite_where=sa.text(_IN_BATCH),
    )


def downgrade() -> None:
    # Batch-sent recipients keep their queued mark: the older schema counts them not reached.
    op.drop_index("ix_announcement_recipients_batch_id", table_name="announcement_recipients")
    for table, column in (
        ("announcement_recipients", "batch_failed"),
        ("announcement_recipients", "batch_id"),  # its constraint goes with it
        ("announcements", "delivery"),
    ):
        # SQLite drops these in place (Alembic would copy the table).
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    op.drop_table("announcement_batches")
