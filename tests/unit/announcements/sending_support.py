"""What the tests of sending, receipts and changes share: an announcement on its way and the
services over the in-memory fakes (tests/unit/announcements/fakes.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.domain.announcements.announcements import Announcement, AnnouncementState
from bot.domain.announcements.audiences import Audience, AudienceKind
from bot.domain.announcements.content import Content, Importance
from bot.domain.announcements.recipients import NewRecipient, recipient_dedupe_key
from bot.domain.licences.catalogue import Catalogue, Entity
from bot.domain.platform.actors import Actor
from bot.domain.platform.conversations import ConversationRef
from bot.domain.platform.outbox import NewOutboxMessage, OutboxStatus
from bot.domain.platform.roles import Role
from bot.ports.announcements import AudienceMember
from bot.services.announcements.changes import AnnouncementChanges
from bot.services.announcements.parts import AnnouncementRules
from bot.services.announcements.receipts import AnnouncementReceipts
from bot.services.announcements.sending import AnnouncementSender
from tests.support.clock import START, FakeClock
from tests.unit.announcements.fakes import (
    FakeAnnouncementRepository,
    FakeAudienceDirectory,
    FakeCards,
    FakePeople,
)
from tests.unit.fakes import MemoryAuditLog
from tests.unit.outbox.fakes import FakeConversationRefs

TENANT = "t"
AUTHOR = "author-1"
APP = "app-werkplek"
AUTHOR_ACTOR = Actor(AUTHOR, TENANT, "Sofie", frozenset({Role.COMMS}))
ADMIN = Actor("admin-1", TENANT, "Jan", frozenset({Role.ADMIN}))
STRANGER = Actor("comms-2", TENANT, "Piet", frozenset({Role.COMMS}))


def announcement(**changes: Any) -> Announcement:
    values: dict[str, Any] = {
        "id": 1,
        "reference": "ANN-2026-000001",
        "tenant_id": TENANT,
        "author_id": AUTHOR,
        "author_name": "Sofie",
        "author_entity": "ADV",
        "state": AnnouncementState.SENDING,
        "version": 3,
        "dutch": Content("MFA verplicht"),
        "english": Content("MFA required"),
        "importance": Importance.NORMAL,
        "audience": Audience(AudienceKind.GROUPS, groups=("g1",)),
        "created_at": START - timedelta(hours=1),
        "updated_at": START,
        "started_at": START,
    }
    values.update(changes)
    return Announcement(**values)


def members(prefix: str, count: int, *, disabled: set[int] | None = None) -> list[AudienceMember]:
    off = disabled or set()
    return [AudienceMember(f"{prefix}-{n:05d}", enabled=n not in off) for n in range(count)]


@dataclass
class FakeEntities:
    catalogue_: Catalogue = field(default_factory=Catalogue)

    async def catalogue(self) -> Catalogue:
        return self.catalogue_


def entity(code: str, staff_group: str) -> Entity:
    return Entity(code, code, code, staff_group)


@dataclass
class World:
    repository: FakeAnnouncementRepository
    directory: FakeAudienceDirectory
    refs: FakeConversationRefs
    people: FakePeople
    cards: FakeCards
    clock: FakeClock
    audit: MemoryAuditLog
    entities: FakeEntities
    rules: AnnouncementRules
    wakes: list[int]

    def sender(self) -> AnnouncementSender:
        return AnnouncementSender(
            repository=self.repository,
            directory=self.directory,
            refs=self.refs,
            people=self.people,
            cards=self.cards,
            entities=self.entities,
            rules=self.rules,
            clock=self.clock,
            outbox=self.repository,
            on_enqueued=lambda: self.wakes.append(1),
        )

    def receipts(self) -> AnnouncementReceipts:
        return AnnouncementReceipts(repository=self.repository, clock=self.clock, audit=self.audit)

    def changes(self, stop_batches: Any = None) -> AnnouncementChanges:
        return AnnouncementChanges(
            repository=self.repository,
            outbox=self.repository,
            refs=self.refs,
            cards=self.cards,
            people=self.people,
            clock=self.clock,
            audit=self.audit,
            rules=self.rules,
            stop_batches=stop_batches,
            on_enqueued=lambda: self.wakes.append(1),
        )

    def chat(self, user_id: str, locale: str = "nl-BE") -> None:
        """The person has a personal chat with the bot (in this language)."""
        self.refs.refs[(TENANT, user_id)] = ConversationRef(
            user_id, TENANT, "https://smba.example/", f"a:{user_id}", "bot", locale=locale
        )

    def messages_to_people(self, announcement_id: int = 1) -> list[NewOutboxMessage]:
        """The recipients' own messages (one each), in the order they were queued."""
        keys = {
            recipient_dedupe_key(announcement_id, person.user_id)
            for person in self.repository.snapshot_of(announcement_id)
        }
        return [m for m in self.repository.messages if m.dedupe_key in keys]

    def status_cards(self, announcement_id: int = 1) -> list[NewOutboxMessage]:
        prefix = f"ann:{announcement_id}:status:"
        return [m for m in self.repository.messages if m.dedupe_key.startswith(prefix)]

    def waiting(self, announcement_id: int = 1) -> int:
        return sum(
            1
            for m in self.messages_to_people(announcement_id)
            if self.repository.outbox[m.dedupe_key].status
            in (OutboxStatus.PENDING, OutboxStatus.IN_FLIGHT)
        )

    def settle_all(self, status: OutboxStatus = OutboxStatus.SENT, announcement_id: int = 1) -> int:
        """A verdict on every waiting message; returns how many."""
        done = 0
        for message in self.messages_to_people(announcement_id):
            if self.repository.outbox[message.dedupe_key].status is OutboxStatus.PENDING:
                done += 1
                self.repository.settle(message.dedupe_key, status, activity_id=str(1000 + done))
        return done


def world(**rules: Any) -> World:
    return World(
        repository=FakeAnnouncementRepository(),
        directory=FakeAudienceDirectory(),
        refs=FakeConversationRefs(),
        people=FakePeople(),
        cards=FakeCards(),
        clock=FakeClock(),
        audit=MemoryAuditLog(),
        entities=FakeEntities(),
        rules=AnnouncementRules(**rules),
        wakes=[],
    )


async def sent_to(w: World, *user_ids: str, **changes: Any) -> Announcement:
    """An announcement resolved to these people and all of them queued (not settled)."""
    stored = w.repository.put(announcement(resolved=True, audience_size=len(user_ids), **changes))
    await w.repository.add_recipients(stored.id, [NewRecipient(user) for user in user_ids])

    def messages(a: Announcement, people: Any) -> list[NewOutboxMessage]:
        return [
            NewOutboxMessage(
                TENANT,
                recipient_dedupe_key(a.id, p.user_id),
                {"card": "message", "title": a.dutch.title},
                recipient_id=p.user_id,
            )
            for p in people
        ]

    await w.repository.queue_next(stored.id, len(user_ids), messages, w.clock.now())
    return stored
