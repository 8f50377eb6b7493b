"""Licence and Power BI access requests: what staff, approvers and entity admins do in chat.

`LicenceDesk` is the use-case layer the licence dialogs call: ask (the form, a suggestion,
submit), follow up (one's own requests, cancel, ask again or extend), decide (a stage's
approvers) and unblock (an ICT admin's retry), plus the catalogue an admin replaces. It loads,
decides with the domain (bot.domain.licences.requests, approvals, catalogue) and saves each
transition together with its audit lines and notices in one transaction (through the flow, its
private collaborator). Slow or scheduled work (starting approval after a crash, granting through
Graph, reminders, expiry, end dates) is the worker's (bot/services/licences/worker.py); the desk
wakes it when it leaves work behind.

Nothing here trusts ids from a card: every method that takes a request id checks that the
caller may act on that request (its requester, a current approver, an admin of its entity).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, tzinfo

from bot.commands.lemmas import forms_near
from bot.domain.licences.catalogue import Catalogue, CatalogueItem, Fulfilment
from bot.domain.licences.grants import grant_verified
from bot.domain.licences.notices import LicenceNotice, NoticeKind
from bot.domain.licences.requests import (
    RESUBMITTABLE,
    LicenceRequest,
    NewLicenceRequest,
    NotAnApprover,
    NotYours,
    RequestState,
)
from bot.domain.platform.actors import Actor
from bot.domain.platform.errors import (
    AppNotPermitted,
    DomainError,
    Forbidden,
    NextCommand,
    NotFound,
    Throttled,
    Unavailable,
)
from bot.services.licences.flow import LicenceFlow
from bot.services.licences.forms import (
    MAX_JUSTIFICATION,
    FieldError,
    FormContext,
    Redraft,
    RequestForm,
    SubmitResult,
    check_form,
)

logger = logging.getLogger(__name__)

# Where a refusal sends the person next (the chat commands' names and their button titles).
MY_REQUESTS: NextCommand = ("requests", "cmd.requests.title")
THE_OFFER: NextCommand = ("licence", "cmd.licence.title")


@dataclass(frozen=True, slots=True)
class MyRequests:
    """A person's latest requests, with the catalogue items they ask for."""

    requests: Sequence[LicenceRequest]  # newest first
    items: Mapping[str, CatalogueItem]  # by item key; an item since removed is missing


class LicenceDesk:
    def __init__(
        self, flow: LicenceFlow, timezone: tzinfo, wake_worker: Callable[[], None]
    ) -> None:
        self._flow = flow
        self._tz = timezone
        self._wake_worker = wake_worker

    # --- reading ------------------------------------------------------------------------------
    def today(self) -> date:
        """Today in the administration's time zone (the licence report's default period)."""
        return self._today()

    async def catalogue(self) -> Catalogue:
        return await self._flow.catalogue()

    async def item(self, key: str) -> CatalogueItem | None:
        return (await self._flow.catalogue()).item(key)

    async def form_context(self, actor: Actor) -> FormContext:
        catalogue = await self._flow.catalogue()
        entity = await self._flow.entity_of(actor.user_id)
        code = entity.code if entity else ""
        items = catalogue.visible_items(code)
        offers = {
            item.key: offer for item in items if (offer := catalogue.offer_for(item.key, code))
        }
        return FormContext(entity, items, offers, self._today())

    async def suggest(self, actor: Actor, text: str) -> CatalogueItem | None:
        """The item the person's own words name ("ik heb Power BI nodig", "ik wil apps
        bouwen"), if any; words count in all their forms ("apps" is "app")."""
        context = await self.form_context(actor)
        catalogue = await self._flow.catalogue()
        code = context.entity.code if context.entity else ""
        matches = catalogue.match(text, code, forms_near(catalogue.words(code)))
        return matches[0] if matches else None

    async def mine(self, actor: Actor, limit: int = 10) -> MyRequests:
        requests = await self._flow.requests.for_requester(actor.tenant_id, actor.user_id, limit)
        catalogue = await self._flow.catalogue()
        items = {r.item_key: item for r in requests if (item := catalogue.item(r.item_key))}
        return MyRequests(requests, items)

    async def for_approver(self, viewer: Actor, request_id: int) -> LicenceRequest:
        """A request as an approval card shows it: only to its approvers (current or past),
        the entity's ICT admins and admins."""
        request = await self._load(request_id)
        if request.was_asked(viewer.user_id) or viewer.is_admin:
            return request
        if await self._flow.is_entity_admin(viewer.user_id, request.entity):
            return request
        raise Forbidden("licence.error.not_an_approver")

    # --- requesting ---------------------------------------------------------------------------
    async def submit(self, requester: Actor, form: RequestForm) -> SubmitResult:
        context = await self.form_context(requester)
        errors, item = check_form(form, context)
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
        new = await self._new_request(requester, form, item, context)
        submitted = await self._flow.requests.add(
            new, self._flow.clock.now(), self._flow.submit_audit(new, requester)
        )
        return SubmitResult(request=await self._advance(submitted, requester))

    async def cancel(self, requester: Actor, request_id: int) -> LicenceRequest:
        request = await self._own_request(requester, request_id)
        cancelled = request.cancel(requester.user_id, self._flow.clock.now())
        item = await self._item_or_fail(request)
        notices = self._flow.closing_notices(request, cancelled, item) if request.approvers else []
        return await self._flow.transition(request, cancelled, requester, notices)

    async def draft_from(self, requester: Actor, request_id: int) -> Redraft:
        """A form filled from one of the person's earlier requests: to submit a rejected,
        expired or cancelled one again, or to extend granted time-bound access."""
        request = await self._own_request(requester, request_id)
        extending = request.state is RequestState.FULFILLED and request.end_date is not None
        if request.state not in RESUBMITTABLE and not extending:
            raise DomainError("licence.error.not_resubmittable", next_command=MY_REQUESTS)
        form = RequestForm(
            item_key=request.item_key,
            justification=request.justification,
            end_date=None,
            answers=dict(request.answers),
            previous_reference=request.reference,
        )
        return Redraft(form, extending=request.state is RequestState.FULFILLED)

    # --- deciding -----------------------------------------------------------------------------
    async def decide(
        self, approver: Actor, request_id: int, *, approve: bool, comment: str
    ) -> LicenceRequest:
        """Approve or reject the current stage. Only a current approver of that stage may;
        the first decision wins (a later click gets AlreadyDecided with who and when)."""
        request = await self._load(request_id)
        if not request.was_asked(approver.user_id):
            raise NotAnApprover()  # before anything that would tell who decided
        request.check_decider(approver.user_id)
        item = await self._item_or_fail(request)
        comment = comment.strip()[:MAX_JUSTIFICATION]
        if approve:
            saved = await self._approve(request, item, approver, comment)
        else:
            saved = await self._reject(request, item, approver, comment)
        if saved.state is RequestState.APPROVED:
            self._wake_worker()
        return saved

    async def retry_fulfilment(self, admin: Actor, request_id: int) -> LicenceRequest:
        """An ICT admin fixed what blocked fulfilment (usage location set, seats ordered)."""
        request = await self._load(request_id)
        if not admin.is_admin and not await self._flow.is_entity_admin(
            admin.user_id, request.entity
        ):
            raise Forbidden("licence.error.not_entity_admin")
        after = await self._flow.transition(
            request, request.retry_now(self._flow.clock.now()), admin, via="admin"
        )
        self._wake_worker()
        return after

    async def replace_catalogue(self, admin: Actor, catalogue: Catalogue) -> None:
        if not admin.is_admin:  # one catalogue for every entity: only Werkplek admins
            raise Forbidden()
        await self._flow.replace_catalogue(catalogue)

    # --- helpers ------------------------------------------------------------------------------
    async def _approve(
        self, request: LicenceRequest, item: CatalogueItem, approver: Actor, comment: str
    ) -> LicenceRequest:
        """Approve the current stage: on to the next stage's approvers, or approved. A next
        stage nobody may decide fails the request."""
        now = self._flow.clock.now()
        next_stage = None
        if request.stage < request.total_stages:
            next_stage = await self._flow.assignment(
                request, request.stage + 1, also_decided=approver.user_id
            )
            if next_stage is None:
                after = request.fail("licence.reason.no_approver", now)
                notices = self._closed(request, after, item, NoticeKind.FAILED)
                return await self._flow.transition(request, after, approver, notices)
        name = approver.name or approver.user_id
        after = request.approve(approver.user_id, name, comment, now, next_stage)
        notices = self._flow.closing_notices(request, after, item)
        if after.state is RequestState.PENDING_APPROVAL:
            notices += self._flow.notices(
                NoticeKind.STAGE_APPROVED, after, item, step=f"stage-{request.stage}"
            )
            notices += self._flow.notices(NoticeKind.APPROVAL_REQUEST, after, item, after.approvers)
        else:
            notices += self._flow.notices(NoticeKind.APPROVED, after, item)
        return await self._flow.transition(request, after, approver, notices)

    async def _reject(
        self, request: LicenceRequest, item: CatalogueItem, approver: Actor, comment: str
    ) -> LicenceRequest:
        name = approver.name or approver.user_id
        after = request.reject(approver.user_id, name, comment, self._flow.clock.now())
        notices = self._closed(request, after, item, NoticeKind.REJECTED)
        return await self._flow.transition(request, after, approver, notices)

    def _closed(
        self, before: LicenceRequest, after: LicenceRequest, item: CatalogueItem, kind: NoticeKind
    ) -> list[LicenceNotice]:
        """The approvers' cards closed, and the requester told how it ended."""
        return [
            *self._flow.closing_notices(before, after, item),
            *self._flow.notices(kind, after, item),
        ]

    async def _new_request(
        self, requester: Actor, form: RequestForm, item: CatalogueItem, context: FormContext
    ) -> NewLicenceRequest:
        catalogue = await self._flow.catalogue()
        policy = catalogue.policy(context.offers[item.key].policy_key)
        return NewLicenceRequest(
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

    async def _own_request(self, requester: Actor, request_id: int) -> LicenceRequest:
        request = await self._load(request_id)
        if not _same(request.requester_id, requester.user_id):
            raise NotYours(next_command=MY_REQUESTS)
        return request

    async def _own_earlier(self, requester: Actor, form: RequestForm, item: CatalogueItem) -> bool:
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
        except (Throttled, Unavailable, Forbidden, AppNotPermitted, NotFound):
            return False
        return grant_verified(item, member, states)

    async def _load(self, request_id: int) -> LicenceRequest:
        request = await self._flow.requests.get(request_id)
        if request is None:
            raise NotFound("licence.error.unknown_request", next_command=MY_REQUESTS)
        return request

    async def _item_or_fail(self, request: LicenceRequest) -> CatalogueItem:
        item = await self._flow.item_of(request)
        if item is None:
            raise NotFound("licence.error.item_removed", next_command=THE_OFFER)
        return item

    def _today(self) -> date:
        return self._flow.clock.now().astimezone(self._tz).date()


def _same(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()
