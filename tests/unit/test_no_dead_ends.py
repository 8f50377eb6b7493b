"""No dead ends (issue #11): every card Werkplek sends offers a next step (a button in its actions
or in its body), except the few that close something and need none. The samples are the ones
the accessibility test walks (tests/support/card_samples.py), so a new card is held to this too.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.i18n import LOCALES, Translator
from cards.licences import admin, forms
from cards.platform import availability, workbooks
from cards.post import lists, rules
from cards.verbs import Verb
from tests.support.card_samples import SAMPLERS, TODAY, Built
from tests.unit.licences.samples import PRO

# Cards that close something: the answer itself is the end, and a button would only distract.
FINAL = {
    # An answer to "profiel": what the directory says, nothing to do about it here.
    "cards.platform.profile.profile_card",
    # An approver's card once the stage is decided: by design without buttons or refresh.
    "cards.licences.status.closed_card",
    "cards.licences.status.approver_view",
    # The ICT admin's "Opnieuw proberen" acknowledged: the requester is told what follows.
    "cards.licences.status.retried_card",
    # Done: the catalogue and the routing rules are in place.
    "cards.licences.admin.import_done_card",
    "cards.post.rules.applied_card",
    # A person's words in their ticket's thread: the next step is to answer in the thread (the
    # card says so); a button's answer would replace the card, and the words with it.
    "cards.servicedesk.relay.thread_message_card",
    # A recalled announcement: there is nothing left to read or do.
    "cards.announcements.message.announcement_recalled",
}
FINAL_SHAPES = {
    ("cards.licences.status.notice_card", "approval_closed"),
    # An announcement to read, with no link and nothing to acknowledge: the reading is the end.
    ("cards.announcements.message.announcement_message", "plain"),
}


def _has_a_step(card: dict[str, Any]) -> bool:
    return bool(card.get("actions")) or '"Action.' in json.dumps(card["body"])


def _samples() -> list[tuple[str, str, str, Built]]:
    return [
        (locale, sampler.__name__, shape, built)
        for locale in LOCALES
        for sampler in SAMPLERS
        for shape, built in sampler(Translator(locale))
    ]


SAMPLES = _samples()


@pytest.mark.parametrize(
    ("locale", "sampler", "shape", "built"),
    SAMPLES,
    ids=[f"{loc}-{built.builder.rsplit('.', 1)[-1]}-{shape}" for loc, _, shape, built in SAMPLES],
)
def test_every_answer_offers_a_next_step(
    locale: str, sampler: str, shape: str, built: Built
) -> None:
    if built.builder in FINAL or (built.builder, shape) in FINAL_SHAPES:
        return
    # An answer over several cards (a long list of problems) ends in its step on the last one.
    assert _has_a_step(built.cards[-1]), f"{built.builder} ({shape}) ends without a step"


def test_the_final_list_names_only_cards_that_exist() -> None:
    builders = {built.builder for _, _, _, built in SAMPLES}
    assert builders >= FINAL
    assert {builder for builder, _ in FINAL_SHAPES} <= builders


def _runs(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [a["data"] for a in card.get("actions", []) if a.get("verb") == str(Verb.RUN_COMMAND)]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_steps_lead_where_the_person_can_go_on(locale: str) -> None:
    t = Translator(locale)
    # A workbook not taken: the rules or the catalogue as they are, to edit and send again.
    assert _runs(rules.rejected_cards(["Regel 3: geen bestemming"], t)[-1]) == [
        {"command": "post_rules"}
    ]
    assert _runs(rules.outside_entity_cards(["ADV"], ["R-001"], t)[-1]) == [
        {"command": "post_rules"}
    ]
    assert _runs(admin.import_problem_cards(["Rij 4: geen naam"], t)[-1]) == [
        {"command": "catalogue"}
    ]
    # Nothing to request, or already held: a new request or one's own requests.
    assert _runs(forms.picker_card([], t)) == [{"command": "requests"}]
    assert _runs(forms.already_granted_card(PRO, t)) == [
        {"command": "licence"},
        {"command": "requests"},
    ]
    # No post while away: one's post.
    assert _runs(lists.delegations_card([], {}, t, today=TODAY)) == [{"command": "post"}]
    # A file not taken, the database away: what Werkplek can do, or the same command again.
    for card in (
        workbooks.inbox_refused_card(t),
        workbooks.one_workbook_card([], t),
        rules.refused_card(t),
        admin.import_refused_card(t),
        availability.unavailable_card("WP-00000000", t),
    ):
        assert _runs(card) == [{"command": "help"}]
    again = availability.unavailable_card("WP-00000000", t, retry=("post", "factuur"))
    assert _runs(again) == [{"command": "post", "args": "factuur"}]
