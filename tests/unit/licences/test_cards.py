"""The licence cards: valid Adaptive Cards 1.5 in both languages, and what a reader sees on them."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain.licences.requests import RESUBMITTABLE, RequestState
from bot.i18n import LOCALES, Translator, catalog_messages
from bot.services.licences.forms import FieldError
from cards.licences.forms import (
    Draft,
    already_granted_card,
    existing_card,
    form_card,
    picker_card,
    received_card,
    requests_card,
)
from cards.licences.status import approval_card, approver_view, closed_card, retried_card
from cards.verbs import Verb
from devtools.card_inspection import card_nodes
from tests.support.schemas import validate_card
from tests.unit.licences.fakes import JEF, LOTTE, THOMAS, TINE
from tests.unit.licences.samples import (
    AUTOMATE,
    BUDGET,
    CATALOGUE,
    ITEMS,
    PPU,
    PRO,
    decision,
    in_every_state,
    request,
    two_stage,
)
from tests.unit.test_dispatcher import card_text

BRUSSELS = ZoneInfo("Europe/Brussels")

ROOT = Path(__file__).resolve().parents[3]
TODAY = date(2026, 11, 28)
ERRORS = [
    FieldError("justification", "licence.form.error.justification_short", {"count": 20}),
    FieldError(
        "end_date", "licence.form.error.end_too_late", {"count": 180, "latest": "2027-05-27"}
    ),
    FieldError("answer.processes", "licence.form.error.required"),
    FieldError("item", "licence.form.error.previous"),
]


def all_cards(t: Translator) -> Iterator[tuple[str, dict[str, Any]]]:
    yield "picker", picker_card(CATALOGUE.items, t)
    yield "picker-empty", picker_card([], t)
    yield "picker-problem", picker_card([PRO], t, problem=t("licence.form.error.item"))
    yield "form", form_card(PRO, t, today=TODAY, other_items=True)
    yield "form-bounded", form_card(PPU, t, today=TODAY, max_days=180)
    yield "form-question", form_card(AUTOMATE, t, today=TODAY)
    yield "form-optional-question", form_card(BUDGET, t, today=TODAY, max_days=365)
    typed = Draft("te kort", date(2027, 6, 1), {"processes": ""}, "LIC-2026-000003")
    yield (
        "form-errors",
        form_card(AUTOMATE, t, today=TODAY, max_days=180, draft=typed, problems=ERRORS),
    )
    yield (
        "form-extend",
        form_card(
            PPU, t, today=TODAY, max_days=180, draft=Draft("x", None, {}, "LIC-2026-000001", True)
        ),
    )
    for shape in in_every_state():
        name = f"{shape.state.value}-{shape.id}"
        yield f"received-{name}", received_card(shape, ITEMS.get(shape.item_key), t, tz=BRUSSELS)
        yield f"existing-{name}", existing_card(shape, ITEMS.get(shape.item_key), t, tz=BRUSSELS)
        yield f"closed-{name}", closed_card(shape, ITEMS.get(shape.item_key), t, tz=BRUSSELS)
    yield "received-two-stage", received_card(two_stage(), PPU, t, tz=BRUSSELS)
    yield "already-granted", already_granted_card(PRO, t)
    yield "mine", requests_card(in_every_state(), ITEMS, t, notice="Gedaan.", tz=BRUSSELS)
    yield "mine-empty", requests_card([], ITEMS, t, tz=BRUSSELS)
    yield "approval", approval_card(request(), PRO, t, tz=BRUSSELS)
    yield (
        "approval-reminder",
        approval_card(request(reminded=True), PRO, t, reminder=True, tz=BRUSSELS),
    )
    yield "approval-stage-2", approval_card(two_stage(), PPU, t, tz=BRUSSELS)
    yield (
        "approval-problem",
        approval_card(request(), PRO, t, comment="", problem="Reden?", tz=BRUSSELS),
    )
    answered = request(item_key=AUTOMATE.key, answers={"processes": "Facturen", "old": "x"})
    yield "approval-answers", approval_card(answered, AUTOMATE, t, tz=BRUSSELS)
    yield "approval-item-gone", approval_card(request(item_key="gone"), None, t, tz=BRUSSELS)
    yield "closed-stage-1", closed_card(two_stage(), PPU, t, stage=1, tz=BRUSSELS)
    yield (
        "closed-notice",
        closed_card(two_stage(), PPU, t, stage=1, notice="Al beslist.", tz=BRUSSELS),
    )
    yield "retried", retried_card(request(state=RequestState.FULFILLING), PRO, t, tz=BRUSSELS)


CASES = [(loc, name, card) for loc in LOCALES for name, card in all_cards(Translator(loc))]


@pytest.mark.parametrize(("locale", "name", "card"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_every_card_is_a_valid_adaptive_card_1_5(
    locale: str, name: str, card: dict[str, Any]
) -> None:
    validate_card(card)
    text = card_text(card)
    assert not re.search(r"\blicence\.[a-z_]+\.", text), "a message id without a text"
    assert "{" not in text, "a placeholder left unfilled"


def _executes(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in card_nodes(card) if n.get("type") == "Action.Execute"]


def _inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["id"]: n for n in card_nodes(card) if str(n.get("type", "")).startswith("Input.")}


def test_cards_use_only_declared_verbs() -> None:
    used = {action["verb"] for _, _, card in CASES for action in _executes(card)}
    assert used <= {verb.value for verb in Verb}


def test_the_picker_offers_each_item_with_its_description() -> None:
    card = picker_card(CATALOGUE.items, Translator("nl"))
    picks = [a["data"]["item"] for a in _executes(card)]
    # Each item twice: its row is clickable and it has its own button.
    assert picks == [key for key in ITEMS for _ in range(2)]
    assert "Grote datasets, paginated reports" in card_text(card)


def test_server_errors_stand_right_under_their_input_and_typed_values_stay() -> None:
    t = Translator("nl")
    typed = Draft("te kort", date(2027, 6, 1), {"processes": ""}, "LIC-2026-000003")
    card = form_card(AUTOMATE, t, today=TODAY, max_days=180, draft=typed, problems=ERRORS)
    body = card["body"]
    ids = [element.get("id") for element in body]

    def under(input_id: str) -> dict[str, Any]:
        element: dict[str, Any] = body[ids.index(input_id) + 1]
        return element

    assert under("justification")["color"] == "Attention"
    assert under("justification")["text"] == (
        "Schrijf minstens 20 tekens: waarvoor heb je het nodig?"
    )
    assert (
        under("end_date")["text"]
        == "Dit kan voor hoogstens 180 dagen: kies ten laatste 27/05/2027."
    )
    assert under("answer.processes")["text"] == "Vul dit in."
    assert "Kijk de gemarkeerde velden na." in card_text(card)
    assert "Die eerdere aanvraag" in card_text(card)  # the form-wide error, near the top
    inputs = _inputs(card)
    assert inputs["justification"]["value"] == "te kort"
    assert inputs["end_date"]["value"] == "2027-06-01"
    assert inputs["answer.processes"]["isRequired"] is True
    assert _executes(card)[0]["data"] == {
        "item": AUTOMATE.key,
        "previous": "LIC-2026-000003",
        "extend": False,
    }


def test_the_end_date_follows_the_offer() -> None:
    t = Translator("nl")
    free = _inputs(form_card(PRO, t, today=TODAY))["end_date"]
    assert free["min"] == "2026-11-29" and "max" not in free and not free.get("isRequired")
    bounded = _inputs(form_card(PPU, t, today=TODAY, max_days=180))["end_date"]
    assert (bounded["min"], bounded["max"], bounded["isRequired"]) == (
        "2026-11-29",
        "2027-05-27",
        True,
    )
    assert bounded["label"] == "Tot wanneer? (hoogstens 180 dagen)"


def test_the_justification_input_says_what_is_expected() -> None:
    field = _inputs(form_card(PRO, Translator("en"), today=TODAY))["justification"]
    assert field["isMultiline"] and field["isRequired"] and field["maxLength"] == 2000
    assert field["errorMessage"] == "Write at least 20 characters."


def test_the_receipt_gives_the_reference_and_who_decides() -> None:
    text = card_text(received_card(request(), PRO, Translator("nl"), tz=BRUSSELS))
    assert "Ontvangen, referentie **LIC-2026-000007**." in text
    assert "Nu is het aan je leidinggevende om te beslissen." in text
    stage_two = card_text(received_card(two_stage(), PPU, Translator("nl"), tz=BRUSSELS))
    assert "de ICT-beheerders van ADV om te beslissen (stap 2 van 2)" in stage_two
    assert "31/03/2027" in stage_two


def test_my_requests_newest_first_with_what_each_still_allows() -> None:
    card = requests_card(in_every_state(), ITEMS, Translator("nl"), tz=BRUSSELS)
    rows = [element for element in card["body"] if element.get("type") == "Container"]
    assert len(rows) == 10  # at most ten, the newest
    buttons = {}
    for row in rows:
        found = re.search(r"LIC-2026-\d{6}", card_text(row))
        assert found is not None
        buttons[found.group()] = [(a["verb"], a["title"]) for a in _executes(row)]
    references = list(buttons)
    assert references == sorted(references, reverse=True)
    by_state = {r.reference: r.state for r in in_every_state()}
    for reference, actions in buttons.items():
        state = by_state[reference]
        if state in (RequestState.PENDING_APPROVAL, RequestState.WAITING_FOR_SEATS):
            assert actions == [(Verb.LICENCE_CANCEL, "Annuleren")], state
        elif state is RequestState.FAILED:
            assert actions == [
                (Verb.LICENCE_AGAIN, "Opnieuw aanvragen"),
                (Verb.TICKET_FORM, "Servicedesk contacteren"),
            ]
        elif state in RESUBMITTABLE:
            assert actions == [(Verb.LICENCE_AGAIN, "Opnieuw aanvragen")], state
        elif state is RequestState.FULFILLED and reference == "LIC-2026-000104":
            assert actions == [(Verb.LICENCE_AGAIN, "Verlengen")]
        else:
            assert actions == [], state
    offered = {action for actions in buttons.values() for action in actions}
    assert offered == {
        (Verb.LICENCE_CANCEL, "Annuleren"),
        (Verb.LICENCE_AGAIN, "Opnieuw aanvragen"),
        (Verb.LICENCE_AGAIN, "Verlengen"),
        (Verb.TICKET_FORM, "Servicedesk contacteren"),
    }
    assert "Alleen je 10 recentste aanvragen" in card_text(card)
    assert "Geweigerd door Jef Peeters." in card_text(card)
    assert "gone-from-catalogue" in card_text(card)  # an item removed still shows its key


@pytest.mark.parametrize(
    ("locale", "title"), [("nl", "Servicedesk contacteren"), ("en", "Contact the service desk")]
)
def test_a_failed_request_in_the_list_offers_the_service_desk_with_its_reference(
    locale: str, title: str
) -> None:
    failed = request(id=31, reference="LIC-2026-000031", state=RequestState.FAILED, approvers=())
    card = requests_card([failed], ITEMS, Translator(locale), tz=BRUSSELS)
    [row] = [element for element in card["body"] if element.get("type") == "Container"]
    again, contact = _executes(row)
    assert (again["verb"], again["data"]) == (Verb.LICENCE_AGAIN, {"request": 31})
    # The service desk's form, with the request's reference attached (as from its notice).
    assert contact["title"] == title
    assert (contact["verb"], contact["data"]) == (
        Verb.TICKET_FORM,
        {"reference": "LIC-2026-000031"},
    )


def test_the_approval_card_asks_for_a_decision_and_refreshes_for_its_approvers() -> None:
    card = approval_card(two_stage(), PPU, Translator("nl"), tz=BRUSSELS)
    text = card_text(card)
    assert "Lotte Janssens vraagt Power BI Premium per gebruiker aan." in text
    assert "2 van 2" in text and "ADV" in text and "31/03/2027" in text
    assert "helpdesktickets" in text  # the justification
    assert "Stap 1 goedgekeurd door Jef Peeters op 28/11/2026 14:32." in text
    assert "Akkoord, voor het dashboardproject." in text
    assert [(a["verb"], a["data"]) for a in card["actions"]] == [
        (Verb.LICENCE_APPROVE, {"request": 7, "stage": 2}),
        (Verb.LICENCE_REJECT, {"request": 7, "stage": 2}),
    ]
    assert "comment" in _inputs(card)
    refresh = card["refresh"]
    assert refresh["action"] == {
        "type": "Action.Execute",
        "verb": Verb.LICENCE_VIEW,
        "data": {"request": 7},
    }
    assert refresh["userIds"] == [f"8:orgid:{THOMAS}", f"8:orgid:{TINE}"]


def test_the_closed_card_says_who_decided_and_has_no_buttons() -> None:
    rejected = request(
        state=RequestState.REJECTED,
        approvers=(),
        decisions=(decision(approved=False, comment="Niet voor dit project."),),
    )
    for card in (
        closed_card(rejected, PRO, Translator("nl"), tz=BRUSSELS),
        closed_card(two_stage(), PPU, Translator("nl"), stage=1, tz=BRUSSELS),
        approver_view(rejected, PRO, JEF, Translator("nl"), tz=BRUSSELS),
    ):
        assert "actions" not in card and "refresh" not in card
        assert not _executes(card) and not _inputs(card)
    text = card_text(closed_card(rejected, PRO, Translator("en"), tz=BRUSSELS))
    assert "Rejected by Jef Peeters on 28/11/2026 14:32" in text
    assert "Niet voor dit project." in text
    stage_one = card_text(closed_card(two_stage(), PPU, Translator("nl"), stage=1, tz=BRUSSELS))
    assert "Goedgekeurd door Jef Peeters op 28/11/2026 14:32" in stage_one
    assert "nu bij stap 2 van 2" in stage_one


def test_the_approver_view_shows_buttons_only_to_who_may_decide_now() -> None:
    t = Translator("nl")
    assert _executes(approver_view(two_stage(), PPU, THOMAS.upper(), t, tz=BRUSSELS))
    assert not _executes(approver_view(two_stage(), PPU, JEF, t, tz=BRUSSELS))  # decided stage 1
    assert not _executes(approver_view(two_stage(), PPU, LOTTE, t, tz=BRUSSELS))


def test_every_state_and_every_message_id_the_services_use_has_a_text() -> None:
    """Message ids the domain and services pass positionally (DomainError, FieldError, reasons)
    are invisible to test_i18n's scan: look for them here."""
    used = {f"licence.state.{state.value}" for state in RequestState}
    pattern = re.compile(r"^licence\.(error|reason|form\.error)\.[a-z_]+$")
    for path in [*ROOT.glob("bot/domain/licences/*.py"), *ROOT.glob("bot/services/licences/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and pattern.match(str(node.value)):
                used.add(str(node.value))
    assert len(used) > 25
    for locale in LOCALES:
        assert used <= set(catalog_messages(locale)), locale
