"""`status` in chat and its card buttons, through the real dispatcher (the `say` harness)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Unpack
from zoneinfo import ZoneInfo

import pytest

from bot.composition.chat import build_dialogs
from bot.domain.access.facts import AuthMethod, Device, Licence
from bot.domain.access.rules import AccessPolicy
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.roles import Role
from bot.services.access.status import AccessStatus
from bot.services.platform.audit import Auditor
from bot.services.platform.profile import Profiles
from cards.verbs import Verb
from dialogs.platform.start import StartDialog
from tests.support.chat import Clicked, FakeTurn, TurnOptions, click, say
from tests.support.clock import FakeClock
from tests.unit.access.fakes import MemoryAccessDirectory
from tests.unit.fakes import MemoryAuditLog, MemoryDirectory
from tests.unit.test_dispatcher import card_text

LOTTE = "9b7c1c1e-0000-4000-8000-00000000a001"  # staff
ANN = "9b7c1c1e-0000-4000-8000-00000000a002"  # service-desk agent
JAN = "9b7c1c1e-0000-4000-8000-00000000a003"
JANNE = "9b7c1c1e-0000-4000-8000-00000000a004"
SOFIE = "9b7c1c1e-0000-4000-8000-00000000a005"
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
AGENT = frozenset({Role.STAFF, Role.AGENT})


def _user(user_id: str, name: str, upn: str) -> DirectoryUser:
    return DirectoryUser(
        id=user_id,
        display_name=name,
        user_principal_name=upn,
        usage_location="BE",
        account_enabled=True,
        on_premises_sync_enabled=True,
        on_premises_last_sync=NOW - timedelta(hours=1),
    )


class World:
    def __init__(self) -> None:
        self.audit = MemoryAuditLog()
        people = [
            _user(LOTTE, "Lotte Janssens", "lotte@demo.example"),
            _user(ANN, "Ann Desmet", "ann@demo.example"),
            _user(JAN, "Jan Peeters", "jan@demo.example"),
            _user(JANNE, "Janne Vos", "janne@demo.example"),
            _user(SOFIE, "Van den Broeck Sofie", "sofie@demo.example"),
        ]
        self.directory = MemoryDirectory(users={p.id: p for p in people})
        self.access = MemoryAccessDirectory(
            methods={p.id: [AuthMethod("password"), AuthMethod("fido2")] for p in people},
            licences_by_user={p.id: [Licence("sku", "POWER_BI_PRO")] for p in people},
            devices_by_user={p.id: [Device("PC", "Windows", True, "compliant")] for p in people},
        )
        self.access.methods[JAN] = [AuthMethod("password")]
        status = AccessStatus(self.directory, self.access, FakeClock(NOW), AccessPolicy())
        built = build_dialogs(
            directory=self.directory,
            auditor=Auditor(self.audit, FakeClock(NOW)),
            servicedesk_url="https://desk.example",
            zone=ZoneInfo("Europe/Brussels"),
            access=status,
        )
        self.registry, self.dispatcher = built.registry, built.dispatcher

    async def say(self, text: str, **options: Unpack[TurnOptions]) -> FakeTurn:
        """Lotte speaks unless the test says who."""
        options.setdefault("user_id", LOTTE)
        return await say(self.dispatcher, text, **options)

    async def click(self, verb: str, data: object, **options: Unpack[TurnOptions]) -> Clicked:
        options.setdefault("user_id", LOTTE)
        return await click(self.dispatcher, verb, data, **options)

    def views(self) -> list[AuditEntry]:
        return [e for e in self.audit.entries if e.action == "access.view"]


def _shown_people(node: object) -> set[str]:
    """The user ids behind every access.show button of a card."""
    if isinstance(node, list):
        return set().union(*(_shown_people(item) for item in node))
    if not isinstance(node, dict):
        return set()
    found = {node["data"]["user"]} if node.get("verb") == Verb.ACCESS_SHOW else set()
    return found.union(*(_shown_people(value) for value in node.values()))


@pytest.fixture
def world() -> World:
    return World()


def _no_names_in_audit(world: World, *names: str) -> None:
    for entry in world.audit.entries:
        flat = " ".join([entry.object_id, entry.actor_id, *entry.detail.values()]).casefold()
        assert not any(name.casefold() in flat for name in names), entry


@pytest.mark.parametrize(
    "text",
    [
        "status",
        "mijn toegang",
        "Is mijn toegang in orde?",
        "toegang aub",
        "status Lotte Janssens",
        "Ik heb geen toegang tot Outlook",
        "status jan",  # not typed as a name: the caller's own card, and no harm done
    ],
)
async def test_staff_see_their_own_status(world: World, text: str) -> None:
    turn = await world.say(text, name="Lotte Janssens")
    (card,) = turn.cards
    assert "Jouw toegang" in card_text(card)
    assert "Bekeken door de servicedesk" not in card_text(card)
    assert card["actions"][0]["data"] == {"user": LOTTE}
    assert world.views() == []  # one's own status is no lookup of someone else
    assert [e.action for e in world.audit.entries] == ["command.status"]


async def test_access_to_a_folder_is_the_desks_and_the_card_is_offered(world: World) -> None:
    """ "toegang" opens it, but access to a shared folder is the service desk's business (the
    labelled sentences read it so surely): not understood, with the access card a click away."""
    turn = await world.say("toegang tot de gedeelde map van financiën", name="Lotte Janssens")
    (card,) = turn.cards
    assert "Jouw toegang" not in card_text(card)
    assert "Mijn toegang" in card_text(card)
    assert world.audit.entries == []


async def test_english_keywords_and_texts(world: World) -> None:
    turn = await world.say("my access please", locale="en")
    assert "Your access" in card_text(turn.cards[0])


@pytest.mark.parametrize(
    "text", ["status Jan Peeters", "toegang van Jan", "status jan.peeters@demo.example"]
)
async def test_staff_asking_for_someone_else_are_refused_and_audited(
    world: World, text: str
) -> None:
    turn = await world.say(text)
    (card,) = turn.cards
    assert "Alleen je eigen toegang" in card_text(card)
    assert "jan" not in card_text(card).casefold()
    (denial,) = world.views()
    assert (denial.outcome, denial.actor_id, denial.object_id) == (Outcome.DENIED, LOTTE, "")
    assert denial.correlation_id == "activity-1" and denial.role == "staff"
    assert world.access.calls == []  # nothing about Jan was read
    _no_names_in_audit(world, "Jan", "Peeters")


async def test_an_agent_looks_up_one_person(world: World) -> None:
    turn = await world.say("status Jan Peeters", user_id=ANN, roles=AGENT)
    text = card_text(turn.cards[0])
    assert "Toegang van Jan Peeters" in text and "Bekeken door de servicedesk" in text
    assert "Actie nodig" in text  # Jan has only a password
    (view,) = world.views()
    assert (view.outcome, view.actor_id, view.object_type, view.object_id) == (
        Outcome.OK,
        ANN,
        "user",
        JAN,
    )
    assert view.detail == {"via": "search"}
    _no_names_in_audit(world, "Jan", "Peeters")


async def test_an_agent_can_search_by_upn_and_with_van(world: World) -> None:
    # MemoryDirectory searches names only; "van" is a Flemish surname start and a preposition.
    turn = await world.say("toegang van Jan Peeters", user_id=ANN, roles=AGENT)
    assert "Toegang van Jan Peeters" in card_text(turn.cards[0])
    turn = await world.say("status Van den Broeck", user_id=ANN, roles=AGENT)
    assert "Toegang van Van den Broeck Sofie" in card_text(turn.cards[0])


async def test_an_agent_finding_nobody(world: World) -> None:
    turn = await world.say("status Xavier", user_id=ANN, roles=AGENT)
    assert 'Ik vond niemand voor "Xavier"' in card_text(turn.cards[0])
    assert world.views() == [] and world.access.calls == []


async def test_an_agent_gets_a_pick_list_then_a_card(world: World) -> None:
    turn = await world.say("status Jan", user_id=ANN, roles=AGENT)
    card = turn.cards[0]
    assert "Wie bedoel je?" in card_text(card)
    assert _shown_people(card) == {JAN, JANNE}
    assert world.views() == []
    _, result = await world.click(Verb.ACCESS_SHOW, {"user": JANNE}, user_id=ANN, roles=AGENT)
    assert result.card is not None and "Toegang van Janne Vos" in card_text(result.card)
    (view,) = world.views()
    assert (view.object_id, view.detail) == (JANNE, {"via": "pick"})


async def test_an_agent_looking_up_themselves_gets_their_own_card(world: World) -> None:
    turn = await world.say("status Ann", user_id=ANN, roles=AGENT)
    assert "Jouw toegang" in card_text(turn.cards[0])
    assert world.views() == []


@pytest.mark.parametrize(
    "text", ["toegang controleren", "STATUS ACCOUNT", "mijn toegang klopt niet", "access ok?"]
)
async def test_an_agent_asking_about_their_own_access_looks_no_one_up(
    world: World, text: str
) -> None:
    turn = await world.say(text, user_id=ANN, roles=AGENT)
    assert "Jouw toegang" in card_text(turn.cards[0])
    assert world.views() == []


async def test_the_pick_button_is_for_agents_only(world: World) -> None:
    _, result = await world.click(Verb.ACCESS_SHOW, {"user": JAN})
    assert result.card is None and "servicedeskmedewerker" in (result.message or "")
    assert world.audit.entries[-1].outcome is Outcome.DENIED
    assert world.access.calls == []


async def test_the_owner_refreshes_their_card(world: World) -> None:
    _, result = await world.click(Verb.ACCESS_REFRESH, {"user": LOTTE})
    assert result.card is not None and "Jouw toegang" in card_text(result.card)
    assert world.views() == []
    assert world.audit.entries[-1].action == f"verb.{Verb.ACCESS_REFRESH}"


async def test_replaying_someone_elses_refresh_is_refused_and_audited(world: World) -> None:
    _, result = await world.click(Verb.ACCESS_REFRESH, {"user": JAN})
    assert result.card is None
    assert result.message == "Je kan alleen je eigen toegang vernieuwen."
    (denial,) = world.views()
    assert (denial.outcome, denial.actor_id, denial.object_id) == (Outcome.DENIED, LOTTE, JAN)
    assert denial.detail == {"via": "refresh"}
    assert world.access.calls == []


async def test_an_agent_refreshes_someone_elses_card(world: World) -> None:
    _, result = await world.click(Verb.ACCESS_REFRESH, {"user": JAN}, user_id=ANN, roles=AGENT)
    assert result.card is not None
    assert "Toegang van Jan Peeters" in card_text(result.card)
    (view,) = world.views()
    assert (view.outcome, view.object_id, view.detail) == (Outcome.OK, JAN, {"via": "refresh"})


@pytest.mark.parametrize("user", ["jan@demo.example", "Jan Peeters", "", "x" * 65, 42])
async def test_a_payload_must_hold_an_object_id(world: World, user: object) -> None:
    _, result = await world.click(Verb.ACCESS_REFRESH, {"user": user}, user_id=ANN, roles=AGENT)
    assert result.message == "Deze knop werkt niet meer. Vraag de kaart opnieuw op."
    assert world.access.calls == []


async def test_refreshing_a_person_who_is_gone(world: World) -> None:
    gone = "9b7c1c1e-0000-4000-8000-00000000dead"
    _, result = await world.click(Verb.ACCESS_REFRESH, {"user": gone}, user_id=ANN, roles=AGENT)
    assert result.message == "Dat vond ik niet terug."
    assert world.views() == []


async def test_no_view_of_someone_else_without_its_audit_line(world: World) -> None:
    async def broken(entry: AuditEntry) -> None:
        raise OSError("disk full")

    world.audit.append = broken  # type: ignore[method-assign]
    turn = await world.say("status Jan Peeters", user_id=ANN, roles=AGENT)
    assert "Toegang van" not in card_text(turn.cards[0])
    assert "Er ging iets mis" in card_text(turn.cards[0])


async def test_the_welcome_card_offers_status(world: World) -> None:
    start = StartDialog(world.registry, world.dispatcher, Profiles(world.directory))
    turn = FakeTurn(user_id=LOTTE)
    await start.welcome(turn)
    commands = {a["data"]["command"] for a in turn.cards[0]["actions"]}
    assert commands == {"help", "profile", "status"}


async def test_the_welcome_button_runs_status(world: World) -> None:
    turn, result = await world.click(Verb.RUN_COMMAND, {"command": "status"})
    assert "Jouw toegang" in card_text(turn.cards[0])
    assert result.message == "Gedaan."
