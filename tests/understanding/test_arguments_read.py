"""Arguments read from whole sentences, by class (issue #11): what the command's own parser
gets, and sentences whose reading must not change."""

from __future__ import annotations

from datetime import date

import pytest

from bot.commands.arguments import extract
from bot.commands.lemmas import tokens
from bot.services.post.listing import Scope
from dialogs.post.text import parse_delegation, parse_filters

TODAY = date(2026, 12, 1)  # a Tuesday


def _args(name: str, text: str) -> str:
    return extract(name, False, text, tokens(text), frozenset()).args


# --- post: handled said otherwise ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("wat heb ik al verwerkt", Scope.HANDLED),
        ("welke brieven heb ik afgewerkt", Scope.HANDLED),
        ("letters I already dealt with", Scope.HANDLED),
        ("which of my letters are marked as done", Scope.HANDLED),
        ("alles, ook wat al verwerkt is", Scope.ALL),  # the handled ones too: all of it
        ("welke brieven zijn nog niet afgehandeld", Scope.OPEN),  # unchanged
    ],
)
def test_handled_in_other_words(text: str, scope: Scope) -> None:
    assert parse_filters(_args("post", text)).scope is scope


def test_the_words_for_handled_are_read_by_the_post_parser_too() -> None:
    assert parse_filters("verwerkt").scope is Scope.HANDLED
    assert parse_filters("afgewerkte").scope is Scope.HANDLED
    assert parse_filters("zoek Fluvius").search == "Fluvius"


# --- status: what is no person ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("sinds de update van gisteren vraagt teams mijn wachtwoord", ""),  # a time
        ("ik ben overgeplaatst naar het Facilitair Bedrijf, klopt mijn account?", ""),
        ("STATUS VAN NATHALIE GOOSSENS", "NATHALIE GOOSSENS"),  # shouted: no particle
        ("is het account van stagiair Lars Wuyts al aangemaakt?", "Lars Wuyts"),
        # unchanged
        ("status van Jan Van den Broeck", "Jan Van den Broeck"),
        ("Fatima Ouali kan niet aanmelden", "Fatima Ouali"),
        ("can you look at Fatima Ouali's devices?", "Fatima Ouali"),
    ],
)
def test_who_a_status_is_about(text: str, person: str) -> None:
    assert _args("status", text) == person


# --- delegation: days and names -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "name", "starts", "ends"),
    [
        # one day said alone is that day
        ("ik ben morgen op opleiding, kan mijn post naar Laura Claes", "Laura Claes", 2, 2),
        # a weekday before its date is that date
        ("van maandag 7 december tot vrijdag 11 december post naar Els Maes", "Els Maes", 7, 11),
        # weekdays: the end follows the start
        ("van maandag tot woensdag gaat mijn post naar Ella Verbruggen", "Ella Verbruggen", 7, 9),
        # a place is no delegate
        (
            "van 16 tot 23 december zit ik in Lissabon, kan Pieter Claessens mijn post krijgen",
            "Pieter Claessens",
            16,
            23,
        ),
        # unchanged: "tot en met" is an end, the start today
        ("mijn post naar Lotte De Smet tot en met 24 december", "Lotte De Smet", 1, 24),
        ("tot en met vrijdag mag Sam mijn brieven hebben", "Sam", 1, 4),
    ],
)
def test_a_delegation_read_from_a_sentence(text: str, name: str, starts: int, ends: int) -> None:
    wanted = parse_delegation(_args("post_delegation", text), TODAY)
    assert wanted is not None
    assert (wanted.name, wanted.starts.day, wanted.ends.day) == (name, starts, ends)
