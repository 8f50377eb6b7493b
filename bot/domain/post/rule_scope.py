"""Which routing rules an entity's ICT admin may change: those of their own entities, nothing else.

Decisions (and why):
- The mailroom (and Werkplek's admins) keep every rule. An entity ICT admin (Role.ENTITY_ADMIN
  without the mailroom's role) may add, change or remove only the rules scoped to their own
  entities (those whose admin group they are in). A rule for "*" or for another entity decides
  other entities' post, which is the mailroom's to keep; a rule scoped to one's own entity only
  ever matches that entity's post, wherever it stands.
- So every other rule must come back as it is: same content, same order among the other such
  rules. Its position number may change, so one's own rules can go in between.
- Moving a rule into or out of one's own entity is a change to a rule that is not one's own.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from bot.domain.platform.text import fold
from bot.domain.post.routing import ANY_ENTITY, RoutingRule

# Entity codes whose rules someone may change; None: every rule (the mailroom, admins).
Scope = frozenset[str] | None


class Breach(StrEnum):
    CHANGED = "changed"
    REMOVED = "removed"
    ADDED = "added"
    MOVED = "moved"


@dataclass(frozen=True, slots=True)
class ScopeBreach:
    """A rule outside the uploader's entities that an upload would change."""

    breach: Breach
    rule_id: str
    entity: str


def in_scope(rule: RoutingRule, entities: Collection[str]) -> bool:
    """Whether the rule is scoped to one of `entities` (a rule for every entity never is)."""
    scope = rule.entity.strip() or ANY_ENTITY
    return scope != ANY_ENTITY and fold(scope) in {fold(code) for code in entities}


def own_rules(rules: Sequence[RoutingRule], scope: Scope) -> list[RoutingRule]:
    """The rules someone of this scope keeps (every rule for the mailroom)."""
    return [rule for rule in rules if scope is None or in_scope(rule, scope)]


def scope_breaches(
    current: Sequence[RoutingRule], new: Sequence[RoutingRule], entities: Collection[str]
) -> list[ScopeBreach]:
    """What `new` changes about the rules outside `entities`: each such rule must be there,
    unchanged but for its position, none may be added, and their order must stay."""

    def foreign(rules: Sequence[RoutingRule]) -> list[RoutingRule]:
        ordered = sorted(rules, key=lambda rule: rule.position)  # stable: list order on ties
        return [rule for rule in ordered if not in_scope(rule, entities)]

    before, after = foreign(current), foreign(new)
    uploaded = {rule.id.casefold(): rule for rule in new}
    known = {rule.id.casefold() for rule in before}
    found: list[ScopeBreach] = []
    for rule in before:
        now = uploaded.get(rule.id.casefold())
        if now is None:
            found.append(ScopeBreach(Breach.REMOVED, rule.id, rule.entity))
        elif replace(now, position=0) != replace(rule, position=0):
            found.append(ScopeBreach(Breach.CHANGED, rule.id, rule.entity))
    found += [
        ScopeBreach(Breach.ADDED, rule.id, rule.entity)
        for rule in after
        if rule.id.casefold() not in known
    ]
    if not found:
        order = [(old, new) for old, new in zip(before, after, strict=True) if old.id != new.id]
        if order:
            moved = order[0][1]
            found.append(ScopeBreach(Breach.MOVED, moved.id, moved.entity))
    return found
