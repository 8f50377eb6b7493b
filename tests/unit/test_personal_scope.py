"""Personal answers only in personal chats: every command and card verb, in every scope.

The real dispatcher with every dialog wired (on the capability fakes), a fake notifier in the
place of the outbox. In a 1:1 chat the answer comes in the chat; in a channel or group chat only
the neutral line is there, and the answer is queued for the caller's 1:1 chat.
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.commands.dispatcher import ActionResult
from bot.commands.privacy import ADAPTIVE_CARD
from bot.commands.registry import BoundCommand
from bot.composition.chat import build_dialogs
from bot.domain.access.rules import AccessPolicy
from bot.domain.platform.roles import Role
from bot.domain.post.items import Destination, DestinationKind, PostState
from bot.i18n import Translator
from bot.services.access.status import AccessStatus
from bot.services.platform.audit import Auditor
from bot.turn import IncomingFile, carries_signed_link
from cards.verbs import Verb
from devtools.card_inspection import card_text
from tests.support.chat import FakeTurn, TurnOptions, click, say, send
from tests.support.clock import FakeClock
from tests.unit.access.fakes import MemoryAccessDirectory
from tests.unit.fakes import MemoryAuditLog
from tests.unit.licences.fakes import make_flow
from tests.unit.post.fakes import (
    FINANCE_CHANNEL,
    FINANCE_TARGET,
    LOTTE,
    MAILROOM_CHANNEL,
    MAILROOM_CLERK,
    NORA,
    TENANT,
    person,
)
from tests.unit.post_rules_admin.world import RulesWorld

SCOPES = ("personal", "groupChat", "channel")
SHARED = ("groupChat", "channel")
EVERY_ROLE = frozenset({Role.STAFF, Role.ADMIN})
NEUTRAL = {
    "nl": "Ik stuur je het antwoord in je persoonlijke chat.",
    "en": "I'm sending you the answer in our personal chat.",
}
# Declared public on purpose: they say nothing about anyone.
PUBLIC_COMMANDS = {"help"}
PUBLIC_VERBS = {Verb.HELP_DETAILS.value, Verb.RUN_COMMAND.value}
_URL = re.compile(r"https?://\S+")


class FakeNotifier:
    """The Notifier port as the outbox implements it: queued messages, by dedupe key."""

    def __init__(self) -> None:
        self.queued: dict[str, tuple[str, str, dict[str, Any]]] = {}
        self.failure: Exception | None = None

    async def notify_user(
        self, tenant_id: str, user_id: str, activity: dict[str, Any], dedupe_key: str
    ) -> bool:
        if self.failure is not None:
            raise self.failure
        if dedupe_key in self.queued:
            return False
        self.queued[dedupe_key] = (tenant_id, user_id, activity)
        return True

    def to(self, user_id: str) -> list[dict[str, Any]]:
        return [activity for _, user, activity in self.queued.values() if user == user_id]

    def cards_to(self, user_id: str) -> list[dict[str, Any]]:
        return [
            attachment["content"]
            for activity in self.to(user_id)
            for attachment in activity.get("attachments", [])
            if attachment["contentType"] == ADAPTIVE_CARD
        ]


class World:
    def __init__(self, *, notifier: FakeNotifier | None = None) -> None:
        self.rules = RulesWorld()
        self.post = self.rules.post
        licences = make_flow()
        self.notifier = notifier
        clock = FakeClock()
        built = build_dialogs(
            directory=licences.directory,
            auditor=Auditor(MemoryAuditLog(), clock),
            servicedesk_url="https://desk.example",
            zone=ZoneInfo("Europe/Brussels"),
            access=AccessStatus(licences.directory, MemoryAccessDirectory(), clock, AccessPolicy()),
            licences=licences.desk,
            licence_admin=self.rules.licence_admin.dialog,
            post=self.post.desk,
            post_rules_admin=self.rules.dialog,
            workbook_files=self.rules.files,
            notifier=notifier,
        )
        self.registry, self.dispatcher = built.registry, built.dispatcher
        self._activities = 0

    def options_in(
        self,
        scope: str,
        *,
        user: str = LOTTE,
        roles: frozenset[Role] = EVERY_ROLE,
        conversation: str = "",
        locale: str = "nl",
        activity: str = "",
    ) -> TurnOptions:
        """A turn in a conversation of this scope; every turn a new activity unless told."""
        self._activities += 1
        return TurnOptions(
            user_id=user,
            tenant_id=TENANT,
            roles=roles,
            locale=locale,
            correlation_id=activity or f"activity-{self._activities}",
            conversation_type=scope,
            conversation_id=conversation or f"19:{scope}-conversation@thread.v2",
        )

    async def say(self, text: str, scope: str, **caller: Any) -> FakeTurn:
        return await say(self.dispatcher, text, **self.options_in(scope, **caller))

    async def click(self, verb: str, data: object, scope: str, **caller: Any) -> ActionResult:
        return (await click(self.dispatcher, verb, data, **self.options_in(scope, **caller))).result


def words(card: dict[str, Any]) -> str:
    """A card's words without its links (a link is made afresh for every answer)."""
    return _URL.sub("<link>", card_text(card))


def commands() -> list[BoundCommand]:
    return World().registry.commands


def personal_commands() -> list[str]:
    return [c.spec.name for c in commands() if c.spec.personal]


def keyword_of(world: World, name: str) -> str:
    bound = world.registry.get(name)
    assert bound is not None
    return bound.spec.keywords["nl"][0]


# --- declarations ------------------------------------------------------------------------------
def test_only_help_and_its_buttons_are_declared_public() -> None:
    world = World()
    assert {c.spec.name for c in world.registry.commands if not c.spec.personal} == PUBLIC_COMMANDS
    public_verbs = {verb for verb, bound in world.registry.verbs.items() if not bound.spec.personal}
    assert public_verbs == PUBLIC_VERBS
    # Everything with someone's data is among the personal ones.
    assert {"status", "profile", "post", "licence", "requests", "catalogue"} <= set(
        personal_commands()
    )


# --- every command, in every scope -------------------------------------------------------------
@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("name", personal_commands())
async def test_a_personal_command_answers_only_in_the_personal_chat(name: str, scope: str) -> None:
    world = World(notifier=FakeNotifier())
    assert world.notifier is not None
    text = keyword_of(world, name)
    in_chat = await world.say(text, "personal")
    assert in_chat.cards, f"{name} answers with a card in the personal chat"
    assert world.notifier.queued == {}, "nothing is queued for an answer given in the 1:1 chat"

    turn = await world.say(text, scope)

    if scope == "personal":
        assert [words(c) for c in turn.cards] == [words(c) for c in in_chat.cards]
        return
    assert turn.cards == [], "no card in a conversation others read"
    assert turn.texts == [NEUTRAL["nl"]]
    private = world.notifier.cards_to(LOTTE)
    assert [words(c) for c in private] == [words(c) for c in in_chat.cards]
    assert all(tenant == TENANT for tenant, _, _ in world.notifier.queued.values())


@pytest.mark.parametrize("scope", SCOPES)
async def test_help_is_answered_where_it_was_asked(scope: str) -> None:
    world = World(notifier=FakeNotifier())
    turn = await world.say("help", scope)
    assert len(turn.cards) == 1 and turn.texts == []
    assert world.notifier is not None and world.notifier.queued == {}


async def test_the_neutral_line_in_english_for_english_clients() -> None:
    world = World(notifier=FakeNotifier())
    turn = await world.say("my access", "channel", locale="en")
    assert turn.texts == [NEUTRAL["en"]]
    assert world.notifier is not None
    (activity,) = world.notifier.to(LOTTE)
    assert activity["summary"] == "Your answer from Werkplek"


async def test_download_links_are_queued_for_the_person_never_shown_in_a_channel() -> None:
    world = World(notifier=FakeNotifier())
    for text in ("catalogus", "rapport licenties", "regels"):
        turn = await world.say(text, "channel")
        assert not any(carries_signed_link(card) for card in turn.cards)
    assert world.notifier is not None
    linked = [card for card in world.notifier.cards_to(LOTTE) if carries_signed_link(card)]
    assert len(linked) == 3


async def test_a_button_that_runs_a_personal_command_in_a_channel_answers_privately() -> None:
    world = World(notifier=FakeNotifier())
    turn, result = await click(
        world.dispatcher, Verb.RUN_COMMAND, {"command": "profile"}, **world.options_in("channel")
    )
    assert result.message == Translator("nl")("card.done")
    assert turn.cards == [] and turn.texts == [NEUTRAL["nl"]]
    assert world.notifier is not None
    assert "Lotte Janssens" in card_text(world.notifier.cards_to(LOTTE)[0])


async def test_a_role_refusal_of_a_personal_command_also_goes_privately() -> None:
    world = World(notifier=FakeNotifier())
    turn = await world.say("catalogus", "channel", roles=frozenset({Role.STAFF}))
    assert turn.cards == [] and turn.texts == [NEUTRAL["nl"]]
    assert world.notifier is not None and len(world.notifier.cards_to(LOTTE)) == 1


# --- when the 1:1 chat cannot be reached -------------------------------------------------------
async def test_without_the_outbox_the_person_is_asked_to_use_the_personal_chat() -> None:
    world = World(notifier=None)
    turn = await world.say("profiel", "groupChat")
    assert turn.cards == []
    assert turn.texts == [
        "Dit antwoord is persoonlijk. Vraag het me in je persoonlijke chat met Werkplek."
    ]


async def test_an_outbox_failure_shows_a_reference_and_nothing_personal() -> None:
    notifier = FakeNotifier()
    notifier.failure = RuntimeError("database is gone")
    world = World(notifier=notifier)
    turn = await world.say("profiel", "channel")
    assert turn.texts == []
    (card,) = turn.cards
    text = card_text(card)
    assert "Er ging iets mis" in text and re.search(r"WP-[0-9A-F]{8}", text)
    assert "Lotte" not in text and "Janssens" not in text


async def test_a_redelivered_message_is_queued_once() -> None:
    world = World(notifier=FakeNotifier())
    await world.say("profiel", "channel", activity="f:1")
    await world.say("profiel", "channel", activity="f:1")  # Teams delivered it twice
    await world.say("profiel", "groupChat", activity="f:1")  # another conversation's activity
    assert world.notifier is not None and len(world.notifier.queued) == 2


# --- every card verb, clicked outside the personal chat ----------------------------------------
def personal_verbs() -> list[str]:
    return sorted(v for v, bound in World().registry.verbs.items() if bound.spec.personal)


@pytest.mark.parametrize("scope", SHARED)
@pytest.mark.parametrize("verb", personal_verbs())
async def test_a_personal_verb_never_answers_in_a_shared_conversation(
    verb: str, scope: str
) -> None:
    """Whatever the payload (here: an empty one), the clicked conversation gets the neutral
    line or a refusal, and any answer goes to the clicker's 1:1 chat."""
    world = World(notifier=FakeNotifier())
    result = await world.click(verb, {}, scope)
    assert result.card is None
    assert result.message == NEUTRAL["nl"]
    assert world.notifier is not None and world.notifier.to(LOTTE)


@pytest.mark.parametrize(
    ("verb", "data"),
    [
        (Verb.ACCESS_REFRESH, {"user": LOTTE}),
        (Verb.LICENCE_PICK, {}),
        (Verb.POST_PAGE, {"scope": "all"}),
    ],
)
@pytest.mark.parametrize("scope", SCOPES)
async def test_a_personal_verb_answers_its_card_only_in_the_personal_chat(
    verb: str, data: dict[str, Any], scope: str
) -> None:
    world = World(notifier=FakeNotifier())
    in_chat = await world.click(verb, data, "personal")
    assert in_chat.card is not None

    result = await world.click(verb, data, scope)

    assert world.notifier is not None
    if scope == "personal":
        assert result.card is not None and words(result.card) == words(in_chat.card)
        assert world.notifier.queued == {}
        return
    assert result == ActionResult(message=NEUTRAL["nl"])
    (private,) = world.notifier.cards_to(LOTTE)
    assert words(private) == words(in_chat.card)


# --- post: a card the conversation holds is refreshed there -----------------------------------
async def test_a_teams_item_is_handled_on_its_card_in_the_teams_channel() -> None:
    world = World(notifier=FakeNotifier())
    item = world.post.add(Destination(DestinationKind.TEAM, FINANCE_TARGET))
    in_thread = f"{FINANCE_CHANNEL};messageid=1764230400000"
    result = await world.click(
        Verb.POST_HANDLE, {"item": item.id}, "channel", user=NORA, conversation=in_thread
    )
    assert result.card is not None and result.shareable
    assert world.post.item(item.id).state is PostState.HANDLED
    assert world.notifier is not None and world.notifier.queued == {}


async def test_triage_is_refreshed_in_the_mailroom_channel() -> None:
    world = World(notifier=FakeNotifier())
    item = world.post.add(Destination.triage(), PostState.TRIAGE)
    result = await world.click(
        Verb.POST_REFRESH,
        {"item": item.id},
        "channel",
        user=MAILROOM_CLERK,
        roles=frozenset({Role.STAFF, Role.MAILROOM}),
        conversation=MAILROOM_CHANNEL,
    )
    assert result.card is not None and result.shareable


async def test_someones_own_letter_named_in_a_channel_goes_to_the_clickers_chat() -> None:
    """The mailroom may see Lotte's letter; its id replayed in the mailroom channel must not put
    her letter's card in front of everyone there."""
    world = World(notifier=FakeNotifier())
    item = world.post.add(person(LOTTE))
    result = await world.click(
        Verb.POST_REFRESH,
        {"item": item.id},
        "channel",
        user=MAILROOM_CLERK,
        roles=frozenset({Role.STAFF, Role.MAILROOM}),
        conversation=MAILROOM_CHANNEL,
    )
    assert result == ActionResult(message=NEUTRAL["nl"])
    assert world.notifier is not None
    (private,) = world.notifier.cards_to(MAILROOM_CLERK)
    assert item.reference in card_text(private)


async def test_a_teams_item_replayed_in_another_channel_goes_privately() -> None:
    world = World(notifier=FakeNotifier())
    item = world.post.add(Destination(DestinationKind.TEAM, FINANCE_TARGET))
    result = await world.click(
        Verb.POST_REFRESH,
        {"item": item.id},
        "channel",
        user=NORA,
        conversation="19:someotherteam@thread.tacv2",
    )
    assert result == ActionResult(message=NEUTRAL["nl"])


async def test_a_scan_link_is_never_made_for_a_click_in_a_channel() -> None:
    world = World(notifier=FakeNotifier())
    item = world.post.add(person(LOTTE))
    result = await world.click(Verb.POST_OPEN, {"item": item.id}, "channel")
    assert result.card is None and result.shareable
    assert result.message == Translator("nl")("post.open.personal_only")
    assert world.post.links.made == []
    assert world.notifier is not None and world.notifier.queued == {}


async def test_a_file_sent_outside_the_personal_chat_is_answered_in_it() -> None:
    """Teams sends files to a bot only in a 1:1 chat; an activity claiming otherwise still gets
    its import answer (here: not a workbook) only there."""
    world = World(notifier=FakeNotifier())
    url = "https://contoso.sharepoint.com/personal/lotte/notities.txt?tempauth=x"
    world.rules.downloads.files[url] = b"hello"
    notes = IncomingFile("notities.txt", url, "txt")
    turn = await send(world.dispatcher, [notes], **world.options_in("groupChat"))
    assert turn.cards == [] and turn.texts == [NEUTRAL["nl"]]
    assert world.notifier is not None and len(world.notifier.cards_to(LOTTE)) == 1
