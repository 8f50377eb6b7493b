"""Files attached to tickets.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

- `servicedesk_ticket_files`: one row per file a person sent while their chat went to their
  ticket: its label, type, size and hash, and the key the document store (the scans' one) keeps
  its bytes under. An index serves a ticket's files in the order they came.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# Frozen copies of the column types as they are at this revision.
_TIMESTAMP = sa.DateTime(timezone=True)
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "servicedesk_ticket_files",
        sa.Column("id", _BIG_ID, sa.Identity(), nullable=False),
        sa.Column("ticket_id", _BIG_ID, nullable=False),
        sa.Column("at", _TIMESTAMP, nullable=False),
        sa.Column("author_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(128), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("document_key", sa.String(1024), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_servicedesk_ticket_files"),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["servicedesk_tickets.id"],
            name="fk_servicedesk_ticket_files_ticket_id_servicedesk_tickets",
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_servicedesk_ticket_files_ticket",
        "servicedesk_ticket_files",
        ["ticket_id", "id"],
    )


def downgrade() -> None:
    # The rows go; the documents they named stay in the document store (a downgrade deletes
    # no one's file: an operator removes them with the store's own tools if they must go).
    op.drop_table("servicedesk_ticket_files")
