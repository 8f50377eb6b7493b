"""Free text through the dispatcher: what a sentence runs, asks, greets or refuses.

The scorer itself is tested on its corpus (tests/understanding); these tests hold the contract
between it and the dispatcher: every keyword still works on its own, two readings become a
question whose buttons do what the sentence asked, a word of a command the caller may not run
refuses nothing unless the message opens with it, and the catalogue's words count.
"""

from __future__ import annotations

import pytest

from bot.commands.registry import command, vocabulary
from bot.commands.understanding import understand
from bot.domain.platform.audit import Outcome
from bot.domain.platform.roles import Role
from bot.domain.platform.text import fold
from cards.verbs import Verb
from dialogs import command_specs
from tests.support.chat import FakeTurn, click, say
from tests.unit.test_dispatcher import World, card_text

_SPECS = command_specs()


@pytest.mark.parametrize(
    ("name", "keyword"),
    [(spec.name, keyword) for spec in _SPECS for _, keyword in spec.all_keywords()],
)
def test_every_keyword_alone_runs_its_command(name: str, keyword: str) -> None:
    """Help says "type one of these words": whatever else the scorer learns, that stays true,
    typed as it is, in capitals or after a mention."""
    spec = next(spec for spec in _SPECS if spec.name == name)
    roles = frozenset({Role.STAFF, spec.role, *spec.also})
    allowed = [other for other in _SPECS if other.allows(roles)]
    for typed in (keyword, keyword.upper(), f"@Werkplek {keyword}"):
        reading = understand(typed, allowed)
        assert reading.winner is not None and reading.winner.name == name, typed


class Shop:
    """A command whose products live outside the code, like the licence catalogue."""

    def __init__(self, words: list[str] | None) -> None:
        self.words = words
        self.asked: list[str] = []

    @command("shop", nl=("winkel",), en=("shop",), title_key="t", help_key="h")
    async def shop(self, turn: FakeTurn, args: str) -> None:
        self.asked.append(args)

    @vocabulary("shop")
    async def products(self) -> list[str]:
        if self.words is None:
            raise ConnectionError("catalogue store down")
        return self.words


async def test_two_readings_are_asked_about_and_each_button_runs_one() -> None:
    world = World()
    turn = await say(world.dispatcher, "mijn toegang en mijn profiel")
    (card,) = turn.cards
    assert "Wat bedoel je?" in card_text(card)
    commands = [a["data"]["command"] for a in card["actions"]]
    assert set(commands[:2]) == {"status", "profile"} and commands[-1] == "help"
    assert world.audit.entries == []
    profile = next(a for a in card["actions"] if a["data"]["command"] == "profile")
    clicked, result = await click(world.dispatcher, Verb.RUN_COMMAND, profile["data"])
    assert "Lotte Janssens" in card_text(clicked.cards[0])
    assert result.card is None  # the question stays, its other button still works


async def test_a_forbidden_command_word_inside_a_sentence_refuses_nothing() -> None:
    world = World()
    turn = await say(world.dispatcher, "wat is het geheim van een goede koffie?")
    (card,) = turn.cards
    assert "servicedeskmedewerker" not in card_text(card) and turn.texts == []
    assert [e.outcome for e in world.audit.entries] == []  # nothing ran, nothing was refused


async def test_a_forbidden_command_asked_for_explicitly_is_refused_and_audited() -> None:
    world = World()
    turn = await say(world.dispatcher, "@Werkplek geheim")
    assert "servicedeskmedewerker" in card_text(turn.cards[0])
    assert [e.outcome for e in world.audit.entries] == [Outcome.DENIED]


async def test_the_same_command_runs_for_whom_it_is_meant() -> None:
    world = World()
    turn = await say(world.dispatcher, "geheim", roles=frozenset({Role.STAFF, Role.AGENT}))
    assert turn.texts == ["the secret"]


async def test_words_kept_outside_the_code_name_their_command() -> None:
    world = World()
    shop = Shop(["Tableau", "Visio Plan 2"])
    world.registry.add_dialog(shop)
    await say(world.dispatcher, "ik heb tableau nodig")
    assert len(shop.asked) == 1
    assert world.audit.entries[-1].action == "command.shop"


async def test_a_failing_word_source_costs_only_its_words() -> None:
    world = World()
    shop = Shop(None)
    world.registry.add_dialog(shop)
    await say(world.dispatcher, "ik heb tableau nodig")
    assert shop.asked == []
    await say(world.dispatcher, "winkel")
    assert len(shop.asked) == 1


def test_the_phrase_table_speaks_only_of_declared_commands_and_keywords() -> None:
    """The phrases live in one table keyed by command name (bot/commands/phrases.py): a renamed
    or removed command must not leave its phrases behind, scoring for nobody."""
    from bot.commands.phrases import KEYWORD_WEIGHTS, PHRASES

    names = {spec.name for spec in _SPECS}
    assert set(PHRASES) <= names
    keywords = {fold(keyword) for spec in _SPECS for _, keyword in spec.all_keywords()}
    assert {fold(word) for word in KEYWORD_WEIGHTS} <= keywords


async def test_a_message_that_opens_with_a_keyword_keeps_the_commands_own_syntax() -> None:
    """Help documents "keyword, then what it needs": that stays exactly so, whatever the
    understanding step would read in a free sentence."""
    world = World()
    shop = Shop([])
    world.registry.add_dialog(shop)
    await say(world.dispatcher, "@Werkplek winkel abc-123 domg 1/10/2026")
    assert shop.asked == ["abc-123 domg 1/10/2026"]


async def test_what_the_sentence_says_beats_the_raw_text_after_the_keyword() -> None:
    """ "status van Jef Peeters aub" opens with the keyword, but the colleague is Jef Peeters:
    the raw remainder ("van Jef Peeters aub") would find nobody."""
    world = World()
    agent = frozenset({Role.STAFF, Role.AGENT})
    turn = await say(world.dispatcher, "status van Jef Peeters aub", roles=agent)
    text = card_text(turn.cards[0])
    assert "Jef Peeters" in text and "Niemand gevonden" not in text
