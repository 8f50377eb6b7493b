"""The relay: a person's chat and a ticket's thread in the service desk's channel.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

- `servicedesk_tickets.relay`: whether the person's free messages go to the ticket ("" not asked
  yet, "on", "off"); asked once per ticket.
- `outbox.thread_of`: the dedupe key of the message whose thread this one answers in (a ticket's
  card in the desk's channel); sent as a reply in that thread once the card is posted.
- An index on a sent message's Teams id in its conversation: a message written in a thread names
  only its root's id, and the bot finds the ticket whose card that is.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Frozen copy of the predicate as it is at this revision.
_SENT_WITH_ID = "activity_id <> ''"


def upgrade() -> None:
    op.add_column(
        "servicedesk_tickets",
        sa.Column("relay", sa.String(8), nullable=False, server_default=""),
    )
    op.add_column(
        "outbox",
        sa.Column("thread_of", sa.String(255), nullable=False, server_default=""),
    )
    op.create_index(
        "ix_outbox_activity",
        "outbox",
        ["conversation_id", "activity_id"],
        postgresql_where=sa.text(_SENT_WITH_ID),
        sqlite_where=sa.text(_SENT_WITH_ID),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_activity", table_name="outbox")
    # SQLite (3.35+) and PostgreSQL both drop a column in place: no table copy.
    op.drop_column("outbox", "thread_of")
    op.drop_column("servicedesk_tickets", "relay")
