"""The access card's open-work line: what a reader sees of their open requests and post, and the
buttons that take them to each list."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain.access.facts import AccessReport, Fact
from bot.domain.access.open_work import OpenPost, OpenRequest, OpenWork, RequestStage
from bot.domain.access.rules import assess
from bot.i18n import LOCALES, Translator
from cards.access.open_work import MAX_LISTED_REQUESTS
from cards.access.status import access_card
from cards.base import Card
from cards.verbs import Verb
from tests.support.schemas import validate_card
from tests.unit.access.test_rules import POLICY, facts
from tests.unit.test_dispatcher import card_text

BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
NL, EN = Translator("nl"), Translator("en")


def _request(
    number: int, stage: RequestStage, name_nl: str = "Power BI Pro", name_en: str = ""
) -> OpenRequest:
    submitted = NOW - timedelta(days=10 - number)
    return OpenRequest(f"LIC-2026-{number:06d}", name_nl, name_en, stage, submitted)


def _work(
    requests: Fact[list[OpenRequest]] | None = None, post: Fact[OpenPost] | None = None
) -> OpenWork:
    return OpenWork(
        requests=requests if requests is not None else Fact.of([]),
        post=post if post is not None else Fact.of(OpenPost(0)),
    )


def _report(work: OpenWork | None) -> AccessReport:
    return replace(assess(facts(), POLICY, NOW), open_work=work)


def _card(work: OpenWork | None, t: Translator = NL, *, agent: bool = False) -> Card:
    return access_card(_report(work), t, viewed_by_agent=agent, tz=BRUSSELS)


def _nodes(node: object) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for item in node:
            yield from _nodes(item)


def _commands(card: Card) -> list[tuple[str, str]]:
    """(title, command) of every run-command button on the card."""
    return [
        (n["title"], n["data"]["command"])
        for n in _nodes(card)
        if n.get("type") == "Action.Execute" and n.get("verb") == Verb.RUN_COMMAND
    ]


EVERY_STAGE = [_request(n, stage) for n, stage in enumerate(RequestStage, start=1)]
SAMPLES = {
    "nothing-open": _work(),
    "every-stage": _work(Fact.of(EVERY_STAGE), Fact.of(OpenPost(3))),
    "one-each": _work(Fact.of(EVERY_STAGE[:1]), Fact.of(OpenPost(1))),
    "many": _work(
        Fact.of([_request(n, RequestStage.AWAITING_APPROVAL) for n in range(1, 9)]),
        Fact.of(OpenPost(20, more=True)),
    ),
    "both-unchecked": _work(Fact.unchecked("error.unavailable"), Fact.unchecked("error.generic")),
}
CASES = [(locale, name, agent) for locale in LOCALES for name in SAMPLES for agent in (False, True)]


@pytest.mark.parametrize(("locale", "name", "agent"), CASES)
def test_every_open_work_card_is_valid_and_fully_filled_in(
    locale: str, name: str, agent: bool
) -> None:
    card = _card(SAMPLES[name], Translator(locale), agent=agent)
    validate_card(card)
    assert "{" not in card_text(card)


def test_without_open_work_there_is_no_line() -> None:
    text = card_text(_card(None))
    assert "Aanvragen en post" not in text and "Toon mijn aanvragen" not in text
    assert _commands(_card(None)) == []


def test_each_open_request_says_where_it_stands() -> None:
    text = card_text(_card(SAMPLES["every-stage"]))
    assert "Aanvragen en post" in text
    assert "5 openstaande aanvragen:" in text
    for number, stage in [
        (1, "ingediend"),
        (2, "wacht op goedkeuring"),
        (3, "goedgekeurd, wordt toegekend"),
        (4, "goedgekeurd, wacht tot het land in je account ingevuld is"),
        (5, "goedgekeurd, wacht op een vrije licentie"),
    ]:
        assert f"- **Power BI Pro** (LIC-2026-{number:06d}): {stage}" in text
    assert "3 poststukken wachten op afhandeling." in text


def test_counted_texts_use_the_singular_for_one() -> None:
    text = card_text(_card(SAMPLES["one-each"]))
    assert "1 openstaande aanvraag:" in text
    assert "1 poststuk wacht op afhandeling." in text
    english = card_text(_card(SAMPLES["one-each"], EN))
    assert "1 open request:" in english and "1 item waits to be handled." in english


def test_nothing_open_is_said_plainly() -> None:
    text = card_text(_card(SAMPLES["nothing-open"]))
    assert "Geen openstaande aanvragen." in text
    assert "Er wacht geen post op afhandeling." in text


def test_a_long_list_names_the_first_and_counts_the_rest() -> None:
    text = card_text(_card(SAMPLES["many"]))
    assert "8 openstaande aanvragen:" in text
    listed = [f"LIC-2026-{n:06d}" for n in range(1, 9) if f"LIC-2026-{n:06d}" in text]
    assert len(listed) == MAX_LISTED_REQUESTS
    assert "- en nog 3 andere aanvragen" in text
    assert "Meer dan 20 poststukken wachten op afhandeling." in text


def test_a_source_that_failed_says_so_and_the_other_still_shows() -> None:
    requests_down = card_text(
        _card(_work(Fact.unchecked("error.unavailable"), Fact.of(OpenPost(2))))
    )
    assert "De aanvragen konden nu niet nagekeken worden." in requests_down
    assert "2 poststukken wachten op afhandeling." in requests_down
    post_down = card_text(_card(_work(Fact.of(EVERY_STAGE[:2]), Fact.unchecked("error.generic"))))
    assert "De post kon nu niet nagekeken worden." in post_down
    assert "2 openstaande aanvragen:" in post_down


def test_the_line_does_not_change_the_verdict() -> None:
    text = card_text(_card(SAMPLES["both-unchecked"]))
    assert "Alles is in orde." in text


def test_own_card_has_a_button_to_each_list() -> None:
    assert _commands(_card(SAMPLES["every-stage"])) == [
        ("Toon mijn aanvragen", "requests"),
        ("Toon mijn post", "post"),
    ]
    assert _commands(_card(SAMPLES["nothing-open"], EN)) == [
        ("Show my requests", "requests"),
        ("Show my post", "post"),
    ]


def test_an_agents_card_shows_the_line_without_the_callers_own_buttons() -> None:
    card = _card(SAMPLES["every-stage"], agent=True)
    assert "5 openstaande aanvragen:" in card_text(card)
    assert _commands(card) == []


def test_item_names_are_shown_in_the_readers_language_and_escaped() -> None:
    odd = _request(1, RequestStage.AWAITING_APPROVAL, "Werkruimte *Begroting*", "Budget workspace")
    work = _work(Fact.of([odd]))
    assert "**Budget workspace** (LIC-2026-000001)" in card_text(_card(work, EN))
    dutch = card_text(_card(work))
    assert r"**Werkruimte \*Begroting\*** (LIC-2026-000001)" in dutch  # no bold from a name
    unnamed = _work(Fact.of([_request(2, RequestStage.SUBMITTED, "", "")]))
    assert "**LIC-2026-000002** (LIC-2026-000002)" in card_text(_card(unnamed))
