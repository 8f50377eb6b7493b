"""People and Teams channels named, not numbered, in the routing-rules workbook.

A destination or an addressee condition may name a person by e-mail address or UPN
("jef.peeters@vlaanderen.be") and a channel by "Team / Kanaal"; ids keep working. Reading the
workbook is pure: it leaves a name where the id will go and lists the cell (`NamedCell`). A
separate step (bot/services/post/rules_names.py) looks the names up and puts the ids in their
place (`with_ids`), or reports the cell: nobody, or several, answer to the name.

Decisions (and why):
- The export writes "Naam <id>" (`labelled`): the name for the reader, the id for Werkplek. An
  upload reads the part between < and > and ignores the name, so export -> import unchanged
  gives the same rules without asking the directory anything, and a renamed person's rules
  keep working. What is written in front is only a label: it is cleaned of the characters
  that would make it ambiguous (< > ; , | and line breaks) and kept short.
- A channel's id form stays "<group id>|<channel id>" (what the store and routing use). A name
  is "Team / Kanaal", split at the last "/": a team name may hold a "/", a channel name may not
  (Teams refuses it).
- Several matches are listed as "Naam <id>", the very text that, pasted into the cell, chooses
  one; at most MAX_LISTED of them, then "…".
- Names are compared as the directory does: case ignored; spaces in a team or channel name are
  tidied. An e-mail address is compared as written (casefolded), never accent-folded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from bot.domain.post.items import Destination, DestinationKind
from bot.domain.post.routing import RoutingRule, RuleProblem

TEAM_SEPARATOR = "|"  # a channel's id form: "<group id>|<channel id>"
NAME_SEPARATOR = "/"  # a channel's name form: "Team / Kanaal"
MAX_LISTED = 3  # matches quoted in a "several match" problem
MAX_LABEL = 60  # characters of a name written in front of an id
ELLIPSIS = "…"
# Graph compares at most 120 characters in a filter; a Teams channel name has at most 50.
MAX_ADDRESS = 120
MAX_TEAM_NAME = 120
MAX_CHANNEL_NAME = 50

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Characters a label may not hold: they separate list entries, ids or the id itself.
_NOT_IN_LABEL = re.compile(r"[<>;,|\r\n\t\x00-\x1f\x7f]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# "Naam <reference>": the export's form; only the reference is read.
_LABELLED = re.compile(r"^[^<>]*<([^<>]*)>$")
# An e-mail address or UPN: a local part that starts with a letter or digit (never "=", "+",
# "-" or "@", which a spreadsheet reads as a formula), one "@", a domain with a dot.
_ADDRESS = re.compile(
    r"^[^\W_][^\s@<>;,()\[\]\\|\"\x00-\x1f\x7f]*@[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+$",
    re.IGNORECASE,
)


class NameKind(StrEnum):
    PERSON = "person"  # an e-mail address or UPN
    CHANNEL = "channel"  # "Team / Kanaal"


@dataclass(frozen=True, slots=True)
class ChannelName:
    """A channel by its team's and its own display name (spaces tidied, case kept)."""

    team: str
    channel: str

    @property
    def key(self) -> str:
        return channel_key(self.team, self.channel)

    def __str__(self) -> str:
        return f"{self.team} {NAME_SEPARATOR} {self.channel}"


@dataclass(frozen=True, slots=True)
class NamedCell:
    """A name where an id goes: its cell, what kind of thing it names, its key (what the rule
    holds until the id replaces it) and the text as written (for the problem)."""

    row: int
    column: str
    kind: NameKind
    key: str
    text: str


@dataclass(frozen=True, slots=True)
class NameMatch:
    """One directory object answering to a name: its id (a person's object id, a channel's
    "<group id>|<channel id>") and its name as people read it."""

    id: str
    name: str

    @property
    def label(self) -> str:
        return labelled(self.name, self.id)


@dataclass(frozen=True, slots=True)
class ChannelLookup:
    """What the directory has for "Team / Kanaal": how many teams bear that name, and the
    channels of that name in them (no team: the team name is wrong; teams but no channel:
    the channel name is)."""

    teams: int = 0
    matches: tuple[NameMatch, ...] = ()


@dataclass(frozen=True, slots=True)
class RulesRead:
    """A workbook as read: the rules (None when there are problems), every problem, and every
    cell that names someone instead of giving an id (also when there are problems, so the
    names are checked in the same round)."""

    rules: tuple[RoutingRule, ...] | None
    problems: tuple[RuleProblem, ...]
    names: tuple[NamedCell, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleLabels:
    """What the export writes in front of ids: a person's display name by object id
    (casefolded), a channel's "Team / Kanaal" by "<group id>|<channel id>"."""

    people: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)

    def person(self, person_id: str) -> str:
        return labelled(self.people.get(person_id.casefold(), ""), person_id)

    def channel(self, target: str) -> str:
        return labelled(self.channels.get(target, ""), target)


# --- reading a cell -------------------------------------------------------------------------
def reference(text: str) -> str:
    """What a cell refers to: the part between < and > of "Naam <id>", else the whole text."""
    text = text.strip()
    found = _LABELLED.match(text)
    return found.group(1).strip() if found else text


def is_address(text: str) -> bool:
    """An e-mail address or UPN (guests' "name_domain#EXT#@tenant" included), at most
    MAX_ADDRESS characters."""
    return len(text) <= MAX_ADDRESS and _ADDRESS.match(text) is not None


def channel_name(text: str) -> ChannelName | None:
    """ "Team / Kanaal" split at the last "/", spaces tidied; None without both parts."""
    team, separator, channel = text.rpartition(NAME_SEPARATOR)
    team, channel = _tidy(team), _tidy(channel)
    if not separator or not team or not channel or _CONTROL.search(text):
        return None
    return ChannelName(team, channel)


def person_key(address: str) -> str:
    return address.strip().casefold()


def channel_key(team: str, channel: str) -> str:
    return f"{_tidy(team).casefold()}{NAME_SEPARATOR}{_tidy(channel).casefold()}"


def _tidy(text: str) -> str:
    return " ".join(text.split())


def is_guid(text: str) -> bool:
    return _GUID.match(text.casefold()) is not None


def labelled(name: str, reference: str) -> str:
    """ "Naam <id>": the name cleaned and cut, the id as it is. Just the id without a name."""
    label = _tidy(_NOT_IN_LABEL.sub(" ", name))
    if len(label) > MAX_LABEL:
        label = label[: MAX_LABEL - 1].rstrip() + ELLIPSIS
    return f"{label} <{reference}>" if label else reference


def listed(name: str, matches: Sequence[NameMatch]) -> str:
    """ "jef@x: Jef Peeters <id>, Jef Peeters <id>, …": what a "several match" problem quotes."""
    shown = [match.label for match in matches[:MAX_LISTED]]
    if len(matches) > MAX_LISTED:
        shown.append(ELLIPSIS)
    return f"{name}: {', '.join(shown)}"


# --- the ids in place of the names ---------------------------------------------------------
def with_ids(
    rules: Sequence[RoutingRule], people: Mapping[str, str], channels: Mapping[str, str]
) -> list[RoutingRule]:
    """The rules with every name replaced by its id (`people`: person key -> object id,
    `channels`: channel key -> "<group id>|<channel id>"). A name missing from the maps stays
    (the caller reported its cell). An addressee named twice, once by name, counts once."""
    return [_with_ids(rule, people, channels) for rule in rules]


def _with_ids(
    rule: RoutingRule, people: Mapping[str, str], channels: Mapping[str, str]
) -> RoutingRule:
    destination = rule.destination
    target = destination.target
    if destination.kind is DestinationKind.PERSON and target and not is_guid(target):
        destination = Destination(destination.kind, people.get(target, target))
    elif destination.kind is DestinationKind.TEAM and target and TEAM_SEPARATOR not in target:
        destination = Destination(destination.kind, channels.get(target, target))
    ids = rule.conditions.addressee_ids
    if any(not is_guid(person) for person in ids):
        ids = tuple(dict.fromkeys(people.get(person, person) for person in ids))
    if destination == rule.destination and ids == rule.conditions.addressee_ids:
        return rule
    return replace(
        rule, destination=destination, conditions=replace(rule.conditions, addressee_ids=ids)
    )


def named_ids(rules: Sequence[RoutingRule]) -> tuple[list[str], list[str]]:
    """The person ids and the channel targets ("<group id>|<channel id>") the rules use, each
    once, in order: what the export writes names for."""
    people: dict[str, None] = {}
    channels: dict[str, None] = {}
    for rule in rules:
        destination = rule.destination
        if destination.kind is DestinationKind.PERSON and is_guid(destination.target):
            people[destination.target.casefold()] = None
        elif destination.kind is DestinationKind.TEAM and TEAM_SEPARATOR in destination.target:
            channels[destination.target] = None
        for person in rule.conditions.addressee_ids:
            if is_guid(person):
                people[person.casefold()] = None
    return list(people), list(channels)
