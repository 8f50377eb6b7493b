"""What a ticket keeps of the person who asked it (bot/services/servicedesk/tickets.py, on the
in-memory repository): their entity, whichever desk handles it (the report counts per entity by
it), and what they wrote with their rating."""

from __future__ import annotations

import pytest

from bot.domain.platform.actors import Actor
from bot.domain.platform.roles import Role
from bot.domain.servicedesk.tickets import MessageKind, TicketState
from bot.services.servicedesk.tickets import TicketForm
from tests.unit.servicedesk.fakes import AWV_CHANNEL, ticket_world

PEOPLE = {
    "lotte": ("Lotte Janssens", "nl", "AWV"),
    "piet": ("Piet Claes", "nl", "DOMG"),
    "jef": ("Jef Peeters", "en", ""),  # no entity known
}
ANN = Actor("ann", "tenant-1", "Ann Desmet", frozenset({Role.STAFF, Role.AGENT}))
FORM = TicketForm("access", "Mijn MFA werkt niet meer.")


def person(user_id: str) -> Actor:
    return Actor(user_id, "tenant-1", PEOPLE[user_id][0])


@pytest.mark.parametrize(
    ("who", "per_entity", "desk", "entity"),
    [
        ("lotte", False, "", "AWV"),  # one central desk: the entity is kept all the same
        ("piet", False, "", "DOMG"),
        ("lotte", True, "AWV", "AWV"),  # AWV's own desk
        ("piet", True, "", "DOMG"),  # DOMG has none: the central desk, DOMG's ticket
        ("jef", True, "", ""),
    ],
)
async def test_a_ticket_keeps_the_entity_of_its_person_whichever_desk_has_it(
    who: str, per_entity: bool, desk: str, entity: str
) -> None:
    world = ticket_world(PEOPLE, entity_channels={"AWV": AWV_CHANNEL} if per_entity else None)
    filed = await world.desk.open(person(who), FORM)
    stored = world.repository.tickets[filed.id]
    assert (stored.desk, stored.requester_entity) == (desk, entity)
    assert stored == filed


async def test_the_rating_keeps_what_the_person_wrote_and_the_conversation_says_it_too() -> None:
    world = ticket_world(PEOPLE)
    lotte = person("lotte")
    ticket = await world.desk.open(lotte, FORM)
    await world.desk.resolve(ANN, ticket.id, "Authenticator opnieuw geregistreerd.")
    rated = await world.desk.rate(lotte, ticket.id, 4, "  Snel geholpen, maar wel twee dagen.  ")
    stored = world.repository.tickets[ticket.id]
    assert stored == rated
    assert (stored.state, stored.rating) == (TicketState.CLOSED, 4)
    assert stored.rating_comment == "Snel geholpen, maar wel twee dagen."
    last = world.repository.lines[ticket.id][-1]
    assert (last.kind, last.text) == (
        MessageKind.REQUESTER,
        "4/5 Snel geholpen, maar wel twee dagen.",
    )
    # The comment is the person's own words: never in the audit line.
    (audit,) = [e for e in world.repository.audit if e.action == "servicedesk.ticket.rate"]
    assert audit.detail == {"rating": "4"}


async def test_a_rating_without_a_comment_keeps_none() -> None:
    world = ticket_world(PEOPLE)
    lotte = person("lotte")
    ticket = await world.desk.open(lotte, FORM)
    await world.desk.resolve(ANN, ticket.id, "Opgelost.")
    await world.desk.rate(lotte, ticket.id, 5, "   ")
    stored = world.repository.tickets[ticket.id]
    assert (stored.rating, stored.rating_comment) == (5, "")
    last = world.repository.lines[ticket.id][-1]
    assert (last.kind, last.text) == (MessageKind.EVENT, "5/5")
