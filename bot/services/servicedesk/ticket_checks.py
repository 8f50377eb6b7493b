"""What the ticket desk checks of what people typed and clicked, and the outbox keys of a ticket's
card (bot/services/servicedesk/tickets.py)."""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Awaitable, Callable, Sequence

from bot.domain.platform.errors import DomainError
from bot.domain.servicedesk.articles import Category
from bot.domain.servicedesk.tickets import MAX_QUESTION, StaleTicket, Ticket, Urgency

MAX_CONTEXT = 5
# A reference Werkplek gave: a failure's, a licence request's, a post item's, a ticket's.
_REFERENCE = re.compile(r"(WP|LIC|POST|SD|KB)-[A-Z0-9-]{4,24}")
MAX_TEXT = 4000
_DESK_CARD_KEY = re.compile(r"ticket-([1-9][0-9]{0,18})-desk")
# Messages from both sides at once: each lost race costs one more read and write. The wait
# before a retry is drawn from a window that doubles each time (to at most _STALE_BACKOFF_MAX):
# a window that only grew linearly let two busy writers collide eight times in a row.
_STALE_RETRIES = 10
_STALE_BACKOFF_SECONDS = 0.005
_STALE_BACKOFF_MAX = 0.25


def desk_card_key(ticket_id: int) -> str:
    """The outbox key of a ticket's first card in its desk's channel: its thread's root."""
    return f"ticket-{ticket_id}-desk"


def ticket_of_desk_card(dedupe_key: str) -> int | None:
    """The ticket whose desk card went out under `dedupe_key`; None for any other message."""
    found = _DESK_CARD_KEY.fullmatch(dedupe_key)
    return int(found.group(1)) if found else None


async def again_if_stale(step: Callable[[], Awaitable[Ticket]]) -> Ticket:
    """Run a step that only adds a message; when another step of the ticket was saved between
    its read and its write, read again and write it on the ticket as it is then."""
    for attempt in range(_STALE_RETRIES):
        try:
            return await step()
        except StaleTicket:
            # Jittered: two writers that keep colliding in lockstep fall out of step.
            window = min(_STALE_BACKOFF_MAX, _STALE_BACKOFF_SECONDS * 2**attempt)
            await asyncio.sleep(random.uniform(0, window))
    return await step()


def same_person(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def checked_category(value: str) -> Category:
    try:
        return Category(value)
    except ValueError:
        raise DomainError("servicedesk.ticket.category_error") from None


def checked_urgency(value: str) -> Urgency:
    try:
        return Urgency(value or Urgency.NORMAL.value)
    except ValueError:
        raise DomainError("servicedesk.ticket.urgency_error") from None


def checked_question(value: str) -> str:
    question = value.strip()
    if not question:
        raise DomainError("servicedesk.ticket.question_error")
    if len(question) > MAX_QUESTION:
        raise DomainError("servicedesk.ticket.too_long", limit=MAX_QUESTION)
    return question


def checked_text(value: str, *, required: bool = True) -> str:
    said = value.strip()
    if required and not said:
        raise DomainError("servicedesk.ticket.text_required")
    if len(said) > MAX_TEXT:
        raise DomainError("servicedesk.ticket.too_long", limit=MAX_TEXT)
    return said


def checked_context(pairs: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """What Werkplek attached: a failed flow's reference, and only that. The pairs come back
    in a card's payload, which anyone can write: agents read them as Werkplek's, so nothing
    else passes."""
    return tuple(
        (key, value)
        for key, value in list(pairs)[:MAX_CONTEXT]
        if key == "reference" and _REFERENCE.fullmatch(value)
    )
