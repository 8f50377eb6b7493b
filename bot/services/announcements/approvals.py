"""The second person's decision on an announcement waiting for approval (Approve / Reject on the
approval card).

Decisions (and why):
- Another `comms` person or an admin decides, never the author: a second pair of eyes is the
  point (Company Communicator #1314). Refused with its own message, so the author knows why.
- The first decision wins: it is saved only on the version the approver's card showed. A
  second click (or a second approver a moment later) reads the announcement again and is told
  who decided ("al beslist door ..."); nothing else is written.
- Rejecting needs a note (what to change), bounded; approving may carry one.
- Approving checks the audience again against the AUTHOR's scope and roles as they are now:
  the approver may reach more than the author, and approving must not widen what the author
  may send (a scope may also have narrowed since the author submitted).
- In the decision's transaction: the author's notice, and every approver's card replaced (the
  outbox edits the card they got in place, so nobody clicks a decided card). The approvers
  are asked again (the same configuration the cards went to); an approver added since has no
  card to replace and gets none.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.domain.announcements.announcements import (
    Announcement,
    AnnouncementState,
    Step,
    StepRefused,
    is_person,
    step,
)
from bot.domain.announcements.audiences import NO_AUDIENCE
from bot.domain.platform.actors import Actor
from bot.domain.platform.errors import DomainError, Forbidden, NotFound
from bot.domain.platform.outbox import NewOutboxMessage
from bot.domain.platform.roles import Role, may_act_as
from bot.ports.announcements import AnnouncementRepository, AudienceDirectory
from bot.ports.platform import Clock
from bot.services.announcements.approval_cards import ApprovalCards
from bot.services.announcements.checks import (
    MAX_NOTE,
    Scopes,
    announcement_audit,
    decision_key,
    raise_problems,
    require_comms,
    same_person,
)
from bot.services.announcements.offers import (
    AudienceFacts,
    EntitiesSource,
    checked_audience,
    offer_for,
)
from bot.services.announcements.parts import AnnouncementCards, AnnouncementRules, People

# A person's roles as they are now (bot/services/platform/roles.py RoleResolver.roles_of).
RolesOf = Callable[[str], Awaitable[frozenset[Role]]]


class AnnouncementApprovals:
    def __init__(
        self,
        *,
        repository: AnnouncementRepository,
        people: People,
        directory: AudienceDirectory,
        cards: AnnouncementCards,
        rules: AnnouncementRules,
        clock: Clock,
        entities: EntitiesSource,
        roles_of: RolesOf,
        on_enqueued: Callable[[], None] | None = None,
    ) -> None:
        self._repository = repository
        self._people = people
        self._cards = cards
        self._rules = rules
        self._clock = clock
        self._entities = entities
        self._roles_of = roles_of
        self._on_enqueued = on_enqueued or (lambda: None)
        self._scopes = Scopes(people, rules.scopes)
        self._approvals = ApprovalCards(
            people, cards, AudienceFacts(repository, directory, entities, rules), rules
        )

    async def decide(
        self, actor: Actor, announcement_id: int, version: int, approve: bool, note: str
    ) -> Announcement:
        require_comms(actor)
        stored = await self._repository.get(announcement_id)
        if stored is None or stored.tenant_id != actor.tenant_id:
            raise NotFound("announcements.error.not_found")
        if same_person(stored.author_id, actor.user_id):
            raise Forbidden("announcements.error.own_approval")
        said = note.strip()
        if not approve and not said:
            raise DomainError("announcements.error.note_required")
        if len(said) > MAX_NOTE:
            raise DomainError("announcements.error.note_too_long", limit=MAX_NOTE)
        if stored.version != version or stored.state is not AnnouncementState.AWAITING_APPROVAL:
            raise _decided(stored)
        if approve:
            await self._check_for_author(stored)
        now = self._clock.now()
        try:
            after = step(
                stored,
                Step.APPROVE if approve else Step.REJECT,
                now,
                by=actor.user_id,
                by_name=actor.name,
                note=said,
            )
        except StepRefused:
            raise _decided(stored) from None
        action = "announcements.approve" if approve else "announcements.reject"
        line = announcement_audit(now, actor, action, after, state=after.state.value)
        messages = await self._approvals.decided(after, version)
        if is_person(after.author_id):  # an API key has no chat: its client asks GET
            messages.append(await self._author_notice(after, approve))
        if not await self._repository.save(after, version, [line], messages):
            # Someone decided (or cancelled) between our read and our write: they won.
            raise _decided(await self._repository.get(announcement_id))
        self._on_enqueued()
        return after

    async def _check_for_author(self, announcement: Announcement) -> None:
        """The audience as the author may use it now (their roles and scope, not the
        approver's)."""
        roles = await self._author_roles(announcement.author_id)
        if not may_act_as(roles, Role.COMMS):
            raise DomainError("announcements.error.author_not_comms")
        is_admin = Role.ADMIN in roles
        scope, own = await self._scopes.of(announcement.author_id, is_admin=is_admin)
        offer = offer_for(
            scope, own, is_admin=is_admin, entities=await self._entities(), rules=self._rules
        )
        _, problems = checked_audience(
            announcement.audience or NO_AUDIENCE, offer, scope, own, is_admin=is_admin
        )
        raise_problems(problems)

    async def _author_roles(self, author_id: str) -> frozenset[Role]:
        """A person's roles now; an API key writes as comms while it is configured."""
        if is_person(author_id):
            return await self._roles_of(author_id)
        configured = author_id in self._rules.scopes
        return frozenset({Role.STAFF, Role.COMMS}) if configured else frozenset({Role.STAFF})

    async def _author_notice(self, after: Announcement, approved: bool) -> NewOutboxMessage:
        locale = await self._people.locale_of(after.author_id)
        key = "announcements.notice.approved" if approved else "announcements.notice.rejected"
        card = self._cards.notice(
            key,
            locale,
            reference=after.reference,
            title=after.text(locale).title,
            name=after.decided_by_name,
            note=after.decision_note,
        )
        return NewOutboxMessage(
            tenant_id=after.tenant_id,
            dedupe_key=decision_key(after.id, after.version),
            activity=card,
            recipient_id=after.author_id,
        )


def _decided(current: Announcement | None) -> DomainError:
    """The refusal for a decision that came too late: who decided first, when someone did."""
    if current is None:
        return NotFound("announcements.error.not_found")
    if current.state is not AnnouncementState.AWAITING_APPROVAL and current.decided_by_name:
        return DomainError("announcements.error.already_decided", name=current.decided_by_name)
    return DomainError("announcements.error.changed")
