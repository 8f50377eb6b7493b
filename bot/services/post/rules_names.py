"""The names in a routing-rules workbook, looked up between reading it and checking the rules.

Reading (bot/excel/post/rules_reader.py) leaves a name where an id goes and lists its cell.
`resolve_names` asks the directory (the RuleNames port) about every distinct name once, puts the
ids in place, and reports every cell whose name fits nobody or more than one, with its row and
column, like any other bad cell: the rules then wait for nobody (nothing is kept).

`rule_labels` does the reverse for the export: the names written in front of the ids.

Decisions (and why):
- A workbook's names are looked up in one go, each distinct name once, the adapter batching
  them; MAX_PEOPLE and MAX_CHANNELS distinct names per workbook at most. A workbook with
  thousands of distinct names is a list of ids someone exported from elsewhere: past the bound
  its first such cell is one problem ("fill in the ids from here on") instead of minutes of
  lookups in a chat turn.
- The names of a workbook with other problems are looked up too, so the admin fixes everything
  in one round.
- Without a directory (the command line without Graph) every named cell is a problem saying so:
  ids still work there.
- The export never fails for want of names: when the directory cannot answer, ids alone are
  written (and logged), as before names existed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.domain.platform.errors import DomainError
from bot.domain.post.routing import RoutingRule, RuleProblem
from bot.domain.post.rule_names import (
    ChannelLookup,
    ChannelName,
    NamedCell,
    NameKind,
    NameMatch,
    RuleLabels,
    RulesRead,
    channel_name,
    listed,
    named_ids,
    with_ids,
)
from bot.ports.post import RuleNames

logger = logging.getLogger(__name__)

MAX_PEOPLE = 300  # distinct e-mail addresses looked up per workbook
MAX_CHANNELS = 50  # distinct "Team / Kanaal" looked up per workbook
# The export writes names for at most this many people and channels (ids alone beyond).
MAX_LABELLED_PEOPLE = 1000
MAX_LABELLED_CHANNELS = 200

_PROBLEM = "post.rules.problem."
_SHEET = "rules"


async def resolve_names(read: RulesRead, directory: RuleNames | None) -> RulesRead:
    """The workbook as read, with ids in place of names and a problem for every name that
    fits nobody or several. Raises the port's Unavailable/Throttled when the directory fails."""
    if not read.names:
        return read
    if directory is None:
        problems = [_problem(cell, "names_unavailable", cell.text) for cell in read.names]
        return _merged(read, problems, {}, {})
    asked, too_many = _bounded(read.names)
    people = {cell.key: cell.text for cell in asked if cell.kind is NameKind.PERSON}
    channels = {
        cell.key: named
        for cell in asked
        if cell.kind is NameKind.CHANNEL and (named := channel_name(cell.text)) is not None
    }
    found_people = await directory.people(list(people.values())) if people else {}
    found_channels = await directory.channels(list(channels.values())) if channels else {}
    problems = list(too_many)
    person_ids: dict[str, str] = {}
    channel_ids: dict[str, str] = {}
    for cell in asked:
        if cell.kind is NameKind.PERSON:
            match = _one(cell, found_people.get(cell.key, ()), "person", problems)
            if match is not None:
                person_ids[cell.key] = match.id
        else:
            lookup = found_channels.get(cell.key, ChannelLookup())
            if not lookup.teams:
                problems.append(_problem(cell, "team_not_found", _team_of(channels, cell)))
                continue
            match = _one(cell, lookup.matches, "channel", problems)
            if match is not None:
                channel_ids[cell.key] = match.id
    return _merged(read, problems, person_ids, channel_ids)


def _bounded(cells: Sequence[NamedCell]) -> tuple[list[NamedCell], list[RuleProblem]]:
    """The cells whose names are within the bounds (in order), and the one problem at the
    first cell past a bound."""
    limits = {NameKind.PERSON: MAX_PEOPLE, NameKind.CHANNEL: MAX_CHANNELS}
    seen: dict[NameKind, set[str]] = {NameKind.PERSON: set(), NameKind.CHANNEL: set()}
    asked: list[NamedCell] = []
    problems: list[RuleProblem] = []
    for cell in cells:
        known = seen[cell.kind]
        if cell.key not in known and len(known) >= limits[cell.kind]:
            if not problems:
                problems.append(_problem(cell, "too_many_names", str(limits[cell.kind])))
            continue
        known.add(cell.key)
        asked.append(cell)
    return asked, problems


def _one(
    cell: NamedCell, matches: Sequence[NameMatch], kind: str, problems: list[RuleProblem]
) -> NameMatch | None:
    if len(matches) == 1:
        return matches[0]
    if not matches:
        problems.append(_problem(cell, f"{kind}_not_found", cell.text))
    else:
        problems.append(_problem(cell, f"{kind}_several", listed(cell.text, matches)))
    return None


def _team_of(channels: dict[str, ChannelName], cell: NamedCell) -> str:
    named = channels.get(cell.key)
    return named.team if named is not None else cell.text


def _problem(cell: NamedCell, key: str, value: str) -> RuleProblem:
    return RuleProblem(_SHEET, cell.row, cell.column, _PROBLEM + key, value)


def _merged(
    read: RulesRead,
    problems: Sequence[RuleProblem],
    people: dict[str, str],
    channels: dict[str, str],
) -> RulesRead:
    """The read's problems and the names' in row order (a sheet's own first)."""
    every = sorted((*read.problems, *problems), key=lambda p: -1 if p.row is None else p.row)
    if every or read.rules is None:
        return RulesRead(None, tuple(every), read.names)
    return RulesRead(tuple(with_ids(read.rules, people, channels)), (), read.names)


# --- the export -------------------------------------------------------------------------------
async def rule_labels(rules: Sequence[RoutingRule], directory: RuleNames | None) -> RuleLabels:
    """The names to write in front of the rules' ids; none when the directory cannot say."""
    if directory is None:
        return RuleLabels()
    people, channels = named_ids(rules)
    try:
        person_names = await directory.person_names(people[:MAX_LABELLED_PEOPLE]) if people else {}
        channel_names = (
            await directory.channel_names(channels[:MAX_LABELLED_CHANNELS]) if channels else {}
        )
    except DomainError as error:
        logger.warning("rules export without names: %s", type(error).__name__)
        return RuleLabels()
    return RuleLabels(person_names, channel_names)
