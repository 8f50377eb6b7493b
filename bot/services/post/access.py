"""Who may see and do what with an item of incoming post: the rule the post desk (chat) and the
post worker (reminders) share.

Who may see an item or its scan (the issue's rule, and nobody else):
- the addressee: the person the item is routed to, and the person it was delegated from while
  it is still with their delegate;
- the addressee's delegate: whoever holds an active delegation of that person today;
- members of the destination team's group;
- the mailroom (Role.MAILROOM);
- the ICT admins of the item's entity (members of the entity's admin group in the licence
  catalogue) — of that entity, not of another;
- Werkplek admins.
Who may act on it (handle, acknowledge, forward, "niet voor mij"): the same people except the
mailroom, which acts on the triage queue and on entity queues only.

Also here: where a person's `post` list looks, and who holds an item's card (so an update finds
it), both as routing (bot/services/post/intake.py) decides them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, tzinfo

from bot.domain.licences.catalogue import Catalogue
from bot.domain.platform.actors import SYSTEM, Actor
from bot.domain.platform.roles import Role
from bot.domain.post.items import Destination, DestinationKind, PostItem, PostState
from bot.domain.post.routing import ADDRESSEE_RULE
from bot.ports.licences import CatalogueRepository
from bot.ports.platform import Clock, Directory
from bot.ports.post import DelegationRepository, RoutingRuleRepository
from bot.services.platform.entities import Entities, GroupMembers

TEAM_TARGET_SEPARATOR = "|"
# A rule edit reaches every replica within this time.
CACHE_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Seen:
    """An item as one viewer may see it now, with what they may do with it and the names of
    the people it mentions.

    changed: False when the step asked for had been taken already (acknowledged, original
    asked for), so nothing was saved."""

    item: PostItem
    act: bool = False
    route: bool = False
    suggest_rule: bool = False
    changed: bool = True
    names: Mapping[str, str] = field(default_factory=dict)


class NameBook:
    """Display names looked up lately, by Entra id, for cards rendered without I/O.

    Notices are rendered (bot.ports.post.PostCards, synchronous) when the step that causes them is
    saved; the desk looks the names up just before, so a forwarded item's card says who
    forwarded it. Bounded: the oldest names are dropped first."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._names: dict[str, str] = {}

    def remember(self, names: Mapping[str, str]) -> None:
        for person, name in names.items():
            key = person.casefold()
            self._names.pop(key, None)
            self._names[key] = name
        while len(self._names) > self._size:
            self._names.pop(next(iter(self._names)))

    def lookup(self, people: Iterable[str]) -> dict[str, str]:
        return {p: name for p in people if p and (name := self._names.get(p.casefold()))}


def same_person(a: str, b: str) -> bool:
    return bool(a) and a.casefold() == b.casefold()


def item_entities(item: PostItem) -> frozenset[str]:
    """The entities an item belongs to: its metadata's (the scanner's, or the addressee's as
    routing found it) and the entity whose queue it is in."""
    codes = {item.metadata.entity}
    if item.destination.kind is DestinationKind.ENTITY:
        codes.add(item.destination.target)
    return frozenset(code for code in codes if code)


def team_parts(target: str) -> tuple[str, str]:
    """A team destination's "<group id>|<channel conversation id>" as (group, channel)."""
    group, _, channel = target.partition(TEAM_TARGET_SEPARATOR)
    return group, channel


def item_people(item: PostItem) -> set[str]:
    """The people an item names by id (for their names on a card)."""
    people = {
        item.delegated_from,
        item.forwarded_by,
        item.acknowledged_by,
        item.handled_by,
        item.original_requested_by,
    }
    if item.destination.kind is DestinationKind.PERSON:
        people.add(item.destination.target)
    return {person for person in people if person and person != SYSTEM}


class Standing:
    """What the directory and the catalogue say about one viewer, asked only when a rule needs
    it (the addressee of a personal item costs no Graph call) and at most once per request."""

    def __init__(self, viewer: Actor, access: PostAccess) -> None:
        self.viewer = viewer
        self._access = access
        self._groups: frozenset[str] | None = None
        self._admin_of: frozenset[str] | None = None

    async def groups(self) -> frozenset[str]:
        if self._groups is None:
            found = await self._access.directory.member_of(self.viewer.user_id)
            self._groups = frozenset(group.id.casefold() for group in found)
        return self._groups

    async def admin_of(self) -> frozenset[str]:
        """Codes of the entities whose ICT admins (admin group members) the viewer is among."""
        if self._admin_of is None:
            catalogue = await self._access.catalogue()
            held = await self.groups()
            self._admin_of = frozenset(
                entity.code
                for entity in catalogue.entities
                if entity.admin_group_id and entity.admin_group_id.casefold() in held
            )
        return self._admin_of

    async def admin_of_item(self, item: PostItem) -> bool:
        entities = item_entities(item)
        return bool(entities) and bool(await self.admin_of() & entities)


class PostAccess:
    """The access rule, the destinations a person's list covers, and who holds an item's card."""

    def __init__(
        self,
        *,
        directory: Directory,
        catalogue: CatalogueRepository,
        rules: RoutingRuleRepository,
        delegations: DelegationRepository,
        group_members: GroupMembers,
        mailroom_conversation_id: str,
        clock: Clock,
        timezone: tzinfo,
        monotonic: Callable[[], float] = time.monotonic,
        entities: Entities | None = None,
    ) -> None:
        self.directory = directory
        self.rules = rules
        self.delegations = delegations
        self.mailroom_conversation_id = mailroom_conversation_id
        self.timezone = timezone
        self.entities = entities or Entities(catalogue, directory, group_members, monotonic)
        self._clock = clock
        self._monotonic = monotonic
        self._team_groups: tuple[float, tuple[str, ...]] | None = None

    def today(self) -> date:
        return self._clock.now().astimezone(self.timezone).date()

    def standing(self, viewer: Actor) -> Standing:
        return Standing(viewer, self)

    # --- the rule -----------------------------------------------------------------------------
    async def holds(self, standing: Standing, item: PostItem) -> bool:
        """May the viewer act on the item (handle, acknowledge, forward, "niet voor mij")?"""
        viewer = standing.viewer
        if Role.ADMIN in viewer.roles:
            return True
        destination = item.destination
        if destination.kind is DestinationKind.PERSON:
            if same_person(destination.target, viewer.user_id):
                return True
            # The addressee whose post went to their delegate, while it is still there.
            if same_person(item.delegated_from, viewer.user_id) and not item.forwarded_by:
                return True
            if await self.is_delegate(viewer.user_id, destination.target):
                return True
        elif destination.kind is DestinationKind.TEAM:
            group, _ = team_parts(destination.target)
            if group and group.casefold() in await standing.groups():
                return True
        elif viewer.has(Role.MAILROOM):  # an entity's queue, or triage
            return True
        return await standing.admin_of_item(item)

    async def may_see(self, standing: Standing, item: PostItem) -> bool:
        """May the viewer see the item and open its scan?"""
        if standing.viewer.has(Role.MAILROOM):
            return True
        return await self.holds(standing, item)

    async def is_delegate(self, user_id: str, person: str) -> bool:
        """Does `person` redirect their post to `user_id` today?"""
        if not person or same_person(person, user_id):
            return False
        active = await self.delegations.active_on([person], self.today())
        return any(same_person(d.delegate_id, user_id) for d in active)

    async def view(self, standing: Standing, item: PostItem, *, changed: bool = True) -> Seen:
        """The item with what this viewer may do with it (for the buttons on their card)."""
        viewer = standing.viewer
        act = await self.holds(standing, item)
        route = viewer.has(Role.MAILROOM) and item.state is PostState.TRIAGE
        suggest = (
            item.state in (PostState.ROUTED, PostState.HANDLED)
            and item.destination.kind is not DestinationKind.TRIAGE
            and (not item.rule_id or item.rule_id == ADDRESSEE_RULE or bool(item.forwarded_by))
            and (viewer.has(Role.MAILROOM) or await standing.admin_of_item(item))
        )
        return Seen(item, act=act, route=route, suggest_rule=suggest, changed=changed)

    # --- lists --------------------------------------------------------------------------------
    async def destinations(self, standing: Standing) -> tuple[Destination, ...]:
        """Where the viewer's list looks: their own post, their teams' (the teams the routing
        rules send post to, of which they are a member), the queues of the entities whose ICT
        admins they are among, and the triage queue for the mailroom."""
        viewer = standing.viewer
        found = [Destination(DestinationKind.PERSON, viewer.user_id)]
        team_groups = await self.team_groups()
        if team_groups:
            held = await standing.groups()
            # The group alone: every channel of that team (see PostItemRepository.visible_to).
            found += [Destination(DestinationKind.TEAM, g) for g in team_groups if g in held]
        found += [
            Destination(DestinationKind.ENTITY, code) for code in sorted(await standing.admin_of())
        ]
        if viewer.has(Role.MAILROOM):
            found.append(Destination.triage())
        return tuple(found)

    async def team_groups(self) -> tuple[str, ...]:
        """The groups of the teams routing rules send post to (casefolded), cached briefly."""
        cached = self._team_groups
        if cached is not None and self._monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        rules = await self.rules.load()
        groups = {
            team_parts(rule.destination.target)[0].casefold()
            for rule in rules
            if rule.destination.kind is DestinationKind.TEAM
        }
        found = tuple(sorted(group for group in groups if group))
        self._team_groups = (self._monotonic(), found)
        return found

    def forget_rules(self) -> None:
        self._team_groups = None

    # --- who holds an item's card -------------------------------------------------------------
    async def holder_targets(self, item: PostItem) -> list[tuple[str, str]]:
        """(recipient id, conversation id) of whoever was told about the item where it is now:
        the same people routing tells (bot/services/post/intake.py), so an update finds their
        card."""
        destination = item.destination
        mailroom = self.mailroom_conversation_id
        if destination.kind is DestinationKind.PERSON:
            return [(destination.target, "")]
        if destination.kind is DestinationKind.TEAM:
            _, channel = team_parts(destination.target)
            return [("", channel)] if channel else []
        if destination.kind is DestinationKind.ENTITY:
            admins = await self.entity_admins(destination.target)
            if admins:
                return [(admin, "") for admin in admins]
        return [("", mailroom)] if mailroom else []

    async def entity_admins(self, code: str) -> tuple[str, ...]:
        """The ICT admins of an entity (its admin group's members), cached for minutes."""
        return await self.entities.admins(code)

    async def catalogue(self) -> Catalogue:
        return await self.entities.catalogue()
