"""What the licence desk (chat) and the licence worker (background) share.

- The catalogue, read through a short cache so a command costs no catalogue query.
- Who someone is for the licence capability: their entity, their entity's ICT admins.
- Saving a transition: the new request, its audit line and its notices (rendered in each
  recipient's language) go to the store in one transaction.
- The first step after submission (resolving the approvers of stage 1), which the desk takes at
  once and the worker takes again if the desk crashed before it.

The flow is the desk's and the worker's private collaborator: dialogs call the desk's use cases
and never reach it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence

from bot.domain.licences.approvals import ApproverFacts, assign_stage
from bot.domain.licences.catalogue import Catalogue, CatalogueItem, Entity
from bot.domain.licences.notices import (
    LicenceNotice,
    NoticeKind,
    approval_card_key,
    reminder_card_key,
)
from bot.domain.licences.requests import (
    LicenceRequest,
    NewLicenceRequest,
    RequestState,
    StageAssignment,
)
from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.platform.outbox import NewOutboxMessage
from bot.ports.licences import (
    CatalogueRepository,
    LicenceCards,
    LicenceManager,
    LicenceRequestRepository,
)
from bot.ports.platform import Clock, Directory, UserRepository
from bot.services.platform.entities import Entities

logger = logging.getLogger(__name__)

OBJECT_TYPE = "licence_request"
NO_APPROVER = "licence.reason.no_approver"
ITEM_REMOVED = "licence.reason.item_removed"


class LicenceFlow:
    def __init__(
        self,
        *,
        catalogue: CatalogueRepository,
        requests: LicenceRequestRepository,
        directory: Directory,
        licences: LicenceManager,
        cards: LicenceCards,
        users: UserRepository,
        clock: Clock,
        default_locale: str = "nl",
        on_enqueued: Callable[[], None] = lambda: None,
        monotonic: Callable[[], float] = time.monotonic,
        entities: Entities | None = None,
    ) -> None:
        self.entities = entities or Entities(
            catalogue, directory, licences.group_member_ids, monotonic
        )
        self.requests = requests
        self.directory = directory
        self.licences = licences
        self.clock = clock
        self._cards = cards
        self._users = users
        self._default_locale = default_locale
        self._on_enqueued = on_enqueued

    # --- catalogue and people ----------------------------------------------------------------
    async def catalogue(self) -> Catalogue:
        return await self.entities.catalogue()

    async def replace_catalogue(self, catalogue: Catalogue) -> None:
        await self.entities.replace(catalogue)

    async def entity_of(self, user_id: str) -> Entity | None:
        return await self.entities.entity_of(user_id)

    async def entity_admins(self, entity_code: str) -> tuple[str, ...]:
        """The ICT admins of the entity (members of its admin group), cached for minutes."""
        return await self.entities.admins(entity_code)

    async def is_entity_admin(self, user_id: str, entity_code: str) -> bool:
        admins = await self.entity_admins(entity_code)
        return user_id.casefold() in {admin.casefold() for admin in admins}

    async def item_of(self, request: LicenceRequest) -> CatalogueItem | None:
        return (await self.catalogue()).item(request.item_key)

    # --- approval stages ---------------------------------------------------------------------
    async def assignment(
        self, request: LicenceRequest, stage: int, *, also_decided: str = ""
    ) -> StageAssignment | None:
        """Approvers and deadline for `stage` of the request; None when nobody may decide.
        `also_decided`: the approver deciding the previous stage right now."""
        catalogue = await self.catalogue()
        offer = catalogue.offer_for(request.item_key, request.entity)
        policy = catalogue.policy(offer.policy_key) if offer else None
        manager = await self.directory.get_manager(request.requester_id)
        facts = ApproverFacts(
            requester_id=request.requester_id,
            manager_id=manager.id if manager else None,
            entity_admin_ids=await self.entity_admins(request.entity),
            already_decided=request.deciders()
            | ({also_decided.casefold()} if also_decided else set()),
        )
        return assign_stage(
            request.stages,
            stage,
            facts,
            self.clock.now(),
            decision_days=policy.decision_days if policy else 14,
            fallback=policy.fallback if policy else (),
        )

    async def start(self, request: LicenceRequest, actor: Actor) -> LicenceRequest:
        """Take a submitted request to its first approval stage (or straight to approved)."""
        now = self.clock.now()
        item = await self.item_of(request)
        if item is None:
            return await self.transition(request, request.fail(ITEM_REMOVED, now), actor)
        if not request.stages:
            return await self.transition(request, request.approve_without_stages(now), actor)
        first = await self.assignment(request, 1)
        if first is None:
            failed = request.fail(NO_APPROVER, now)
            return await self.transition(
                request, failed, actor, self.notices(NoticeKind.FAILED, failed, item)
            )
        pending = request.start_approval(first, now)
        notices = [
            LicenceNotice(NoticeKind.APPROVAL_REQUEST, approver, pending, item)
            for approver in pending.approvers
        ]
        return await self.transition(request, pending, actor, notices)

    # --- saving transitions ------------------------------------------------------------------
    def notices(
        self,
        kind: NoticeKind,
        request: LicenceRequest,
        item: CatalogueItem,
        recipients: Iterable[str] | None = None,
        **facts: str,
    ) -> list[LicenceNotice]:
        """One notice of that kind to each recipient (default: the requester)."""
        people = [request.requester_id] if recipients is None else list(recipients)
        return [LicenceNotice(kind, person, request, item, dict(facts)) for person in people]

    def closing_notices(
        self, before: LicenceRequest, after: LicenceRequest, item: CatalogueItem
    ) -> list[LicenceNotice]:
        """Edits of every approver's card of the closed stage: who decided, when."""
        notices = []
        for approver in before.approvers:
            targets = [("card", approval_card_key(before.id, before.stage, approver))]
            if before.reminded:
                targets.append(("reminder", reminder_card_key(before.id, before.stage, approver)))
            for label, key in targets:
                notices.append(
                    LicenceNotice(
                        NoticeKind.APPROVAL_CLOSED,
                        approver,
                        after,
                        item,
                        {"step": f"closed-{before.stage}-{label}", "stage": str(before.stage)},
                        replaces=key,
                    )
                )
        return notices

    async def transition(
        self,
        before: LicenceRequest,
        after: LicenceRequest,
        actor: Actor,
        notices: Sequence[LicenceNotice] = (),
        *,
        outcome: Outcome = Outcome.OK,
        **detail: str,
    ) -> LicenceRequest:
        """Save `after` (a transition of `before`) with its audit line and notices, atomically.

        A reschedule within one state is saved without an audit line: the trail records state
        changes, not every look at the seat count."""
        detail = {key: value for key, value in detail.items() if value}
        audit = []
        decided = len(after.decisions) > len(before.decisions)
        if after.state is not before.state or decided or detail:
            audit.append(self.audit_entry(before, after, actor, outcome, **detail))
        messages = await self._messages(notices)
        await self.requests.save(
            after, expected_version=before.version, audit=audit, messages=messages
        )
        if messages:
            self._on_enqueued()
        return after

    def submit_audit(self, new: NewLicenceRequest, actor: Actor) -> AuditEntry:
        """The audit line of a submission; the store fills in the new reference."""
        return AuditEntry(
            at=self.clock.now(),
            actor_id=actor.user_id,
            action="licence.submit",
            outcome=Outcome.OK,
            role=actor.role,
            tenant_id=new.tenant_id,
            object_type=OBJECT_TYPE,
            correlation_id=actor.correlation_id,
            detail={"to": RequestState.SUBMITTED.value, "item": new.item_key},
        )

    def audit_entry(
        self,
        before: LicenceRequest | None,
        after: LicenceRequest,
        actor: Actor,
        outcome: Outcome = Outcome.OK,
        **detail: str,
    ) -> AuditEntry:
        return AuditEntry(
            at=self.clock.now(),
            actor_id=actor.user_id,
            action=_action(before, after),
            outcome=outcome,
            role=actor.role,
            tenant_id=after.tenant_id,
            object_type=OBJECT_TYPE,
            object_id=after.reference,
            correlation_id=actor.correlation_id,
            detail={
                "from": before.state.value if before else "",
                "to": after.state.value,
                "item": after.item_key,
                **({"stage": str(after.stage)} if after.stage else {}),
                **({"reason": after.reason} if after.reason else {}),
                **detail,
            },
        )

    async def _messages(self, notices: Sequence[LicenceNotice]) -> list[NewOutboxMessage]:
        messages = []
        locales: dict[str, str] = {}
        for notice in notices:
            person = notice.recipient_id
            if person not in locales:
                seen = await self._users.get(person)
                locales[person] = seen.locale if seen and seen.locale else self._default_locale
            activity = self._cards.render(notice, locales[person])
            messages.append(
                NewOutboxMessage(
                    tenant_id=notice.request.tenant_id,
                    dedupe_key=notice.dedupe_key,
                    activity=activity,
                    recipient_id=person,
                    replaces=notice.replaces,
                )
            )
        return messages


def _action(before: LicenceRequest | None, after: LicenceRequest) -> str:
    if before is None:
        return "licence.submit"
    if len(after.decisions) > len(before.decisions):
        return "licence.approve" if after.decisions[-1].approved else "licence.reject"
    if after.state is before.state:
        return f"licence.{after.state.value}"
    return _ACTIONS.get(after.state, f"licence.{after.state.value}")


_ACTIONS = {
    RequestState.PENDING_APPROVAL: "licence.approval",
    RequestState.APPROVED: "licence.approve",
    RequestState.REJECTED: "licence.reject",
    RequestState.CANCELLED: "licence.cancel",
    RequestState.EXPIRED: "licence.expire",
    RequestState.FULFILLING: "licence.fulfilling",
    RequestState.FULFILLED: "licence.fulfil",
    RequestState.WAITING_FOR_SEATS: "licence.wait_for_seats",
    RequestState.FAILED: "licence.fail",
    RequestState.ENDED: "licence.end",
}
