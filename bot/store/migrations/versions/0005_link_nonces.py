"""Single-use download links: one row per link used.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Frozen copy of the column type as it is at this revision.
_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "link_uses",
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("used_at", _TIMESTAMP, nullable=False),
        sa.Column("expires_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("nonce", name="pk_link_uses"),
    )
    op.create_index("ix_link_uses_expires_at", "link_uses", ["expires_at"])


def downgrade() -> None:
    # Links used before the downgrade would work again until they expire: minutes at most.
    op.drop_table("link_uses")
