"""What the author (or an admin) changes once an announcement is on its way: cancel, recall,
edit the sent messages, remind those who did not acknowledge, and the figures on demand.

- Cancel (before or while sending): the step, then the messages still waiting in the outbox
  are withdrawn (they count as not reached); those in flight finish.
- Recall (while or after sending): the step, the waiting messages withdrawn, and every message
  that reached someone deleted in Teams, through the outbox at the Teams rate (a deletion
  `replaces` the person's message). Each deletion has its own key, so recalling again (after
  a crash, or once the messages that were in flight at the first click have landed) queues
  only what is missing.
- Edit: the new text is saved on the version it was decided on; every message that reached
  someone is edited in place (a replacement per person, numbered by the edit), and those not
  queued yet get the new text anyway (their message is made when it is queued).
- In the BATCH mode (Teams batch operations) cancel also stops the running operations, and
  edit and recall are refused: Teams gives no message ids for a batch's messages.
- Remind (urgent announcements only): the message again, marked as a reminder, to everyone it
  reached who has not acknowledged it. One reminder a day: its key carries the date, so a
  second click that day (or one after a crash) adds only what is missing.

Someone else's announcement is refused like an unknown one (checks.visible_to). The author's
status card gets its last state when a sending announcement is cancelled or recalled; an
author whose announcement an admin cancelled or recalled is told so.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from bot.domain.announcements.announcements import (
    EDITABLE_AFTER_SENDING,
    Announcement,
    AnnouncementState,
    Step,
    StepRefused,
    is_person,
    step,
)
from bot.domain.announcements.audiences import AudienceKind
from bot.domain.announcements.batches import DeliveryMode
from bot.domain.announcements.content import Content, Importance
from bot.domain.announcements.recipients import Progress, progress, recipient_dedupe_key
from bot.domain.platform.actors import Actor
from bot.domain.platform.errors import DomainError, InvalidInput
from bot.domain.platform.outbox import NewOutboxMessage, deletion_of
from bot.i18n import DEFAULT_LOCALE, pick_locale
from bot.ports.announcements import AnnouncementRepository
from bot.ports.platform import AuditLog, Clock, ConversationRefRepository
from bot.services.announcements.checks import (
    announcement_audit,
    raise_problems,
    same_person,
    text_problems,
    visible_to,
)
from bot.services.announcements.figures import last_status
from bot.services.announcements.parts import (
    AnnouncementCards,
    AnnouncementRules,
    OutboxQueue,
    People,
)

logger = logging.getLogger(__name__)

# Recipients per page of deletions, edits or reminders: one query and one outbox write each.
PAGE = 1000


@dataclass(frozen=True, slots=True)
class Changed:
    """The announcement after a change, and how many messages the change queued (cancel: how
    many waiting messages it withdrew)."""

    announcement: Announcement
    messages: int
    # Recall: messages on their way at the click (not yet sent, so not deleted yet); recalling
    # again once they landed deletes them too.
    in_flight: int = 0


class AnnouncementChanges:
    def __init__(
        self,
        *,
        repository: AnnouncementRepository,
        outbox: OutboxQueue,
        refs: ConversationRefRepository,
        cards: AnnouncementCards,
        people: People,
        clock: Clock,
        audit: AuditLog,
        rules: AnnouncementRules | None = None,
        stop_batches: Callable[[Announcement], Awaitable[int]] | None = None,
        on_enqueued: Callable[[], None] = lambda: None,
    ) -> None:
        """refs: the people's chats with the bot, for the language of an edit or reminder;
        rules: which delivery mode an announcement has; stop_batches: stops the Teams batch
        operations of a cancelled announcement (AnnouncementSender.stop_batches)."""
        self._repository = repository
        self._outbox = outbox
        self._refs = refs
        self._cards = cards
        self._people = people
        self._clock = clock
        self._audit = audit
        self._rules = rules or AnnouncementRules()
        self._stop_batches = stop_batches
        self._on_enqueued = on_enqueued

    async def cancel(self, actor: Actor, announcement_id: int, version: int) -> Changed:
        """Stop it before (more) people get it."""
        before = await self._current(actor, announcement_id, version)
        cancelled = await self._step(actor, before, Step.CANCEL, "announcements.cancel")
        withdrawn = await self._repository.withdraw_pending(announcement_id)
        stopped = 0
        if self._stop_batches is not None and self._rules.mode_of(before) is DeliveryMode.BATCH:
            stopped = await self._stop_batches(cancelled)
        await self._tell_author(actor, before, cancelled, "announcements.changes.notice.cancelled")
        logger.info(
            "announcement %s: cancelled, %d waiting withdrawn, %d batch operations stopped",
            announcement_id,
            withdrawn,
            stopped,
        )
        return Changed(cancelled, withdrawn)

    async def recall(self, actor: Actor, announcement_id: int, version: int) -> Changed:
        """Delete every message it sent. On a recalled one (a second click) it finishes the
        job: the deletions not queued yet are."""
        stored = visible_to(actor, await self._repository.get(announcement_id))
        self._refuse_batch(stored, "announcements.changes.batch_not_recallable")
        if stored.state is AnnouncementState.RECALLED:
            recalled, first = stored, False
        else:
            before = _on_version(stored, version)
            recalled = await self._step(actor, before, Step.RECALL, "announcements.recall")
            first = True
        await self._repository.withdraw_pending(announcement_id)
        queued = 0
        async for page in self._reached(announcement_id):
            queued += await self._enqueue(
                [
                    deletion_of(
                        key,
                        tenant_id=recalled.tenant_id,
                        dedupe_key=f"{key}:recall",
                        recipient_id=person,
                        conversation_id=channel,
                    )
                    for person, channel, key in _targets(recalled, page)
                ]
            )
        if first:
            await self._tell_author(
                actor, stored, recalled, "announcements.changes.notice.recalled"
            )
        in_flight = await self._repository.in_flight(announcement_id)
        logger.info(
            "announcement %s: recall queued %d deletions, %d messages still in flight",
            announcement_id,
            queued,
            in_flight,
        )
        return Changed(recalled, queued, in_flight)

    async def edit_sent(
        self, actor: Actor, announcement_id: int, form_content: tuple[Content, Content | None]
    ) -> Changed:
        """New text for a sending or sent announcement, edited into every message sent."""
        announcement = visible_to(actor, await self._repository.get(announcement_id))
        if announcement.state not in EDITABLE_AFTER_SENDING:
            raise InvalidInput("announcements.changes.cannot_edit")
        self._refuse_batch(announcement, "announcements.changes.batch_not_editable")
        dutch, english = form_content
        english = None if english is None or english.is_empty else english
        raise_problems(text_problems(dutch, english))
        now = self._clock.now()
        edited = replace(
            announcement,
            dutch=dutch,
            english=english,
            edits=announcement.edits + 1,
            version=announcement.version + 1,
            updated_at=now,
        )
        audit = announcement_audit(now, actor, "announcements.edit_sent", edited)
        if not await self._repository.save(edited, announcement.version, audit=[audit]):
            raise DomainError("announcements.changes.stale")
        queued = 0
        async for page in self._reached(announcement_id):
            activities = await self._activities(edited, [user for user, _ in page])
            queued += await self._enqueue(
                [
                    NewOutboxMessage(
                        tenant_id=edited.tenant_id,
                        dedupe_key=f"{key}:edit:{edited.edits}",
                        activity=activities(person or channel),
                        recipient_id=person,
                        conversation_id=channel,
                        replaces=key,
                    )
                    for person, channel, key in _targets(edited, page)
                ]
            )
        logger.info("announcement %s: edit %d queued for %d", announcement_id, edited.edits, queued)
        return Changed(edited, queued)

    async def remind(self, actor: Actor, announcement_id: int) -> Changed:
        """The message again to those it reached who did not acknowledge it (once a day)."""
        announcement = visible_to(actor, await self._repository.get(announcement_id))
        if (
            announcement.importance is not Importance.URGENT
            or announcement.state not in EDITABLE_AFTER_SENDING
            or (
                announcement.audience is not None
                and announcement.audience.kind is AudienceKind.CHANNELS
            )
        ):
            raise InvalidInput("announcements.changes.cannot_remind")
        now = self._clock.now()
        day = now.date().isoformat()
        queued = 0
        after = ""
        while page := await self._repository.not_acknowledged(announcement_id, after, PAGE):
            activities = await self._activities(announcement, page, reminder=True)
            queued += await self._enqueue(
                [
                    NewOutboxMessage(
                        tenant_id=announcement.tenant_id,
                        dedupe_key=f"{recipient_dedupe_key(announcement_id, user_id)}:remind:{day}",
                        activity=activities(user_id),
                        recipient_id=user_id,
                    )
                    for user_id in page
                ]
            )
            if len(page) < PAGE:
                break
            after = page[-1]
        await self._audit.append(
            announcement_audit(now, actor, "announcements.remind", announcement, sent=str(queued))
        )
        return Changed(announcement, queued)

    def as_sent(self, announcement: Announcement) -> Announcement:
        """The announcement with the mode it goes out in (AnnouncementRules.as_sent)."""
        return self._rules.as_sent(announcement)

    async def figures(self, actor: Actor, announcement_id: int) -> Progress:
        """Where it stands now (the status card on demand)."""
        announcement = visible_to(actor, await self._repository.get(announcement_id))
        figures = await self._repository.figures(announcement_id)
        # A finished one's rate is what it was, not diluted by every day since.
        until = announcement.finished_at or self._clock.now()
        return progress(figures, announcement.started_at, until)

    # --- helpers --------------------------------------------------------------------------------
    def _refuse_batch(self, announcement: Announcement, message_key: str) -> None:
        """Teams returns no message ids for a batch operation's messages: there is nothing to
        edit or delete them by, so the author is told instead of half of them changing."""
        if announcement.resolved and self._rules.mode_of(announcement) is DeliveryMode.BATCH:
            raise InvalidInput(message_key)

    async def _current(self, actor: Actor, announcement_id: int, version: int) -> Announcement:
        return _on_version(visible_to(actor, await self._repository.get(announcement_id)), version)

    async def _step(
        self, actor: Actor, before: Announcement, what: Step, action: str
    ) -> Announcement:
        now = self._clock.now()
        try:
            after = step(before, what, now)
        except StepRefused as refused:
            raise InvalidInput(f"announcements.changes.cannot_{what.value}") from refused
        audit = announcement_audit(now, actor, action, after, before=before.state.value)
        if not await self._repository.save(after, before.version, audit=[audit]):
            raise DomainError("announcements.changes.stale")
        return after

    async def _reached(self, announcement_id: int) -> AsyncIterator[list[tuple[str, str]]]:
        after = ""
        while page := await self._repository.reached(announcement_id, after, PAGE):
            yield page
            if len(page) < PAGE:
                return
            after = page[-1][0]

    async def _activities(
        self, announcement: Announcement, user_ids: list[str], *, reminder: bool = False
    ) -> Callable[[str], dict[str, Any]]:
        """Each person's card in the language of their chat with the bot (one lookup for the
        page, one card per language)."""
        tenant = announcement.tenant_id
        refs = await self._refs.get_many(tenant, user_ids) if user_ids else {}
        locales = {user.lower(): pick_locale(ref.locale) for user, ref in refs.items()}
        cards: dict[str, dict[str, Any]] = {}
        audience = announcement.audience
        in_channel = audience is not None and audience.kind is AudienceKind.CHANNELS

        def activity(user_id: str) -> dict[str, Any]:
            locale = locales.get(user_id.lower(), DEFAULT_LOCALE)
            if locale not in cards:
                cards[locale] = self._cards.message(
                    announcement, locale, reminder=reminder, in_channel=in_channel
                )
            return cards[locale]

        return activity

    async def _enqueue(self, messages: list[NewOutboxMessage]) -> int:
        if not messages:
            return 0
        added = await self._outbox.enqueue(messages, self._clock.now())
        if added:
            self._on_enqueued()
        return added

    async def _tell_author(
        self, actor: Actor, before: Announcement, after: Announcement, notice: str
    ) -> None:
        """The status card's last state (when it was being sent) and, when an admin did it,
        a notice to the author."""
        now = self._clock.now()
        locale = pick_locale(await self._people.locale_of(after.author_id))
        messages: list[NewOutboxMessage] = []
        if before.state in EDITABLE_AFTER_SENDING:
            figures = await self._repository.figures(after.id)
            messages += last_status(self._cards, self._rules.as_sent(after), figures, now, locale)
        if is_person(after.author_id) and not same_person(actor.user_id, after.author_id):
            messages.append(
                NewOutboxMessage(
                    tenant_id=after.tenant_id,
                    dedupe_key=f"ann:{after.id}:notice:{after.state.value}",
                    activity=self._cards.notice(notice, locale, reference=after.reference),
                    recipient_id=after.author_id,
                )
            )
        await self._enqueue(messages)


def _on_version(announcement: Announcement, version: int) -> Announcement:
    """The announcement as the person's card showed it; refused when it moved since (the
    card was old: they look again and decide on what it is now)."""
    if announcement.version != version:
        raise DomainError("announcements.changes.stale")
    return announcement


def _targets(announcement: Announcement, page: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(person, channel, dedupe key) of where each recipient's message went: the person's
    chat, or for a channel audience that channel's conversation (the recipient's id)."""
    audience = announcement.audience
    if audience is not None and audience.kind is AudienceKind.CHANNELS:
        return [("", user_id, key) for user_id, key in page]
    return [(user_id, "", key) for user_id, key in page]
