"""An uploaded list of people as an announcement's audience (Company Communicator #1123): the
file read, every address looked up in the directory, and the people that may be reached kept
as the draft's recipients.

Decisions (and why):
- Every row is checked before anything is sent, and every problem is returned at once: rows
  the file could not use (bot/domain/announcements/recipient_lists.py), people not found,
  accounts disabled, and people outside the author's scope (a list is no way around the
  guardrails: `list_allowed`). The author decides with the whole picture.
- The people that may be reached are kept (the snapshot replaced, the audience set to this
  list), even when some rows had problems; none reachable: nothing changes.
- Bounded: a list longer than MAX_LIST is refused before one address is looked up, lookups run
  at most LOOKUPS_AT_ONCE at a time (the directory's pace, not the list's size), and the file
  is read off the event loop.
- A person on two rows (their UPN and their mail address) is kept once.
"""

from __future__ import annotations

import asyncio
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from bot.domain.announcements.announcements import Announcement, AnnouncementState, Step, step
from bot.domain.announcements.audiences import (
    MAX_LIST,
    Audience,
    AudienceKind,
    AudienceProblem,
    list_allowed,
)
from bot.domain.announcements.recipient_lists import ListProblem, RecipientListResult
from bot.domain.announcements.recipients import NewRecipient
from bot.domain.platform.actors import Actor
from bot.domain.platform.errors import DomainError
from bot.ports.announcements import AnnouncementRepository, AudienceDirectory, AudienceMember
from bot.ports.platform import Clock
from bot.services.announcements.checks import (
    Scopes,
    announcement_audit,
    not_allowed,
    raise_problems,
    require_comms,
    visible_to,
)
from bot.services.announcements.parts import AnnouncementRules, People, RecipientListReader

LOOKUPS_AT_ONCE = 16
# A file's name as the cards show it (the list's name), without its folders.
MAX_LIST_NAME = 120
# Another save of the draft between our read and our write: read again, this often.
_STALE_RETRIES = 3


class PersonProblem(StrEnum):
    """Why a person on the list is not kept; message ids announcements.error.list_<value>."""

    UNKNOWN = "unknown"  # no account with this address
    DISABLED = "disabled"  # the account cannot sign in
    OUTSIDE_SCOPE = "outside_scope"  # of an entity the author may not reach

    @property
    def message_key(self) -> str:
        return f"announcements.error.list_{self.value}"


@dataclass(frozen=True, slots=True)
class PersonRowProblem:
    row: int
    address: str
    problem: PersonProblem


@dataclass(frozen=True, slots=True)
class ListOutcome:
    """What became of an upload: the draft as saved (None: nothing was kept), the people kept,
    the file's problems (its rows, or the file as a whole) and the people's."""

    announcement: Announcement | None
    accepted: int
    list_problems: tuple[ListProblem, ...] = ()
    person_problems: tuple[PersonRowProblem, ...] = ()

    @property
    def stored(self) -> bool:
        return self.announcement is not None


@dataclass(frozen=True, slots=True)
class _Checked:
    row: int
    address: str
    member: AudienceMember | None
    entity: str = ""


class AudienceLists:
    def __init__(
        self,
        *,
        repository: AnnouncementRepository,
        people: People,
        directory: AudienceDirectory,
        rules: AnnouncementRules,
        clock: Clock,
    ) -> None:
        self._repository = repository
        self._people = people
        self._directory = directory
        self._clock = clock
        self._scopes = Scopes(people, rules.scopes)

    async def upload(
        self,
        actor: Actor,
        announcement_id: int,
        data: bytes,
        filename: str,
        reader: RecipientListReader,
    ) -> ListOutcome:
        """Read the list, check each person, keep those that may be reached as the draft's
        recipients; every problem is in the outcome."""
        require_comms(actor)
        draft = await self._draft(actor, announcement_id)
        scope, own = await self._scopes.of(actor.user_id, is_admin=actor.is_admin)
        if not (actor.is_admin or scope.lists):
            raise_problems([not_allowed(AudienceProblem.LISTS_NOT_ALLOWED)])
        read: RecipientListResult = await asyncio.to_thread(reader, data, filename)
        if read.refused:
            return ListOutcome(None, 0, list_problems=read.problems)
        if read.accepted > MAX_LIST:
            raise DomainError("announcements.error.list_too_long", limit=MAX_LIST)
        checked = await self._looked_up(read)
        kept: dict[str, NewRecipient] = {}
        problems: list[PersonRowProblem] = []
        for person in checked:
            problem = _problem(
                person,
                allowed=lambda entity: list_allowed(
                    entity, scope, own_entity=own, is_admin=actor.is_admin
                ),
            )
            if problem is not None:
                problems.append(PersonRowProblem(person.row, person.address, problem))
            elif person.member is not None:
                key = person.member.user_id.lower()
                kept.setdefault(key, NewRecipient(person.member.user_id, entity=person.entity))
        if not kept:
            return ListOutcome(None, 0, read.problems, tuple(problems))
        saved = await self._keep(actor, draft, list(kept.values()), filename, len(problems))
        return ListOutcome(saved, len(kept), read.problems, tuple(problems))

    async def _draft(self, actor: Actor, announcement_id: int) -> Announcement:
        draft = visible_to(actor, await self._repository.get(announcement_id))
        if not draft.editable:
            raise DomainError("announcements.error.not_editable")
        return draft

    async def _looked_up(self, read: RecipientListResult) -> list[_Checked]:
        """Each address in the directory, and the entity of each enabled person found."""
        gate = asyncio.Semaphore(LOOKUPS_AT_ONCE)

        async def one(row: int, address: str) -> _Checked:
            async with gate:
                member = await self._directory.find_person(address)
                entity = ""
                if member is not None and member.enabled:
                    entity = await self._people.entity_of(member.user_id)
                return _Checked(row, address, member, entity)

        return list(
            await asyncio.gather(
                *(one(row, address) for row, address in zip(read.rows, read.addresses, strict=True))
            )
        )

    async def _keep(
        self,
        actor: Actor,
        draft: Announcement,
        recipients: Sequence[NewRecipient],
        filename: str,
        refused: int,
    ) -> Announcement:
        """The snapshot replaced by these people and the draft's audience set to the list,
        saved on the draft as it is then (an upload decides nothing about its other fields)."""
        await self._repository.clear_recipients(draft.id)
        await self._repository.add_recipients(draft.id, recipients)
        audience = Audience(
            AudienceKind.LIST, list_name=_list_name(filename), list_size=len(recipients)
        )
        current = draft
        for _ in range(_STALE_RETRIES):
            now = self._clock.now()
            base = (
                step(current, Step.EDIT, now)  # a rejected one is a draft again
                if current.state is AnnouncementState.REJECTED
                else replace(current, version=current.version + 1, updated_at=now)
            )
            after = replace(base, audience=audience)
            line = announcement_audit(
                now,
                actor,
                "announcements.list",
                after,
                accepted=str(len(recipients)),
                refused=str(refused),
            )
            if await self._repository.save(after, current.version, [line]):
                return after
            current = await self._draft(actor, draft.id)
        raise DomainError("announcements.error.changed")


def _problem(person: _Checked, *, allowed: Callable[[str], bool]) -> PersonProblem | None:
    if person.member is None:
        return PersonProblem.UNKNOWN
    if not person.member.enabled:
        return PersonProblem.DISABLED
    if not allowed(person.entity):
        return PersonProblem.OUTSIDE_SCOPE
    return None


def _list_name(filename: str) -> str:
    name = posixpath.basename(filename.replace("\\", "/")).strip()
    return name[:MAX_LIST_NAME]
