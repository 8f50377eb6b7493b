"""Tickets through the real dispatcher, dialog, desk and cards, on the in-memory repository.

The role and ownership matrix: a staff member sees and answers only their own tickets; agents
act on tickets (of their own desk when desks are per entity), admins everywhere; internal notes
never reach the person; two agents on one version: one wins."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.commands.dispatcher import Dispatcher
from bot.commands.registry import Registry
from bot.domain.platform.audit import Outcome
from bot.domain.platform.roles import Role
from bot.domain.servicedesk.tickets import StaleTicket, TicketState
from bot.services.platform.audit import Auditor
from bot.services.servicedesk.queue import DeskQueue
from bot.services.servicedesk.tickets import DeskSettings
from cards.verbs import Verb
from devtools.card_inspection import card_text
from dialogs.servicedesk.tickets import TicketDialog
from tests.support.chat import FakeTurn, click, say
from tests.unit.fakes import MemoryAuditLog
from tests.unit.servicedesk.fakes import AWV_CHANNEL, DESK_CHANNEL, TicketWorld, ticket_world

LOTTE, JEF, ANN, PIET, ADMIN = "lotte", "jef", "ann", "piet", "admin"
STAFF = frozenset({Role.STAFF})
AGENT = frozenset({Role.STAFF, Role.AGENT})
ADMINS = frozenset({Role.STAFF, Role.ADMIN})
PEOPLE = {
    LOTTE: ("Lotte Janssens", "nl", "AWV"),
    JEF: ("Jef Peeters", "en", ""),
    ANN: ("Ann Desmet", "nl", "AWV"),
    PIET: ("Piet Claes", "nl", "DOMG"),
}


class Desk:
    def __init__(self, *, per_entity: bool = False) -> None:
        channels = {"AWV": AWV_CHANNEL} if per_entity else None
        self.world: TicketWorld = ticket_world(PEOPLE, entity_channels=channels)
        self.audit = MemoryAuditLog()
        self.registry = Registry()
        self.dispatcher = Dispatcher(
            self.registry, Auditor(self.audit, self.world.clock), "https://desk.example"
        )
        zone = ZoneInfo("Europe/Brussels")
        queue = DeskQueue(
            self.world.repository,
            self.world.people,
            DeskSettings(channel_id=DESK_CHANNEL, entity_channels=channels or {}),
        )
        self.registry.add_dialog(
            TicketDialog(self.world.desk, Auditor(self.audit, self.world.clock), zone, queue=queue)
        )

    async def file(
        self, question: str = "Mijn scanner geeft een papierstoring.", **data: Any
    ) -> int:
        form = {"category": "other", "question": question, "urgency": "normal", **data}
        clicked = await click(self.dispatcher, Verb.TICKET_SUBMIT, form, user_id=LOTTE)
        assert clicked.result.card is not None, clicked.result.message
        return max(self.world.repository.tickets)

    async def agent(self, verb: Verb, ticket: int, who: str = ANN, **data: Any) -> Any:
        roles = ADMINS if who == ADMIN else AGENT
        return await click(
            self.dispatcher,
            verb,
            {"ticket": ticket, **data},
            user_id=who,
            roles=roles,
            conversation_type="channel",
            conversation_id=DESK_CHANNEL,
        )


def _texts(card: dict[str, Any] | None) -> str:
    assert card is not None
    return card_text(card)


async def test_the_keyword_opens_the_form_with_the_words_after_it() -> None:
    desk = Desk()
    turn: FakeTurn = await say(desk.dispatcher, "ticket mijn scanner is stuk", user_id=LOTTE)
    form = turn.cards[0]
    assert "Stel je vraag aan de servicedesk" in card_text(form)
    question = next(e for e in form["body"] if e.get("id") == "question")
    assert question["value"] == "mijn scanner is stuk"


async def test_a_filed_ticket_has_a_reference_and_a_card_in_the_desk_channel() -> None:
    desk = Desk()
    ticket_id = await desk.file(context=[["reference", "WP-1A2B3C4D"]])
    ticket = desk.world.repository.tickets[ticket_id]
    assert ticket.reference.startswith("SD-") and ticket.context == (("reference", "WP-1A2B3C4D"),)
    [posted] = desk.world.repository.outbox
    assert posted.conversation_id == DESK_CHANNEL and not posted.replaces
    assert ticket.reference in str(posted.activity)
    [opened] = desk.world.repository.audit
    assert (opened.action, opened.outcome, opened.object_id) == (
        "servicedesk.ticket.open",
        Outcome.OK,
        ticket.reference,
    )


async def test_only_a_reference_werkplek_gave_rides_along() -> None:
    """The context comes back in the card's payload: agents read it as Werkplek's, so only a
    reference of Werkplek's shape passes."""
    desk = Desk()
    forged = [["reference", "WP-1A2B3C4D"], ["access", "alles in orde"], ["reference", "x<y"]]
    ticket_id = await desk.file(context=forged)
    assert desk.world.repository.tickets[ticket_id].context == (("reference", "WP-1A2B3C4D"),)


@pytest.mark.parametrize(
    "form",
    [
        {"category": "koffie", "question": "x"},
        {"category": "other", "question": "   "},
        {"category": "other", "question": "x", "urgency": "extreem"},
    ],
)
async def test_a_bad_form_stores_nothing_and_says_why(form: dict[str, str]) -> None:
    desk = Desk()
    clicked = await click(desk.dispatcher, Verb.TICKET_SUBMIT, form, user_id=LOTTE)
    assert clicked.result.card is None and clicked.result.message
    assert desk.world.repository.tickets == {} and desk.world.repository.outbox == []


async def test_people_see_only_their_own_tickets() -> None:
    desk = Desk()
    ticket_id = await desk.file()
    mine = await say(desk.dispatcher, "mijn meldingen", user_id=LOTTE)
    assert desk.world.repository.tickets[ticket_id].reference in card_text(mine.cards[0])
    theirs = await say(desk.dispatcher, "mijn meldingen", user_id=JEF)
    assert "nog geen vragen" in card_text(theirs.cards[0])
    for verb, data in (
        (Verb.TICKET_VIEW, {}),
        (Verb.TICKET_ANSWER, {"reply": "hallo"}),
        (Verb.TICKET_REOPEN, {}),
        (Verb.TICKET_RATE, {"rating": "1"}),
    ):
        refused = await click(desk.dispatcher, verb, {"ticket": ticket_id, **data}, user_id=JEF)
        assert refused.result.card is None and refused.result.message
    assert [e.outcome for e in desk.audit.entries].count(Outcome.DENIED) == 4


@pytest.mark.parametrize(
    "verb", [Verb.TICKET_TAKE, Verb.TICKET_REPLY, Verb.TICKET_RESOLVE, Verb.TICKET_DESK_REOPEN]
)
async def test_staff_cannot_act_as_an_agent(verb: Verb) -> None:
    desk = Desk()
    ticket_id = await desk.file()
    data = {"ticket": ticket_id, "reply": "x", "resolution": "x"}
    refused = await click(desk.dispatcher, verb, data, user_id=LOTTE)
    assert refused.result.card is None
    assert desk.world.repository.tickets[ticket_id].state is TicketState.NEW


async def test_the_whole_road_and_notes_never_reach_the_person() -> None:
    desk = Desk()
    ticket_id = await desk.file()
    taken = await desk.agent(Verb.TICKET_TAKE, ticket_id)
    assert "Je behandelt deze melding." in _texts(taken.result.card)
    assert taken.result.card is not None
    access = [a["data"] for a in taken.result.card["actions"] if a.get("verb") == Verb.RUN_COMMAND]
    assert access == [{"command": "status", "args": "Lotte Janssens"}]  # her access card
    await desk.agent(Verb.TICKET_NOTE, ticket_id, note="Geheime notitie: printer staat in kelder.")
    replied = await desk.agent(Verb.TICKET_REPLY, ticket_id, reply="Heb je de lade al geopend?")
    assert "Geheime notitie" in _texts(replied.result.card)  # agents see notes
    to_lotte = [m for m in desk.world.repository.outbox if m.recipient_id == LOTTE]
    assert len(to_lotte) == 1 and "Heb je de lade al geopend?" in str(to_lotte[0].activity)
    assert "Geheime notitie" not in str(to_lotte)

    view = await click(desk.dispatcher, Verb.TICKET_VIEW, {"ticket": ticket_id}, user_id=LOTTE)
    assert "Heb je de lade al geopend?" in _texts(view.result.card)
    assert "Geheime notitie" not in _texts(view.result.card)
    answered = await click(
        desk.dispatcher, Verb.TICKET_ANSWER, {"ticket": ticket_id, "reply": "Ja."}, user_id=LOTTE
    )
    assert desk.world.repository.tickets[ticket_id].state is TicketState.OPEN
    assert "Geheime notitie" not in _texts(answered.result.card)

    await desk.agent(Verb.TICKET_RESOLVE, ticket_id, resolution="Lade opnieuw geplaatst.")
    resolved_notice = [m for m in desk.world.repository.outbox if m.recipient_id == LOTTE][-1]
    assert "Ben je geholpen?" in str(resolved_notice.activity)
    rated = await click(
        desk.dispatcher, Verb.TICKET_RATE, {"ticket": ticket_id, "rating": "4"}, user_id=LOTTE
    )
    assert rated.result.card is not None
    ticket = desk.world.repository.tickets[ticket_id]
    assert (ticket.state, ticket.rating) == (TicketState.CLOSED, 4)
    # Every card after the first edits the channel's card in place.
    in_channel = [m for m in desk.world.repository.outbox if m.conversation_id == DESK_CHANNEL]
    desk_cards = [m for m in in_channel if not m.thread_of]
    # What Lotte wrote went to the card's thread too, under the first card.
    in_thread = [m for m in in_channel if m.thread_of]
    assert [m.thread_of for m in in_thread] == [desk_cards[0].dedupe_key]
    assert "Ja." in str(in_thread[0].activity)
    assert all(m.replaces == desk_cards[0].dedupe_key for m in desk_cards[1:])
    assert len({m.dedupe_key for m in desk_cards}) == len(desk_cards)


async def test_a_step_someone_else_saved_first_is_told_and_changes_nothing() -> None:
    """The store refuses a step on a version that moved on (tests/integration/servicedesk:
    two agents at once, one wins); the loser reads why, the card stays as it was."""
    desk = Desk()
    ticket_id = await desk.file()
    before = desk.world.repository.tickets[ticket_id]
    real_save = desk.world.repository.save

    async def someone_else_first(*args: Any, **kwargs: Any) -> None:
        raise StaleTicket()

    desk.world.repository.save = someone_else_first  # type: ignore[method-assign]
    lost = await desk.agent(Verb.TICKET_TAKE, ticket_id, who=ANN)
    desk.world.repository.save = real_save  # type: ignore[method-assign]
    assert lost.result.card is None
    assert lost.result.message == "Iemand anders werkte deze melding net bij. Probeer het opnieuw."
    assert desk.world.repository.tickets[ticket_id] == before


async def test_per_entity_desks_keep_to_their_own_tickets() -> None:
    desk = Desk(per_entity=True)
    ticket_id = await desk.file()  # Lotte is of AWV: the AWV desk's ticket
    assert desk.world.repository.outbox[0].conversation_id == AWV_CHANNEL
    other = await desk.agent(Verb.TICKET_TAKE, ticket_id, who=PIET)  # an agent of DOMG
    assert other.result.card is None
    assert desk.world.repository.tickets[ticket_id].state is TicketState.NEW
    own = await desk.agent(Verb.TICKET_TAKE, ticket_id, who=ANN)  # an agent of AWV
    assert own.result.card is not None
    admin = await desk.agent(Verb.TICKET_NOTE, ticket_id, who=ADMIN, note="Ik kijk mee.")
    assert admin.result.card is not None


async def test_reopen_within_the_week_only_by_the_person() -> None:
    desk = Desk()
    ticket_id = await desk.file()
    await desk.agent(Verb.TICKET_RESOLVE, ticket_id, resolution="Opgelost.")
    again = await click(desk.dispatcher, Verb.TICKET_REOPEN, {"ticket": ticket_id}, user_id=LOTTE)
    assert "heropend" in _texts(again.result.card)
    assert desk.world.repository.tickets[ticket_id].state is TicketState.OPEN
    await desk.agent(Verb.TICKET_RESOLVE, ticket_id, resolution="Nu echt opgelost.")
    desk.world.clock.advance(days=8)
    late = await click(desk.dispatcher, Verb.TICKET_REOPEN, {"ticket": ticket_id}, user_id=LOTTE)
    assert late.result.card is None and late.result.message
    assert desk.world.repository.tickets[ticket_id].state is TicketState.RESOLVED


async def test_an_agent_reopens_a_resolved_ticket_and_the_person_is_told() -> None:
    desk = Desk(per_entity=True)
    ticket_id = await desk.file()  # Lotte is of AWV: the AWV desk
    resolved = await desk.agent(Verb.TICKET_RESOLVE, ticket_id, resolution="Opgelost.")
    assert "Heropenen" in _texts(resolved.result.card)
    other_desk = await desk.agent(Verb.TICKET_DESK_REOPEN, ticket_id, who=PIET)  # of DOMG
    assert other_desk.result.card is None and other_desk.result.message
    assert desk.world.repository.tickets[ticket_id].state is TicketState.RESOLVED

    reopened = await click(
        desk.dispatcher,
        Verb.TICKET_DESK_REOPEN,
        {"ticket": ticket_id},
        user_id=ANN,
        name="Ann Desmet",
        roles=AGENT,
        conversation_type="channel",
        conversation_id=AWV_CHANNEL,
    )
    assert "heropend" in _texts(reopened.result.card)
    ticket = desk.world.repository.tickets[ticket_id]
    assert (ticket.state, ticket.resolved_at, ticket.resolution) == (TicketState.OPEN, None, "")
    told = [m for m in desk.world.repository.outbox if m.recipient_id == LOTTE][-1]
    assert "heropend" in str(told.activity) and "Ann Desmet" in str(told.activity)
    assert "servicedesk.ticket.desk_reopen" in [e.action for e in desk.world.repository.audit]
    refusals = [e for e in desk.audit.entries if e.outcome is Outcome.DENIED]
    assert [e.action for e in refusals] == ["servicedesk.ticket.desk_reopen"]  # Piet's

    again = await desk.agent(Verb.TICKET_DESK_REOPEN, ticket_id, who=ANN)  # open: nothing to do
    assert again.result.card is None and again.result.message
    await desk.agent(Verb.TICKET_RESOLVE, ticket_id, resolution="Nu echt opgelost.")
    await click(
        desk.dispatcher, Verb.TICKET_RATE, {"ticket": ticket_id, "rating": "5"}, user_id=LOTTE
    )
    closed = await desk.agent(Verb.TICKET_DESK_REOPEN, ticket_id, who=ANN)  # rated: it stands
    assert closed.result.card is None
    assert desk.world.repository.tickets[ticket_id].state is TicketState.CLOSED


async def test_open_tickets_lists_the_agents_desks_oldest_first() -> None:
    desk = Desk(per_entity=True)
    awv = await desk.file("Eerste vraag")  # Lotte is of AWV: the AWV desk
    desk.world.people.known["jef"] = ("Jef Peeters", "en", "")  # no desk of his own
    jef_form = {"category": "other", "question": "Tweede vraag", "urgency": "low"}
    await click(desk.dispatcher, Verb.TICKET_SUBMIT, jef_form, user_id=JEF)
    central = max(desk.world.repository.tickets)
    references = {i: t.reference for i, t in desk.world.repository.tickets.items()}

    staff = await say(desk.dispatcher, "open meldingen", user_id=LOTTE)
    assert references[awv] not in card_text(staff.cards[0])  # refused: not an agent

    ann = await say(desk.dispatcher, "open meldingen", user_id=ANN, roles=AGENT)  # of AWV
    shown = card_text(ann.cards[0])
    assert shown.index(references[awv]) < shown.index(references[central])
    piet = await say(desk.dispatcher, "open meldingen", user_id=PIET, roles=AGENT)  # of DOMG
    assert references[central] in card_text(piet.cards[0])
    assert references[awv] not in card_text(piet.cards[0])

    opened = await desk.agent(Verb.TICKET_DESK_VIEW, awv, who=ANN)
    assert references[awv] in _texts(opened.result.card)
    refused = await desk.agent(Verb.TICKET_DESK_VIEW, awv, who=PIET)
    assert refused.result.card is None
