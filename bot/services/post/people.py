"""The people the post desk names: who a card's people picker sent, who left, and display names.

A person named by a card is checked against the directory before anything is sent to them; a
directory that does not answer overrules no delegation (as the intake's routing decides it).
Display names go into the name book too, so the notices rendered right after (without I/O)
say who forwarded an item.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.errors import DomainError, NotFound
from bot.ports.platform import Directory
from bot.services.post.access import NameBook, same_person

MAX_PEOPLE = 5

UNKNOWN_PERSON = "post.error.unknown_person"
# Post sent by hand to someone who left would lie unread, as routed post would (see routing).
PERSON_INACTIVE = "post.error.person_inactive"


class PostPeople:
    def __init__(self, directory: Directory, book: NameBook) -> None:
        self._directory = directory
        self._book = book

    async def names(self, people: Iterable[str]) -> dict[str, str]:
        """Display names of these people, for cards: from the directory (which caches them),
        else as last seen; kept in the name book for the notices rendered next."""
        wanted = sorted({person for person in people if person})

        async def name(person: str) -> tuple[str, str]:
            try:
                return person, (await self._directory.get_user(person)).display_name
            except DomainError:
                return person, ""

        found = await asyncio.gather(*(name(person) for person in wanted))
        fresh = {person: shown for person, shown in found if shown}
        self._book.remember(fresh)
        return {**self._book.lookup(wanted), **fresh}

    async def find(self, name: str, *, besides: str) -> list[DirectoryUser]:
        """Colleagues whose name starts with `name` (never the person `besides`, who asks)."""
        found = await self._directory.find_users(name.strip(), MAX_PEOPLE + 1)
        return [user for user in found if not same_person(user.id, besides)][:MAX_PEOPLE]

    async def person(self, person_id: str, *, active: bool = False) -> DirectoryUser:
        """A person named by a card (the people picker): they must exist in the directory, and
        with `active`, still have a working account (someone who left reads no post)."""
        if not person_id.strip():
            raise DomainError(UNKNOWN_PERSON)
        try:
            person = await self._directory.get_user(person_id.strip())
        except NotFound:
            raise DomainError(UNKNOWN_PERSON) from None
        if active and person.account_enabled is False:
            raise DomainError(PERSON_INACTIVE)
        return person

    async def inactive(self, people: Iterable[str]) -> frozenset[str]:
        """Those of `people` whose account is disabled or gone from the directory (as the
        intake's routing decides it: a directory that does not answer overrules nobody)."""
        wanted = list(dict.fromkeys(people))

        async def left(user_id: str) -> bool:
            try:
                return (await self._directory.get_user(user_id)).account_enabled is False
            except NotFound:
                return True
            except DomainError:
                return False  # the directory does not answer: the delegation stands

        answers = await asyncio.gather(*(left(person) for person in wanted))
        return frozenset(p for p, gone in zip(wanted, answers, strict=True) if gone)
