"""Who is who for announcements (bot/services/announcements/people.py): the approvers are the
comms and admin role groups' people, each once, never the author nor a disabled account; a
directory that fails narrows, never widens; an API key is no person."""

from __future__ import annotations

from typing import Any

from bot.domain.platform.conversations import SeenUser
from bot.domain.platform.directory import DirectoryUser, GroupRef
from bot.domain.platform.errors import Unavailable
from bot.services.announcements.people import AnnouncementPeople
from tests.unit.fakes import MemoryDirectory
from tests.unit.licences.fakes import MemoryUsers

ROLES = {"comms": ["g-comms"], "admin": ["g-admin"], "agent": ["g-agents"]}


def _user(user_id: str, enabled: bool | None = True) -> DirectoryUser:
    return DirectoryUser(
        user_id, user_id.title(), f"{user_id}@vlaanderen.be", account_enabled=enabled
    )


class NoEntities:
    async def entity_of(self, user_id: str) -> Any:
        raise Unavailable()


def _people(directory: MemoryDirectory, users: MemoryUsers | None = None) -> AnnouncementPeople:
    return AnnouncementPeople(
        users=users or MemoryUsers(),
        entities=NoEntities(),  # type: ignore[arg-type]
        directory=directory,
        role_groups=ROLES,
    )


def _directory() -> MemoryDirectory:
    directory = MemoryDirectory()
    for user_id, groups, enabled in [
        ("ann", ["g-comms"], True),
        ("bert", ["g-comms", "g-admin"], True),  # in both: once
        ("carl", ["g-admin"], True),
        ("dirk", ["g-comms"], False),  # disabled
        ("eva", ["g-agents"], True),  # an agent: no approver
    ]:
        directory.users[user_id] = _user(user_id, enabled)
        directory.groups[user_id] = [GroupRef(g, g) for g in groups]
    return directory


async def test_the_approvers_are_the_comms_and_admins_but_the_author() -> None:
    people = _people(_directory())
    assert sorted(await people.approvers(exclude="ANN", limit=10)) == ["bert", "carl"]
    assert len(await people.approvers(exclude="nobody", limit=1)) == 1


async def test_a_failing_directory_gives_no_groups_no_entity_and_no_approvers() -> None:
    directory = _directory()
    directory.failure = Unavailable()
    people = _people(directory)
    assert await people.approvers(exclude="ann", limit=10) == []
    assert await people.groups_of("ann") == []
    assert await people.entity_of("ann") == ""


async def test_an_api_key_is_no_person_and_costs_no_directory_call() -> None:
    directory = _directory()
    people = _people(directory)
    assert await people.groups_of("api:flow") == []
    assert await people.entity_of("api:flow") == ""
    assert await people.locale_of("api:flow") == "nl"
    assert directory.calls == []


async def test_a_persons_language_is_that_of_their_chat() -> None:
    users = MemoryUsers()
    await users.upsert(SeenUser("carl", "tenant-1", locale="en"))
    people = _people(_directory(), users)
    assert (await people.locale_of("carl"), await people.locale_of("ann")) == ("en", "nl")
