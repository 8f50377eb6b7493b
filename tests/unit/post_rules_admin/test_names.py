"""People and channels named in the routing-rules workbook: reading leaves names and lists their
cells (asking nobody), resolving puts the ids in place or reports the cell, and hostile cells
are refused before anything is looked up."""

from __future__ import annotations

import time

import pytest

from bot.domain.platform.errors import Unavailable
from bot.domain.post.items import TRIAGE, Destination, DestinationKind
from bot.domain.post.routing import RoutingRule, RuleConditions
from bot.domain.post.rule_names import (
    MAX_LISTED,
    ChannelName,
    NamedCell,
    NameKind,
    RuleLabels,
    RulesRead,
    channel_name,
    is_address,
    labelled,
)
from bot.excel.post.rules import describe_problem, read_rules_named, write_rules
from bot.i18n import Translator
from bot.services.post.rules_names import MAX_PEOPLE, resolve_names, rule_labels
from tests.unit.post_rules_admin.fakes import FakeRuleNames

JEF = "2d4f6a8c-0e1b-4d3f-a5c7-e9b1d3f5a7c9"
LOTTE = "6c1e2f3a-9b4d-4e7f-8a21-3d5c7b9e0f12"
GROUP = "3e790606-cdf3-44dd-8553-60695dfa7674"
POST = "19:post@thread.tacv2"
TEAM = f"{GROUP}|{POST}"


def person(target: str) -> Destination:
    return Destination(DestinationKind.PERSON, target)


def team(target: str) -> Destination:
    return Destination(DestinationKind.TEAM, target)


def rule(number: int, destination: Destination, *addressees: str) -> RoutingRule:
    return RoutingRule(
        f"R-{number:03d}", number, destination, RuleConditions(addressee_ids=addressees)
    )


def read(*rules: RoutingRule) -> RulesRead:
    """The workbook an admin would upload with these cells (names written as they are)."""
    return read_rules_named(write_rules(rules))


def directory() -> FakeRuleNames:
    names = FakeRuleNames()
    names.person(JEF, "Jef Peeters", "jef.peeters@vlaanderen.be")
    names.person(LOTTE, "Lotte Janssens", "lotte.janssens@vlaanderen.be", "lotte@vlaanderen.be")
    names.team(GROUP, "Team Werkplekdiensten", {POST: "Post", "19:alg@thread.tacv2": "Algemeen"})
    return names


def keys(read: RulesRead) -> list[tuple[int | None, str, str]]:
    return [(p.row, p.column, p.message_key.rsplit(".", 1)[1]) for p in read.problems]


# --- reading ------------------------------------------------------------------------------------
def test_reading_keeps_names_in_place_and_lists_their_cells() -> None:
    result = read(
        rule(1, person("Jef.Peeters@Vlaanderen.be"), JEF.upper(), "Lotte <lotte@vlaanderen.be>"),
        rule(2, team("Team  Werkplekdiensten / Post")),
    )

    assert result.problems == ()
    assert result.rules is not None
    first, second = result.rules
    assert first.destination == person("jef.peeters@vlaanderen.be")
    assert first.conditions.addressee_ids == (JEF, "lotte@vlaanderen.be")
    assert second.destination == team("team werkplekdiensten/post")
    assert result.names == (
        NamedCell(
            2, "target", NameKind.PERSON, "jef.peeters@vlaanderen.be", "Jef.Peeters@Vlaanderen.be"
        ),
        NamedCell(
            2, "addressee_ids", NameKind.PERSON, "lotte@vlaanderen.be", "lotte@vlaanderen.be"
        ),
        NamedCell(
            3,
            "target",
            NameKind.CHANNEL,
            "team werkplekdiensten/post",
            "Team Werkplekdiensten / Post",
        ),
    )


def test_the_export_form_is_read_by_its_id_and_asks_for_nothing() -> None:
    labels = RuleLabels({JEF: "Peeters, Jef <de baas>"}, {TEAM: "Team / Post"})
    rules = [rule(1, person(JEF), JEF), rule(2, team(TEAM)), rule(3, TRIAGE)]

    data = write_rules(rules, labels)
    result = read_rules_named(data)

    assert result == RulesRead(tuple(rules), (), ())
    assert labelled("Peeters, Jef <de baas>", JEF) == f"Peeters Jef de baas <{JEF}>"


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("x" * 5000 + "@vlaanderen.be", "too_long"),
        ("jef" + "." * 200 + "@vlaanderen.be", "too_long"),
        ('=HYPERLINK("https://evil.example","jef@vlaanderen.be")', "bad_person"),
        ("=jef@vlaanderen.be", "bad_person"),
        ("@jef@vlaanderen.be", "bad_person"),
        ("jef@vlaanderen", "bad_person"),
        ("Jef Peeters", "bad_person"),
        ("Jef Peeters <>", "bad_person"),
    ],
)
def test_hostile_person_cells_are_refused_before_any_lookup(target: str, problem: str) -> None:
    result = read(rule(1, person(target)))

    assert keys(result) == [(2, "target", problem)]
    assert result.names == ()
    assert len(result.problems[0].value) <= 120, "a problem quotes a cell, never all of it"


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        ("=cmd|' /C calc'!A0", "bad_team"),
        ("Team Werkplekdiensten", "bad_team"),
        (" / Post", "bad_team"),
        ("Team Werkplekdiensten / " + "p" * 51, "too_long"),
        ("T" * 121 + " / Post", "too_long"),
    ],
)
def test_hostile_channel_cells_are_refused_before_any_lookup(target: str, problem: str) -> None:
    result = read(rule(1, team(target)))

    assert keys(result) == [(2, "target", problem)]
    assert result.names == ()


def test_control_characters_make_no_name() -> None:
    # A workbook cannot hold them as written, but an escaped one (_x001B_) is read back as one.
    assert channel_name("Team\x1b[31m / Post") is None
    assert not is_address("jef\x1b@vlaanderen.be") and is_address("jef@vlaanderen.be")
    assert channel_name("Team / Post") == ChannelName("Team", "Post")


# --- resolving ----------------------------------------------------------------------------------
async def test_names_become_ids_and_a_person_named_twice_counts_once() -> None:
    names = directory()
    result = await resolve_names(
        read(
            rule(1, person("JEF.PEETERS@vlaanderen.be"), JEF, "jef.peeters@vlaanderen.be"),
            rule(2, team("team werkplekdiensten / POST"), "lotte@vlaanderen.be"),
            rule(3, person("jef.peeters@vlaanderen.be")),
        ),
        names,
    )

    assert result.problems == ()
    assert result.rules == (
        rule(1, person(JEF), JEF),
        rule(2, team(TEAM), LOTTE),
        rule(3, person(JEF)),
    )
    # Every distinct name once, in one call per kind.
    assert names.asked == [("people", 2), ("channels", 1)]


async def test_nobody_or_several_is_a_problem_of_the_cell() -> None:
    names = directory()
    for number in range(5):  # five people share an address (a shared mailbox, say)
        names.person(
            f"aaaaaaa{number}-0e1b-4d3f-a5c7-e9b1d3f5a7c9", f"Dienst {number}", "dienst@x.be"
        )
    names.team("5f1c7a2e-9d3b-4c8a-a6e1-2b4d6f8a0c13", "Team Werkplekdiensten", {"19:p2": "Post"})

    result = await resolve_names(
        read(
            rule(1, person("niemand@vlaanderen.be")),
            rule(2, person(JEF), "dienst@x.be"),
            rule(3, team("Team Werkplekdiensten / Post")),
            rule(4, team("Team Werkplekdiensten / Bestaat niet")),
            rule(5, team("Geen Team / Post")),
        ),
        names,
    )

    assert result.rules is None
    assert keys(result) == [
        (2, "target", "person_not_found"),
        (3, "addressee_ids", "person_several"),
        (4, "target", "channel_several"),
        (5, "target", "channel_not_found"),
        (6, "target", "team_not_found"),
    ]
    several = result.problems[1].value
    assert several.startswith("dienst@x.be: Dienst 0 <aaaaaaa0-")
    assert several.count("<") == MAX_LISTED and several.endswith(", …")
    assert result.problems[4].value == "Geen Team"
    nl, en = Translator("nl"), Translator("en")
    assert describe_problem(result.problems[0], nl) == (
        "blad Regels, rij 2, kolom Doel: Niemand gevonden met het e-mailadres "
        "„niemand@vlaanderen.be”."
    )
    assert describe_problem(result.problems[2], en).startswith(
        "sheet Rules, row 4, column Target: More than one channel matches Team Werkplekdiensten / "
        f"Post: Team Werkplekdiensten / Post <{TEAM}>, "
    )


async def test_names_are_checked_in_the_same_round_as_other_problems() -> None:
    bad = RoutingRule("R 2", 2, person("niemand@vlaanderen.be"))

    result = await resolve_names(read(rule(1, person(JEF)), bad), directory())

    assert keys(result) == [(3, "id", "bad_id"), (3, "target", "person_not_found")]


async def test_without_a_directory_every_named_cell_says_so_and_ids_still_work() -> None:
    only_ids = read(rule(1, person(JEF)))
    named = read(rule(1, person(JEF), "jef.peeters@vlaanderen.be"))

    assert await resolve_names(only_ids, None) == only_ids
    result = await resolve_names(named, None)
    assert keys(result) == [(2, "addressee_ids", "names_unavailable")]


async def test_a_directory_that_cannot_answer_fails_the_check() -> None:
    names = directory()
    names.failure = Unavailable()

    with pytest.raises(Unavailable):
        await resolve_names(read(rule(1, person("jef.peeters@vlaanderen.be"))), names)


async def test_thousands_of_distinct_names_are_bounded_and_reported_once() -> None:
    names = directory()
    rows = [rule(n, person(f"medewerker{n}@vlaanderen.be")) for n in range(1, 5001)]
    workbook = read(*rows)
    assert len(workbook.names) == 5000

    started = time.perf_counter()
    result = await resolve_names(workbook, names)
    elapsed = time.perf_counter() - started

    assert names.asked == [("people", MAX_PEOPLE)], "one call, never one per row"
    too_many = [p for p in result.problems if p.message_key.endswith("too_many_names")]
    assert [(p.row, p.value) for p in too_many] == [(MAX_PEOPLE + 2, str(MAX_PEOPLE))]
    assert len(result.problems) == MAX_PEOPLE + 1  # the looked-up names nobody has, and that
    assert elapsed < 2.0


# --- the export ---------------------------------------------------------------------------------
async def test_the_export_names_people_and_channels_and_reads_back_unchanged() -> None:
    names = directory()
    rules = [
        rule(1, person(JEF), LOTTE, "0a2bf9ff-1057-45f6-b649-4428bbd571bc"),
        rule(2, team(TEAM)),
    ]

    labels = await rule_labels(rules, names)
    data = write_rules(rules, labels)

    assert labels.person(JEF) == f"Jef Peeters <{JEF}>"
    assert labels.channel(TEAM) == f"Team Werkplekdiensten / Post <{TEAM}>"
    assert read_rules_named(data) == RulesRead(tuple(rules), (), ())
    assert names.asked == [("person_names", 3), ("channel_names", 1)]


async def test_the_export_writes_ids_alone_when_the_directory_cannot_answer() -> None:
    names = directory()
    names.failure = Unavailable()

    assert await rule_labels([rule(1, person(JEF))], names) == RuleLabels()
    assert await rule_labels([rule(1, person(JEF))], None) == RuleLabels()
