"""What the post intake, the post desk (chat) and the post worker share: saving a transition of an
item together with its audit line and its notices (rendered in each recipient's language) in one
transaction, and where team and mailroom messages go."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.platform.outbox import NewOutboxMessage
from bot.domain.post.items import PostItem, PostNotice
from bot.ports.platform import Clock, UserRepository
from bot.ports.post import PostCards, PostItemRepository

OBJECT_TYPE = "post_item"
LANGUAGE_SECONDS = 300.0
LANGUAGES_KEPT = 4096


@dataclass(frozen=True, slots=True)
class Channels:
    """Where channel messages go: the mailroom's triage channel, and the connector URL of the
    tenant's channels (a channel conversation is addressed by id on that service URL)."""

    mailroom_conversation_id: str = ""
    service_url: str = ""


class PostFlow:
    def __init__(
        self,
        *,
        items: PostItemRepository,
        cards: PostCards,
        users: UserRepository,
        clock: Clock,
        channels: Channels,
        default_locale: str = "nl",
        on_enqueued: Callable[[], None] = lambda: None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.items = items
        self.clock = clock
        self.channels = channels
        self._cards = cards
        self._users = users
        self._default_locale = default_locale
        self._on_enqueued = on_enqueued
        self._monotonic = monotonic
        self._languages: dict[str, tuple[float, str]] = {}

    async def transition(
        self,
        before: PostItem,
        after: PostItem,
        actor: Actor,
        action: str,
        notices: Sequence[PostNotice] = (),
        *,
        outcome: Outcome = Outcome.OK,
        **detail: str,
    ) -> PostItem:
        """Save `after` (a change of `before`) with one audit line and its notices, atomically."""
        audit = [self.audit_entry(after, actor, action, outcome, before=before, **detail)]
        messages = await self.messages(notices)
        await self.items.save(
            after, expected_version=before.version, audit=audit, messages=messages
        )
        if messages:
            self._on_enqueued()
        return after

    def audit_entry(
        self,
        item: PostItem,
        actor: Actor,
        action: str,
        outcome: Outcome = Outcome.OK,
        *,
        before: PostItem | None = None,
        **detail: str,
    ) -> AuditEntry:
        """Ids and states only: never the sender, the subject or the envelope's text."""
        facts = {
            "from": before.state.value if before else "",
            "to": item.state.value,
            "destination": f"{item.destination.kind.value}:{item.destination.target}",
            **({"rule": item.rule_id} if item.rule_id else {}),
            **({"delegated_from": item.delegated_from} if item.delegated_from else {}),
            **{key: value for key, value in detail.items() if value},
        }
        return AuditEntry(
            at=self.clock.now(),
            actor_id=actor.user_id,
            action=action,
            outcome=outcome,
            role=actor.role,
            tenant_id=item.tenant_id,
            object_type=OBJECT_TYPE,
            object_id=item.reference,
            correlation_id=actor.correlation_id,
            detail=facts,
        )

    async def messages(self, notices: Sequence[PostNotice]) -> list[NewOutboxMessage]:
        people = [notice.recipient_id for notice in notices if notice.recipient_id]
        return self.render(notices, await self.locales(people))

    async def locales(self, people: Sequence[str]) -> dict[str, str]:
        """Each person's Teams language, remembered for a few minutes (it changes when they
        switch their client's language; a card in the old one for a while does no harm)."""
        found = {}
        for person in people:
            key = person.casefold()
            cached = self._languages.get(key)
            if cached is None or self._monotonic() - cached[0] >= LANGUAGE_SECONDS:
                seen = await self._users.get(person)
                locale = seen.locale if seen and seen.locale else self._default_locale
                if len(self._languages) >= LANGUAGES_KEPT:
                    del self._languages[next(iter(self._languages))]  # the oldest
                cached = (self._monotonic(), locale)
                self._languages[key] = cached
            found[person] = cached[1]
        return found

    def render(
        self, notices: Sequence[PostNotice], locales: Mapping[str, str]
    ) -> list[NewOutboxMessage]:
        """The outbox messages of the notices, each in its recipient's language (no I/O)."""
        return [
            NewOutboxMessage(
                tenant_id=notice.item.tenant_id,
                dedupe_key=notice.dedupe_key,
                activity=self._cards.render(
                    notice, locales.get(notice.recipient_id, self._default_locale)
                ),
                recipient_id=notice.recipient_id,
                conversation_id=notice.conversation_id,
                service_url=self.channels.service_url if notice.conversation_id else "",
                replaces=notice.replaces,
            )
            for notice in notices
        ]
