"""In-memory stand-ins for the ports (unit tests only; a Teams turn: tests.support.chat)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain.platform.audit import AuditEntry
from bot.domain.platform.directory import DirectoryUser, GroupRef
from bot.domain.platform.errors import NotFound


class MemoryAuditLog:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    async def append(self, entry: AuditEntry) -> None:
        self.entries.append(entry)

    def append_soon(self, entry: AuditEntry) -> None:
        self.entries.append(entry)

    async def recent(self, limit: int = 100, action: str | None = None) -> list[AuditEntry]:
        found = [e for e in reversed(self.entries) if action is None or e.action == action]
        return found[:limit]


@dataclass
class MemoryDirectory:
    users: dict[str, DirectoryUser] = field(default_factory=dict)
    managers: dict[str, str] = field(default_factory=dict)
    groups: dict[str, list[GroupRef]] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    failure: Exception | None = None

    async def get_user(self, user_id: str) -> DirectoryUser:
        self.calls.append(f"user:{user_id}")
        if self.failure:
            raise self.failure
        if user_id not in self.users:
            raise NotFound()
        return self.users[user_id]

    async def get_manager(self, user_id: str) -> DirectoryUser | None:
        self.calls.append(f"manager:{user_id}")
        manager = self.managers.get(user_id)
        return self.users[manager] if manager else None

    async def member_of(self, user_id: str) -> list[GroupRef]:
        self.calls.append(f"member_of:{user_id}")
        if self.failure:
            raise self.failure
        return self.groups.get(user_id, [])

    def forget(self, user_id: str) -> None:
        self.calls.append(f"forget:{user_id}")

    async def find_users(self, query: str, limit: int = 10) -> list[DirectoryUser]:
        folded = query.casefold()
        return [u for u in self.users.values() if u.display_name.casefold().startswith(folded)][
            :limit
        ]

    async def group_members(self, group_id: str, limit: int = 500) -> list[DirectoryUser]:
        """The users whose groups (`groups`) hold `group_id`, as far as `users` knows them."""
        self.calls.append(f"group_members:{group_id}")
        if self.failure:
            raise self.failure
        members = [
            self.users[user_id]
            for user_id, groups in self.groups.items()
            if user_id in self.users and any(group.id == group_id for group in groups)
        ]
        return members[:limit]
