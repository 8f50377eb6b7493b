"""The relay through the real dispatcher, dialogs, desk and cards, on the in-memory repository.

The person: a free message while a ticket is open is offered once, then relayed until stop or
the end of the ticket; a command's keyword stays a command. The agents: what an agent of the
desk writes in the ticket's thread reaches the person (a note stays internal); anyone else's
words there, and a channel's chatter, get no answer at all."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.commands.dispatcher import Dispatcher
from bot.commands.registry import Registry
from bot.domain.platform.audit import Outcome
from bot.domain.platform.roles import Role
from bot.domain.servicedesk.tickets import MessageKind, Relay, TicketState
from bot.services.platform.audit import Auditor
from bot.services.servicedesk.relay import TicketRelay
from bot.services.servicedesk.tickets import desk_card_key
from cards.servicedesk.relay import NOTE_MARKERS
from cards.verbs import Verb
from devtools.card_inspection import card_text
from dialogs.platform.help import HelpDialog
from dialogs.servicedesk.relay import RelayDialog
from dialogs.servicedesk.tickets import TicketDialog
from tests.support.chat import FakeTurn, click, say
from tests.unit.fakes import MemoryAuditLog
from tests.unit.servicedesk.fakes import AWV_CHANNEL, DESK_CHANNEL, TicketWorld, ticket_world

LOTTE, JEF, ANN, PIET = "lotte", "jef", "ann", "piet"
STAFF = frozenset({Role.STAFF})
AGENT = frozenset({Role.STAFF, Role.AGENT})
PEOPLE = {
    LOTTE: ("Lotte Janssens", "nl", "AWV"),
    JEF: ("Jef Peeters", "en", ""),
    ANN: ("Ann Desmet", "nl", "AWV"),
    PIET: ("Piet Claes", "nl", "DOMG"),
}
# Nothing any command claims: the words of someone talking about their own ticket.
FREE = "De lade blijft vastzitten, ook na het herstarten van de printer."
ROOT = "1764230400000"  # the Teams id the desk's card got in the channel


class SentCards:
    """The outbox's record of the desk cards posted: (conversation, Teams id) -> dedupe key."""

    def __init__(self) -> None:
        self.posted: dict[tuple[str, str], str] = {}

    async def sent_as(self, conversation_id: str, activity_id: str) -> str | None:
        return self.posted.get((conversation_id, activity_id))


class Chat:
    def __init__(self, *, per_entity: bool = False, fallback_answers: bool = False) -> None:
        channels = {"AWV": AWV_CHANNEL} if per_entity else None
        self.world: TicketWorld = ticket_world(PEOPLE, entity_channels=channels)
        self.audit = MemoryAuditLog()
        auditor = Auditor(self.audit, self.world.clock)
        self.registry = Registry()
        self.dispatcher = Dispatcher(self.registry, auditor, "https://desk.example")
        self.sent = SentCards()
        self.fallback: list[str] = []

        async def fallback(turn: Any, text: str) -> bool:
            self.fallback.append(text)
            return fallback_answers

        relay = RelayDialog(
            TicketRelay(
                desk=self.world.desk,
                tickets=self.world.repository,
                sent=self.sent,
                note_markers=NOTE_MARKERS,
            ),
            auditor,
            fallback=fallback,
        )
        self.dispatcher.relay_with(relay)
        zone = ZoneInfo("Europe/Brussels")
        for dialog in (
            HelpDialog(self.registry),
            TicketDialog(self.world.desk, auditor, zone),
            relay,
        ):
            self.registry.add_dialog(dialog)

    async def file(self, who: str = LOTTE) -> int:
        form = {
            "category": "other",
            "question": "Mijn printer trekt geen papier.",
            "urgency": "normal",
        }
        clicked = await click(self.dispatcher, Verb.TICKET_SUBMIT, form, user_id=who)
        assert clicked.result.card is not None, clicked.result.message
        ticket_id = max(self.world.repository.tickets)
        channel = self.world.settings.channel_of(self.world.repository.tickets[ticket_id].desk)
        self.sent.posted[(channel, f"{ROOT}{ticket_id}")] = desk_card_key(ticket_id)
        return ticket_id

    async def person(self, text: str, who: str = LOTTE) -> FakeTurn:
        return await say(self.dispatcher, text, user_id=who, name=PEOPLE[who][0])

    async def in_thread(
        self, ticket_id: int, text: str, who: str = ANN, roles: frozenset[Role] = AGENT
    ) -> FakeTurn:
        """A message in the ticket's thread, not addressed to the bot (as the channel-message
        permission delivers it)."""
        ticket = self.world.repository.tickets[ticket_id]
        channel = self.world.settings.channel_of(ticket.desk)
        turn = FakeTurn(
            user_id=who,
            name=PEOPLE[who][0],
            roles=roles,
            conversation_type="channel",
            conversation_id=f"{channel};messageid={ROOT}{ticket_id}",
        )
        await self.dispatcher.on_text(turn, text, addressed=False)
        return turn

    def lines(self, ticket_id: int) -> list[tuple[MessageKind, str]]:
        return [(m.kind, m.text) for m in self.world.repository.lines.get(ticket_id, [])]

    def to(self, who: str) -> list[str]:
        return [str(m.activity) for m in self.world.repository.outbox if m.recipient_id == who]


def _offer(turn: FakeTurn) -> dict[str, Any]:
    [card] = turn.cards
    assert "Hoort dit bij je melding SD-" in card_text(card)
    return card


def _data(card: dict[str, Any], verb: Verb) -> dict[str, Any]:
    data: dict[str, Any] = next(a["data"] for a in card["actions"] if a["verb"] == verb)
    return data


async def test_a_free_message_is_offered_once_then_relayed_until_stop() -> None:
    chat = Chat()
    ticket_id = await chat.file()
    offered = _offer(await chat.person(FREE))
    assert chat.lines(ticket_id) == []  # nothing added before the person says so

    yes = await click(
        chat.dispatcher, Verb.TICKET_RELAY_YES, _data(offered, Verb.TICKET_RELAY_YES), user_id=LOTTE
    )
    assert "Toegevoegd aan melding" in card_text(yes.result.card or {})
    assert chat.world.repository.tickets[ticket_id].relay is Relay.ON
    assert chat.lines(ticket_id) == [(MessageKind.REQUESTER, FREE)]

    relayed = await chat.person("Het model is een Canon iR-ADV.")
    assert relayed.texts and "Doorgegeven aan de servicedesk" in relayed.texts[0]
    assert chat.lines(ticket_id)[-1] == (MessageKind.REQUESTER, "Het model is een Canon iR-ADV.")
    # Each went to the ticket's thread too, under the desk's card, in the order written.
    threads = [m for m in chat.world.repository.outbox if m.thread_of]
    assert [m.thread_of for m in threads] == [desk_card_key(ticket_id)] * 2
    assert "Canon iR-ADV" in str(threads[-1].activity) and "Lotte Janssens" in str(
        threads[-1].activity
    )

    helped = await chat.person("help")  # a command's keyword is still the command
    assert helped.cards and len(chat.lines(ticket_id)) == 2

    stopped = await chat.person("Stop")
    assert "niet meer door" in card_text(stopped.cards[0])
    assert chat.world.repository.tickets[ticket_id].relay is Relay.OFF
    after = await chat.person(FREE)
    assert len(chat.lines(ticket_id)) == 2  # neither relayed nor offered again
    assert not any("Hoort dit bij je melding" in card_text(c) for c in after.cards)


async def test_no_is_not_asked_again_and_the_words_get_their_answer_elsewhere() -> None:
    chat = Chat()
    ticket_id = await chat.file()
    offered = _offer(await chat.person(FREE))
    no = await click(
        chat.dispatcher, Verb.TICKET_RELAY_NO, _data(offered, Verb.TICKET_RELAY_NO), user_id=LOTTE
    )
    assert no.result.card is not None and "niet toe aan melding" in card_text(no.result.card)
    assert chat.fallback == [FREE]  # the knowledge base still reads them
    assert chat.world.repository.tickets[ticket_id].relay is Relay.OFF
    again = await chat.person(FREE)
    assert not any("Hoort dit bij je melding" in card_text(c) for c in again.cards)
    assert chat.lines(ticket_id) == []


async def test_nobody_adds_to_or_stops_someone_elses_ticket() -> None:
    chat = Chat()
    ticket_id = await chat.file()  # Lotte's
    forged = {"ticket": ticket_id, "text": "Dit is van mij."}
    for verb in (Verb.TICKET_RELAY_YES, Verb.TICKET_RELAY_NO, Verb.TICKET_RELAY_STOP):
        clicked = await click(chat.dispatcher, verb, forged, user_id=JEF)
        assert clicked.result.card is None and clicked.result.message
    assert chat.lines(ticket_id) == []
    assert chat.world.repository.tickets[ticket_id].relay is Relay.UNASKED
    denied = [e for e in chat.audit.entries if e.outcome is Outcome.DENIED]
    assert len(denied) == 3 and {e.actor_id for e in denied} == {JEF}


async def test_without_an_open_ticket_nothing_is_offered() -> None:
    chat = Chat()
    ticket_id = await chat.file()
    await chat.world.desk.resolve(_agent(chat), ticket_id, "Lade vervangen.")
    turn = await chat.person(FREE)
    assert not any("Hoort dit bij je melding" in card_text(c) for c in turn.cards)
    assert turn.cards  # the usual answer: not understood, with next steps
    jef = await chat.person(FREE, who=JEF)
    assert not any("Hoort dit bij je melding" in card_text(c) for c in jef.cards)


async def test_an_agent_writes_in_the_thread_and_the_person_reads_it_with_the_name() -> None:
    chat = Chat()
    ticket_id = await chat.file()
    turn = await chat.in_thread(ticket_id, "Heb je de lade al helemaal uitgetrokken?")
    assert turn.texts == [] and turn.cards == []  # the thread stays quiet
    [answer] = chat.to(LOTTE)
    assert "Heb je de lade al helemaal uitgetrokken?" in answer and "Ann Desmet" in answer
    ticket = chat.world.repository.tickets[ticket_id]
    assert ticket.state is TicketState.WAITING and ticket.first_response_at is not None

    await chat.in_thread(ticket_id, "#intern: vermoedelijk de pickup-rol, onderdeel besteld")
    assert chat.lines(ticket_id)[-1] == (
        MessageKind.NOTE,
        "vermoedelijk de pickup-rol, onderdeel besteld",
    )
    assert len(chat.to(LOTTE)) == 1  # the note never reaches her
    assert not any("pickup-rol" in sent for sent in chat.to(LOTTE))


async def test_only_the_desks_agents_speak_for_it_in_the_thread() -> None:
    chat = Chat(per_entity=True)  # Lotte is of AWV: her ticket is the AWV desk's
    ticket_id = await chat.file()
    staff = await chat.in_thread(ticket_id, "Ik heb hetzelfde probleem.", who=JEF, roles=STAFF)
    assert staff.texts == [] and staff.cards == []  # not for the bot, not relayed
    other_desk = await chat.in_thread(ticket_id, "Probeer eens opnieuw.", who=PIET)
    assert other_desk.texts and "andere entiteit" in other_desk.texts[0]
    assert chat.to(LOTTE) == [] and chat.lines(ticket_id) == []
    denied = [e for e in chat.audit.entries if e.outcome is Outcome.DENIED]
    assert [(e.actor_id, e.action) for e in denied] == [(PIET, "servicedesk.relay.thread")]


async def test_a_resolved_ticket_takes_no_more_thread_messages_and_says_so() -> None:
    chat = Chat()
    ticket_id = await chat.file()
    await chat.world.desk.resolve(_agent(chat), ticket_id, "Lade vervangen.")
    before = len(chat.to(LOTTE))
    turn = await chat.in_thread(ticket_id, "Nog iets vergeten te zeggen.")
    assert turn.texts and turn.texts[0].startswith("Niet doorgegeven")
    assert len(chat.to(LOTTE)) == before


async def test_channel_chatter_gets_no_answer_and_a_mention_still_does() -> None:
    chat = Chat()
    await chat.file()
    chatter = FakeTurn(
        user_id=ANN,
        roles=AGENT,
        conversation_type="channel",
        conversation_id=f"{DESK_CHANNEL};messageid=999",
    )
    await chat.dispatcher.on_text(chatter, "Wie neemt vandaag de telefoon?", addressed=False)
    assert chatter.texts == [] and chatter.cards == []
    mentioned = FakeTurn(
        user_id=ANN,
        roles=AGENT,
        conversation_type="channel",
        conversation_id=f"{DESK_CHANNEL};messageid=999",
    )
    await chat.dispatcher.on_text(mentioned, "help", addressed=True)
    assert mentioned.cards


def _agent(chat: Chat) -> Any:
    from bot.domain.platform.actors import Actor

    return Actor(user_id=ANN, tenant_id="tenant-1", name="Ann Desmet", roles=AGENT)


async def test_a_sentence_only_the_examples_read_as_a_command_is_offered_for_the_ticket() -> None:
    """ "Ja, dat heb ik al geprobeerd" holds no command's words: the labelled examples would
    guess a command, but with a ticket open it is far more likely an answer about it."""
    chat = Chat()
    await chat.file()
    offered = await chat.person("ja, dat heb ik al geprobeerd")
    _offer(offered)
    # A sentence with a command's own words is still that command.
    listed = await chat.person("toon mijn meldingen")
    assert listed.cards and "Hoort dit bij je melding" not in card_text(listed.cards[0])
    assert "SD-" in card_text(listed.cards[0])


async def test_a_command_the_bot_is_mentioned_for_in_a_thread_stays_a_command() -> None:
    chat = Chat()
    ticket_id = await chat.file()
    ticket = chat.world.repository.tickets[ticket_id]
    turn = FakeTurn(
        user_id=ANN,
        name="Ann Desmet",
        roles=AGENT,
        conversation_type="channel",
        conversation_id=f"{chat.world.settings.channel_of(ticket.desk)};messageid={ROOT}{ticket_id}",
    )
    await chat.dispatcher.on_text(turn, "help", addressed=True)
    assert turn.cards  # the help card, in the thread
    assert chat.to(LOTTE) == [] and chat.lines(ticket_id) == []
