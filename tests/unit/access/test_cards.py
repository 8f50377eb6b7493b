"""The access cards: valid Adaptive Cards 1.5 in both languages, and what a reader sees on them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain.access.facts import AccessFacts, AccessReport, AuthMethod, CheckState, Device, Fact
from bot.domain.access.rules import AccessPolicy, assess
from bot.domain.platform.directory import DirectoryUser
from bot.i18n import LOCALES, Translator
from cards.access.status import (
    MAX_PICKS,
    access_card,
    format_moment,
    lookup_refused_card,
    nobody_found_card,
    pick_person_card,
)
from cards.verbs import Verb
from tests.support.reading import as_read
from tests.support.schemas import validate_card
from tests.unit.access.test_rules import POLICY, facts, person
from tests.unit.test_dispatcher import card_text

BRUSSELS = ZoneInfo("Europe/Brussels")

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # 10:00 in Brussels (winter time)
SUMMER = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)  # 11:30 in Brussels
PEOPLE = [
    DirectoryUser(
        id=f"5d1c0000-0000-4000-8000-{n:012d}",
        display_name=f"Jan Peeters {n}",
        user_principal_name=f"jan.peeters{n}@demo.example",
        department="Omgeving" if n % 2 else None,
    )
    for n in range(MAX_PICKS + 1)
]


def _report(the_facts: AccessFacts, now: datetime = NOW, **kwargs: Any) -> AccessReport:
    return assess(the_facts, POLICY, now, **kwargs)


def reports() -> Iterator[tuple[str, AccessReport]]:
    yield "in-order", _report(facts())
    yield "summer", _report(facts(), SUMMER)
    yield (
        "all-wrong",
        _report(
            facts(
                person(account_enabled=False, usage_location=None),
                methods=[AuthMethod("password")],
                licences=[],
                groups=[],
                devices=[Device("PC", "Windows", compliance="noncompliant")],
            )
        ),
    )
    yield (
        "warnings",
        _report(
            facts(
                person(on_premises_last_sync=NOW - timedelta(days=9)),
                devices=[Device("PC", "Windows", compliance="inGracePeriod")],
            )
        ),
    )
    yield "nothing-known", _report(AccessFacts(user=person(account_enabled=None)))
    yield (
        "no-user-object",
        _report(
            facts(DirectoryUser(id="u-1", display_name="", user_principal_name="")),
            profile_missing=Fact.unchecked("error.forbidden").missing,
        ),
    )
    yield "guest", _report(facts(person(user_type="Guest"), licences=[], devices=[]))
    no_links = AccessPolicy(key_groups=POLICY.key_groups)
    yield "no-links", assess(facts(person(account_enabled=False)), no_links, NOW)


def all_cards(t: Translator) -> Iterator[tuple[str, dict]]:
    for name, report in reports():
        yield f"own-{name}", access_card(report, t, tz=BRUSSELS)
        yield f"agent-{name}", access_card(report, t, viewed_by_agent=True, tz=BRUSSELS)
    yield "pick", pick_person_card(PEOPLE[:3], "Jan", t)
    yield "pick-more", pick_person_card(PEOPLE, "Jan", t, more=True)
    yield "nobody", nobody_found_card("Xavier", t)
    yield "nobody-long", nobody_found_card("x " * 200, t)
    yield "refused", lookup_refused_card(t)


CASES = [(locale, name, card) for locale in LOCALES for name, card in all_cards(Translator(locale))]


@pytest.mark.parametrize(("locale", "name", "card"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_card_is_valid_adaptive_card_1_5(locale: str, name: str, card: dict) -> None:
    validate_card(card)


def _nodes(node: object) -> Iterator[dict]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for item in node:
            yield from _nodes(item)


def _executes(card: dict) -> list[dict]:
    return [n for n in _nodes(card) if n.get("type") == "Action.Execute"]


def test_cards_use_only_declared_verbs() -> None:
    used = {action["verb"] for _, _, card in CASES for action in _executes(card)}
    assert used == {Verb.ACCESS_REFRESH, Verb.ACCESS_SHOW, Verb.RUN_COMMAND}


def test_no_text_is_left_with_a_placeholder() -> None:
    for locale, name, card in CASES:
        assert "{" not in card_text(card), f"{locale}-{name}"


def test_own_card_in_order() -> None:
    card = access_card(_report(facts()), Translator("nl"), tz=BRUSSELS)
    text = card_text(card)
    assert "Jouw toegang" in text and "Alles is in orde." in text
    assert text.count("In orde") == 5  # the account's origin only when it needs action
    assert "Bekeken door de servicedesk" not in text
    assert "Microsoft Authenticator-app" in text
    assert "Microsoft 365 E3, Power BI Pro" in text
    assert "Nagekeken op 28/11/2026 om 10:00." in text
    assert not [n for n in _nodes(card) if n.get("type") == "Action.OpenUrl"]
    (refresh,) = _executes(card)
    assert (refresh["verb"], refresh["data"]) == (Verb.ACCESS_REFRESH, {"user": person().id})
    assert refresh["title"] == "Vernieuwen"


def test_state_words_come_with_their_colour_and_next_step_link() -> None:
    report = _report(facts(person(account_enabled=False), methods=[AuthMethod("password")]))
    card = access_card(report, Translator("nl"), tz=BRUSSELS)
    marks = [n for n in _nodes(card) if n.get("text") == "Actie nodig"]
    assert len(marks) == 2 and {m["color"] for m in marks} == {"Attention"}
    links = {n["title"]: n["url"] for n in _nodes(card) if n.get("type") == "Action.OpenUrl"}
    assert links == {
        "Contacteer de servicedesk": "https://desk.example",
        "Registreer een aanmeldmethode": "https://security.example",
    }
    verdict = card["body"][1]
    assert (verdict["text"], verdict["color"]) == (
        "Er is actie nodig. Hieronder lees je wat je kan doen.",
        "Attention",
    )


@pytest.mark.parametrize(
    ("state", "word", "colour"),
    [
        (CheckState.OK, "In orde", "Good"),
        (CheckState.WARN, "Let op", "Warning"),
        (CheckState.UNKNOWN, "Kon niet nagekeken worden", "Default"),
    ],
)
def test_every_state_has_a_word_and_a_colour(state: CheckState, word: str, colour: str) -> None:
    name = {CheckState.OK: "in-order", CheckState.WARN: "warnings"}.get(state, "nothing-known")
    report = dict(reports())[name]
    marks = [
        n
        for n in _nodes(access_card(report, Translator("nl"), tz=BRUSSELS))
        if n.get("text") == word
    ]
    assert marks and {m["color"] for m in marks} == {colour}


def test_a_next_step_without_a_link_is_still_said() -> None:
    report = dict(reports())["no-links"]
    card = access_card(report, Translator("nl"), tz=BRUSSELS)
    assert "Contacteer de servicedesk" in card_text(card)
    assert not [n for n in _nodes(card) if n.get("type") == "Action.OpenUrl"]


def test_unknown_lines_say_why() -> None:
    text = card_text(access_card(dict(reports())["no-user-object"], Translator("nl"), tz=BRUSSELS))
    assert "Werkplek heeft (nog) geen toestemming om dit na te kijken." in text
    assert "Toegang van deze persoon" in card_text(
        access_card(
            dict(reports())["no-user-object"], Translator("nl"), viewed_by_agent=True, tz=BRUSSELS
        )
    )


def test_a_stale_sync_shows_the_local_sync_time() -> None:
    report = _report(
        facts(person(on_premises_last_sync=datetime(2026, 11, 19, 23, 30, tzinfo=UTC)))
    )
    text = card_text(access_card(report, Translator("nl"), tz=BRUSSELS))
    assert "Het account is sinds 20/11/2026 om 00:30 niet meer bijgewerkt." in text
    english = card_text(access_card(report, Translator("en"), tz=BRUSSELS))
    assert "has not been updated since 20/11/2026 at 00:30." in english


def test_the_accounts_origin_is_shown_to_staff_only_when_it_needs_action() -> None:
    in_order = _report(facts())
    stale = _report(facts(person(on_premises_last_sync=NOW - timedelta(days=9))))
    t = Translator("nl")
    assert "Herkomst van het account" not in card_text(access_card(in_order, t, tz=BRUSSELS))
    assert "Herkomst van het account" in card_text(access_card(stale, t, tz=BRUSSELS))
    # The service desk sees where every account comes from, in its own terms.
    agent = card_text(access_card(in_order, t, viewed_by_agent=True, tz=BRUSSELS))
    assert "Herkomst van het account" in agent and "Active Directory" in agent


def test_moments_follow_brussels_summer_time() -> None:
    assert format_moment(SUMMER, Translator("nl"), tz=BRUSSELS) == "01/07/2026 om 11:30"
    assert format_moment(NOW, Translator("en"), tz=BRUSSELS) == "28/11/2026 at 10:00"


def test_an_agent_sees_whose_card_it_is() -> None:
    card = access_card(_report(facts()), Translator("nl"), viewed_by_agent=True, tz=BRUSSELS)
    text = card_text(card)
    assert "Toegang van Lotte Janssens" in text
    # Shown as written, but not as an address Teams would link.
    assert "lotte.janssens@demo.example" in as_read(text)
    assert "lotte.janssens@demo.example" not in text
    assert "Bekeken door de servicedesk" in text
    assert _executes(card)[0]["data"] == {"user": person().id}


def test_english_card() -> None:
    text = card_text(access_card(dict(reports())["all-wrong"], Translator("en"), tz=BRUSSELS))
    assert "Your access" in text and "Action needed" in text
    assert "No second sign-in method is registered." in text
    assert "Register a sign-in method" in text


def test_pick_list_shows_at_most_eight_with_a_note() -> None:
    card = pick_person_card(PEOPLE, "Jan", Translator("nl"), more=True)
    action_sets = [n for n in _nodes(card) if n.get("type") == "ActionSet"]
    buttons = [a for n in action_sets for a in n["actions"]]
    assert len(buttons) == MAX_PICKS and {b["title"] for b in buttons} == {"Toon"}
    clickable_names = [n["selectAction"] for n in _nodes(card) if "selectAction" in n]
    assert clickable_names == buttons
    assert {b["verb"] for b in buttons} == {Verb.ACCESS_SHOW}
    assert [b["data"]["user"] for b in buttons] == [p.id for p in PEOPLE[:MAX_PICKS]]
    text = as_read(card_text(card))
    assert "Jan Peeters 1" in text and "Omgeving · jan.peeters1@demo.example" in text
    assert "jan.peeters0@demo.example" in text
    assert "Er zijn meer resultaten dan hier getoond." in text
    assert "more" not in card_text(pick_person_card(PEOPLE[:2], "Jan", Translator("en")))


def test_nobody_found_echoes_a_short_query() -> None:
    text = card_text(nobody_found_card("  Xavier   De Wit ", Translator("nl")))
    assert 'Ik vond niemand voor "Xavier De Wit".' in text
    long_text = card_text(nobody_found_card("x" * 500, Translator("nl")))
    assert "x" * 80 not in long_text and "…" in long_text


def test_the_refusal_offers_the_callers_own_card() -> None:
    card = lookup_refused_card(Translator("nl"))
    (button,) = _executes(card)
    assert (button["verb"], button["data"]) == (Verb.RUN_COMMAND, {"command": "status"})
    assert "Alleen je eigen toegang" in card_text(card)
