"""Dead letters: outbox messages and licence worker steps that keep failing are set aside.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

- outbox: a new final status `dead` (a message set aside for a person to look at). `attempts`
  keeps its column but now counts claims, each counted before the send.
- licence_requests: `claims`, the worker claims since a worker last finished a step on the
  request (a step that crashes the worker each time is counted all the same).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Frozen copies of the predicates as they are at this revision.
_ACTIVE = "status IN ('pending', 'in_flight')"
_STATUSES_BEFORE = "status IN ('pending', 'in_flight', 'sent', 'unreachable', 'gone', 'failed')"
_STATUSES = "status IN ('pending', 'in_flight', 'sent', 'unreachable', 'gone', 'failed', 'dead')"
_CHECK = "ck_outbox_status"
# SQLite changes a constraint by copying the table; reflection sees neither AUTOINCREMENT nor
# the partial index's predicate, so the copy is told the first and the index is made anew.
_TABLE_KWARGS = {"sqlite_autoincrement": True}


def upgrade() -> None:
    _replace_status_check(_STATUSES)
    op.add_column(
        "licence_requests",
        sa.Column("claims", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    # The older schema has no dead letters: they become what it called giving up.
    op.execute("UPDATE outbox SET status = 'failed' WHERE status = 'dead'")
    _replace_status_check(_STATUSES_BEFORE)
    op.execute("ALTER TABLE licence_requests DROP COLUMN claims")


def _replace_status_check(statuses: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f(_CHECK), "outbox", type_="check")
        op.create_check_constraint(op.f(_CHECK), "outbox", statuses)
        return
    op.drop_index("ix_outbox_due", table_name="outbox")
    with _ids_kept(), op.batch_alter_table("outbox", table_kwargs=_TABLE_KWARGS) as batch:
        batch.drop_constraint(op.f(_CHECK), type_="check")
        batch.create_check_constraint(op.f(_CHECK), statuses)
    op.create_index("ix_outbox_due", "outbox", ["id"], sqlite_where=sa.text(_ACTIVE))


@contextmanager
def _ids_kept() -> Iterator[None]:
    """The copied table's id sequence continues where the old one stood (its highest id ever,
    not merely the highest id left): an outbox id is never handed out twice."""
    bind = op.get_bind()
    sequence = sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'")
    before = bind.execute(sequence).scalar_one_or_none()
    yield
    if before is not None:
        bind.execute(
            sa.text("UPDATE sqlite_sequence SET seq = max(seq, :before) WHERE name = 'outbox'"),
            {"before": before},
        )
