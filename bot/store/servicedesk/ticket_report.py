"""What the service desk's report reads of a period: the tickets created in it and the
knowledge base's searches (bot/domain/servicedesk/report.py makes the figures of them).

The questions the knowledge base did not answer are people's own words: they go to the report
(for admins and agents) and nowhere else. Nothing here logs them.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from bot.domain.servicedesk.report import AskedQuestion, SearchFigures
from bot.domain.servicedesk.tickets import Ticket
from bot.store.database import Database
from bot.store.servicedesk.articles import SqlKnowledgeBase
from bot.store.servicedesk.tables import searches, tickets
from bot.store.servicedesk.tickets import _ticket as ticket_of_row


class SqlTicketReportSource:
    """Implements bot.ports.servicedesk.TicketReportSource on SQLite and PostgreSQL."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._knowledge = SqlKnowledgeBase(db)

    async def tickets_created(
        self, start: datetime, end: datetime, entity: str | None = None
    ) -> list[Ticket]:
        query = (
            tickets.select()
            .where(tickets.c.created_at >= start, tickets.c.created_at < end)
            .order_by(tickets.c.created_at, tickets.c.id)
        )
        if entity is not None:
            query = query.where(tickets.c.requester_entity == entity)
        async with self._db.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [ticket_of_row(row) for row in rows]

    async def search_figures(self, start: datetime, end: datetime) -> SearchFigures:
        counted = await self._knowledge.search_figures(start, end)
        return SearchFigures(
            asked=counted["asked"],
            answered=counted["answered"],
            helped=counted["helped"],
            not_helped=counted["not_helped"],
        )

    async def unanswered_questions(
        self, start: datetime, end: datetime, limit: int
    ) -> list[AskedQuestion]:
        """No article found, or its article did not help ("Nee"); the same text (and
        language) counted together, the most asked first."""
        asked = sa.func.count().label("asked")
        query = (
            sa.select(searches.c.language, searches.c.question, asked)
            .where(
                searches.c.asked_at >= start,
                searches.c.asked_at < end,
                sa.or_(searches.c.article_key.is_(None), searches.c.helped.is_(False)),
            )
            .group_by(searches.c.language, searches.c.question)
            .order_by(asked.desc(), searches.c.question)
            .limit(limit)
        )
        async with self._db.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [AskedQuestion(row.language, row.question, int(row.asked)) for row in rows]
