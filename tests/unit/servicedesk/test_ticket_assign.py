"""Giving a ticket to a colleague and changing its category or urgency, through the real
dispatcher, dialog, desk, cards and agents (on the in-memory directory and repository).

The card lists the desk's agents, but the desk checks the one chosen on what that person is now:
a payload naming anyone else (staff, an agent of another entity's desk, a made-up id) is refused
and audited, and the card stays as it was."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.commands.dispatcher import Dispatcher
from bot.commands.registry import Registry
from bot.domain.platform.audit import Outcome
from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.errors import Unavailable
from bot.domain.platform.roles import Role
from bot.domain.servicedesk.articles import Category
from bot.domain.servicedesk.tickets import MessageKind, StaleTicket, TicketState, Urgency
from bot.services.platform.audit import Auditor
from cards.servicedesk.desk_changes import AGENT
from cards.verbs import Verb
from devtools.card_inspection import card_nodes, card_text, find_action
from dialogs.servicedesk.tickets import TicketDialog
from tests.support.chat import click
from tests.support.schemas import validate_card
from tests.unit.fakes import MemoryAuditLog
from tests.unit.servicedesk.fakes import AWV_CHANNEL, DESK_CHANNEL, TicketWorld, ticket_world

LOTTE, JEF, ANN, ELS, PIET, ADMIN = "lotte", "jef", "ann", "els", "piet", "admin"
STAFF = frozenset({Role.STAFF})
AGENT_ROLES = frozenset({Role.STAFF, Role.AGENT})
ADMINS = frozenset({Role.STAFF, Role.ADMIN})
PEOPLE = {
    LOTTE: ("Lotte Janssens", "nl", "AWV"),
    JEF: ("Jef Peeters", "en", ""),
    ANN: ("Ann Desmet", "nl", "AWV"),
    ELS: ("Els Wouters", "nl", "AWV"),
    PIET: ("Piet Claes", "nl", "DOMG"),
}
AGENTS = (ANN, ELS, PIET, JEF)


class Desk:
    def __init__(self, *, per_entity: bool = False) -> None:
        channels = {"AWV": AWV_CHANNEL} if per_entity else None
        self.world: TicketWorld = ticket_world(PEOPLE, entity_channels=channels, agents=AGENTS)
        self.channel = AWV_CHANNEL if per_entity else DESK_CHANNEL
        self.audit = MemoryAuditLog()
        self.registry = Registry()
        auditor = Auditor(self.audit, self.world.clock)
        self.dispatcher = Dispatcher(self.registry, auditor, "https://desk.example")
        zone = ZoneInfo("Europe/Brussels")
        self.registry.add_dialog(TicketDialog(self.world.desk, auditor, zone))

    async def file(self, category: str = "other", urgency: str = "normal") -> int:
        form = {"category": category, "question": "Mijn scanner is stuk.", "urgency": urgency}
        clicked = await click(self.dispatcher, Verb.TICKET_SUBMIT, form, user_id=LOTTE)
        assert clicked.result.card is not None, clicked.result.message
        return max(self.world.repository.tickets)

    async def agent(self, verb: Verb, ticket: int, who: str = ANN, **data: Any) -> Any:
        return await click(
            self.dispatcher,
            verb,
            {"ticket": ticket, **data},
            user_id=who,
            roles=ADMINS if who == ADMIN else AGENT_ROLES,
            name=PEOPLE[who][0] if who in PEOPLE else who,
            conversation_type="channel",
            conversation_id=self.channel,
        )

    def desk_card(self) -> dict[str, Any]:
        """The desk's card as the outbox last posted or edited it in the channel."""
        posted = [m for m in self.world.repository.outbox if m.conversation_id == self.channel]
        content: dict[str, Any] = posted[-1].activity["attachments"][0]["content"]
        return content

    def denied(self, action: str) -> list[str]:
        return [
            e.object_id
            for e in self.audit.entries
            if (e.action, e.outcome) == (action, Outcome.DENIED)
        ]


def _picker(card: dict[str, Any], input_id: str) -> dict[str, Any]:
    return next(n for n in card_nodes(card) if n.get("id") == input_id)


async def test_the_desk_card_lists_the_desks_agents_by_name_and_the_current_values() -> None:
    desk = Desk()
    ticket_id = await desk.file(category="post", urgency="high")
    card = desk.desk_card()
    validate_card(card)
    assign = find_action(card, "Toewijzen")
    assert assign["type"] == "Action.ShowCard"
    picker = _picker(card, AGENT)
    assert picker["type"] == "Input.ChoiceSet" and picker["isRequired"] is True
    assert [(c["title"], c["value"]) for c in picker["choices"]] == [
        ("Ann Desmet", ANN),
        ("Els Wouters", ELS),
        ("Jef Peeters", JEF),
        ("Piet Claes", PIET),
    ]
    send = find_action(assign["card"], Verb.TICKET_ASSIGN)
    assert send["data"] == {"ticket": ticket_id}
    change = find_action(card, "Wijzigen")
    assert _picker(change["card"], "category")["value"] == "post"
    assert _picker(change["card"], "urgency")["value"] == "high"
    assert find_action(change["card"], Verb.TICKET_CHANGE)["data"] == {"ticket": ticket_id}


async def test_a_per_entity_desk_lists_its_own_agents_only() -> None:
    desk = Desk(per_entity=True)
    await desk.file()  # Lotte is of AWV
    picker = _picker(desk.desk_card(), AGENT)
    assert [c["value"] for c in picker["choices"]] == [ANN, ELS]


async def test_a_click_gives_the_ticket_and_tells_the_colleague_in_their_chat() -> None:
    desk = Desk()
    ticket_id = await desk.file()
    given = await desk.agent(Verb.TICKET_ASSIGN, ticket_id, agent=JEF)
    assert given.result.card is not None, given.result.message
    assert "De melding is toegewezen." in card_text(given.result.card)
    ticket = desk.world.repository.tickets[ticket_id]
    assert (ticket.state, ticket.assignee_id) == (TicketState.OPEN, JEF)
    # The assignee is no longer among those it can be given to.
    assert JEF not in {c["value"] for c in _picker(given.result.card, AGENT)["choices"]}
    [event] = desk.world.repository.lines[ticket_id]
    assert (event.kind, event.author_id, event.text) == (MessageKind.EVENT, ANN, "assigned")
    [audited] = [e for e in desk.world.repository.audit if e.action == "servicedesk.ticket.assign"]
    assert (audited.actor_id, audited.outcome, audited.object_id) == (
        ANN,
        Outcome.OK,
        ticket.reference,
    )
    assert audited.detail == {"assignee": JEF, "previous": ""}
    [notice] = [m for m in desk.world.repository.outbox if m.recipient_id == JEF]
    content = notice.activity["attachments"][0]["content"]
    validate_card(content)
    assert f"Ticket {ticket.reference} is assigned to you" in card_text(content)  # Jef reads en
    assert "Ann Desmet gave you this ticket." in card_text(content)
    assert find_action(content, Verb.TICKET_DESK_VIEW)["data"] == {"ticket": ticket_id}
    # The desk's card shows who has it now, for everyone in the channel.
    assert "Jef Peeters" in card_text(desk.desk_card())


async def test_the_colleague_opens_the_ticket_from_the_notice() -> None:
    desk = Desk()
    ticket_id = await desk.file()
    await desk.agent(Verb.TICKET_ASSIGN, ticket_id, agent=JEF)
    opened = await click(
        desk.dispatcher,
        Verb.TICKET_DESK_VIEW,
        {"ticket": ticket_id},
        user_id=JEF,
        roles=AGENT_ROLES,
    )
    assert opened.result.card is not None
    assert desk.world.repository.tickets[ticket_id].reference in card_text(opened.result.card)


async def test_giving_it_to_oneself_is_taking_it() -> None:
    desk = Desk()
    ticket_id = await desk.file()
    await desk.agent(Verb.TICKET_ASSIGN, ticket_id, agent=ANN)
    assert desk.world.repository.tickets[ticket_id].assignee_id == ANN
    actions = [e.action for e in desk.world.repository.audit]
    assert "servicedesk.ticket.take" in actions and "servicedesk.ticket.assign" not in actions
    assert not [m for m in desk.world.repository.outbox if m.recipient_id == ANN]


@pytest.mark.parametrize(
    "forged",
    [
        LOTTE,  # staff: not in the list, sent anyway
        "0b7a4c2e-61d9-4f3b-8e25-9c4d7f1a3e60",  # nobody the directory knows
    ],
)
async def test_a_payload_naming_someone_who_is_no_agent_is_refused_and_audited(
    forged: str,
) -> None:
    desk = Desk()
    ticket_id = await desk.file()
    before = desk.world.repository.tickets[ticket_id]
    outbox = list(desk.world.repository.outbox)
    refused = await desk.agent(Verb.TICKET_ASSIGN, ticket_id, agent=forged)
    assert refused.result.card is None  # the card stays as it was
    assert refused.result.message == (
        "Je kan deze melding alleen toewijzen aan een medewerker van deze servicedesk."
    )
    assert desk.world.repository.tickets[ticket_id] == before
    assert desk.world.repository.outbox == outbox
    assert desk.denied("servicedesk.ticket.assign") == [str(ticket_id)]


async def test_an_agent_of_another_entitys_desk_is_refused() -> None:
    desk = Desk(per_entity=True)
    ticket_id = await desk.file()  # the AWV desk's
    refused = await desk.agent(Verb.TICKET_ASSIGN, ticket_id, agent=PIET)  # an agent of DOMG
    assert refused.result.card is None and refused.result.message
    assert desk.world.repository.tickets[ticket_id].assignee_id == ""
    assert desk.denied("servicedesk.ticket.assign") == [str(ticket_id)]
    given = await desk.agent(Verb.TICKET_ASSIGN, ticket_id, agent=ELS)  # of AWV
    assert given.result.card is not None
    assert desk.world.repository.tickets[ticket_id].assignee_id == ELS


async def test_the_english_refusal() -> None:
    desk = Desk()
    ticket_id = await desk.file()
    refused = await click(
        desk.dispatcher,
        Verb.TICKET_ASSIGN,
        {"ticket": ticket_id, "agent": LOTTE},
        user_id=JEF,
        roles=AGENT_ROLES,
        locale="en",
        conversation_type="channel",
        conversation_id=DESK_CHANNEL,
    )
    assert refused.result.message == (
        "You can only assign this ticket to an agent of this service desk."
    )


@pytest.mark.parametrize("verb", [Verb.TICKET_ASSIGN, Verb.TICKET_CHANGE])
async def test_staff_cannot_give_or_change_a_ticket(verb: Verb) -> None:
    desk = Desk()
    ticket_id = await desk.file()
    data = {"ticket": ticket_id, "agent": LOTTE, "category": "post", "urgency": "high"}
    refused = await click(desk.dispatcher, verb, data, user_id=LOTTE, roles=STAFF)
    assert refused.result.card is None
    ticket = desk.world.repository.tickets[ticket_id]
    assert (ticket.assignee_id, ticket.urgency, ticket.version) == ("", Urgency.NORMAL, 1)


async def test_a_step_on_a_version_someone_else_saved_first_is_refused() -> None:
    desk = Desk()
    ticket_id = await desk.file()
    before = desk.world.repository.tickets[ticket_id]
    real_save = desk.world.repository.save

    async def someone_else_first(*args: Any, **kwargs: Any) -> None:
        raise StaleTicket()

    desk.world.repository.save = someone_else_first  # type: ignore[method-assign]
    lost = await desk.agent(Verb.TICKET_ASSIGN, ticket_id, agent=JEF)
    changed = await desk.agent(Verb.TICKET_CHANGE, ticket_id, category="post", urgency="high")
    desk.world.repository.save = real_save  # type: ignore[method-assign]
    stale = "Iemand anders werkte deze melding net bij. Probeer het opnieuw."
    assert (lost.result.card, lost.result.message) == (None, stale)
    assert (changed.result.card, changed.result.message) == (None, stale)
    assert desk.world.repository.tickets[ticket_id] == before


async def test_a_change_is_saved_with_the_old_and_new_values() -> None:
    desk = Desk()
    ticket_id = await desk.file()
    changed = await desk.agent(Verb.TICKET_CHANGE, ticket_id, category="licences", urgency="high")
    assert changed.result.card is not None
    assert "De melding is gewijzigd." in card_text(changed.result.card)
    ticket = desk.world.repository.tickets[ticket_id]
    assert (ticket.category, ticket.urgency, ticket.version) == (
        Category.LICENCES,
        Urgency.HIGH,
        2,
    )
    [audited] = [e for e in desk.world.repository.audit if e.action == "servicedesk.ticket.change"]
    assert audited.detail == {"category": "other->licences", "urgency": "normal->high"}
    [event] = desk.world.repository.lines[ticket_id]
    assert (event.kind, event.text) == (MessageKind.EVENT, "changed")
    assert "Dringend" in card_text(desk.desk_card())


async def test_no_change_saves_nothing() -> None:
    desk = Desk()
    ticket_id = await desk.file()
    outbox = len(desk.world.repository.outbox)
    same = await desk.agent(Verb.TICKET_CHANGE, ticket_id, category="other", urgency="normal")
    assert same.result.card is not None
    assert desk.world.repository.tickets[ticket_id].version == 1
    assert len(desk.world.repository.outbox) == outbox
    assert "servicedesk.ticket.change" not in [e.action for e in desk.world.repository.audit]


@pytest.mark.parametrize(
    "data", [{"category": "koffie", "urgency": "high"}, {"category": "post", "urgency": "extreem"}]
)
async def test_a_bad_value_changes_nothing_and_says_why(data: dict[str, str]) -> None:
    desk = Desk()
    ticket_id = await desk.file()
    bad = await desk.agent(Verb.TICKET_CHANGE, ticket_id, **data)
    assert bad.result.card is None and bad.result.message
    assert desk.world.repository.tickets[ticket_id].version == 1


async def test_a_resolved_ticket_is_neither_given_nor_changed_and_its_card_offers_neither() -> None:
    desk = Desk()
    ticket_id = await desk.file()
    resolved = await desk.agent(Verb.TICKET_RESOLVE, ticket_id, resolution="Opgelost.")
    titles = {a.get("title") for a in resolved.result.card["actions"]}
    assert not {"Toewijzen", "Wijzigen"} & titles
    for verb, data in (
        (Verb.TICKET_ASSIGN, {"agent": JEF}),
        (Verb.TICKET_CHANGE, {"urgency": "low"}),
    ):
        late = await desk.agent(verb, ticket_id, **data)
        assert late.result.card is None and late.result.message
    assert desk.world.repository.tickets[ticket_id].state is TicketState.RESOLVED


async def test_without_the_directory_the_card_offers_take_but_no_list() -> None:
    desk = Desk()
    desk.world.directory.failure = Unavailable()
    ticket_id = await desk.file()
    card = desk.desk_card()
    titles = [a.get("title") for a in card["actions"]]
    assert "Neem op" in titles and "Wijzigen" in titles and "Toewijzen" not in titles
    refused = await desk.agent(Verb.TICKET_ASSIGN, ticket_id, agent=JEF)  # roles unknown now
    assert refused.result.card is None
    assert desk.world.repository.tickets[ticket_id].assignee_id == ""


async def test_a_name_from_the_directory_is_shown_as_plain_text() -> None:
    desk = Desk()
    hostile = "Ann\u202e Desmet\u200b"
    desk.world.directory.users[ANN] = DirectoryUser(ANN, hostile, "ann@x.example")
    await desk.file()
    titles = [c["title"] for c in _picker(desk.desk_card(), AGENT)["choices"]]
    assert "Ann Desmet" in titles and hostile not in titles


@pytest.mark.parametrize("agent", ["../../groups", "ann'; drop", "x" * 65])
async def test_an_id_of_no_directory_shape_is_refused_before_the_desk(agent: str) -> None:
    desk = Desk()
    ticket_id = await desk.file()
    refused = await desk.agent(Verb.TICKET_ASSIGN, ticket_id, agent=agent)
    assert refused.result.card is None
    assert desk.world.repository.tickets[ticket_id].version == 1
    assert not [c for c in desk.world.directory.calls if agent in c]


async def test_the_card_names_a_new_assignee_who_never_talked_to_werkplek() -> None:
    desk = Desk()
    del desk.world.people.known[ELS]  # in the agents' group, never seen in a chat
    ticket_id = await desk.file()
    given = await desk.agent(Verb.TICKET_ASSIGN, ticket_id, agent=ELS)
    assert "Els Wouters" in card_text(given.result.card)
    assert "Els Wouters" in card_text(desk.desk_card())
