"""Routing rules checked in chat wait in the database for their uploader's confirmation.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10

Before, they waited in the memory of the replica that checked them: a confirmation reaching
another replica, or coming after a restart, found nothing. Nothing to carry over: what waited
in memory is gone with the old processes (the person sends the workbook again).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Frozen copies of the column types as they are at this revision.
_TIMESTAMP = sa.DateTime(timezone=True)
_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "post_rule_imports",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("rules", _JSON, nullable=False),
        sa.Column("against", _JSON, nullable=False),
        sa.Column("scope", _JSON, nullable=True),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("expires_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_post_rule_imports"),
        sa.UniqueConstraint(
            "tenant_id", "uploaded_by", name="uq_post_rule_imports_tenant_id_uploaded_by"
        ),
    )
    op.create_index("ix_post_rule_imports_expires_at", "post_rule_imports", ["expires_at"])


def downgrade() -> None:
    # Checks waiting for a confirmation are lost: their uploaders send the workbook again.
    op.drop_table("post_rule_imports")
