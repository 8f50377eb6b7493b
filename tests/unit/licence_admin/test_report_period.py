"""The licence report's period and entity said in words (bot/domain/platform/report_period.py),
through parse_report_ask and the sentence reading that feeds it."""

from __future__ import annotations

from datetime import date

import pytest

from bot.commands.arguments import extract
from bot.commands.lemmas import tokens
from bot.domain.platform.errors import DomainError
from devtools.demo_catalogue import demo_entities
from dialogs.licences.admin import ReportAsk, parse_report_ask

TODAY = date(2026, 12, 1)
ENTITIES = demo_entities()


def _read(args: str) -> ReportAsk:
    return parse_report_ask(args, TODAY, ENTITIES)


@pytest.mark.parametrize(
    ("args", "start", "end"),
    [
        ("vorige maand", date(2026, 11, 1), date(2026, 11, 30)),
        ("last month", date(2026, 11, 1), date(2026, 11, 30)),
        ("dit kwartaal", date(2026, 10, 1), TODAY),
        ("vorig kwartaal", date(2026, 7, 1), date(2026, 9, 30)),
        ("dit jaar", date(2026, 1, 1), TODAY),
        ("laatste 30 dagen", date(2026, 11, 2), TODAY),
        ("past 2 weeks", date(2026, 11, 18), TODAY),
        ("sinds 1 oktober", date(2026, 10, 1), TODAY),  # a report looks back: this October
        ("since December 5", date(2025, 12, 5), TODAY),
        ("tussen 3 november en 27 november", date(2026, 11, 3), date(2026, 11, 27)),
        ("between 2 Nov 2026 and 29 Nov 2026", date(2026, 11, 2), date(2026, 11, 29)),
        # a month, a quarter or a year by its name
        ("oktober 2026", date(2026, 10, 1), date(2026, 10, 31)),
        ("van van november 2026", date(2026, 11, 1), date(2026, 11, 30)),
        ("february", date(2026, 2, 1), date(2026, 2, 28)),  # the last one that has begun
        ("december", TODAY, TODAY),  # still running: up to today
        ("okt 2025", date(2025, 10, 1), date(2025, 10, 31)),
        ("derde kwartaal van 2026", date(2026, 7, 1), date(2026, 9, 30)),
        ("third quarter of 2025", date(2025, 7, 1), date(2025, 9, 30)),
        ("Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("Q4 2025", date(2025, 10, 1), date(2025, 12, 31)),
        ("jaar 2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("in 2026", date(2026, 1, 1), TODAY),
        ("may", date(2026, 11, 2), TODAY),  # "may" alone is no month: the default period
        ("okt", date(2026, 10, 1), date(2026, 10, 31)),  # cut short, but no other word
        ("ticket stats sept", date(2026, 9, 1), date(2026, 9, 30)),
        ("rapport van jan", date(2026, 11, 2), TODAY),  # "jan" is a name too: no month
        # a half of a year, a single day
        ("tweede helft 2025", date(2025, 7, 1), date(2025, 12, 31)),
        ("eerste helft van het jaar", date(2026, 1, 1), date(2026, 6, 30)),
        ("first half of 2026", date(2026, 1, 1), date(2026, 6, 30)),
        ("tweede jaarhelft", date(2026, 7, 1), TODAY),  # still running: up to today
        ("gisteren", date(2026, 11, 30), date(2026, 11, 30)),
        ("for today", TODAY, TODAY),
        ("vandaag het rapport van vorige maand", date(2026, 11, 1), date(2026, 11, 30)),
        # two periods: from the first's start to the second's end
        ("van januari tot en met juni", date(2026, 1, 1), date(2026, 6, 30)),
        ("from january through june 2026", date(2026, 1, 1), date(2026, 6, 30)),
        ("Q1 tot Q3", date(2026, 1, 1), date(2026, 9, 30)),
        ("oktober tot januari", date(2025, 10, 1), date(2026, 1, 31)),  # the October before
        # a period opened by "sinds" or closed by "tot nu" runs until today
        ("sinds begin september", date(2026, 9, 1), TODAY),
        ("since October", date(2026, 10, 1), TODAY),
        ("vanaf het begin van 2025", date(2025, 1, 1), TODAY),
        ("van januari tot nu", date(2026, 1, 1), TODAY),
        ("from january to date", date(2026, 1, 1), TODAY),
        ("van september tot vandaag", date(2026, 9, 1), TODAY),
        # a day number joined to a day of a month is of that month
        ("van 1 tot 15 november", date(2026, 11, 1), date(2026, 11, 15)),
        ("3 - 5 november", date(2026, 11, 3), date(2026, 11, 5)),
        # unchanged
        ("3 november 2026", date(2026, 11, 3), TODAY),
        ("van 1/10/2026 tot 31/10/2026", date(2026, 10, 1), date(2026, 10, 31)),
        # a day without its year: the last one that has been
        ("van 1/11 tot 15/11", date(2026, 11, 1), date(2026, 11, 15)),
        ("sinds 15.11", date(2026, 11, 15), TODAY),
        ("vanaf 20/12", date(2025, 12, 20), TODAY),
        # days written two ways: in the order written
        ("van 28/10 tot 3 november", date(2026, 10, 28), date(2026, 11, 3)),
        ("van 3 oktober tot 15/11", date(2026, 10, 3), date(2026, 11, 15)),
        ("", date(2026, 11, 2), TODAY),
        # a weekday: the last one up to today (TODAY is a Tuesday); the second of two after
        # the first
        ("sinds maandag", date(2026, 11, 30), TODAY),
        ("DOMG since Friday", date(2026, 11, 27), TODAY),
        ("sinds dinsdag", TODAY, TODAY),
        ("van vrijdag tot en met maandag", date(2026, 11, 27), date(2026, 11, 30)),
        ("van maandag tot woensdag", date(2026, 11, 30), date(2026, 12, 2)),
        ("20 november tot maandag", date(2026, 11, 20), date(2026, 11, 30)),
        ("van maandag 23 november tot vrijdag 27/11", date(2026, 11, 23), date(2026, 11, 27)),
    ],
)
def test_a_period_in_words(args: str, start: date, end: date) -> None:
    ask = _read(args)
    assert (ask.start, ask.end) == (start, end)


@pytest.mark.parametrize(
    ("args", "entity"),
    [
        ("Departement Omgeving", "DOMG"),
        ("het facilitair bedrijf", "AFB"),
        ("Wegen en Verkeer", "AWV"),
        ("the Department of Environment", "DOMG"),
        ("Digitaal Vlaanderen", "ADV"),
        ("voor awv", "AWV"),  # an entity's code in small letters
        ("xyz", "xyz"),  # the only word: the entity asked for (refused as unknown later)
        ("XYZ deze week", "XYZ"),  # in capitals: the entity asked for, known or not
        # other words in capitals beside a known entity ask nothing of the report
        ("PPU deze week Financien en Begroting", "DFB"),
        ("DFB deze week MFA uitrol", "DFB"),
        ("MT Departement Omgeving", "DOMG"),
        ("ik heb de cijfers nodig", ""),  # words that ask nothing
    ],
)
def test_an_entity_by_its_name(args: str, entity: str) -> None:
    assert _read(args).entity == entity


def test_two_entities_or_a_period_and_days_are_not_understood() -> None:
    with pytest.raises(DomainError):
        _read("ADV DOMG")
    with pytest.raises(DomainError):
        _read("XYZ ABC")  # two unknown codes: which one?
    with pytest.raises(DomainError):
        _read("vorige maand 1/10/2026")


def test_a_sentence_hands_its_period_and_entity_words_to_the_report() -> None:
    text = "rapport van de licentieaanvragen bij Wegen en Verkeer sinds 15 oktober"
    args = extract("licence_report", False, text, tokens(text), frozenset()).args
    assert _read(args) == ReportAsk(date(2026, 10, 15), TODAY, "AWV")


def test_a_sentence_hands_a_named_month_and_entity_to_the_report() -> None:
    text = "hoeveel licentieaanvragen zijn er geweest bij Digitaal Vlaanderen in oktober 2026?"
    args = extract("licence_report", False, text, tokens(text), frozenset()).args
    assert _read(args) == ReportAsk(date(2026, 10, 1), date(2026, 10, 31), "ADV")


def test_a_sentence_hands_a_period_up_to_now_to_the_report() -> None:
    text = "geef mij de aanvragen van Departement Omgeving van januari tot nu, voor het MT"
    args = extract("licence_report", False, text, tokens(text), frozenset()).args
    assert _read(args) == ReportAsk(date(2026, 1, 1), TODAY, "DOMG")
