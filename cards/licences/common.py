"""What every licence card shares: dates the domain gives as text, states and reasons in words,
who decides, and the facts that sum a request up.

The cards themselves are in cards/licences/forms.py (what a requester fills in and sees) and
cards/licences/status.py (approval cards and the notices sent on the request's own steps).
Dates are written as cards/base.py writes them, for every capability.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from bot.domain.licences.catalogue import ApproverKind, CatalogueItem
from bot.domain.licences.requests import LicenceRequest, RequestState
from bot.domain.platform.untrusted import escape_text
from bot.i18n import Translator
from cards.base import MAX_NAME, Element, day, facts, moment, text

# Teams refreshes a card automatically for at most this many users.
MAX_REFRESH_USERS = 60
# Justifications and comments are shown whole up to the desk's own limit; longer ones are cut.
MAX_SHOWN_TEXT = 2000
# An answer to one of an item's questions, as the approver reads it.
MAX_SHOWN_ANSWER = 300

STATE_COLOUR = {
    RequestState.SUBMITTED: "Default",
    RequestState.PENDING_APPROVAL: "Accent",
    RequestState.APPROVED: "Good",
    RequestState.FULFILLING: "Good",
    RequestState.FULFILLED: "Good",
    RequestState.REJECTED: "Attention",
    RequestState.CANCELLED: "Default",
    RequestState.EXPIRED: "Warning",
    RequestState.WAITING_FOR_SEATS: "Warning",
    RequestState.FAILED: "Attention",
    RequestState.ENDED: "Default",
}


def iso_moment(value: str, tz: tzinfo) -> str:
    """A moment the domain gave as ISO text ("2026-11-28T13:32+00:00"), written for people;
    text that is no moment is shown as it is."""
    try:
        return moment(datetime.fromisoformat(value), tz)
    except ValueError:
        return value


def iso_day(value: str) -> str:
    try:
        return day(date.fromisoformat(value))
    except ValueError:
        return value


def state_word(state: RequestState, t: Translator) -> str:
    return t(f"licence.state.{state.value}")


def state_block(state: RequestState, t: Translator) -> Element:
    """The state as a coloured word (never colour alone)."""
    return {**text(state_word(state, t), weight="Bolder"), "color": STATE_COLOUR[state]}


def reason_text(reason: str, t: Translator) -> str:
    """Why a request failed or waits, from its message id; "" when there is none."""
    return t(reason) if reason.startswith("licence.") else ""


def item_name(item: CatalogueItem | None, key: str, locale: str) -> str:
    """The item's name as card text (it comes from an imported workbook); an item removed from
    the catalogue still shows its key."""
    return escape_text(item.name(locale) if item is not None else key, limit=MAX_NAME)


def person(name: str, t: Translator) -> str:
    """A person's name as card text (the directory's, or what a card once recorded)."""
    return escape_text(name, limit=MAX_NAME) or t("licence.someone")


def entity_text(code: str) -> str:
    """An entity code as card text (from the catalogue workbook)."""
    return escape_text(code, limit=MAX_NAME)


def who_decides(request: LicenceRequest, t: Translator) -> str:
    """Who decides the current stage, in words: "je leidinggevende", "de ICT-beheerders van ADV"."""
    stage = request.current_stage()
    if stage is None:
        return ""
    if stage.approver is ApproverKind.MANAGER:
        return t("licence.who.manager")
    if stage.approver is ApproverKind.ENTITY_ADMIN:
        return t("licence.who.entity_admin", entity=entity_text(request.entity) or "?")
    return t("licence.who.named")


def next_step(request: LicenceRequest, t: Translator) -> str:
    """What happens next with a request, in one sentence."""
    if request.state is RequestState.PENDING_APPROVAL:
        who = who_decides(request, t)
        if request.total_stages > 1:
            return t(
                "licence.next.stage",
                who=who,
                stage=request.stage,
                total=request.total_stages,
            )
        return t("licence.next.decides", who=who)
    if request.state is RequestState.SUBMITTED:
        return t("licence.next.resolving")
    if request.state in (RequestState.APPROVED, RequestState.FULFILLING):
        return t("licence.next.granting")
    if request.state is RequestState.WAITING_FOR_SEATS:
        return t("licence.next.seats")
    return reason_text(request.reason, t)


def request_facts(
    request: LicenceRequest,
    item: CatalogueItem | None,
    t: Translator,
    *,
    with_requester: bool = False,
    with_stage: bool = False,
) -> Element:
    """Reference, what, until when (and who asked, for whom decides; which stage)."""
    pairs: list[tuple[str, str]] = []
    if with_requester:
        pairs.append((t("licence.fact.requester"), person(request.requester_name, t)))
        pairs.append(
            (t("licence.fact.entity"), entity_text(request.entity) or t("licence.fact.no_entity"))
        )
    pairs.append((t("licence.fact.item"), item_name(item, request.item_key, t.locale)))
    until = day(request.end_date) if request.end_date else t("licence.fact.no_end")
    pairs.append((t("licence.fact.until"), until))
    if with_stage and request.total_stages:
        pairs.append(
            (
                t("licence.fact.stage"),
                t("licence.stage_of", stage=max(request.stage, 1), total=request.total_stages),
            )
        )
    pairs.append((t("licence.fact.reference"), request.reference))
    return facts(pairs)


def labelled(label: str, value: str) -> list[Element]:
    """A bold label (ours) over a longer text a person wrote (justification, comment)."""
    return [
        {**text(label, weight="Bolder"), "spacing": "Medium"},
        {**text(escape_text(value, limit=MAX_SHOWN_TEXT, multiline=True)), "spacing": "Small"},
    ]


def answers_facts(request: LicenceRequest, item: CatalogueItem | None, t: Translator) -> Element:
    """The answers to the item's questions, under the questions' labels (unknown keys as is).
    Labels come from the catalogue workbook and answers from the requester: both escaped."""
    labels = {q.key: q.label(t.locale) for q in item.questions} if item else {}
    pairs = [
        (
            escape_text(labels.get(key, key), limit=MAX_NAME),
            escape_text(value, limit=MAX_SHOWN_ANSWER),
        )
        for key, value in request.answers.items()
    ]
    return facts(pairs)


def teams_user_mri(user_id: str) -> str:
    """The Teams id (MRI) of an Entra user, as a card's refresh.userIds expects it."""
    return f"8:orgid:{user_id}"
