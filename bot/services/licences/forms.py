"""The request form as the licence desk sees it: what it offers a person, what comes back, and
the checks a submission passes before anything is stored.

Every problem is a FieldError next to the input it is about, so the card can show them all at
once; only a submission without any is stored (bot/services/licences/desk.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.domain.licences.catalogue import CatalogueItem, Entity, Offer
from bot.domain.licences.requests import LicenceRequest

MAX_JUSTIFICATION = 2000
MAX_ANSWER = 500


@dataclass(frozen=True, slots=True)
class RequestForm:
    """What the request card submits (already parsed from the card's inputs)."""

    item_key: str
    justification: str
    end_date: date | None = None
    answers: Mapping[str, str] = field(default_factory=dict)
    previous_reference: str = ""  # a resubmission or an extension


@dataclass(frozen=True, slots=True)
class Redraft:
    """A form filled from one of the person's earlier requests."""

    form: RequestForm
    extending: bool  # granted time-bound access asked for longer (else: submitted again)


@dataclass(frozen=True, slots=True)
class FieldError:
    """A problem with one input of the form, shown next to it on the card.

    input: "item", "justification", "end_date" or "answer.<question key>".
    """

    input: str
    message_key: str
    params: Mapping[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FormContext:
    """What the request form offers this person."""

    entity: Entity | None
    items: Sequence[CatalogueItem]
    offers: Mapping[str, Offer]  # by item key
    today: date  # in the administration's time zone

    def offered(self, item_key: str) -> CatalogueItem | None:
        return next((item for item in self.items if item.key == item_key), None)


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """Exactly one of: the new request; errors to show on the form; an open request for the
    same item (not duplicated); or access the person already has (`already_granted`)."""

    request: LicenceRequest | None = None
    errors: Sequence[FieldError] = ()
    existing: LicenceRequest | None = None
    already_granted: bool = False


def check_form(
    form: RequestForm, context: FormContext
) -> tuple[list[FieldError], CatalogueItem | None]:
    """The problems of a submitted form, and the item it asks for (None: not offered)."""
    item = context.offered(form.item_key)
    if item is None:
        return [FieldError("item", "licence.form.error.item")], None
    errors = [
        *_justification_errors(form, item),
        *_end_date_errors(form, context.offers[item.key], context.today),
        *_answer_errors(form, item),
    ]
    return errors, item


def _justification_errors(form: RequestForm, item: CatalogueItem) -> list[FieldError]:
    text = form.justification.strip()
    if len(text) < item.min_justification:
        return [
            FieldError(
                "justification",
                "licence.form.error.justification_short",
                {"count": item.min_justification},
            )
        ]
    if len(text) > MAX_JUSTIFICATION:
        return [
            FieldError("justification", "licence.form.error.too_long", {"count": MAX_JUSTIFICATION})
        ]
    return []


def _end_date_errors(form: RequestForm, offer: Offer, today: date) -> list[FieldError]:
    """An end date lies ahead; an offer with a longest duration needs one within it."""
    if form.end_date is not None and form.end_date <= today:
        return [FieldError("end_date", "licence.form.error.end_past")]
    if offer.max_days is None:
        return []
    latest = today + timedelta(days=offer.max_days)
    if form.end_date is None:
        return [
            FieldError("end_date", "licence.form.error.end_required", {"count": offer.max_days})
        ]
    if form.end_date > latest:
        return [
            FieldError(
                "end_date",
                "licence.form.error.end_too_late",
                {"count": offer.max_days, "latest": latest.isoformat()},
            )
        ]
    return []


def _answer_errors(form: RequestForm, item: CatalogueItem) -> list[FieldError]:
    errors = []
    for question in item.questions:
        answer = form.answers.get(question.key, "").strip()
        if question.required and not answer:
            errors.append(FieldError(f"answer.{question.key}", "licence.form.error.required"))
        elif len(answer) > MAX_ANSWER:
            errors.append(
                FieldError(
                    f"answer.{question.key}", "licence.form.error.too_long", {"count": MAX_ANSWER}
                )
            )
    return errors
