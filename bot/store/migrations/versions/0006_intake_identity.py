"""Intake identity: externalId unique per scanner, with the file's digest.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

External ids are each scanner's own numbering: unique per scanner (the intake token's name),
not across scanners. Items stored before get the scanner that delivered them, read from their
intake audit line (actor "intake:<token name>", written in the item's own transaction), so a
late retry of such an item is still recognised; an item without one keeps "" (the store lets
any scanner find those). The file's digest was already kept (document_sha256).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ACTOR_PREFIX = "intake:"
# The scanner of each stored item, from its first intake audit line. Plain SQL both dialects
# run: substr and a correlated subquery.
_RECOVER_SCANNER = sa.text(
    """
    UPDATE post_items SET scanner = COALESCE((
        SELECT substr(a.actor_id, :start)
        FROM audit_log a
        WHERE a.action = 'post.intake'
          AND a.object_type = 'post_item'
          AND a.object_id = post_items.reference
          AND a.actor_id LIKE :pattern
        ORDER BY a.id
        LIMIT 1
    ), '')
    """
).bindparams(start=len(_ACTOR_PREFIX) + 1, pattern=f"{_ACTOR_PREFIX}%")


# SQLite changes a constraint by copying the table; reflection does not see AUTOINCREMENT, so
# the copy is told (an item id is never handed out twice, see bot.store.tables).
_TABLE_KWARGS = {"sqlite_autoincrement": True}


def upgrade() -> None:
    with op.batch_alter_table("post_items", table_kwargs=_TABLE_KWARGS) as batch:
        batch.add_column(sa.Column("scanner", sa.String(64), nullable=False, server_default=""))
    op.execute(_RECOVER_SCANNER)
    with _ids_kept(), op.batch_alter_table("post_items", table_kwargs=_TABLE_KWARGS) as batch:
        batch.drop_constraint("uq_post_items_external_id", type_="unique")
        batch.create_unique_constraint(
            "uq_post_items_scanner_external_id", ["scanner", "external_id"]
        )


def downgrade() -> None:
    # Fails (and changes nothing) when two scanners used the same external id: the older
    # schema cannot hold both items, and dropping one is not a migration's call.
    with _ids_kept(), op.batch_alter_table("post_items", table_kwargs=_TABLE_KWARGS) as batch:
        batch.drop_constraint("uq_post_items_scanner_external_id", type_="unique")
        batch.create_unique_constraint("uq_post_items_external_id", ["external_id"])
        batch.drop_column("scanner")


@contextmanager
def _ids_kept() -> Iterator[None]:
    """On SQLite, the copied table's id sequence continues where the old one stood (its
    highest id ever, not merely the highest id left)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    sequence = sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'post_items'")
    before = bind.execute(sequence).scalar_one_or_none()
    yield
    if before is not None:
        bind.execute(
            sa.text("UPDATE sqlite_sequence SET seq = max(seq, :before) WHERE name = 'post_items'"),
            {"before": before},
        )
