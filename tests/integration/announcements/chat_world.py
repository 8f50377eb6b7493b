"""The world the announcement chat tests run in: every capability built by bot.composition as the
server builds it, on the real store (SQLite and PostgreSQL, tests/support/db.py) and the Graph
emulator's demo tenant over HTTP (tests/support/graph.py), the chat through the real dispatcher
(tests/support/chat.py), time through the clock fake.

Who is who in the demo tenant (devtools/demo_tenant.json, devtools/demo_roles.json):
- Lotte Janssens and Pieter-Jan Wouters are comms people (Werkplek-Communicatie, through
  Redactie Intranet), both of ADV, with no configured scope: their own entity only.
- An De Smet and Thomas Claes are admins (Werkplek-Beheer), also of ADV.
- Jef Peeters and Nora El Amrani are staff of ADV; Koen Vermeulen is staff of DOMG.
- ADV's staff group has 7 people (all enabled): the audience of "my own entity".

The outbox's sender does not run: `settle` plays its part on the real SqlOutboxRepository
(claim what is due, finish it as SENT with a Teams message id per message), so a test says
which messages went and with which id.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from bot.composition import Capabilities, build_capabilities
from bot.composition.chat import Dialogs, build_chat
from bot.domain.announcements.announcements import Announcement, AnnouncementState
from bot.domain.platform.outbox import OutboxMessage, OutboxStatus
from bot.domain.platform.roles import Role
from bot.graph import DeferredGraph
from bot.ports.platform import FinalVerdict
from bot.store import Database
from bot.store.announcements.announcements import SqlAnnouncementRepository
from bot.store.platform.outbox import SqlOutboxRepository
from cards.base import Card
from devtools.graph_emulator import GraphEmulator
from tests.support.chat import Clicked, FakeTurn, click, say
from tests.support.clock import FakeClock
from tests.support.graph import JEF_ID, LOTTE_ID, settings_for
from tests.unit.licences.fakes import demo_catalogue

LEASE_SECONDS = 60.0
# A Teams message id in a personal chat: a number that grows with time.
FIRST_ACTIVITY_ID = 1_700_000_000_000


@dataclass(frozen=True, slots=True)
class Person:
    user_id: str
    name: str
    roles: frozenset[Role]


STAFF = frozenset({Role.STAFF})
COMMS = frozenset({Role.STAFF, Role.COMMS})
ADMIN = frozenset({Role.STAFF, Role.ADMIN})

LOTTE = Person(LOTTE_ID, "Lotte Janssens", COMMS)
PIETER_JAN = Person("c0816f82-cb09-4ad5-be6d-f7a2baaba521", "Pieter-Jan Wouters", COMMS)
AN = Person("08c483c0-e05f-4da4-9567-595928862476", "An De Smet", ADMIN)
THOMAS = Person("8e31cd68-aab2-4cbf-b980-00e773e52b18", "Thomas Claes", ADMIN)
JEF = Person(JEF_ID, "Jef Peeters", STAFF)
NORA = Person("9bc27e58-cefb-4a47-9a5a-7e8919747217", "Nora El Amrani", STAFF)
KOEN = Person("dd89d31a-27de-4055-b89a-5bfd037126de", "Koen Vermeulen", STAFF)

ADV_PEOPLE = frozenset(
    {
        LOTTE.user_id,
        PIETER_JAN.user_id,
        AN.user_id,
        THOMAS.user_id,
        JEF.user_id,
        NORA.user_id,
        "4c8a26ed-d13d-4e46-a12b-ab59a6f77d9f",  # Tine Verhoeven
    }
)
# A group nobody configured as an audience (Team Werkplekdiensten).
UNCONFIGURED_GROUP = "3e790606-cdf3-44dd-8553-60695dfa7674"


@dataclass
class World:
    capabilities: Capabilities
    chat: Dialogs
    clock: FakeClock
    tenant: str
    # Teams message ids handed out by `settle`, by the outbox message's dedupe key.
    activity_ids: dict[str, str] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(FIRST_ACTIVITY_ID))

    # --- the chat -------------------------------------------------------------------------------
    async def say(self, text: str, who: Person = LOTTE, **options: Any) -> FakeTurn:
        return await say(self.chat.dispatcher, text, **self._as(who, options))

    async def click(
        self, verb: str, data: Mapping[str, Any], who: Person = LOTTE, **options: Any
    ) -> Clicked:
        return await click(self.chat.dispatcher, verb, dict(data), **self._as(who, options))

    def _as(self, who: Person, options: dict[str, Any]) -> dict[str, Any]:
        return {
            "user_id": who.user_id,
            "name": who.name,
            "roles": who.roles,
            "tenant_id": self.tenant,
            **options,
        }

    # --- the stores -----------------------------------------------------------------------------
    @property
    def repository(self) -> SqlAnnouncementRepository:
        return self.capabilities.announcements.repository

    @property
    def outbox(self) -> SqlOutboxRepository:
        return self.capabilities.platform.outbox

    async def stored(self, announcement_id: int) -> Announcement:
        found = await self.repository.get(announcement_id)
        assert found is not None
        return found

    async def settle(self) -> list[OutboxMessage]:
        """What the outbox sender would do with everything due: claim it and record it as sent,
        each with a new Teams message id (kept in `activity_ids`). Returns what it settled."""
        claimed = await self.outbox.claim(10_000, self.clock.now(), LEASE_SECONDS)
        verdicts = []
        for message in claimed:
            activity_id = str(next(self._ids))
            self.activity_ids[message.dedupe_key] = activity_id
            verdicts.append(FinalVerdict(message.id, OutboxStatus.SENT, activity_id=activity_id))
        await self.outbox.finish_many(verdicts, self.clock.now())
        return claimed

    async def send_all(self, announcement_id: int, rounds: int = 30) -> Announcement:
        """The announcement sender's rounds, with the outbox settled after each, until SENT."""
        for _ in range(rounds):
            await self.capabilities.announcements.sender.round()
            stored = await self.stored(announcement_id)
            if stored.state is AnnouncementState.SENT:
                return stored
            await self.settle()
            self.clock.advance(seconds=2)
        raise AssertionError(f"announcement {announcement_id} never finished")


@asynccontextmanager
async def world(
    database: Database, emulator: GraphEmulator, **settings: Any
) -> AsyncIterator[World]:
    """The world on this store and emulator; `settings` are WERKPLEK settings overrides
    (announcement_approval_required=True, announcement_scopes={...})."""
    configured = settings_for(emulator, **settings)
    graph = DeferredGraph(configured)
    clock = FakeClock()
    capabilities = build_capabilities(configured, database, graph, clock, link_secret=b"s" * 32)
    await capabilities.licences.catalogue.replace(demo_catalogue())
    try:
        yield World(
            capabilities,
            build_chat(configured, graph.directory, capabilities),
            clock,
            emulator.tenant_id,
        )
    finally:
        await capabilities.close()
        await graph.close()


# --- reading cards ------------------------------------------------------------------------------
def walk(node: object) -> list[dict[str, Any]]:
    """Every element (dict) of a card, depth first."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += walk(value)
    elif isinstance(node, list):
        for item in node:
            found += walk(item)
    return found


def texts(card: Card) -> str:
    """Every text, title and fact on a card, one line each, for readable assertions."""
    lines: list[str] = []
    for element in walk(card):
        for key in ("text", "title", "value"):
            if isinstance(element.get(key), str):
                lines.append(element[key])
    return "\n".join(lines)


def input_of(card: Card, input_id: str) -> dict[str, Any]:
    [found] = [element for element in walk(card) if element.get("id") == input_id]
    return found


def choices(card: Card, input_id: str) -> list[tuple[str, str]]:
    """An Input.ChoiceSet's (value, title) pairs."""
    return [(c["value"], c["title"]) for c in input_of(card, input_id).get("choices", [])]


def actions(card: Card) -> list[dict[str, Any]]:
    """Every Action.Execute and Action.OpenUrl on a card."""
    return [
        element
        for element in walk(card)
        if element.get("type") in ("Action.Execute", "Action.OpenUrl")
    ]


def button(card: Card, verb: str) -> dict[str, Any]:
    """The data of the card's one button with this verb."""
    [found] = [action for action in actions(card) if action.get("verb") == verb]
    data: dict[str, Any] = found["data"]
    return data


def verbs(card: Card) -> set[str]:
    return {str(action["verb"]) for action in actions(card) if "verb" in action}


def facts(card: Card) -> dict[str, str]:
    """Every FactSet's facts, title -> value."""
    found: dict[str, str] = {}
    for element in walk(card):
        if element.get("type") == "FactSet":
            found.update({fact["title"]: fact["value"] for fact in element["facts"]})
    return found


def activity_card(message: OutboxMessage) -> Card:
    """The Adaptive Card an outbox message carries."""
    [attachment] = message.activity["attachments"]
    content: Card = attachment["content"]
    return content


# --- steps many tests take ------------------------------------------------------------------------
# The form as Teams posts it: a title, a summary, urgent, to Lotte's own entity.
FORM: dict[str, Any] = {
    "announcement": None,
    "title": "Vanaf maandag is MFA verplicht",
    "summary": "Registreer **vandaag** je tweede factor.",
    "importance": "urgent",
    "audience_kind": "entities",
    "entities": "ADV",
}
# Every outcome the status card counts, as it names them in Dutch.
OUTCOME_FACTS = (
    "Verstuurd",
    "Verstuurd na vertraging",
    "Mislukt",
    "Geblokkeerd of Werkplek verwijderd",
    "Niet gevonden",
    "Nog niet bereikt",
)


async def saved_draft(chat: World, who: Person = LOTTE, **form: Any) -> tuple[Announcement, Card]:
    """A draft saved through the form: the stored announcement and the draft card."""
    saved = await chat.click("announcement.save", {**FORM, **form}, who)
    assert saved.result.card is not None, saved.result.message
    [newest, *_] = await chat.repository.of_author(who.user_id)
    return newest, saved.result.card


async def submitted(chat: World, who: Person = LOTTE, **form: Any) -> tuple[Announcement, Card]:
    """A draft saved and submitted ("Versturen"): the stored announcement and the card the
    submit answered with."""
    draft, card = await saved_draft(chat, who, **form)
    sent = await chat.click("announcement.submit", button(card, "announcement.submit"), who)
    assert sent.result.card is not None, sent.result.message
    return await chat.stored(draft.id), sent.result.card


async def delivered(chat: World, announcement_id: int, who: Person) -> OutboxMessage:
    """The outbox message that takes the announcement to this person."""
    message = await chat.outbox.by_dedupe_key(f"ann:{announcement_id}:{who.user_id.lower()}")
    assert message is not None, f"no message for {who.name}"
    return message
