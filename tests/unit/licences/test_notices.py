"""Notices as Teams activities: every kind renders in both languages, validates, and says what
happened in its preview; the flow renders them in each recipient's language."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain.licences.notices import LicenceNotice, NoticeKind
from bot.domain.licences.requests import LicenceRequest, RequestState
from bot.i18n import LOCALES
from bot.services.licences.forms import RequestForm
from cards.verbs import Verb
from devtools.card_inspection import adaptive_cards, card_actions, find_action
from dialogs.licences.notices import ADAPTIVE_CARD, LicenceNoticeCards
from tests.support.reading import as_read
from tests.support.schemas import validate_card
from tests.unit.licences.fakes import JEF, LOTTE, THOMAS, make_flow
from tests.unit.licences.samples import PPU, PRO, decision, request, two_stage
from tests.unit.test_dispatcher import card_text

BRUSSELS = ZoneInfo("Europe/Brussels")

ADMIN_KINDS = {NoticeKind.SEATS_NEEDED, NoticeKind.USAGE_LOCATION_MISSING}
APPROVER_KINDS = {
    NoticeKind.APPROVAL_REQUEST,
    NoticeKind.APPROVAL_REMINDER,
    NoticeKind.APPROVAL_CLOSED,
}


def _request_for(kind: NoticeKind) -> LicenceRequest:
    """The request as it is when a notice of this kind is sent."""
    done: dict[NoticeKind, dict[str, Any]] = {
        NoticeKind.APPROVAL_REQUEST: {},
        NoticeKind.APPROVAL_REMINDER: {"reminded": True},
        NoticeKind.APPROVAL_CLOSED: {
            "state": RequestState.APPROVED,
            "approvers": (),
            "decisions": (decision(comment="Prima."),),
        },
        NoticeKind.STAGE_APPROVED: {},
        NoticeKind.APPROVED: {"state": RequestState.APPROVED, "decisions": (decision(),)},
        NoticeKind.REJECTED: {
            "state": RequestState.REJECTED,
            "approvers": (),
            "decisions": (decision(approved=False, comment="Geen budget."),),
        },
        NoticeKind.EXPIRED: {"state": RequestState.EXPIRED, "approvers": ()},
        NoticeKind.FULFILLED: {"state": RequestState.FULFILLED, "end_date": date(2027, 3, 31)},
        NoticeKind.WAITING_FOR_SEATS: {
            "state": RequestState.WAITING_FOR_SEATS,
            "reason": "licence.reason.no_seats",
        },
        NoticeKind.SEATS_NEEDED: {
            "state": RequestState.WAITING_FOR_SEATS,
            "reason": "licence.reason.no_seats",
        },
        NoticeKind.USAGE_LOCATION_MISSING: {
            "state": RequestState.FULFILLING,
            "reason": "licence.reason.usage_location",
        },
        NoticeKind.WAITING_FOR_COUNTRY: {
            "state": RequestState.FULFILLING,
            "reason": "licence.reason.usage_location",
        },
        NoticeKind.FAILED: {"state": RequestState.FAILED, "reason": "licence.reason.gave_up"},
        NoticeKind.ENDING_SOON: {
            "state": RequestState.FULFILLED,
            "end_date": date(2026, 12, 5),
            "end_warned": True,
        },
        NoticeKind.ENDED: {"state": RequestState.ENDED, "end_date": date(2026, 11, 27)},
    }
    if kind is NoticeKind.STAGE_APPROVED:
        return two_stage()
    return request(**done[kind])


def _notice(kind: NoticeKind) -> LicenceNotice:
    recipient = JEF if kind in APPROVER_KINDS else THOMAS if kind in ADMIN_KINDS else LOTTE
    facts = {"stage": "1"} if kind is NoticeKind.APPROVAL_CLOSED else {}
    if kind is NoticeKind.SEATS_NEEDED:
        facts = {"sku": "POWER_BI_PRO", "free_seats": "0", "waiting": "3"}
    item = PPU if kind is NoticeKind.STAGE_APPROVED else PRO
    return LicenceNotice(kind, recipient, _request_for(kind), item, facts)


CASES = [(kind, locale) for kind in NoticeKind for locale in LOCALES]


@pytest.mark.parametrize(("kind", "locale"), CASES, ids=[f"{k.value}-{loc}" for k, loc in CASES])
def test_every_notice_renders_as_a_valid_card_with_a_preview(kind: NoticeKind, locale: str) -> None:
    activity = LicenceNoticeCards(tz=BRUSSELS).render(_notice(kind), locale)
    assert activity["type"] == "message"
    assert [a["contentType"] for a in activity["attachments"]] == [ADAPTIVE_CARD]
    (card,) = adaptive_cards(activity["attachments"])
    validate_card(card)
    summary = activity["summary"]
    assert summary and "{" not in summary and not summary.startswith("licence.")
    assert "licence." not in card_text(card)  # every message id has its text
    assert "{" not in card_text(card)  # no placeholder left unfilled
    assert {a["verb"] for a in card_actions(card) if a["type"] == "Action.Execute"} <= set(Verb)


def test_an_unknown_locale_falls_back_to_dutch() -> None:
    activity = LicenceNoticeCards(tz=BRUSSELS).render(_notice(NoticeKind.APPROVED), "fr-BE")
    assert activity["summary"] == "Goedgekeurd: Power BI Pro"


def _card(kind: NoticeKind, locale: str = "nl") -> dict[str, Any]:
    (card,) = adaptive_cards(
        LicenceNoticeCards(tz=BRUSSELS).render(_notice(kind), locale)["attachments"]
    )
    return card


def test_the_approval_request_has_the_decision_buttons() -> None:
    card = _card(NoticeKind.APPROVAL_REQUEST)
    assert find_action(card, "Goedkeuren")["verb"] == Verb.LICENCE_APPROVE
    assert find_action(card, "Weigeren")["data"] == {"request": 7, "stage": 1}
    assert card["refresh"]["userIds"] == [f"8:orgid:{JEF}"]
    reminder = _card(NoticeKind.APPROVAL_REMINDER)
    assert "Herinnering" in card_text(reminder)
    assert reminder["refresh"]["action"]["data"] == {"request": 7, "reminder": True}


def test_the_closed_approval_card_replaces_the_buttons_with_the_decision() -> None:
    card = _card(NoticeKind.APPROVAL_CLOSED)
    assert not card_actions(card) and "refresh" not in card
    assert "Goedgekeurd door Jef Peeters op 28/11/2026 14:32" in card_text(card)
    assert "Prima." in card_text(card)


def test_the_requester_is_told_at_each_step() -> None:
    stage = card_text(_card(NoticeKind.STAGE_APPROVED))
    assert "Stap 1 goedgekeurd: Power BI Premium per gebruiker" in stage
    assert "de ICT-beheerders van ADV om te beslissen (stap 2 van 2)" in stage
    rejected = _card(NoticeKind.REJECTED, "en")
    assert "Rejected by Jef Peeters on 28/11/2026 14:32." in card_text(rejected)
    assert "Geen budget." in card_text(rejected)
    assert find_action(rejected, "Request again")["data"] == {"request": 7}
    assert "tot en met 31/03/2027" in card_text(_card(NoticeKind.FULFILLED))
    waiting = _card(NoticeKind.WAITING_FOR_SEATS)
    assert find_action(waiting, "Annuleren")["verb"] == Verb.LICENCE_CANCEL


def test_time_bound_access_warns_with_an_extend_button() -> None:
    card = _card(NoticeKind.ENDING_SOON)
    assert "loopt nog tot en met 05/12/2026" in card_text(card)
    extend = find_action(card, "Verlengen")
    assert (extend["verb"], extend["data"]) == (Verb.LICENCE_AGAIN, {"request": 7})


def test_the_admins_are_asked_to_act_with_a_retry_button() -> None:
    seats = _card(NoticeKind.SEATS_NEEDED)
    assert "Bestel extra licenties" in card_text(seats)
    assert "POWER_BI_PRO" in as_read(card_text(seats)) and "Lotte Janssens" in card_text(seats)
    location = _card(NoticeKind.USAGE_LOCATION_MISSING)
    assert "geen gebruikslocatie (usageLocation)" in card_text(location)
    retry = find_action(location, "Opnieuw proberen")
    assert (retry["verb"], retry["data"]) == (Verb.LICENCE_RETRY, {"request": 7})


def test_the_requester_waiting_for_the_country_reads_why_in_plain_words() -> None:
    card = _card(NoticeKind.WAITING_FOR_COUNTRY)
    shown = card_text(card)
    assert "Je aanvraag wacht: het land in je account ontbreekt" in shown
    assert "Je ICT-beheerder is verwittigd" in shown and "Power BI Pro" in shown
    assert "gebruikslocatie" not in shown and "usageLocation" not in shown
    mine = find_action(card, "Toon mijn aanvragen")
    assert (mine["verb"], mine["data"]) == (Verb.RUN_COMMAND, {"command": "requests"})
    english = card_text(_card(NoticeKind.WAITING_FOR_COUNTRY, "en"))
    assert "the country in your account is missing" in english


def test_a_failed_request_can_be_asked_again_from_its_notice() -> None:
    card = _card(NoticeKind.FAILED)
    again = find_action(card, "Opnieuw aanvragen")
    assert (again["verb"], again["data"]) == (Verb.LICENCE_AGAIN, {"request": 7})
    assert find_action(card, "Toon mijn aanvragen")["data"] == {"command": "requests"}
    # Or a person: the service desk's form, the request's reference attached.
    desk = find_action(card, "Servicedesk contacteren")
    assert desk["verb"] == Verb.TICKET_FORM
    assert re.fullmatch(r"LIC-\d{4}-\d{6}", desk["data"]["reference"])


@pytest.mark.parametrize("kind", sorted(set(NoticeKind) - APPROVER_KINDS))
def test_no_notice_ends_without_a_step(kind: NoticeKind) -> None:
    assert card_actions(_card(kind)), kind


def test_a_failure_says_why() -> None:
    text = card_text(_card(NoticeKind.FAILED))
    assert "Toekennen lukte na verschillende pogingen niet." in text
    unknown = replace(_notice(NoticeKind.FAILED), request=request(state=RequestState.FAILED))
    (card,) = adaptive_cards(LicenceNoticeCards(tz=BRUSSELS).render(unknown, "nl")["attachments"])
    assert "er ging iets mis" in card_text(card)


async def test_the_flow_renders_each_notice_in_its_recipients_language() -> None:
    world = make_flow(locales={JEF: "en"})
    result = await world.desk.submit(
        world.person(LOTTE),
        RequestForm("powerbi-pro", "Ik maak maandelijks rapporten over de tickets."),
    )
    assert result.request is not None and result.request.state is RequestState.PENDING_APPROVAL
    (message,) = world.requests.messages_to(JEF)
    assert message.dedupe_key == f"licence:{result.request.id}:approval:1:{JEF}"
    (card,) = adaptive_cards(message.activity["attachments"])
    validate_card(card)
    assert message.activity["summary"] == "Lotte Janssens requests Power BI Pro"
    assert find_action(card, "Approve")["data"] == {"request": result.request.id, "stage": 1}
