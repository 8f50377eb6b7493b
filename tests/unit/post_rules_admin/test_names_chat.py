"""The rules workbook with people and channels by name, in chat: names are looked up at upload,
the confirmation stores ids, a name nobody or several answer to is listed per row (names from
the directory escaped), and the export -> upload round trip changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.post.items import Destination, DestinationKind
from bot.domain.post.routing import RoutingRule, RuleConditions
from bot.excel.post.rules import read_rules_named
from tests.unit.excel.builders import sheets_of
from tests.unit.post.fakes import FINANCE_CHANNEL, FINANCE_GROUP, FINANCE_TARGET, JEF, LOTTE
from tests.unit.post_rules_admin.world import MAILROOM, RulesWorld, current_rules
from tests.unit.test_dispatcher import card_text

CLERK = "63d30060-1c2b-4d5e-8f90-a1b2c3d4e5f6"
JEF_MAIL = "jef.peeters@vlaanderen.be"


@pytest.fixture
def world() -> RulesWorld:
    world = RulesWorld()
    world.names.person(JEF, "Jef Peeters", JEF_MAIL)
    world.names.person(LOTTE, "Lotte Janssens", "lotte.janssens@vlaanderen.be")
    world.names.team(FINANCE_GROUP, "Financiën", {FINANCE_CHANNEL: "Facturen"})
    return world


def texts(cards: list[dict[str, Any]]) -> str:
    return "\n".join(card_text(card) for card in cards)


def named_rules() -> list[RoutingRule]:
    """current_rules() as an admin would type them: people and channels by name."""
    finance, jef, domg = current_rules()
    return [
        RoutingRule(
            finance.id,
            finance.position,
            Destination(DestinationKind.TEAM, "financiën / FACTUREN"),
            finance.conditions,
            description=finance.description,
        ),
        RoutingRule(
            jef.id,
            jef.position,
            Destination(DestinationKind.PERSON, JEF_MAIL.upper()),
            RuleConditions(keywords=jef.conditions.keywords, addressee_ids=(JEF_MAIL,)),
            entity=jef.entity,
        ),
        domg,
    ]


async def test_names_are_looked_up_at_upload_and_ids_are_stored(world: RulesWorld) -> None:
    turn = await world.upload(named_rules(), CLERK, MAILROOM)

    assert "Regels gecontroleerd, nog niet overgenomen" in texts(turn.cards)
    await world.say("regels overnemen", CLERK, MAILROOM)

    finance, jef, domg = world.post.rules.rules
    assert finance.destination == Destination(DestinationKind.TEAM, FINANCE_TARGET)
    assert jef.destination == Destination(DestinationKind.PERSON, JEF)
    assert jef.conditions.addressee_ids == (JEF,)
    assert domg == current_rules()[2]
    # What waited in the store between check and confirmation were ids, not names.
    assert world.pending.waiting == {}


async def test_a_name_nobody_or_several_answer_to_is_listed_by_row(world: RulesWorld) -> None:
    hostile = "[Klik hier](https://evil.example) **dringend**"
    world.names.person("0a2bf9ff-1057-45f6-b649-4428bbd571bc", hostile, "post@vlaanderen.be")
    world.names.person("b765dfb9-201a-478e-874e-ba687af3ed1a", "Postkamer", "post@vlaanderen.be")
    rules = named_rules()
    rules[0] = RoutingRule("R-001", 1, Destination(DestinationKind.TEAM, "Financiën / Post"))
    rules.append(RoutingRule("R-004", 4, Destination(DestinationKind.PERSON, "post@vlaanderen.be")))

    turn = await world.upload(rules, CLERK, MAILROOM)

    shown = texts(turn.cards)
    assert "Regels niet overgenomen" in shown
    assert "2 fouten" in shown
    assert "blad Regels, rij 2, kolom Doel: Het team bestaat, maar heeft geen kanaal" in shown
    assert "blad Regels, rij 5, kolom Doel: Meer dan één persoon past bij post@" in shown
    assert "Postkamer" in shown
    assert "https://evil.example" not in shown and "[Klik hier](" not in shown
    assert world.post.rules.rules == current_rules(), "nothing kept"
    assert world.pending.waiting == {}


async def test_export_then_upload_unchanged_gives_the_same_rules(world: RulesWorld) -> None:
    exported = await world.rules.workbook()

    as_read = read_rules_named(exported)
    assert as_read.rules == tuple(current_rules()) and as_read.names == ()
    asked_for_export = list(world.names.asked)
    assert [method for method, _ in asked_for_export] == ["person_names", "channel_names"]

    turn = await world.send([("regels.xlsx", exported)], CLERK, MAILROOM)
    assert "Regels gecontroleerd, nog niet overgenomen" in texts(turn.cards)
    await world.say("regels overnemen", CLERK, MAILROOM)

    assert world.post.rules.rules == current_rules()
    assert world.names.asked == asked_for_export, "ids need no lookup"


async def test_the_export_shows_names_next_to_ids(world: RulesWorld) -> None:
    header, *rows = sheets_of(await world.rules.workbook())["Regels"]
    targets = [row[header.index("Doel")] for row in rows]

    assert targets == [f"Financiën / Facturen <{FINANCE_TARGET}>", f"Jef Peeters <{JEF}>", "DOMG"]
