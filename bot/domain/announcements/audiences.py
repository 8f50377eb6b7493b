"""To whom an announcement goes, and which audiences a communication admin may choose.

An audience is one kind: everyone the bot can reach, one or more entities (their staff groups),
Entra groups (their transitive members), team channels (one post per channel, not per person),
or an uploaded list of people (checked row by row and kept with the announcement).

Guardrails (what Company Communicator's users asked for): each `comms` person has a scope,
configured per person or per group they are in. "Everyone" needs `admin`; the scope never
widens what the role allows. A comms person without a configured scope may reach their own
entity only. The check runs on the server on every save and again before sending: the card's
payload is user input.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

# Keeps a form and a stored audience bounded; more than this is a list or "everyone".
MAX_TARGETS = 50
# An uploaded list holds at most this many people (rows past it are refused, not dropped).
MAX_LIST = 100_000


class AudienceKind(StrEnum):
    EVERYONE = "everyone"
    ENTITIES = "entities"
    GROUPS = "groups"
    CHANNELS = "channels"
    LIST = "list"


@dataclass(frozen=True, slots=True)
class Channel:
    """A team channel: its Teams conversation id and, for people to read, its name."""

    conversation_id: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Audience:
    kind: AudienceKind
    entities: tuple[str, ...] = ()  # entity codes (ENTITIES)
    groups: tuple[str, ...] = ()  # Entra group object ids (GROUPS)
    channels: tuple[Channel, ...] = ()  # CHANNELS
    # LIST: the people are stored with the announcement (its recipients); this is the file's
    # name and the count of people accepted, for the cards.
    list_name: str = ""
    list_size: int = 0

    @property
    def is_set(self) -> bool:
        match self.kind:
            case AudienceKind.EVERYONE:
                return True
            case AudienceKind.ENTITIES:
                return bool(self.entities)
            case AudienceKind.GROUPS:
                return bool(self.groups)
            case AudienceKind.CHANNELS:
                return bool(self.channels)
            case AudienceKind.LIST:
                return self.list_size > 0


NO_AUDIENCE = Audience(AudienceKind.ENTITIES)


@dataclass(frozen=True, slots=True)
class AudienceChoices:
    """What an author may pick (from their scope and what is configured): entities as
    (code, name), groups as (id, name), channels as (conversation id, name); whether
    "everyone" and an uploaded list are theirs to use."""

    entities: Sequence[tuple[str, str]] = ()
    groups: Sequence[tuple[str, str]] = ()
    channels: Sequence[tuple[str, str]] = ()
    everyone: bool = False
    lists: bool = False

    def kinds(self) -> list[AudienceKind]:
        """The kinds of audience on offer, in the form's order."""
        offered = {
            AudienceKind.EVERYONE: self.everyone,
            AudienceKind.ENTITIES: bool(self.entities),
            AudienceKind.GROUPS: bool(self.groups),
            AudienceKind.CHANNELS: bool(self.channels),
            AudienceKind.LIST: self.lists,
        }
        return [kind for kind, on in offered.items() if on]


@dataclass(frozen=True, slots=True)
class AudienceScope:
    """What one comms person may reach.

    `own_entity`: the entity they belong to; `entities`: named entity codes; `groups`: named
    Entra groups; `channels`: may post to team channels; `lists`: may upload a list (each person
    on it is then checked against the other rights: see `list_allowed`); `everyone`: any
    entity, any group and anyone on a list. The audience "everyone" itself still needs the
    admin role, whatever the scope says.
    """

    own_entity: bool = True
    entities: frozenset[str] = field(default_factory=frozenset)
    groups: frozenset[str] = field(default_factory=frozenset)
    channels: bool = False
    lists: bool = False
    everyone: bool = False

    def widened(self, other: AudienceScope) -> AudienceScope:
        """A person in several configured groups gets what any of them allows."""
        return AudienceScope(
            own_entity=self.own_entity or other.own_entity,
            entities=self.entities | other.entities,
            groups=self.groups | other.groups,
            channels=self.channels or other.channels,
            lists=self.lists or other.lists,
            everyone=self.everyone or other.everyone,
        )


OWN_ENTITY_ONLY = AudienceScope()
# What an admin may do: everything.
EVERYTHING = AudienceScope(own_entity=True, channels=True, lists=True, everyone=True)


class AudienceProblem(StrEnum):
    """Why an audience is refused; message ids are announcements.audience.<value>."""

    EMPTY = "empty"
    TOO_MANY = "too_many"
    EVERYONE_NEEDS_ADMIN = "everyone_needs_admin"
    ENTITY_NOT_ALLOWED = "entity_not_allowed"
    GROUP_NOT_ALLOWED = "group_not_allowed"
    CHANNELS_NOT_ALLOWED = "channels_not_allowed"
    LISTS_NOT_ALLOWED = "lists_not_allowed"


@dataclass(frozen=True, slots=True)
class Refusal:
    problem: AudienceProblem
    target: str = ""  # the entity code or group id refused


def scope_of(
    person_id: str,
    person_groups: Iterable[str],
    configured: dict[str, AudienceScope],
) -> AudienceScope:
    """A person's scope: their own entry and those of the groups they are in, widened; the
    default (own entity only) when none is configured. Ids compare case-insensitively."""
    keys = {person_id.lower(), *(group.lower() for group in person_groups)}
    found = [scope for key, scope in configured.items() if key.lower() in keys]
    if not found:
        return OWN_ENTITY_ONLY
    scope = found[0]
    for more in found[1:]:
        scope = scope.widened(more)
    return scope


def audience_refusals(
    audience: Audience, scope: AudienceScope, *, own_entity: str, is_admin: bool
) -> list[Refusal]:
    """Every reason this person may not send to this audience (none: allowed).

    Admins may use every audience. Everyone else needs their scope; "everyone" needs admin
    whatever the scope says.
    """
    if not audience.is_set:
        return [Refusal(AudienceProblem.EMPTY)]
    if len(audience.entities) + len(audience.groups) + len(audience.channels) > MAX_TARGETS:
        return [Refusal(AudienceProblem.TOO_MANY)]
    if is_admin:
        return []
    refusals: list[Refusal] = []
    match audience.kind:
        case AudienceKind.EVERYONE:
            refusals.append(Refusal(AudienceProblem.EVERYONE_NEEDS_ADMIN))
        case AudienceKind.ENTITIES if not scope.everyone:
            allowed = {code.upper() for code in scope.entities}
            if scope.own_entity and own_entity:
                allowed.add(own_entity.upper())
            refusals.extend(
                Refusal(AudienceProblem.ENTITY_NOT_ALLOWED, code)
                for code in audience.entities
                if code.upper() not in allowed
            )
        case AudienceKind.GROUPS if not scope.everyone:
            groups = {group.lower() for group in scope.groups}
            refusals.extend(
                Refusal(AudienceProblem.GROUP_NOT_ALLOWED, group)
                for group in audience.groups
                if group.lower() not in groups
            )
        case AudienceKind.CHANNELS:
            if not scope.channels:
                refusals.append(Refusal(AudienceProblem.CHANNELS_NOT_ALLOWED))
        case AudienceKind.LIST:
            if not scope.lists:
                refusals.append(Refusal(AudienceProblem.LISTS_NOT_ALLOWED))
    return refusals


def list_allowed(
    person_entity: str, scope: AudienceScope, *, own_entity: str, is_admin: bool
) -> bool:
    """Whether someone on an uploaded list may be reached by this author: an admin or a scope
    with "everyone" reaches anyone; otherwise only people of an entity the scope allows (a list
    is not a way around the guardrails)."""
    if is_admin or scope.everyone:
        return True
    allowed = {code.upper() for code in scope.entities}
    if scope.own_entity and own_entity:
        allowed.add(own_entity.upper())
    return bool(person_entity) and person_entity.upper() in allowed
