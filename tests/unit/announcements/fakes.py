"""In-memory stand-ins for the announcement ports and service parts (unit tests only; the real
repository is bot/store/announcements, tested on both engines in tests/integration).

They keep the promises the ports document: a save lands only on the version it was read at and
writes its audit lines and outbox messages with it (all or nothing); an outbox message whose
dedupe key was written before is skipped; a person is in a snapshot once; the figures come from
the outbox's verdicts through the domain's `outcome_of` and `tally`, so they add up.

What a test can do besides calling the port:
- `repository.settle(key, OutboxStatus.SENT, retries=0, activity_id="1001")`: the outbox's
  verdict on a message (what the sender would have recorded);
- `repository.reach(tenant, *user_ids)`: people the bot has a personal chat with ("everyone");
- `repository.races.add(id)`: the next save of that announcement finds another replica saved
  first (its stored version moves on, the save returns False);
- `repository.meanwhile[id] = announcement`: the next save of that id finds this one stored
  first (another person's step saved between the service's read and its write);
- `repository.put(announcement)`: store one as it is, in any state;
- `repository.enqueue(messages, now)`: the outbox port (OutboxQueue) over the same outbox.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from bot.domain.announcements.announcements import (
    Announcement,
    AnnouncementState,
    NewAnnouncement,
    drafted,
    format_announcement_reference,
)
from bot.domain.announcements.recipients import (
    EntityFigures,
    Figures,
    NewRecipient,
    Outcome,
    Progress,
    Recipient,
    outcome_of,
    recipient_dedupe_key,
    tally,
)
from bot.domain.platform.audit import AuditEntry
from bot.domain.platform.errors import InvalidInput, Unavailable
from bot.domain.platform.outbox import FINAL_STATUSES, NewOutboxMessage, OutboxStatus
from bot.ports.announcements import AudienceMember, MessagesFor


@dataclass
class StoredRecipient:
    """One person of a snapshot, as the store keeps them."""

    user_id: str
    entity: str = ""
    locale: str = ""
    conversation_id: str = ""
    queued: bool = False
    read_at: datetime | None = None
    acknowledged_at: datetime | None = None


@dataclass
class OutboxRow:
    """What the outbox holds for one dedupe key."""

    message: NewOutboxMessage
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    retries: int = 0
    activity_id: str = ""
    sent_at: datetime | None = None


def _teams_id_order(activity_id: str) -> tuple[int, int, str]:
    """Teams message ids grow with time; numeric ones compare as numbers."""
    if activity_id.isdigit():
        return (0, int(activity_id), "")
    return (1, 0, activity_id)


class FakeAnnouncementRepository:
    """The whole AnnouncementRepository port in memory.

    `audit` and `messages` are every audit line and outbox message written (by add, save,
    delete and queue_next), in order; `outbox` is the outbox's row per dedupe key.
    """

    def __init__(self) -> None:
        self.rows: dict[int, Announcement] = {}
        self.audit: list[AuditEntry] = []
        self.messages: list[NewOutboxMessage] = []
        self.outbox: dict[str, OutboxRow] = {}
        self.snapshots: dict[int, dict[str, StoredRecipient]] = defaultdict(dict)
        self.reachable_people: dict[str, set[str]] = defaultdict(set)
        self.races: set[int] = set()
        self.meanwhile: dict[int, Announcement] = {}
        self.saves = 0  # successful saves, to assert "nothing written"
        self._numbers: dict[int, int] = defaultdict(int)

    # --- the port: announcements ---------------------------------------------------------------
    async def add(self, new: NewAnnouncement, audit: Sequence[AuditEntry] = ()) -> Announcement:
        year = new.created_at.year
        self._numbers[year] += 1
        stored = drafted(
            new,
            announcement_id=max(self.rows, default=0) + 1,
            reference=format_announcement_reference(year, self._numbers[year]),
        )
        self.rows[stored.id] = stored
        # As the store: the new reference names the lines written before it was known.
        self.audit.extend(
            entry if entry.object_id else replace(entry, object_id=stored.reference)
            for entry in audit
        )
        return stored

    async def get(self, announcement_id: int) -> Announcement | None:
        return self.rows.get(announcement_id)

    async def by_reference(self, reference: str) -> Announcement | None:
        wanted = reference.strip().upper()
        return next((row for row in self.rows.values() if row.reference == wanted), None)

    async def by_client_key(self, source: str, client_key: str) -> Announcement | None:
        for row in self.rows.values():
            if client_key and row.source == source and row.client_key == client_key:
                return row
        return None

    async def of_author(self, author_id: str, limit: int = 20) -> list[Announcement]:
        mine = [row for row in self.rows.values() if row.author_id.lower() == author_id.lower()]
        mine.sort(key=lambda row: (row.created_at, row.id), reverse=True)
        return mine[:limit]

    async def save(
        self,
        announcement: Announcement,
        expected_version: int,
        audit: Sequence[AuditEntry] = (),
        outbox: Sequence[NewOutboxMessage] = (),
    ) -> bool:
        if announcement.version <= expected_version:
            # As the store: an unchanged version would let two stale writers both win.
            raise ValueError("a saved announcement must carry a newer version than it replaces")
        stored = self.rows.get(announcement.id)
        if stored is None:
            return False
        if (first := self.meanwhile.pop(announcement.id, None)) is not None:
            self.rows[announcement.id] = first
            stored = first
        if announcement.id in self.races:
            self.races.discard(announcement.id)
            self.rows[announcement.id] = replace(stored, version=stored.version + 1)
            return False
        if stored.version != expected_version:
            return False
        self.rows[announcement.id] = announcement
        self.audit.extend(audit)
        self._enqueue(outbox)
        self.saves += 1
        return True

    async def delete(
        self, announcement_id: int, expected_version: int, audit: Sequence[AuditEntry] = ()
    ) -> bool:
        stored = self.rows.get(announcement_id)
        if stored is None or stored.version != expected_version:
            return False
        del self.rows[announcement_id]
        self.snapshots.pop(announcement_id, None)
        self.audit.extend(audit)
        return True

    async def active(self, now: datetime, limit: int = 100) -> list[Announcement]:
        found = [
            row
            for row in self.rows.values()
            if row.state is AnnouncementState.SENDING
            or (
                row.state is AnnouncementState.SCHEDULED
                and (row.send_at is None or row.send_at <= now)
            )
        ]
        found.sort(key=lambda row: row.id)
        return found[:limit]

    # --- the port: the snapshot -----------------------------------------------------------------
    async def add_recipients(self, announcement_id: int, recipients: Sequence[NewRecipient]) -> int:
        snapshot = self.snapshots[announcement_id]
        new = 0
        for person in recipients:
            key = person.user_id.lower()
            if key in snapshot:
                continue
            snapshot[key] = StoredRecipient(
                user_id=person.user_id,
                entity=person.entity,
                locale=person.locale,
                conversation_id=person.conversation_id,
            )
            new += 1
        return new

    async def clear_recipients(self, announcement_id: int) -> None:
        snapshot = self.snapshots.get(announcement_id, {})
        if any(person.queued for person in snapshot.values()):
            raise ValueError("a snapshot with queued recipients is not cleared")
        self.snapshots.pop(announcement_id, None)

    async def mark_resolved(self, announcement_id: int) -> int:
        size = len(self.snapshots.get(announcement_id, {}))
        stored = self.rows.get(announcement_id)
        if stored is not None:
            self.rows[announcement_id] = replace(stored, audience_size=size, resolved=True)
        return size

    async def queue_next(
        self, announcement_id: int, limit: int, messages: MessagesFor, now: datetime
    ) -> int:
        stored = self.rows.get(announcement_id)
        if stored is None or stored.state is not AnnouncementState.SENDING or limit <= 0:
            return 0
        waiting = sorted(
            (p for p in self.snapshots.get(announcement_id, {}).values() if not p.queued),
            key=lambda p: p.user_id.lower(),
        )[:limit]
        if not waiting:
            return 0
        new = [
            NewRecipient(
                p.user_id, entity=p.entity, locale=p.locale, conversation_id=p.conversation_id
            )
            for p in waiting
        ]
        self._enqueue(messages(stored, new))
        for person in waiting:
            person.queued = True
        return len(waiting)

    async def in_flight(self, announcement_id: int) -> int:
        return sum(
            1
            for key, person in self._snapshot(announcement_id)
            if person.queued
            and (row := self.outbox.get(key)) is not None
            and row.status not in FINAL_STATUSES
        )

    async def unqueued(self, announcement_id: int) -> int:
        return sum(1 for _, person in self._snapshot(announcement_id) if not person.queued)

    async def withdraw_pending(self, announcement_id: int) -> int:
        withdrawn = 0
        for key, person in self._snapshot(announcement_id):
            row = self.outbox.get(key)
            if person.queued and row is not None and row.status is OutboxStatus.PENDING:
                del self.outbox[key]
                withdrawn += 1
        return withdrawn

    async def figures(self, announcement_id: int) -> Figures:
        return tally(self._rows_for_tally(announcement_id, entity=None))

    async def entity_figures(self, announcement_id: int) -> list[EntityFigures]:
        entities = sorted({p.entity for _, p in self._snapshot(announcement_id)})
        return [
            EntityFigures(entity, tally(self._rows_for_tally(announcement_id, entity=entity)))
            for entity in entities
        ]

    async def recipients(
        self, announcement_id: int, after: str = "", limit: int = 1000
    ) -> list[Recipient]:
        people = [
            (key, p)
            for key, p in self._snapshot(announcement_id)
            if p.user_id.lower() > after.lower()
        ][:limit]
        return [self._recipient(announcement_id, key, p) for key, p in people]

    async def recipient(self, announcement_id: int, user_id: str) -> Recipient | None:
        key = recipient_dedupe_key(announcement_id, user_id)
        person = self.snapshots.get(announcement_id, {}).get(user_id.lower())
        return None if person is None else self._recipient(announcement_id, key, person)

    async def reached(
        self, announcement_id: int, after: str = "", limit: int = 1000
    ) -> list[tuple[str, str]]:
        found = [
            (p.user_id, key)
            for key, p in self._snapshot(announcement_id)
            if p.user_id.lower() > after.lower() and self._status(key) is OutboxStatus.SENT
        ]
        return found[:limit]

    async def acknowledge(self, announcement_id: int, user_id: str, at: datetime) -> bool:
        person = self.snapshots.get(announcement_id, {}).get(user_id.lower())
        if person is None or person.acknowledged_at is not None:
            return False
        person.acknowledged_at = at
        return True

    async def mark_read(self, user_id: str, last_read_activity_id: str, at: datetime) -> int:
        marked = 0
        limit = _teams_id_order(last_read_activity_id)
        for announcement_id, snapshot in self.snapshots.items():
            person = snapshot.get(user_id.lower())
            if person is None or person.read_at is not None:
                continue
            row = self.outbox.get(recipient_dedupe_key(announcement_id, user_id))
            if row is None or row.status is not OutboxStatus.SENT or not row.activity_id:
                continue
            if _teams_id_order(row.activity_id) <= limit:
                person.read_at = at
                marked += 1
        return marked

    async def not_acknowledged(
        self, announcement_id: int, after: str = "", limit: int = 1000
    ) -> list[str]:
        found = [
            p.user_id
            for key, p in self._snapshot(announcement_id)
            if p.user_id.lower() > after.lower()
            and p.acknowledged_at is None
            and self._status(key) is OutboxStatus.SENT
        ]
        return found[:limit]

    async def reachable(self, tenant_id: str, after: str = "", limit: int = 1000) -> list[str]:
        people = sorted(self.reachable_people.get(tenant_id, set()), key=str.lower)
        return [p for p in people if p.lower() > after.lower()][:limit]

    # --- the outbox (OutboxQueue): what is queued outside a step shares this outbox -----------
    async def enqueue(self, messages: Sequence[NewOutboxMessage], now: datetime) -> int:
        before = len(self.outbox)
        self._enqueue(messages)
        return len(self.outbox) - before

    # --- for tests ------------------------------------------------------------------------------
    def put(self, announcement: Announcement) -> Announcement:
        self.rows[announcement.id] = announcement
        return announcement

    def reach(self, tenant_id: str, *user_ids: str) -> None:
        self.reachable_people[tenant_id].update(user_ids)

    def settle(
        self,
        dedupe_key: str,
        status: OutboxStatus,
        attempts: int = 1,
        activity_id: str = "",
        sent_at: datetime | None = None,
        retries: int = 0,
    ) -> None:
        """The outbox's verdict (or a new in-flight state) on the message under this key;
        `retries`: the attempts that failed and were tried again (a 429, a 5xx)."""
        row = self.outbox.get(dedupe_key)
        if row is None:
            raise KeyError(f"no outbox message under {dedupe_key}")
        row.status = status
        row.attempts = attempts
        row.retries = retries
        row.activity_id = activity_id or row.activity_id
        row.sent_at = sent_at or row.sent_at

    def actions(self) -> list[str]:
        """The audit actions written, in order."""
        return [entry.action for entry in self.audit]

    def sent_to(self, recipient_id: str) -> list[NewOutboxMessage]:
        return [m for m in self.messages if m.recipient_id.lower() == recipient_id.lower()]

    def snapshot_of(self, announcement_id: int) -> list[StoredRecipient]:
        return [p for _, p in self._snapshot(announcement_id)]

    # --- helpers --------------------------------------------------------------------------------
    def _enqueue(self, messages: Sequence[NewOutboxMessage]) -> None:
        for message in messages:
            if message.dedupe_key in self.outbox:
                continue  # as the outbox: a key written before is skipped
            self.outbox[message.dedupe_key] = OutboxRow(message)
            self.messages.append(message)

    def _snapshot(self, announcement_id: int) -> list[tuple[str, StoredRecipient]]:
        """(dedupe key, person) ordered by user id."""
        people = sorted(
            self.snapshots.get(announcement_id, {}).values(), key=lambda p: p.user_id.lower()
        )
        return [(recipient_dedupe_key(announcement_id, p.user_id), p) for p in people]

    def _status(self, key: str) -> OutboxStatus | None:
        row = self.outbox.get(key)
        return None if row is None else row.status

    def _outcome(self, key: str, person: StoredRecipient) -> Outcome:
        row = self.outbox.get(key)
        if row is None or not person.queued:
            return outcome_of(None, 0)
        return outcome_of(row.status, row.retries)

    def _rows_for_tally(
        self, announcement_id: int, entity: str | None
    ) -> list[tuple[Outcome, bool, bool]]:
        return [
            (self._outcome(key, p), p.read_at is not None, p.acknowledged_at is not None)
            for key, p in self._snapshot(announcement_id)
            if entity is None or p.entity == entity
        ]

    def _recipient(self, announcement_id: int, key: str, person: StoredRecipient) -> Recipient:
        row = self.outbox.get(key)
        return Recipient(
            announcement_id=announcement_id,
            user_id=person.user_id,
            entity=person.entity,
            outcome=self._outcome(key, person),
            sent_at=row.sent_at if row is not None else None,
            read_at=person.read_at,
            acknowledged_at=person.acknowledged_at,
            conversation_id=person.conversation_id,
        )


@dataclass
class FakeAudienceDirectory:
    """Entra groups and people. `page_size` splits a group's members into Graph-like pages;
    `failure` is raised by every call (Graph down); `installs` records install_app calls and
    `uninstallable` are the people Graph refuses the app to."""

    groups: dict[str, list[AudienceMember]] = field(default_factory=dict)
    people: dict[str, AudienceMember] = field(default_factory=dict)  # address (lower) -> person
    page_size: int = 999
    failure: Exception | None = None
    installs: list[tuple[str, str]] = field(default_factory=list)
    uninstallable: set[str] = field(default_factory=set)
    lookups: list[str] = field(default_factory=list)
    # Concurrency seen by find_person (the most lookups running at once).
    most_at_once: int = 0
    _running: int = 0

    def add_person(self, member: AudienceMember) -> AudienceMember:
        """Known by their UPN and their mail address."""
        for address in (member.user_principal_name, member.mail):
            if address:
                self.people[address.lower()] = member
        return member

    def add_group(self, group_id: str, *members: AudienceMember) -> None:
        self.groups[group_id] = list(members)

    async def group_members(self, group_id: str) -> AsyncIterator[Sequence[AudienceMember]]:
        self._fail()
        members = self.groups.get(group_id, [])
        for start in range(0, len(members), self.page_size):
            yield members[start : start + self.page_size]

    async def count_members(self, group_id: str) -> int:
        self._fail()
        return len(self.groups.get(group_id, []))

    async def find_person(self, address: str) -> AudienceMember | None:
        self._fail()
        self.lookups.append(address)
        self._running += 1
        self.most_at_once = max(self.most_at_once, self._running)
        try:
            await asyncio.sleep(0)  # let other lookups start, so concurrency shows
            return self.people.get(address.lower())
        finally:
            self._running -= 1

    async def install_app(self, user_id: str, teams_app_id: str) -> bool:
        self._fail()
        self.installs.append((user_id, teams_app_id))
        return user_id not in self.uninstallable

    def _fail(self) -> None:
        if self.failure is not None:
            raise self.failure


@dataclass
class FakePeople:
    """Who people are. `approver_ids`: the comms people and admins, in the order offered."""

    locales: dict[str, str] = field(default_factory=dict)
    entities: dict[str, str] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)
    approver_ids: list[str] = field(default_factory=list)

    async def locale_of(self, user_id: str) -> str:
        return self.locales.get(user_id, "nl")

    async def entity_of(self, user_id: str) -> str:
        return self.entities.get(user_id, "")

    async def groups_of(self, user_id: str) -> Sequence[str]:
        return list(self.groups.get(user_id, []))

    async def approvers(self, exclude: str, limit: int) -> Sequence[str]:
        return [a for a in self.approver_ids if a.lower() != exclude.lower()][:limit]


class FakeCards:
    """Small activity dicts that say which card was asked for, for whom and of what; `asked`
    keeps every call (card name and its arguments)."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, dict[str, Any]]] = []

    def message(
        self,
        announcement: Announcement,
        locale: str,
        *,
        reminder: bool = False,
        in_channel: bool = False,
    ) -> dict[str, Any]:
        self.asked.append(("message", {"id": announcement.id, "locale": locale}))
        return {
            "type": "message",
            "card": "message",
            "id": announcement.id,
            "version": announcement.version,
            "locale": locale,
            "reminder": reminder,
            "in_channel": in_channel,
            "title": announcement.text(locale).title,
        }

    def recalled(self, locale: str) -> dict[str, Any]:
        self.asked.append(("recalled", {"locale": locale}))
        return {"type": "message", "card": "recalled", "locale": locale}

    def status(self, announcement: Announcement, progress: Progress, locale: str) -> dict[str, Any]:
        self.asked.append(("status", {"id": announcement.id, "progress": progress}))
        return {
            "type": "message",
            "card": "status",
            "id": announcement.id,
            "state": announcement.state.value,
            "delivery": announcement.delivery.value,
            "locale": locale,
            "figures": progress.figures,
        }

    def approval(
        self,
        announcement: Announcement,
        locale: str,
        *,
        audience_names: Sequence[str],
        audience_size: int | None,
    ) -> dict[str, Any]:
        self.asked.append(("approval", {"id": announcement.id, "locale": locale}))
        return {
            "type": "message",
            "card": "approval",
            "id": announcement.id,
            "version": announcement.version,
            "state": announcement.state.value,
            "locale": locale,
            "audience_names": list(audience_names),
            "audience_size": audience_size,
        }

    def notice(self, key: str, locale: str, **values: object) -> dict[str, Any]:
        self.asked.append(("notice", {"key": key, "locale": locale, **values}))
        return {"type": "message", "card": "notice", "key": key, "locale": locale, **values}


class FakeFileDownloads:
    """The FileDownloads port: `files` by URL. As bot/http/downloads.py: a non-https URL or
    a host in `refused_hosts` is InvalidInput(download.error.not_allowed), a file larger than
    max_bytes InvalidInput(download.error.too_large), an unknown URL Unavailable."""

    def __init__(
        self, files: dict[str, bytes] | None = None, refused_hosts: tuple[str, ...] = ()
    ) -> None:
        self.files = dict(files or {})
        self.refused_hosts = refused_hosts
        self.fetched: list[tuple[str, int]] = []

    async def fetch(self, url: str, max_bytes: int) -> bytes:
        self.fetched.append((url, max_bytes))
        host = urlsplit(url).hostname or ""
        if not url.startswith("https://") or host in self.refused_hosts:
            raise InvalidInput("download.error.not_allowed")
        if url not in self.files:
            raise Unavailable("download.error.failed")
        data = self.files[url]
        if len(data) > max_bytes:
            raise InvalidInput("download.error.too_large", max_mb=str(max_bytes))
        return data
