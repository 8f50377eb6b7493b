"""The audiences a person is offered, what an audience is called on a card and how many people it
reaches before it is sent (authoring.py, approvals.py).

Decisions (and why):
- What is offered is the configuration (the catalogue's entities, the named groups and
  channels) narrowed by the person's scope; a target that is not offered is refused even when
  the scope alone would allow it: the card's payload is user input, and a group id typed into
  it must not reach a group nobody configured.
- An audience as stored is rebuilt from the offer (canonical codes and ids, channel names from
  the configuration): nothing of the payload but the ids survives.
- The size before sending is an estimate: groups and entities can overlap (the sum is an upper
  bound), "everyone" is counted up to a cap, and a directory failure gives None (the card then
  says the size is not known) rather than refusing to show the form.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from bot.domain.announcements.audiences import (
    Audience,
    AudienceChoices,
    AudienceKind,
    AudienceProblem,
    AudienceScope,
    Channel,
    audience_refusals,
)
from bot.domain.licences.catalogue import Entity
from bot.domain.platform.errors import DomainError
from bot.ports.announcements import AnnouncementRepository, AudienceDirectory
from bot.services.announcements.checks import Problem, not_allowed, refusal_problem
from bot.services.announcements.parts import AnnouncementRules

# The catalogue's entities (bot/services/platform/entities.py: its catalogue's `entities`).
EntitiesSource = Callable[[], Awaitable[Sequence[Entity]]]

# "Everyone" is counted page by page; past this the walk stops (the estimate says "at least").
EVERYONE_CAP = 200_000
_PAGE = 1000
# Group counts asked of the directory at once.
_COUNTS_AT_ONCE = 8


def offer_for(
    scope: AudienceScope,
    own_entity: str,
    *,
    is_admin: bool,
    entities: Sequence[Entity],
    rules: AnnouncementRules,
    locale: str = "nl",
) -> AudienceChoices:
    anything = is_admin or scope.everyone
    allowed = {code.upper() for code in scope.entities}
    if scope.own_entity and own_entity:
        allowed.add(own_entity.upper())
    named_groups = {group.lower() for group in scope.groups}
    return AudienceChoices(
        entities=tuple(
            (entity.code, entity.name(locale))
            for entity in entities
            if anything or entity.code.upper() in allowed
        ),
        groups=tuple(
            (group_id, name)
            for group_id, name in rules.groups.items()
            if anything or group_id.lower() in named_groups
        ),
        channels=tuple(rules.channels.items()) if is_admin or scope.channels else (),
        everyone=is_admin,
        lists=is_admin or scope.lists,
    )


def offered(audience: Audience, offer: AudienceChoices) -> tuple[Audience, list[Problem]]:
    """The audience rebuilt from the offer, and a problem for each target not in it."""
    problems: list[Problem] = []
    match audience.kind:
        case AudienceKind.ENTITIES:
            codes = {code.upper(): code for code, _ in offer.entities}
            kept = _kept(audience.entities, codes, str.upper)
            problems += [
                not_allowed(AudienceProblem.ENTITY_NOT_ALLOWED, code)
                for code in audience.entities
                if code.upper() not in codes
            ]
            return Audience(AudienceKind.ENTITIES, entities=kept), problems
        case AudienceKind.GROUPS:
            ids = {group_id.lower(): group_id for group_id, _ in offer.groups}
            kept = _kept(audience.groups, ids, str.lower)
            problems += [
                not_allowed(AudienceProblem.GROUP_NOT_ALLOWED, group)
                for group in audience.groups
                if group.lower() not in ids
            ]
            return Audience(AudienceKind.GROUPS, groups=kept), problems
        case AudienceKind.CHANNELS:
            names = dict(offer.channels)
            wanted = [c.conversation_id for c in audience.channels]
            if any(conversation not in names for conversation in wanted):
                problems.append(not_allowed(AudienceProblem.CHANNELS_NOT_ALLOWED))
            channels = tuple(
                Channel(conversation, names[conversation])
                for conversation in dict.fromkeys(wanted)
                if conversation in names
            )
            return Audience(AudienceKind.CHANNELS, channels=channels), problems
        case AudienceKind.EVERYONE:
            if not offer.everyone:
                problems.append(not_allowed(AudienceProblem.EVERYONE_NEEDS_ADMIN))
            return Audience(AudienceKind.EVERYONE), problems
        case AudienceKind.LIST:
            if not offer.lists:
                problems.append(not_allowed(AudienceProblem.LISTS_NOT_ALLOWED))
            return audience, problems
    return audience, problems  # pragma: no cover - every kind is matched above


def checked_audience(
    audience: Audience,
    offer: AudienceChoices,
    scope: AudienceScope,
    own_entity: str,
    *,
    is_admin: bool,
    draft: bool = False,
) -> tuple[Audience, list[Problem]]:
    """The audience as offered, and every reason this person may not use it. A draft may be
    saved without an audience yet (a list is uploaded into a saved draft); an audience emptied
    because nothing in it was offered says so, not that it is empty."""
    kept, problems = offered(audience, offer)
    unoffered = bool(problems)
    problems += [
        refusal_problem(refusal)
        for refusal in audience_refusals(kept, scope, own_entity=own_entity, is_admin=is_admin)
        if not (refusal.problem is AudienceProblem.EMPTY and (draft or unoffered))
    ]
    return kept, problems


def _kept(
    wanted: Sequence[str], canonical: dict[str, str], fold: Callable[[str], str]
) -> tuple[str, ...]:
    """The wanted targets that are offered, in their configured spelling, each once."""
    return tuple(
        dict.fromkeys(canonical[fold(target)] for target in wanted if fold(target) in canonical)
    )


class AudienceFacts:
    """An audience's names for a card and its size before sending."""

    def __init__(
        self,
        repository: AnnouncementRepository,
        directory: AudienceDirectory,
        entities: EntitiesSource,
        rules: AnnouncementRules,
    ) -> None:
        self._repository = repository
        self._directory = directory
        self._entities = entities
        self._rules = rules

    async def names(self, audience: Audience | None, locale: str) -> list[str]:
        """What a card lists as the audience ("everyone" and a list are said by the card)."""
        if audience is None:
            return []
        match audience.kind:
            case AudienceKind.ENTITIES:
                known = {e.code.upper(): e.name(locale) for e in await self._entities()}
                return [known.get(code.upper(), code) for code in audience.entities]
            case AudienceKind.GROUPS:
                groups = {k.lower(): v for k, v in self._rules.groups.items()}
                return [groups.get(group.lower(), group) for group in audience.groups]
            case AudienceKind.CHANNELS:
                return [
                    channel.name or self._rules.channels.get(channel.conversation_id, "")
                    for channel in audience.channels
                ]
            case AudienceKind.LIST:
                return [audience.list_name] if audience.list_name else []
        return []

    async def estimate(self, tenant_id: str, audience: Audience | None) -> int | None:
        """How many people (or channels) the audience reaches; an upper bound when groups or
        entities overlap; None when the directory did not answer."""
        if audience is None or not audience.is_set:
            return 0
        try:
            match audience.kind:
                case AudienceKind.EVERYONE:
                    return await self._everyone(tenant_id)
                case AudienceKind.ENTITIES:
                    staff = {e.code.upper(): e.staff_group_id for e in await self._entities()}
                    groups = [staff.get(code.upper(), "") for code in audience.entities]
                    return await self._count([group for group in groups if group])
                case AudienceKind.GROUPS:
                    return await self._count(list(audience.groups))
                case AudienceKind.CHANNELS:
                    return len(audience.channels)
                case AudienceKind.LIST:
                    return audience.list_size
        except DomainError:
            # Graph down or throttled: the card shows "not known"; sending resolves it again.
            return None
        return None  # pragma: no cover - every kind is matched above

    async def _everyone(self, tenant_id: str) -> int:
        counted = 0
        after = ""
        while counted < EVERYONE_CAP:
            page = await self._repository.reachable(tenant_id, after=after, limit=_PAGE)
            counted += len(page)
            if len(page) < _PAGE:
                break
            after = page[-1]
        return min(counted, EVERYONE_CAP)

    async def _count(self, group_ids: Sequence[str]) -> int:
        gate = asyncio.Semaphore(_COUNTS_AT_ONCE)

        async def one(group_id: str) -> int:
            async with gate:
                return await self._directory.count_members(group_id)

        return sum(await asyncio.gather(*(one(group) for group in dict.fromkeys(group_ids))))
