"""Every licence admin card is valid Adaptive Cards 1.5, in both languages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from bot.i18n import LOCALES, Translator
from cards.licences.admin import (
    MAX_PROBLEM_CHARS,
    catalogue_card,
    import_done_card,
    import_problem_cards,
    import_refused_card,
    report_card,
)
from tests.support.schemas import validate_card
from tests.unit.licences.fakes import demo_catalogue

URL = "https://werkplek.example/api/exports/catalogue?by=u&exp=1&sig=x"
PROBLEM = "blad Artikelen, rij 4, kolom Groep-id: dit is geen geldige id"


def all_cards(t: Translator) -> Iterator[tuple[str, dict]]:
    catalogue = demo_catalogue()
    yield "catalogue", catalogue_card(catalogue, URL, 10, t)
    yield "report", report_card(date(2026, 10, 1), date(2026, 10, 31), "ADV – Advies", URL, 10, t)
    yield "report-all", report_card(date(2026, 10, 1), date(2026, 10, 31), "", URL, 10, t)
    yield "done", import_done_card(catalogue, t)
    for number, problem_card in enumerate(import_problem_cards([PROBLEM] * 300, t)):
        yield f"problems-{number}", problem_card
    yield "refused", import_refused_card(t)


CASES = [(locale, name, card) for locale in LOCALES for name, card in all_cards(Translator(locale))]


@pytest.mark.parametrize(("locale", "name", "card"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_card_is_valid_adaptive_card_1_5(locale: str, name: str, card: dict) -> None:
    validate_card(card)


def test_problems_are_split_over_cards_that_stay_small() -> None:
    t = Translator("nl")
    cards = import_problem_cards([f"{PROBLEM} ({n})" for n in range(300)], t)
    assert len(cards) > 1
    lines = [line for card in cards for block in card["body"] for line in block["text"].split("\n")]
    assert sum(line.startswith("- blad") for line in lines) == 300
    for card in cards:
        assert sum(len(b["text"]) for b in card["body"]) < MAX_PROBLEM_CHARS + 1000
