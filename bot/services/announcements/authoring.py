"""Writing an announcement: drafts saved, edited, duplicated and deleted by their author, the
audiences the author may pick, the size before sending, and the submit that sends it (now or
at its time) or asks a second person to approve it first.

- Only `comms` people (and admins) write announcements. A draft is its author's: another comms
  person neither sees nor changes it (refused like an unknown id); an admin may.
- Every save checks the texts and the audience on the server, whatever the card offered: the
  author's scope (bot/domain/announcements/audiences.py) and what is configured (the offer,
  bot/services/announcements/offers.py). Every problem is said at once.
- Submitting checks it all again (a scope may have narrowed since the draft was saved, a
  configured group may be gone), and fetches the image to see that it is one. With approval
  required, the same transaction queues the approval card for every approver (another comms
  person or an admin); without, the announcement is SENDING (or SCHEDULED until its time).
- Every change is saved only on the version it was made on, with its audit line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.domain.announcements.announcements import (
    Announcement,
    AnnouncementState,
    NewAnnouncement,
    Step,
    StepRefused,
    step,
)
from bot.domain.announcements.audiences import (
    NO_AUDIENCE,
    Audience,
    AudienceChoices,
    AudienceKind,
    AudienceProblem,
    AudienceScope,
)
from bot.domain.announcements.batches import DeliveryMode
from bot.domain.announcements.content import Content, Importance
from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import AuditEntry
from bot.domain.platform.errors import DomainError
from bot.domain.platform.outbox import NewOutboxMessage
from bot.ports.announcements import AnnouncementRepository, AudienceDirectory
from bot.ports.platform import Clock
from bot.services.announcements.approval_cards import ApprovalCards
from bot.services.announcements.checks import (
    Problem,
    Scopes,
    announcement_audit,
    not_allowed,
    raise_problems,
    require_comms,
    send_at_problems,
    text_problems,
    visible_to,
)
from bot.services.announcements.images import ImageCheck
from bot.services.announcements.offers import (
    AudienceFacts,
    EntitiesSource,
    checked_audience,
    offer_for,
)
from bot.services.announcements.parts import AnnouncementCards, AnnouncementRules, People

# A person's list of their own announcements: the newest ones; older ones by reference.
MAX_MINE = 50


@dataclass(frozen=True, slots=True)
class AnnouncementForm:
    """What the form sent, before it is checked (the dialog builds it from the card's data;
    send_at in the zone the author picked it in)."""

    dutch: Content
    english: Content | None = None
    importance: Importance = Importance.NORMAL
    audience: Audience = NO_AUDIENCE
    send_at: datetime | None = None
    delivery: DeliveryMode = DeliveryMode.AUTOMATIC


class AnnouncementAuthoring:
    def __init__(
        self,
        *,
        repository: AnnouncementRepository,
        people: People,
        directory: AudienceDirectory,
        cards: AnnouncementCards,
        rules: AnnouncementRules,
        clock: Clock,
        images: ImageCheck,
        entities: EntitiesSource,
        on_enqueued: Callable[[], None] | None = None,
    ) -> None:
        """entities: the catalogue's entities (what an author may pick from).
        on_enqueued: called after a submit queued messages or started sending (wakes the
        senders, so the approval cards and the announcement go out at once)."""
        self._repository = repository
        self._people = people
        self._cards = cards
        self._rules = rules
        self._clock = clock
        self._images = images
        self._entities = entities
        self._on_enqueued = on_enqueued or (lambda: None)
        self._scopes = Scopes(people, rules.scopes)
        self._facts = AudienceFacts(repository, directory, entities, rules)
        self._approvals = ApprovalCards(people, cards, self._facts, rules)

    # --- what the author may pick --------------------------------------------------------------
    async def scope(self, actor: Actor) -> tuple[AudienceScope, str]:
        """The actor's scope (everything for an admin) and their own entity's code."""
        return await self._scopes.of(actor.user_id, is_admin=actor.is_admin)

    async def choices(self, actor: Actor, locale: str = "nl") -> AudienceChoices:
        require_comms(actor)
        scope, own = await self.scope(actor)
        return await self._offer(actor, scope, own, locale)

    # --- drafts ---------------------------------------------------------------------------------
    async def save(
        self,
        actor: Actor,
        announcement_id: int | None,
        form: AnnouncementForm,
        version: int | None,
        *,
        source: str = "",
        client_key: str = "",
    ) -> Announcement:
        """A new draft (no id), or the actor's draft (or rejected one) changed; every problem
        with the texts and the audience is refused at once (AnnouncementProblems). `source`
        and `client_key`: a new draft made through the API (its key, its idempotency key)."""
        require_comms(actor)
        now = self._clock.now()
        stored = (
            None
            if announcement_id is None
            else await self._editable(actor, announcement_id, version)
        )
        audience = await self._checked_form(actor, form, stored, now)
        english = None if form.english is None or form.english.is_empty else form.english
        if stored is None:
            _, own = await self.scope(actor)
            new = NewAnnouncement(
                tenant_id=actor.tenant_id,
                author_id=actor.user_id,
                author_name=actor.name,
                author_entity=own,
                dutch=form.dutch,
                english=english,
                importance=form.importance,
                audience=audience,
                send_at=form.send_at,
                created_at=now,
                source=source,
                client_key=client_key,
                delivery=form.delivery,
            )
            line = announcement_audit(
                now,
                actor,
                "announcements.create",
                None,
                audience=audience.kind.value,
                importance=form.importance.value,
            )
            return await self._repository.add(new, audit=[line])
        base = (
            step(stored, Step.EDIT, now)
            if stored.state is AnnouncementState.REJECTED
            else replace(stored, version=stored.version + 1, updated_at=now)
        )
        after = replace(
            base,
            dutch=form.dutch,
            english=english,
            importance=form.importance,
            audience=audience,
            send_at=form.send_at,
            delivery=form.delivery,
        )
        line = announcement_audit(
            now,
            actor,
            "announcements.edit",
            after,
            audience=audience.kind.value,
            importance=form.importance.value,
        )
        await self._saved(after, stored.version, [line])
        if _was_list(stored) and audience.kind is not AudienceKind.LIST:
            # The uploaded people must not be sent to once the audience is something else.
            await self._repository.clear_recipients(stored.id)
        return after

    async def mine(self, actor: Actor, limit: int = 20) -> list[Announcement]:
        require_comms(actor)
        found = await self._repository.of_author(actor.user_id, min(max(limit, 1), MAX_MINE))
        return [a for a in found if a.tenant_id == actor.tenant_id]

    async def get(self, actor: Actor, announcement_id: int) -> Announcement:
        """The announcement for its author or an admin; NotFound for anyone else (the same
        answer as for no announcement: an id guessed says nothing)."""
        require_comms(actor)
        return visible_to(actor, await self._repository.get(announcement_id))

    async def duplicate(self, actor: Actor, announcement_id: int) -> Announcement:
        """A new draft of the actor's with the same texts, importance and audience (not an
        uploaded list: its people were checked for the first one) and no send time."""
        source = await self.get(actor, announcement_id)
        now = self._clock.now()
        _, own = await self.scope(actor)
        keeps_audience = (
            source.audience is not None and source.audience.kind is not AudienceKind.LIST
        )
        audience = source.audience if keeps_audience else None
        new = NewAnnouncement(
            tenant_id=actor.tenant_id,
            author_id=actor.user_id,
            author_name=actor.name,
            author_entity=own,
            dutch=source.dutch,
            english=source.english,
            importance=source.importance,
            audience=audience,
            created_at=now,
            delivery=source.delivery,
        )
        line = announcement_audit(
            now, actor, "announcements.duplicate", None, source=source.reference
        )
        return await self._repository.add(new, audit=[line])

    async def delete(self, actor: Actor, announcement_id: int, version: int) -> None:
        stored = await self._editable(actor, announcement_id, version)
        line = announcement_audit(self._clock.now(), actor, "announcements.delete", stored)
        if not await self._repository.delete(stored.id, stored.version, audit=[line]):
            raise DomainError("announcements.error.changed")

    async def estimate(self, actor: Actor, announcement: Announcement) -> int | None:
        """The audience's size before sending (an upper bound when groups overlap), None when
        the directory did not answer."""
        require_comms(actor)
        visible_to(actor, announcement)
        return await self._facts.estimate(announcement.tenant_id, announcement.audience)

    async def audience_names(
        self, actor: Actor, announcement: Announcement, locale: str
    ) -> list[str]:
        """What the cards list as the audience (entities, groups, channels, the list's name)."""
        require_comms(actor)
        visible_to(actor, announcement)
        return await self._facts.names(announcement.audience, locale)

    # --- sending --------------------------------------------------------------------------------
    async def submit(self, actor: Actor, announcement_id: int, version: int) -> Announcement:
        """Send the draft (now, or at its time), or ask the approvers first; everything is
        checked again, the image fetched."""
        stored = await self._editable(actor, announcement_id, version)
        now = self._clock.now()
        audience = await self._checked_to_send(actor, stored, now)
        try:
            after = step(
                replace(stored, audience=audience),
                Step.SUBMIT,
                now,
                approval_required=self._rules.approval_required,
            )
        except StepRefused:
            raise DomainError("announcements.error.not_editable") from None
        messages: list[NewOutboxMessage] = []
        if after.state is AnnouncementState.AWAITING_APPROVAL:
            approvers = await self._approvals.approvers(after, besides=actor.user_id)
            if not approvers:
                raise DomainError("announcements.error.no_approver")
            messages = await self._approvals.asking(after, approvers)
        line = announcement_audit(
            now,
            actor,
            "announcements.submit",
            after,
            state=after.state.value,
            approvers=str(len(messages)),
        )
        if audience.kind is not AudienceKind.LIST:
            # A list uploaded once and replaced by another audience: its people stay out.
            await self._repository.clear_recipients(stored.id)
        await self._saved(after, stored.version, [line], messages)
        self._on_enqueued()
        return after

    # --- helpers --------------------------------------------------------------------------------
    async def _offer(
        self, actor: Actor, scope: AudienceScope, own: str, locale: str = "nl"
    ) -> AudienceChoices:
        return offer_for(
            scope,
            own,
            is_admin=actor.is_admin,
            entities=await self._entities(),
            rules=self._rules,
            locale=locale,
        )

    async def _editable(
        self, actor: Actor, announcement_id: int, version: int | None
    ) -> Announcement:
        """The actor's announcement (or any, for an admin) as long as it can still be changed,
        on the version the actor saw."""
        require_comms(actor)
        stored = visible_to(actor, await self._repository.get(announcement_id))
        if not stored.editable:
            raise DomainError("announcements.error.not_editable")
        if version is not None and version != stored.version:
            raise DomainError("announcements.error.changed")
        return stored

    async def _audience_problems(
        self, actor: Actor, audience: Audience, *, draft: bool
    ) -> tuple[Audience, list[Problem]]:
        scope, own = await self.scope(actor)
        offer = await self._offer(actor, scope, own)
        return checked_audience(audience, offer, scope, own, is_admin=actor.is_admin, draft=draft)

    async def _checked_form(
        self, actor: Actor, form: AnnouncementForm, stored: Announcement | None, now: datetime
    ) -> Audience:
        wanted = form.audience
        if wanted.kind is AudienceKind.LIST:
            # A list is only ever what was uploaded into this draft, never the payload's.
            wanted = (
                stored.audience
                if stored is not None and _was_list(stored) and stored.audience is not None
                else Audience(AudienceKind.LIST)
            )
        audience, problems = await self._audience_problems(actor, wanted, draft=True)
        raise_problems(
            [
                *text_problems(form.dutch, form.english),
                *problems,
                *send_at_problems(form.send_at, now),
            ]
        )
        return audience

    async def _checked_to_send(self, actor: Actor, stored: Announcement, now: datetime) -> Audience:
        audience, problems = await self._audience_problems(
            actor, stored.audience or NO_AUDIENCE, draft=False
        )
        listed = audience.kind is AudienceKind.LIST and audience.is_set
        if listed and await self._repository.unqueued(stored.id) == 0:
            problems.append(not_allowed(AudienceProblem.EMPTY))
        images = dict.fromkeys(
            text.image_url for text in (stored.dutch, stored.english) if text and text.image_url
        )
        problems += [
            found for url in images if (found := await self._images.check(url)) is not None
        ]
        raise_problems(
            [
                *text_problems(stored.dutch, stored.english),
                *problems,
                *send_at_problems(stored.send_at, now),
            ]
        )
        return audience

    async def _saved(
        self,
        after: Announcement,
        expected_version: int,
        audit: Sequence[AuditEntry],
        outbox: Sequence[NewOutboxMessage] = (),
    ) -> None:
        if not await self._repository.save(after, expected_version, audit, outbox):
            raise DomainError("announcements.error.changed")


def _was_list(announcement: Announcement) -> bool:
    return announcement.audience is not None and announcement.audience.kind is AudienceKind.LIST
