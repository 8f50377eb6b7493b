"""Every card of the routing rules in chat, and of the workbook inbox, is valid Adaptive Cards 1.5,
in both languages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.i18n import LOCALES, Translator
from cards.platform.workbooks import (
    download_failed_card,
    inbox_refused_card,
    one_workbook_card,
    unknown_workbook_card,
)
from cards.post.rules import (
    MAX_LIST_CHARS,
    DryRunSummary,
    RulesSummary,
    applied_card,
    checked_cards,
    chunk,
    outside_entity_cards,
    refused_card,
    rejected_cards,
    rules_card,
)
from cards.verbs import Verb
from tests.support.schemas import validate_card

URL = "https://werkplek.example/api/exports/post-rules?by=u&exp=1&sig=x"
LINE = "POST-2026-000012: triage -> persoon Jef Peeters (regel R-003)"


def all_cards(t: Translator) -> Iterator[tuple[str, dict]]:
    yield "rules", rules_card(RulesSummary(12, 10), URL, 10, 50, t)
    yield "rules-entity", rules_card(RulesSummary(12, 10, ("ADV",), 3), URL, 10, 50, t)
    yield "rules-no-entity", rules_card(RulesSummary(12, 10, ()), URL, 10, 50, t)
    for number, one in enumerate(rejected_cards(["blad Regels, rij 2: fout"] * 900, t)):
        yield f"rejected-{number}", one
    yield "outside", outside_entity_cards(["ADV"], ["regel R-001 (alle): gewijzigd"], t)[0]
    yield "checked", checked_cards(DryRunSummary(4, 3, 50, (LINE,)), 10, t)[0]
    yield "checked-same", checked_cards(DryRunSummary(4, 3, 50, ()), 10, t)[0]
    yield "checked-empty", checked_cards(DryRunSummary(4, 3, 0, ()), 10, t)[0]
    yield "applied", applied_card(4, 3, t)
    yield "refused", refused_card(t)
    yield "inbox-refused", inbox_refused_card(t)
    yield "one", one_workbook_card(["de regels"], t)
    yield "unknown", unknown_workbook_card([], t)
    yield "download-failed", download_failed_card("Het bestand is te groot.", t)


CASES = [(locale, name, card) for locale in LOCALES for name, card in all_cards(Translator(locale))]


@pytest.mark.parametrize(("locale", "name", "card"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_card_is_valid_adaptive_card_1_5(locale: str, name: str, card: dict) -> None:
    validate_card(card)


def test_long_lists_are_cut_under_the_limit_and_only_the_last_card_asks() -> None:
    t = Translator("nl")
    lines = tuple(f"{LINE} {n}" for n in range(400))
    cards = checked_cards(DryRunSummary(4, 3, 400, lines), 10, t)
    assert len(cards) > 1
    assert all("actions" not in card for card in cards[:-1])
    (button,) = cards[-1]["actions"]
    assert (button["verb"], button["data"]) == (Verb.RUN_COMMAND, {"command": "post_rules_apply"})
    assert all(sum(len(line) + 1 for line in part) <= MAX_LIST_CHARS + 200 for part in chunk(lines))
