"""Approval cards and the cards of the notices a request sends on its own steps.

An approver's card asks for a decision (Approve / Reject with a comment) and carries a `refresh`
block: whenever Teams shows it to one of the stage's approvers, it asks the bot for the current
version (Verb.LICENCE_VIEW), so a copy decided elsewhere never shows live buttons. Once the stage
is decided, every copy becomes the closed card: who decided, when, with what comment; no
buttons, no refresh.
"""

from __future__ import annotations

from datetime import tzinfo

from bot.domain.licences.catalogue import CatalogueItem
from bot.domain.licences.notices import LicenceNotice, NoticeKind
from bot.domain.licences.requests import CANCELLABLE, LicenceRequest, RequestState
from bot.domain.platform.untrusted import clean_text, escape_text
from bot.i18n import Translator
from cards.base import (
    MAX_NAME,
    Card,
    Element,
    banner,
    card,
    day,
    error_block,
    execute,
    facts,
    heading,
    moment,
    text,
)
from cards.licences.common import (
    MAX_REFRESH_USERS,
    MAX_SHOWN_TEXT,
    answers_facts,
    entity_text,
    item_name,
    labelled,
    next_step,
    person,
    reason_text,
    request_facts,
    state_word,
    teams_user_mri,
)
from cards.verbs import Verb

COMMENT = "comment"
MAX_COMMENT_INPUT = 1000


# --- approvers ---------------------------------------------------------------------------------
def approval_card(
    request: LicenceRequest,
    item: CatalogueItem | None,
    t: Translator,
    tz: tzinfo,
    *,
    reminder: bool = False,
    comment: str = "",
    problem: str = "",
) -> Card:
    """The decision card for the current stage. `comment` and `problem`: what the approver
    typed and what was wrong with it (a refusal needs a reason)."""
    name = item_name(item, request.item_key, t.locale)
    requester = person(request.requester_name, t)
    title = t("licence.approval.reminder_title") if reminder else t("licence.approval.title")
    body: list[Element] = [
        heading(title),
        text(t("licence.approval.body", name=requester, item=name)),
        request_facts(request, item, t, with_requester=True, with_stage=True),
        *labelled(t("licence.fact.justification"), request.justification),
    ]
    if request.answers:
        body.append(answers_facts(request, item, t))
    for decision in request.decisions:
        earlier = t(
            "licence.approval.earlier",
            stage=decision.stage,
            name=person(decision.approver_name, t),
            at=moment(decision.at, tz),
        )
        body.append({**text(earlier, subtle=True), "separator": True})
        if decision.comment:
            comment_text = escape_text(decision.comment, limit=MAX_SHOWN_TEXT, multiline=True)
            body.append({**text(comment_text, subtle=True), "spacing": "None"})
    if request.deadline is not None:
        deadline = t("licence.approval.deadline", deadline=moment(request.deadline, tz))
        body.append({**text(deadline, subtle=True), "separator": True})
    body.append(
        {
            "type": "Input.Text",
            "id": COMMENT,
            "label": t("licence.approval.comment"),
            "placeholder": t("licence.approval.comment_hint"),
            "isMultiline": True,
            "maxLength": MAX_COMMENT_INPUT,
            # An input shows no Markdown and its text comes back on the click: cleaned only.
            "value": clean_text(comment, limit=MAX_COMMENT_INPUT, multiline=True),
        }
    )
    if problem:
        body.append(error_block(problem))
    data = {"request": request.id, "stage": request.stage}
    approve = execute(t("licence.approval.approve"), Verb.LICENCE_APPROVE, data)
    reject = execute(t("licence.approval.reject"), Verb.LICENCE_REJECT, data)
    built = card(body, [{**approve, "style": "positive"}, {**reject, "style": "destructive"}])
    view = {"request": request.id, **({"reminder": True} if reminder else {})}
    built["refresh"] = {
        "action": {"type": "Action.Execute", "verb": str(Verb.LICENCE_VIEW), "data": view},
        "userIds": [teams_user_mri(a) for a in request.approvers][:MAX_REFRESH_USERS],
    }
    return built


def closed_card(
    request: LicenceRequest,
    item: CatalogueItem | None,
    t: Translator,
    tz: tzinfo,
    *,
    stage: int | None = None,
    notice: str = "",
) -> Card:
    """A decided (or otherwise closed) stage: who decided, when, the comment. No buttons.
    `stage`: the stage the card was about (default: the last decision)."""
    body: list[Element] = []
    if notice:
        body.append(banner(notice, "Attention"))
    body.append(heading(t("licence.closed.title", reference=request.reference)))
    decision = request.decision_of(stage) if stage else request.last_decision()
    if decision is not None:
        key = "licence.closed.approved" if decision.approved else "licence.closed.rejected"
        outcome = t(key, name=person(decision.approver_name, t), at=moment(decision.at, tz))
        colour = "Good" if decision.approved else "Attention"
        body.append({**text(outcome, weight="Bolder"), "color": colour})
        if decision.comment:
            body += labelled(t("licence.fact.comment"), decision.comment)
    else:
        body.append(text(_closed_without_decision(request, t), weight="Bolder"))
    body.append(request_facts(request, item, t, with_requester=True))
    if decision is None or request.state is not RequestState.PENDING_APPROVAL:
        now = t("licence.closed.state", state=state_word(request.state, t))
    else:
        now = t("licence.closed.next_stage", stage=request.stage, total=request.total_stages)
    body.append({**text(now, subtle=True), "separator": True})
    return card(body)


def _closed_without_decision(request: LicenceRequest, t: Translator) -> str:
    if request.state is RequestState.CANCELLED:
        return t("licence.closed.cancelled")
    if request.state is RequestState.EXPIRED:
        return t("licence.closed.expired")
    return reason_text(request.reason, t) or state_word(request.state, t)


def approver_view(
    request: LicenceRequest,
    item: CatalogueItem | None,
    viewer_id: str,
    t: Translator,
    tz: tzinfo,
    *,
    reminder: bool = False,
    notice: str = "",
) -> Card:
    """The card as this viewer should see it now: with buttons only while they may decide."""
    if request.state is RequestState.PENDING_APPROVAL and viewer_id.casefold() in {
        approver.casefold() for approver in request.approvers
    }:
        return approval_card(request, item, t, tz, reminder=reminder)
    own = next(
        (d.stage for d in request.decisions if d.approver_id.casefold() == viewer_id.casefold()),
        None,
    )
    return closed_card(request, item, t, tz, stage=own, notice=notice)


def retried_card(
    request: LicenceRequest, item: CatalogueItem | None, t: Translator, tz: tzinfo
) -> Card:
    """An ICT admin's notice card after "Opnieuw proberen": the grant is being tried again."""
    body: list[Element] = [
        banner(t("licence.retry.started"), "Good"),
        heading(t("licence.retry.title", reference=request.reference)),
        request_facts(request, item, t, with_requester=True),
        text(t("licence.retry.informed"), subtle=True),
    ]
    return card(body)


# --- notices -----------------------------------------------------------------------------------
def notice_card(notice: LicenceNotice, t: Translator, tz: tzinfo) -> Card:
    """The card of one notice, in the recipient's language."""
    request, item = notice.request, notice.item
    if notice.kind in (NoticeKind.APPROVAL_REQUEST, NoticeKind.APPROVAL_REMINDER):
        reminder = notice.kind is NoticeKind.APPROVAL_REMINDER
        return approval_card(request, item, t, tz, reminder=reminder)
    if notice.kind is NoticeKind.APPROVAL_CLOSED:
        stage = notice.facts.get("stage", "")
        return closed_card(request, item, t, tz, stage=int(stage) if stage.isdigit() else None)
    body: list[Element] = [heading(_title(notice, t, card_text=True))]
    body += _notice_body(notice, t, tz)
    for_requester = notice.recipient_id.casefold() == request.requester_id.casefold()
    body.append(request_facts(request, item, t, with_requester=not for_requester))
    return card(body, _notice_actions(notice, t))


def notice_title(notice: LicenceNotice, t: Translator) -> str:
    """One line that says what the notice is about, as plain text for its preview (a
    notification shows no Markdown: names are cleaned, not escaped)."""
    return _title(notice, t, card_text=False)


def _title(notice: LicenceNotice, t: Translator, *, card_text: bool) -> str:
    request = notice.request
    decision = request.last_decision()
    shown = escape_text if card_text else clean_text
    params = {
        "item": shown(notice.item.name(t.locale), limit=MAX_NAME),
        "name": shown(request.requester_name, limit=MAX_NAME) or t("licence.someone"),
        "reference": request.reference,
        "stage": decision.stage if decision else request.stage,
        "end": day(request.end_date) if request.end_date else "",
    }
    return t(_TITLES[notice.kind], **params)


_TITLES = {
    NoticeKind.APPROVAL_REQUEST: "licence.notice.approval_request",
    NoticeKind.APPROVAL_REMINDER: "licence.notice.approval_reminder",
    NoticeKind.APPROVAL_CLOSED: "licence.notice.approval_closed",
    NoticeKind.STAGE_APPROVED: "licence.notice.stage_approved",
    NoticeKind.APPROVED: "licence.notice.approved",
    NoticeKind.REJECTED: "licence.notice.rejected",
    NoticeKind.EXPIRED: "licence.notice.expired",
    NoticeKind.FULFILLED: "licence.notice.fulfilled",
    NoticeKind.WAITING_FOR_SEATS: "licence.notice.waiting_for_seats",
    NoticeKind.SEATS_NEEDED: "licence.notice.seats_needed",
    NoticeKind.USAGE_LOCATION_MISSING: "licence.notice.usage_location_missing",
    NoticeKind.WAITING_FOR_COUNTRY: "licence.notice.waiting_for_country",
    NoticeKind.FAILED: "licence.notice.failed",
    NoticeKind.ENDING_SOON: "licence.notice.ending_soon",
    NoticeKind.ENDED: "licence.notice.ended",
}


def _notice_body(notice: LicenceNotice, t: Translator, tz: tzinfo) -> list[Element]:
    request, kind = notice.request, notice.kind
    decision = request.last_decision()
    name = escape_text(notice.item.name(t.locale), limit=MAX_NAME)
    body: list[Element] = []
    if kind in (NoticeKind.STAGE_APPROVED, NoticeKind.APPROVED, NoticeKind.REJECTED):
        if decision is not None:
            key = "licence.body.approved_by" if decision.approved else "licence.body.rejected_by"
            body.append(
                text(t(key, name=person(decision.approver_name, t), at=moment(decision.at, tz)))
            )
            if decision.comment:
                body += labelled(t("licence.fact.comment"), decision.comment)
        follow = {
            NoticeKind.STAGE_APPROVED: next_step(request, t),
            NoticeKind.APPROVED: t("licence.next.granting"),
            NoticeKind.REJECTED: t("licence.body.rejected_next"),
        }[kind]
        body.append(text(follow))
    elif kind is NoticeKind.EXPIRED:
        body.append(text(t("licence.body.expired")))
    elif kind is NoticeKind.FULFILLED:
        if request.end_date is not None:
            body.append(text(t("licence.body.fulfilled_until", end=day(request.end_date))))
        body.append(text(t("licence.body.fulfilled")))
    elif kind is NoticeKind.WAITING_FOR_SEATS:
        body.append(text(t("licence.body.waiting_for_seats")))
    elif kind is NoticeKind.SEATS_NEEDED:
        entity = entity_text(request.entity)
        body.append(text(t("licence.body.seats_needed", item=name, entity=entity)))
        pairs = [
            (t(label), escape_text(notice.facts[fact], limit=MAX_NAME))
            for fact, label in (
                ("sku", "licence.fact.sku"),
                ("free_seats", "licence.fact.free_seats"),
                ("waiting", "licence.fact.waiting"),
            )
            if notice.facts.get(fact)
        ]
        if pairs:
            body.append(facts(pairs))
    elif kind is NoticeKind.USAGE_LOCATION_MISSING:
        requester = person(request.requester_name, t)
        body.append(text(t("licence.body.usage_location", name=requester, item=name)))
    elif kind is NoticeKind.WAITING_FOR_COUNTRY:
        body.append(text(t("licence.body.waiting_for_country", item=name)))
    elif kind is NoticeKind.FAILED:
        reason = reason_text(request.reason, t) or t("licence.reason.unknown")
        body.append(text(t("licence.body.failed", reason=reason)))
    elif kind is NoticeKind.ENDING_SOON:
        end = day(request.end_date) if request.end_date else "-"
        body.append(text(t("licence.body.ending_soon", item=name, end=end)))
    elif kind is NoticeKind.ENDED:
        body.append(text(t("licence.body.ended", item=name)))
    return body


def _notice_actions(notice: LicenceNotice, t: Translator) -> list[Element]:
    """Every notice ends in a step: ask again, extend, retry, cancel, or the person's requests."""
    request, kind = notice.request, notice.kind
    target = {"request": request.id}
    for_requester = notice.recipient_id.casefold() == request.requester_id.casefold()
    if kind in (NoticeKind.REJECTED, NoticeKind.EXPIRED):
        return [execute(t("licence.again"), Verb.LICENCE_AGAIN, target)]
    if kind is NoticeKind.FAILED and for_requester:
        # The form again, filled in from this request; what it sends is a new request. Or a
        # person of the service desk, with the request's reference attached to the question.
        ask = {"reference": request.reference}
        return [
            execute(t("licence.again"), Verb.LICENCE_AGAIN, target),
            execute(t("error.contact"), Verb.TICKET_FORM, ask),
            _my_requests(t),
        ]
    if kind is NoticeKind.ENDING_SOON:
        return [{**execute(t("licence.extend"), Verb.LICENCE_AGAIN, target), "style": "positive"}]
    if kind is NoticeKind.ENDED:
        return [execute(t("licence.mine.new"), Verb.RUN_COMMAND, {"command": "licence"})]
    if kind in (NoticeKind.SEATS_NEEDED, NoticeKind.USAGE_LOCATION_MISSING):
        return [execute(t("licence.retry"), Verb.LICENCE_RETRY, target)]
    if kind is NoticeKind.WAITING_FOR_SEATS and request.state in CANCELLABLE:
        cancel = execute(t("licence.cancel"), Verb.LICENCE_CANCEL, target)
        return [{**cancel, "associatedInputs": "None"}]
    return [_my_requests(t)] if for_requester else []


def _my_requests(t: Translator) -> Element:
    return execute(t("licence.mine.show"), Verb.RUN_COMMAND, {"command": "requests"})
