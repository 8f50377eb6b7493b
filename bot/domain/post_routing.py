"""Routing rules, delegations and queries for incoming post: pure data and rules, no I/O.

Rules are ordered; the first active rule whose conditions all hold decides the destination.
A rule may be scoped to one entity ("*": every entity). When no rule matches, an envelope that
names exactly one person goes to that person; anything else goes to the mailroom's triage
queue with the reason. A person's active delegation (a date range, inclusive) redirects what
would go to them to their delegate, recorded as "doorgestuurd".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.post_items import Destination, DocumentType, PostState

ANY_ENTITY = "*"
ADDRESSEE_RULE = "addressee"  # rule_id recorded when the envelope's person decided


@dataclass(frozen=True, slots=True)
class RuleConditions:
    """Every condition given must hold; an empty condition holds for any item."""

    addressee_ids: tuple[str, ...] = ()  # the envelope was matched to one of these people
    addressee_text: str = ""  # folded words that must all occur in the envelope's addressee
    sender_contains: str = ""  # folded words that must all occur in sender name + organisation
    document_types: frozenset[DocumentType] = frozenset()
    keywords: tuple[str, ...] = ()  # any of these (folded) in the subject or the OCR text


@dataclass(frozen=True, slots=True)
class RoutingRule:
    id: str  # stable, e.g. "R-012": shown in the audit trail and the dry run
    position: int  # evaluation order, lowest first
    destination: Destination
    conditions: RuleConditions = field(default_factory=RuleConditions)
    entity: str = ANY_ENTITY  # scope: the item's entity (metadata or the addressee's)
    description: str = ""
    active: bool = True


@dataclass(frozen=True, slots=True)
class Delegation:
    """While away, `user_id`'s post goes to `delegate_id` (from `starts` to `ends`, inclusive)."""

    user_id: str
    delegate_id: str
    starts: date
    ends: date
    created_by: str
    created_at: datetime
    id: int = 0


@dataclass(frozen=True, slots=True)
class PostQuery:
    """Which items a person may list: those routed to them, to their teams, to the entities
    whose queue they hold, or (mailroom) the triage queue."""

    destinations: tuple[Destination, ...]
    states: frozenset[PostState] = frozenset({PostState.ROUTED, PostState.TRIAGE})
    registered_only: bool = False
    received_since: datetime | None = None  # "deze week"
    search: str = ""  # words in the sender (name, organisation) or the subject
    limit: int = 5
    offset: int = 0
