"""The entity of the person who asked a service-desk ticket.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-13

- `servicedesk_tickets.requester_entity`: the person's entity code when they filed the ticket,
  whether that entity has a desk of its own or not ("" unknown); the report counts and filters
  tickets per entity by it (`desk` says only which desk handles the ticket).

Tickets stored before: a ticket on an entity's own desk was filed by a person of that entity
(the desk was chosen from their entity, and never changes), so it takes the desk's code; one on
the central desk stays "" (who asked it was never stored). The satisfaction comment needs no
migration: `rating_comment` is in 0009 and only starts to be written now.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "servicedesk_tickets",
        sa.Column("requester_entity", sa.String(128), nullable=False, server_default=""),
    )
    op.execute("UPDATE servicedesk_tickets SET requester_entity = desk WHERE desk <> ''")


def downgrade() -> None:
    # SQLite (3.35+) and PostgreSQL both drop a column in place: no table copy.
    op.drop_column("servicedesk_tickets", "requester_entity")
