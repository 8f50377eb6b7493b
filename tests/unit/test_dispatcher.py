"""The dispatcher end to end on fakes: the `say` harness drives it like a user would."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

import pytest
from pydantic import BaseModel

from bot.commands.registry import card_action, command
from bot.composition.chat import build_dialogs
from bot.domain.access.rules import AccessPolicy
from bot.domain.platform.audit import Outcome
from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.errors import NotFound
from bot.domain.platform.roles import Role
from bot.services.access.status import AccessStatus
from bot.services.platform.audit import Auditor
from bot.services.platform.profile import Profiles
from cards.verbs import Verb
from dialogs.platform.start import StartDialog
from tests.support.chat import FakeTurn, click, say
from tests.support.clock import FakeClock
from tests.unit.access.fakes import MemoryAccessDirectory
from tests.unit.fakes import MemoryAuditLog, MemoryDirectory


class Empty(BaseModel):
    pass


class Troubled:
    @command("crash", nl=("crash",), en=("crash",), title_key="t", help_key="h")
    async def crash(self, turn: FakeTurn, args: str) -> None:
        raise RuntimeError("database password is hunter2")

    @command("missing", nl=("zoek",), en=("find",), title_key="t", help_key="h")
    async def missing(self, turn: FakeTurn, args: str) -> None:
        raise NotFound(next_command=("profile", "cmd.profile.title"))

    @command("make", nl=("maak",), en=("make",), title_key="t", help_key="h", retry_safe=False)
    async def make(self, turn: FakeTurn, args: str) -> None:
        raise RuntimeError("half made")

    @card_action("crash.click", payload=Empty)
    async def crash_click(self, turn: FakeTurn, data: Empty) -> None:
        raise RuntimeError("database password is hunter2")

    @command("secret", nl=("geheim",), en=("secret",), title_key="t", help_key="h", role=Role.AGENT)
    async def secret(self, turn: FakeTurn, args: str) -> None:
        await turn.send_text("the secret")


class Lookup:
    @command(
        "lookup", nl=("opzoeken",), en=("look up",), title_key="t", help_key="h", whole_text=True
    )
    async def lookup(self, turn: FakeTurn, args: str) -> None:
        raise RuntimeError(f"lookup of {args} failed")


class World:
    def __init__(self) -> None:
        self.audit = MemoryAuditLog()
        self.directory = MemoryDirectory(
            users={
                "user-1": DirectoryUser(
                    id="user-1",
                    display_name="Lotte Janssens",
                    given_name="Lotte",
                    user_principal_name="lotte@demo",
                    department="Omgeving",
                ),
                "boss": DirectoryUser(
                    id="boss", display_name="Jef Peeters", user_principal_name="jef@demo"
                ),
            },
            managers={"user-1": "boss"},
        )
        built = build_dialogs(
            directory=self.directory,
            auditor=Auditor(self.audit, FakeClock()),
            servicedesk_url="https://desk.example",
            zone=ZoneInfo("Europe/Brussels"),
            access=AccessStatus(
                self.directory, MemoryAccessDirectory(), FakeClock(), AccessPolicy()
            ),
        )
        self.registry, self.dispatcher = built.registry, built.dispatcher
        self.registry.add_dialog(Troubled())


def card_text(card: dict) -> str:
    """Every text on a card, flattened, for readable assertions."""
    parts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value"):
                if isinstance(node.get(key), str):
                    parts.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return "\n".join(parts)


@pytest.fixture
def world() -> World:
    return World()


async def test_help_lists_only_what_the_caller_may_run(world: World) -> None:
    staff = await say(world.dispatcher, "help")
    agent = await say(world.dispatcher, "hulp", roles=frozenset({Role.STAFF, Role.AGENT}))
    assert "geheim" not in card_text(staff.cards[0])
    assert "geheim" in card_text(agent.cards[0])
    assert "Wat kan ik voor je doen?" in card_text(staff.cards[0])


async def test_help_in_english_for_english_clients(world: World) -> None:
    turn = await say(world.dispatcher, "help", locale="en")
    assert "What can I do for you?" in card_text(turn.cards[0])


async def test_commands_are_audited(world: World) -> None:
    await say(world.dispatcher, "kan je mij wat hulp geven?")
    (entry,) = world.audit.entries
    assert (entry.action, entry.outcome, entry.actor_id) == ("command.help", Outcome.OK, "user-1")
    assert entry.correlation_id == "activity-1"


async def test_a_command_without_the_role_is_refused_and_audited(world: World) -> None:
    turn = await say(world.dispatcher, "geheim")
    assert turn.texts == []
    assert "servicedeskmedewerker" in card_text(turn.cards[0])
    assert world.audit.entries[-1].outcome is Outcome.DENIED


async def test_a_crash_becomes_a_friendly_card_with_a_reference(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        turn = await say(world.dispatcher, "crash")
    text = card_text(turn.cards[0])
    assert "Er ging iets mis" in text
    assert "hunter2" not in text and "Traceback" not in text
    reference = world.audit.entries[-1].detail["reference"]
    assert reference.startswith("WP-") and reference in text
    assert any(reference in record.getMessage() for record in caplog.records)
    assert turn.cards[0]["actions"][-1]["url"] == "https://desk.example"
    assert world.audit.entries[-1].outcome is Outcome.FAILED


async def test_a_failed_click_answers_in_a_line_and_leaves_the_card(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """An approver whose click fails keeps the card and its buttons (a card in the answer
    would replace it) and reads the reference to quote."""
    with caplog.at_level(logging.ERROR):
        _, result = await click(world.dispatcher, "crash.click", {})
    assert result.card is None and result.message is not None
    reference = world.audit.entries[-1].detail["reference"]
    assert reference in result.message and "hunter2" not in result.message
    assert "De kaart blijft staan" in result.message
    assert any(reference in record.getMessage() for record in caplog.records)


async def test_a_failure_offers_to_run_the_same_words_again(world: World) -> None:
    world.registry.add_dialog(Lookup())
    turn = await say(world.dispatcher, "opzoeken Jan Peeters")
    actions = turn.cards[0]["actions"]
    assert actions[0]["title"] == "Opnieuw proberen"
    assert actions[0]["data"] == {"command": "lookup", "args": "opzoeken Jan Peeters"}
    assert actions[-1]["url"] == "https://desk.example"


async def test_a_command_that_makes_something_is_not_offered_again(world: World) -> None:
    turn = await say(world.dispatcher, "maak iets")
    titles = [a["title"] for a in turn.cards[0]["actions"]]
    assert "Opnieuw proberen" not in titles and titles == ["Servicedesk contacteren"]


async def test_a_business_error_names_its_next_step(world: World) -> None:
    turn = await say(world.dispatcher, "zoek iets")
    actions = turn.cards[0]["actions"]
    assert [a["data"]["command"] for a in actions] == ["profile"]


async def test_a_business_error_is_explained(world: World) -> None:
    turn = await say(world.dispatcher, "zoek iets")
    assert "Dat vond ik niet terug." in card_text(turn.cards[0])
    assert world.audit.entries[-1].outcome is Outcome.REJECTED


async def test_a_typo_still_reaches_its_command(world: World) -> None:
    turn = await say(world.dispatcher, "mijn profel")
    assert "Lotte Janssens" in card_text(turn.cards[0])
    assert world.audit.entries[-1].action == "command.profile"


async def test_unknown_text_gets_the_closest_commands_and_a_help_button(world: World) -> None:
    turn = await say(world.dispatcher, "hoe boek ik een vergaderzaal in het nieuwe gebouw?")
    card = turn.cards[0]
    assert "Dat begreep ik niet helemaal." in card_text(card)
    commands = [a["data"]["command"] for a in card["actions"] if a["type"] == "Action.Execute"]
    assert commands[-1] == "help" and len(commands) >= 2
    # and a person: the service desk
    assert card["actions"][-1] == {
        "type": "Action.OpenUrl",
        "title": "Contacteer de servicedesk",
        "url": "https://desk.example",
    }
    assert world.audit.entries == []  # nothing ran, nothing was refused


async def test_a_greeting_gets_the_welcome_with_the_main_buttons(world: World) -> None:
    turn = await say(world.dispatcher, "goedemorgen allemaal")
    card = turn.cards[0]
    assert "Dag Lotte!" in card_text(card)
    assert {a["data"]["command"] for a in card["actions"]} == {"help", "profile", "status"}


async def test_thanks_get_a_short_answer_with_the_main_buttons(world: World) -> None:
    turn = await say(world.dispatcher, "merci!", locale="en")
    card = turn.cards[0]
    assert "welcome" in card_text(card).casefold()
    assert {a["data"]["command"] for a in card["actions"]} == {"help", "profile", "status"}


async def test_profile_shows_directory_facts(world: World) -> None:
    turn = await say(world.dispatcher, "wie ben ik?")
    text = card_text(turn.cards[0])
    assert "Lotte Janssens" in text and "Jef Peeters" in text and "Omgeving" in text


async def test_card_verbs_check_payload_and_role(world: World) -> None:
    _, result = await click(world.dispatcher, Verb.HELP_DETAILS, {"examples": True})
    assert result.card is not None and "Bijvoorbeeld" in card_text(result.card)
    _, bad = await click(world.dispatcher, Verb.RUN_COMMAND, {"command": 42})
    assert (
        bad.card is None and bad.message == "Deze knop werkt niet meer. Vraag de kaart opnieuw op."
    )
    _, unknown = await click(world.dispatcher, "made.up", {})
    assert unknown.message == "Deze actie ken ik niet (meer)."
    outcomes = [e.outcome for e in world.audit.entries]
    assert outcomes == [Outcome.OK, Outcome.REJECTED, Outcome.REJECTED]


async def test_a_button_cannot_run_a_command_the_caller_may_not_run(world: World) -> None:
    turn, _ = await click(world.dispatcher, Verb.RUN_COMMAND, {"command": "secret"})
    assert turn.texts == []
    assert Outcome.DENIED in [e.outcome for e in world.audit.entries]


async def test_welcome_shows_featured_commands(world: World) -> None:
    start = StartDialog(world.registry, world.dispatcher, Profiles(world.directory))
    turn = FakeTurn()
    await start.welcome(turn)
    card = turn.cards[0]
    assert "Dag Lotte!" in card_text(card)
    assert {a["data"]["command"] for a in card["actions"]} == {"help", "profile", "status"}
