"""The requester's licence cards: pick an item, fill in the form, the receipt, my requests.

The form is step 2 of a request: the chosen item, why it is needed, until when, and the item's
own questions. Teams checks required inputs before it sends; the desk checks everything again,
and its problems (FieldError) are shown in attention colour right under their input, with what
the person typed kept in place, so nothing has to be typed twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo
from typing import Protocol

from bot.domain.licences.catalogue import CatalogueItem
from bot.domain.licences.requests import (
    CANCELLABLE,
    RESUBMITTABLE,
    LicenceRequest,
    RequestState,
)
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
    heading,
    text,
    worded,
)
from cards.licences.common import (
    iso_day,
    item_name,
    next_step,
    person,
    reason_text,
    request_facts,
    state_block,
)
from cards.verbs import Verb

# The longest texts the form accepts (the desk checks the same limits; the card stops typing).
MAX_JUSTIFICATION_INPUT = 2000
MAX_ANSWER_INPUT = 500
# Inputs of the form, as the card names them and their values come back in Action.Execute data.
JUSTIFICATION = "justification"
END_DATE = "end_date"
ANSWER_PREFIX = "answer."
# A list of requests longer than this is cut; the newest are shown.
MAX_LISTED = 10
# An item's description from the catalogue workbook, as the picker and the form show it.
MAX_DESCRIPTION = 500


class InputProblem(Protocol):
    """A problem with one input (bot.services.licences.forms.FieldError has this shape)."""

    @property
    def input(self) -> str: ...

    @property
    def message_key(self) -> str: ...

    @property
    def params(self) -> Mapping[str, str | int]: ...


@dataclass(frozen=True, slots=True)
class Draft:
    """What the form shows in its inputs: typed before, or copied from an earlier request."""

    justification: str = ""
    end_date: date | None = None
    answers: Mapping[str, str] = field(default_factory=dict)
    previous_reference: str = ""  # a resubmission or an extension of that request
    extending: bool = False


def problem_text(problem: InputProblem, t: Translator) -> str:
    """The problem in words for a card; a param may echo what the person typed: escaped."""
    params = {
        name: iso_day(str(value)) if name == "latest" else value
        for name, value in problem.params.items()
    }
    return worded(problem.message_key, params, t)


def _description(item: CatalogueItem, locale: str) -> str:
    return escape_text(item.description(locale), limit=MAX_DESCRIPTION)


# --- step 1: which item ------------------------------------------------------------------------
def picker_card(items: Sequence[CatalogueItem], t: Translator, *, problem: str = "") -> Card:
    """Every item the person may request, with what it is for and a button to choose it.
    `problem`: why the person is back here (the item they chose is no longer offered)."""
    body: list[Element] = [banner(problem, "Attention")] if problem else []
    body.append(heading(t("licence.pick.title")))
    if not items:
        return card([*body, text(t("licence.pick.none"))], [_my_requests(t)])
    body.append(text(t("licence.pick.body")))
    for item in items:
        choose = execute(t("licence.pick.choose"), Verb.LICENCE_PICK, {"item": item.key})
        about: list[Element] = [text(item_name(item, item.key, t.locale), weight="Bolder")]
        if description := _description(item, t.locale):
            about.append({**text(description, subtle=True), "spacing": "None"})
        body.append(
            {
                "type": "ColumnSet",
                "separator": True,
                "columns": [
                    {"type": "Column", "width": "stretch", "items": about, "selectAction": choose},
                    {
                        "type": "Column",
                        "width": "auto",
                        "verticalContentAlignment": "Center",
                        "items": [{"type": "ActionSet", "actions": [choose]}],
                    },
                ],
            }
        )
    return card(body)


# --- step 2: the form --------------------------------------------------------------------------
def form_card(
    item: CatalogueItem,
    t: Translator,
    *,
    today: date,
    max_days: int | None = None,
    draft: Draft | None = None,
    problems: Sequence[InputProblem] = (),
    other_items: bool = False,
) -> Card:
    """The request form for one item. `max_days`: the offer's longest access (the end date is
    then required and bounded); `other_items`: offer a way back to the picker."""
    draft = draft or Draft()
    by_input: dict[str, list[str]] = {}
    for problem in problems:
        by_input.setdefault(problem.input, []).append(problem_text(problem, t))
    name = item_name(item, item.key, t.locale)
    if draft.extending:
        title = t("licence.form.title_extend", item=name)
    elif draft.previous_reference:
        title = t("licence.form.title_again", item=name)
    else:
        title = t("licence.form.title", item=name)
    body: list[Element] = [heading(title)]
    if description := _description(item, t.locale):
        body.append(text(description, subtle=True))
    if draft.previous_reference:
        previous = escape_text(draft.previous_reference, limit=MAX_NAME)
        body.append(text(t("licence.form.follows", reference=previous)))
    if problems:
        body.append(banner(t("licence.form.check"), "Attention"))
    body += [error_block(message) for message in by_input.get("item", [])]

    body.append(
        {
            "type": "Input.Text",
            "id": JUSTIFICATION,
            "label": t("licence.form.justification"),
            "placeholder": t("licence.form.justification_hint"),
            "isMultiline": True,
            "isRequired": True,
            "errorMessage": t.n("licence.form.justification_error", item.min_justification),
            "maxLength": MAX_JUSTIFICATION_INPUT,
            # Inputs show no Markdown and send their text back: cleaned, never escaped.
            "value": clean_text(draft.justification, limit=MAX_JUSTIFICATION_INPUT, multiline=True),
        }
    )
    body += [error_block(message) for message in by_input.get(JUSTIFICATION, [])]

    end_date: Element = {
        "type": "Input.Date",
        "id": END_DATE,
        "min": (today + timedelta(days=1)).isoformat(),
    }
    if max_days is not None:
        end_date |= {
            "label": t.n("licence.form.end_date_required", max_days),
            "isRequired": True,
            "errorMessage": t.n("licence.form.end_date_error", max_days),
            "max": (today + timedelta(days=max_days)).isoformat(),
        }
    else:
        end_date["label"] = t("licence.form.end_date")
    if draft.end_date is not None:
        end_date["value"] = draft.end_date.isoformat()
    body.append(end_date)
    body += [error_block(message) for message in by_input.get(END_DATE, [])]

    for question in item.questions:
        input_id = ANSWER_PREFIX + question.key
        answer: Element = {
            "type": "Input.Text",
            "id": input_id,
            "label": clean_text(question.label(t.locale), limit=MAX_NAME),
            "maxLength": MAX_ANSWER_INPUT,
            "value": clean_text(draft.answers.get(question.key, ""), limit=MAX_ANSWER_INPUT),
        }
        if question.required:
            answer |= {"isRequired": True, "errorMessage": t("licence.form.error.required")}
        body.append(answer)
        body += [error_block(message) for message in by_input.get(input_id, [])]

    body.append(text(t("licence.form.privacy"), subtle=True))
    data = {"item": item.key, "previous": draft.previous_reference, "extend": draft.extending}
    actions = [{**execute(t("licence.form.send"), Verb.LICENCE_SUBMIT, data), "style": "positive"}]
    if other_items:
        back = execute(t("licence.form.other_item"), Verb.LICENCE_PICK, {})
        actions.append({**back, "associatedInputs": "None"})
    return card(body, actions)


# --- after sending -----------------------------------------------------------------------------
def received_card(
    request: LicenceRequest, item: CatalogueItem | None, t: Translator, tz: tzinfo
) -> Card:
    """The receipt: the reference at once, what was asked, and who decides next."""
    body: list[Element] = [
        heading(t("licence.received.title")),
        text(t("licence.received.body", reference=request.reference)),
        request_facts(request, item, t),
    ]
    step = next_step(request, t)
    if step:
        body.append(text(step))
    body.append(text(t("licence.received.informed"), subtle=True))
    actions = []
    if request.state in CANCELLABLE:
        actions.append(_cancel(request, t))
    actions.append(_my_requests(t))
    return card(body, actions)


def existing_card(
    request: LicenceRequest, item: CatalogueItem | None, t: Translator, tz: tzinfo
) -> Card:
    """A request for something the person asked for already (or has): said so, not doubled."""
    name = item_name(item, request.item_key, t.locale)
    if request.state is RequestState.FULFILLED:
        if request.end_date is not None:
            body_text = t("licence.existing.granted_until", item=name, end=day(request.end_date))
        else:
            body_text = t("licence.existing.granted", item=name)
    else:
        body_text = t("licence.existing.open", item=name, reference=request.reference)
    body: list[Element] = [
        heading(t("licence.existing.title")),
        text(body_text),
        request_facts(request, item, t),
        state_block(request.state, t),
    ]
    step = next_step(request, t)
    if step:
        body.append(text(step))
    return card(body, [*_request_actions(request, t), _my_requests(t)])


def already_granted_card(item: CatalogueItem, t: Translator) -> Card:
    """Graph shows the person holding the item already: nothing to request."""
    return card(
        [
            heading(t("licence.granted_already.title")),
            text(t("licence.granted_already.body", item=item_name(item, item.key, t.locale))),
        ],
        [execute(t("licence.mine.new"), Verb.RUN_COMMAND, {"command": "licence"}), _my_requests(t)],
    )


# --- my requests -------------------------------------------------------------------------------
def requests_card(
    requests: Sequence[LicenceRequest],
    items: Mapping[str, CatalogueItem],
    t: Translator,
    tz: tzinfo,
    *,
    notice: str = "",
) -> Card:
    """The person's requests, newest first: what, state in words, and what they can still do."""
    body: list[Element] = []
    if notice:
        body.append(banner(notice))
    body.append(heading(t("licence.mine.title")))
    if not requests:
        body.append(text(t("licence.mine.none")))
        new = execute(t("licence.mine.new"), Verb.RUN_COMMAND, {"command": "licence"})
        return card(body, [new])
    newest = sorted(requests, key=lambda r: (r.created_at, r.id), reverse=True)
    body += [_request_row(request, items, t, tz) for request in newest[:MAX_LISTED]]
    if len(newest) > MAX_LISTED:
        body.append(text(t.n("licence.mine.more", MAX_LISTED), subtle=True))
    new = execute(t("licence.mine.new"), Verb.RUN_COMMAND, {"command": "licence"})
    return card(body, [new])


def _request_row(
    request: LicenceRequest, items: Mapping[str, CatalogueItem], t: Translator, tz: tzinfo
) -> Element:
    item = items.get(request.item_key)
    submitted = day(request.created_at.astimezone(tz).date())
    about: list[Element] = [
        text(item_name(item, request.item_key, t.locale), weight="Bolder"),
        {
            **text(
                t("licence.mine.line", reference=request.reference, date=submitted), subtle=True
            ),
            "spacing": "None",
        },
    ]
    items_: list[Element] = [
        {
            "type": "ColumnSet",
            "columns": [
                {"type": "Column", "width": "stretch", "items": about},
                {
                    "type": "Column",
                    "width": "auto",
                    "items": [state_block(request.state, t)],
                },
            ],
        }
    ]
    detail = _row_detail(request, t)
    if detail:
        items_.append({**text(detail), "spacing": "Small"})
    actions = _request_actions(request, t)
    if actions:
        items_.append({"type": "ActionSet", "actions": actions})
    return {"type": "Container", "separator": True, "spacing": "Medium", "items": items_}


def _row_detail(request: LicenceRequest, t: Translator) -> str:
    if request.state is RequestState.FULFILLED and request.end_date is not None:
        return t("licence.mine.until", end=day(request.end_date))
    if request.state in (RequestState.REJECTED, RequestState.FAILED, RequestState.EXPIRED):
        decision = request.last_decision()
        if request.state is RequestState.REJECTED and decision is not None:
            return t("licence.mine.rejected_by", name=person(decision.approver_name, t))
        return reason_text(request.reason, t)
    if request.state is RequestState.ENDED and request.end_date is not None:
        return t("licence.mine.ended", end=day(request.end_date))
    return next_step(request, t)


def _request_actions(request: LicenceRequest, t: Translator) -> list[Element]:
    """Cancel while nothing is granted; submit again after a no; extend time-bound access.
    A failed request also offers the service desk, with its reference attached to the
    question (as its notice does: cards/licences/status.py)."""
    if request.state in CANCELLABLE:
        return [_cancel(request, t)]
    if request.state is RequestState.FAILED:
        return [
            execute(t("licence.again"), Verb.LICENCE_AGAIN, {"request": request.id}),
            execute(t("error.contact"), Verb.TICKET_FORM, {"reference": request.reference}),
        ]
    if request.state in RESUBMITTABLE:
        return [execute(t("licence.again"), Verb.LICENCE_AGAIN, {"request": request.id})]
    if request.state is RequestState.FULFILLED and request.end_date is not None:
        return [execute(t("licence.extend"), Verb.LICENCE_AGAIN, {"request": request.id})]
    return []


def _cancel(request: LicenceRequest, t: Translator) -> Element:
    cancel = execute(t("licence.cancel"), Verb.LICENCE_CANCEL, {"request": request.id})
    return {**cancel, "style": "destructive", "associatedInputs": "None"}


def _my_requests(t: Translator) -> Element:
    return execute(t("licence.mine.show"), Verb.RUN_COMMAND, {"command": "requests"})
