"""Licence and Power BI access requests: what staff, approvers and entity admins do in chat.

`LicenceDesk` is the use-case layer the licence dialog calls. It loads, decides with the domain
(bot.domain.licences.requests, approvals, catalogue) and saves each transition together with its
audit lines and notices in one transaction. Slow or scheduled work (starting approval after a
crash, granting through Graph, reminders, expiry, end dates) is the worker's
(bot/services/licences/worker.py); the desk wakes it when it leaves work behind.

Nothing here trusts ids from a card: every method that takes a request id checks that the
caller may act on that request (its requester, a current approver, an admin of its entity).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.licences.catalogue import Catalogue, CatalogueItem, Entity, Fulfilment, Offer
from bot.domain.licences.grants import grant_verified
from bot.domain.licences.notices import NoticeKind
from bot.domain.licences.requests import (
    RESUBMITTABLE,
    LicenceRequest,
    NewLicenceRequest,
    NotAnApprover,
    NotYours,
    RequestState,
)
from bot.domain.platform.errors import DomainError, Forbidden, NotFound, Throttled, Unavailable
from bot.domain.platform.roles import Role
from bot.services.licences.flow import Actor, LicenceFlow

logger = logging.getLogger(__name__)

MAX_JUSTIFICATION = 2000
MAX_ANSWER = 500


@dataclass(frozen=True, slots=True)
class Requester:
    """Who acts, as the turn established it (ids from the channel, roles from Entra groups)."""

    tenant_id: str
    user_id: str
    name: str = ""
    roles: frozenset[Role] = frozenset({Role.STAFF})
    correlation_id: str = ""

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def actor(self) -> Actor:
        return Actor(
            self.user_id, ",".join(sorted(r.value for r in self.roles)), self.correlation_id
        )


@dataclass(frozen=True, slots=True)
class RequestForm:
    """What the request card submits (already parsed from the card's inputs)."""

    item_key: str
    justification: str
    end_date: date | None = None
    answers: Mapping[str, str] = field(default_factory=dict)
    previous_reference: str = ""  # a resubmission or an extension


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


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """Exactly one of: the new request; errors to show on the form; an open request for the
    same item (not duplicated); or access the person already has (`already_granted`)."""

    request: LicenceRequest | None = None
    errors: Sequence[FieldError] = ()
    existing: LicenceRequest | None = None
    already_granted: bool = False


def local_day_end(day: date, tz: ZoneInfo) -> datetime:
    """Access "until 31 March" lasts through that day: it ends at midnight after it."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


class LicenceDesk:
    def __init__(
        self, flow: LicenceFlow, timezone: ZoneInfo, wake_worker: Callable[[], None]
    ) -> None:
        self._flow = flow
        self._tz = timezone
        self._wake_worker = wake_worker

    # --- reading ------------------------------------------------------------------------------
    async def catalogue(self) -> Catalogue:
        return await self._flow.catalogue()

    async def form_context(self, requester: Requester) -> FormContext:
        catalogue = await self._flow.catalogue()
        entity = await self._flow.entity_of(requester.user_id)
        code = entity.code if entity else ""
        items = catalogue.visible_items(code)
        offers = {
            item.key: offer for item in items if (offer := catalogue.offer_for(item.key, code))
        }
        return FormContext(entity, items, offers, self._today())

    async def suggest(self, requester: Requester, text: str) -> CatalogueItem | None:
        """The item the person's own words name ("ik heb Power BI nodig"), if any."""
        context = await self.form_context(requester)
        catalogue = await self._flow.catalogue()
        matches = catalogue.match(text, context.entity.code if context.entity else "")
        return matches[0] if matches else None

    async def mine(self, requester: Requester, limit: int = 10) -> list[LicenceRequest]:
        return await self._flow.requests.for_requester(
            requester.tenant_id, requester.user_id, limit
        )

    async def own_request(self, requester: Requester, request_id: int) -> LicenceRequest:
        request = await self._load(request_id)
        if not _same(request.requester_id, requester.user_id):
            raise NotYours()
        return request

    async def item(self, key: str) -> CatalogueItem | None:
        return (await self._flow.catalogue()).item(key)

    async def for_approver(self, viewer: Requester, request_id: int) -> LicenceRequest:
        """A request as an approval card shows it: only to its approvers (current or past),
        the entity's ICT admins and admins."""
        request = await self._load(request_id)
        if request.was_asked(viewer.user_id) or viewer.is_admin:
            return request
        if await self._flow.is_entity_admin(viewer.user_id, request.entity):
            return request
        raise Forbidden("licence.error.not_an_approver")

    # --- requesting ---------------------------------------------------------------------------
    async def submit(self, requester: Requester, form: RequestForm) -> SubmitResult:
        context = await self.form_context(requester)
        errors, item = self._check(form, context)
        if errors or item is None:
            return SubmitResult(errors=errors)
        if form.previous_reference and not await self._own_earlier(requester, form, item):
            return SubmitResult(errors=[FieldError("item", "licence.form.error.previous")])
        existing = await self._flow.requests.open_for(
            requester.tenant_id, requester.user_id, item.key
        )
        extending = existing is not None and existing.reference == form.previous_reference
        if existing is not None and not (extending and existing.state is RequestState.FULFILLED):
            return SubmitResult(existing=existing)
        if not extending and await self._already_granted(item, requester.user_id):
            return SubmitResult(already_granted=True)
        catalogue = await self._flow.catalogue()
        offer = context.offers[item.key]
        policy = catalogue.policy(offer.policy_key)
        new = NewLicenceRequest(
            tenant_id=requester.tenant_id,
            requester_id=requester.user_id,
            requester_name=requester.name,
            entity=context.entity.code if context.entity else "",
            item_key=item.key,
            justification=form.justification.strip(),
            stages=policy.stages if policy else (),
            answers={
                q.key: form.answers[q.key].strip()
                for q in item.questions
                if form.answers.get(q.key, "").strip()
            },
            end_date=form.end_date,
            previous_reference=form.previous_reference,
        )
        now = self._flow.clock.now()
        submitted = await self._flow.requests.add(
            new, now, self._flow.submit_audit(new, requester.actor)
        )
        request = await self._advance(submitted, requester.actor)
        return SubmitResult(request=request)

    async def cancel(self, requester: Requester, request_id: int) -> LicenceRequest:
        request = await self.own_request(requester, request_id)
        cancelled = request.cancel(requester.user_id, self._flow.clock.now())
        item = await self._item_or_fail(request)
        notices = self._flow.closing_notices(request, cancelled, item) if request.approvers else []
        return await self._flow.transition(request, cancelled, requester.actor, notices)

    async def draft_from(self, requester: Requester, request_id: int) -> RequestForm:
        """A form filled from one of the person's earlier requests: to submit a rejected,
        expired or cancelled one again, or to extend granted time-bound access."""
        request = await self.own_request(requester, request_id)
        extending = request.state is RequestState.FULFILLED and request.end_date is not None
        if request.state not in RESUBMITTABLE and not extending:
            raise DomainError("licence.error.not_resubmittable")
        return RequestForm(
            item_key=request.item_key,
            justification=request.justification,
            end_date=None,
            answers=dict(request.answers),
            previous_reference=request.reference,
        )

    # --- deciding -----------------------------------------------------------------------------
    async def decide(
        self, approver: Requester, request_id: int, *, approve: bool, comment: str
    ) -> LicenceRequest:
        """Approve or reject the current stage. Only a current approver of that stage may;
        the first decision wins (a later click gets AlreadyDecided with who and when)."""
        request = await self._load(request_id)
        if not request.was_asked(approver.user_id):
            raise NotAnApprover()  # before anything that would tell who decided
        request.check_decider(approver.user_id)
        item = await self._item_or_fail(request)
        now = self._flow.clock.now()
        comment = comment.strip()[:MAX_JUSTIFICATION]
        name = approver.name or approver.user_id
        if not approve:
            after = request.reject(approver.user_id, name, comment, now)
            notices = [
                *self._flow.closing_notices(request, after, item),
                *self._flow.notices(NoticeKind.REJECTED, after, item),
            ]
            return await self._flow.transition(request, after, approver.actor, notices)
        next_stage = None
        if request.stage < request.total_stages:
            next_stage = await self._flow.assignment(
                request, request.stage + 1, also_decided=approver.user_id
            )
            if next_stage is None:
                after = request.fail("licence.reason.no_approver", now)
                notices = [
                    *self._flow.closing_notices(request, after, item),
                    *self._flow.notices(NoticeKind.FAILED, after, item),
                ]
                return await self._flow.transition(request, after, approver.actor, notices)
        after = request.approve(approver.user_id, name, comment, now, next_stage)
        notices = self._flow.closing_notices(request, after, item)
        if after.state is RequestState.PENDING_APPROVAL:
            notices += self._flow.notices(
                NoticeKind.STAGE_APPROVED, after, item, step=f"stage-{request.stage}"
            )
            notices += self._flow.notices(NoticeKind.APPROVAL_REQUEST, after, item, after.approvers)
        else:
            notices += self._flow.notices(NoticeKind.APPROVED, after, item)
        saved = await self._flow.transition(request, after, approver.actor, notices)
        if saved.state is RequestState.APPROVED:
            self._wake_worker()
        return saved

    async def retry_fulfilment(self, admin: Requester, request_id: int) -> LicenceRequest:
        """An ICT admin fixed what blocked fulfilment (usage location set, seats ordered)."""
        request = await self._load(request_id)
        if not admin.is_admin and not await self._flow.is_entity_admin(
            admin.user_id, request.entity
        ):
            raise Forbidden("licence.error.not_entity_admin")
        after = await self._flow.transition(
            request, request.retry_now(self._flow.clock.now()), admin.actor, via="admin"
        )
        self._wake_worker()
        return after

    async def replace_catalogue(self, admin: Requester, catalogue: Catalogue) -> None:
        if not admin.is_admin:  # one catalogue for every entity: only Werkplek admins
            raise Forbidden()
        await self._flow.replace_catalogue(catalogue)

    # --- helpers ------------------------------------------------------------------------------
    async def _advance(self, submitted: LicenceRequest, actor: Actor) -> LicenceRequest:
        """Resolve stage 1 now; if Graph fails, the worker does it shortly (the request is
        stored as submitted, and its wake time has come)."""
        try:
            request = await self._flow.start(submitted, actor)
        except (Throttled, Unavailable):
            logger.warning(
                "licence %s: approvers not resolved yet; the worker retries", submitted.id
            )
            self._wake_worker()
            return submitted
        if request.state is RequestState.APPROVED:
            self._wake_worker()
        return request

    def _check(
        self, form: RequestForm, context: FormContext
    ) -> tuple[list[FieldError], CatalogueItem | None]:
        item = next((i for i in context.items if i.key == form.item_key), None)
        if item is None:
            return [FieldError("item", "licence.form.error.item")], None
        errors: list[FieldError] = []
        text = form.justification.strip()
        if len(text) < item.min_justification:
            errors.append(
                FieldError(
                    "justification",
                    "licence.form.error.justification_short",
                    {"min": item.min_justification},
                )
            )
        elif len(text) > MAX_JUSTIFICATION:
            errors.append(
                FieldError(
                    "justification", "licence.form.error.too_long", {"max": MAX_JUSTIFICATION}
                )
            )
        offer = context.offers[item.key]
        if form.end_date is not None and form.end_date <= context.today:
            errors.append(FieldError("end_date", "licence.form.error.end_past"))
        elif offer.max_days is not None:
            latest = context.today + timedelta(days=offer.max_days)
            if form.end_date is None:
                errors.append(
                    FieldError(
                        "end_date", "licence.form.error.end_required", {"days": offer.max_days}
                    )
                )
            elif form.end_date > latest:
                errors.append(
                    FieldError(
                        "end_date",
                        "licence.form.error.end_too_late",
                        {"days": offer.max_days, "latest": latest.isoformat()},
                    )
                )
        for question in item.questions:
            answer = form.answers.get(question.key, "").strip()
            if question.required and not answer:
                errors.append(FieldError(f"answer.{question.key}", "licence.form.error.required"))
            elif len(answer) > MAX_ANSWER:
                errors.append(
                    FieldError(
                        f"answer.{question.key}", "licence.form.error.too_long", {"max": MAX_ANSWER}
                    )
                )
        return errors, item

    async def _own_earlier(
        self, requester: Requester, form: RequestForm, item: CatalogueItem
    ) -> bool:
        """A resubmission or extension must name one of the requester's own requests for the
        same item (the reference travels through a card, so it is checked, not trusted)."""
        earlier = await self._flow.requests.get_by_reference(form.previous_reference)
        return (
            earlier is not None
            and _same(earlier.requester_id, requester.user_id)
            and earlier.item_key == item.key
        )

    async def _already_granted(self, item: CatalogueItem, user_id: str) -> bool:
        """Does Graph show the person holding the item already? A failing check does not
        block the request: fulfilment treats a grant that is already there as done."""
        try:
            member = (
                await self._flow.licences.is_member(item.group_id, user_id)
                if item.fulfilment is Fulfilment.GROUP
                else False
            )
            states = await self._flow.licences.licence_states(user_id) if item.uses_seats else []
        except (Throttled, Unavailable, Forbidden, NotFound):
            return False
        return grant_verified(item, member, states)

    async def _load(self, request_id: int) -> LicenceRequest:
        request = await self._flow.requests.get(request_id)
        if request is None:
            raise NotFound("licence.error.unknown_request")
        return request

    async def _item_or_fail(self, request: LicenceRequest) -> CatalogueItem:
        item = await self._flow.item_of(request)
        if item is None:
            raise NotFound("licence.error.item_removed")
        return item

    def _today(self) -> date:
        return self._flow.clock.now().astimezone(self._tz).date()


def _same(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()
