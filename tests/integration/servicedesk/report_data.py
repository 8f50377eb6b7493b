"""The week of tickets and searches the report's integration tests store (the tickets are
tests/unit/servicedesk/report_world.py's, in the state their story left them)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.domain.servicedesk.tickets import NewTicket, Ticket
from bot.store import Database
from bot.store.servicedesk.articles import SqlKnowledgeBase
from bot.store.servicedesk.tickets import SqlTicketRepository
from tests.unit.servicedesk.report_world import at, week_of_tickets

# (minutes after Monday 2 November 9:00, language, question, article found, helped)
SEARCHES: list[tuple[int, str, str, bool, bool | None]] = [
    (0, "nl", "Hoe reset ik mijn wachtwoord?", False, None),
    (1, "nl", "hoe reset ik mijn wachtwoord", False, None),
    (2, "nl", "Hoe reset ik mijn wachtwoord?", True, False),  # "Nee"
    (3, "nl", "Waar vind ik mijn loonbrief?", False, None),
    (4, "nl", "Hoe registreer ik MFA?", True, True),  # helped
    (5, "nl", "Hoe vraag ik Power BI aan?", True, True),  # helped
    (6, "en", "Where do I book a meeting room?", False, None),
    (7, "nl", "Wat is een premium connector?", True, None),  # never said
    (8 * 24 * 60, "nl", "Hoe reset ik mijn wachtwoord?", False, None),  # 10 November: later
]


async def store_week(database: Database) -> list[Ticket]:
    """The five tickets (SD-2026-000001 to 000005) and the searches, as the desk left them."""
    repository = SqlTicketRepository(database)
    stored = []
    for ticket in week_of_tickets():
        new = NewTicket(
            tenant_id=ticket.tenant_id,
            requester_id=ticket.requester_id,
            category=ticket.category,
            urgency=ticket.urgency,
            question=ticket.question,
            created_at=ticket.created_at,
            desk=ticket.desk,
            requester_entity=ticket.requester_entity,
        )
        first = await repository.add(new)
        assert first.reference == ticket.reference
        final = replace(ticket, id=first.id, version=first.version + 1)
        await repository.save(first, final)
        stored.append(final)
    knowledge = SqlKnowledgeBase(database)
    start = at(2, 9)
    for number, (minutes, language, question, found, helped) in enumerate(SEARCHES):
        reference = f"KB-{number:012d}"
        asked_at = start + timedelta(minutes=minutes)
        await knowledge.record_search(
            reference=reference,
            tenant_id="tenant-1",
            asked_by=f"person-{number}",
            at=asked_at,
            language=language,
            question=question,
            article_key="mfa-nieuwe-gsm" if found else None,
        )
        if helped is not None:
            await knowledge.record_feedback(reference, f"person-{number}", helped, asked_at)
    return stored
