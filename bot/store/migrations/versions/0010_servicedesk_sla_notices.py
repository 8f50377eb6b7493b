"""The service levels that act: what the worker has told of each ticket.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-09

`sla_notified` keeps, space-separated, the reminders and escalations sent for a ticket
("first_response.at_risk resolution.breached"); the worker saves it with the ticket's version
check, so each goes out once across crashes and replicas. Tickets filed before start with none:
the worker's first round tells of what is at risk or late among them. A partial index on the id
of the open tickets lets the worker go through every desk's queue a page at a time.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Frozen copy of the predicate as it is at this revision.
_OPEN = "state IN ('new', 'open', 'waiting')"


def upgrade() -> None:
    op.add_column(
        "servicedesk_tickets",
        sa.Column("sla_notified", sa.String(128), nullable=False, server_default=""),
    )
    op.create_index(
        "ix_servicedesk_tickets_open_id",
        "servicedesk_tickets",
        ["id"],
        postgresql_where=sa.text(_OPEN),
        sqlite_where=sa.text(_OPEN),
    )


def downgrade() -> None:
    op.drop_index("ix_servicedesk_tickets_open_id", table_name="servicedesk_tickets")
    # SQLite (3.35+) and PostgreSQL both drop a column in place: no table copy.
    op.drop_column("servicedesk_tickets", "sla_notified")
