"""Granting an item in Entra ID, and checking that it took: pure rules, no Graph.

Group-based licensing is preferred: the person joins a group that carries the licence, and
Entra assigns it (or records an error, e.g. CountViolation when the seats ran out). A direct
assignment needs the person's usageLocation. Either way, a grant is only "fulfilled" once
Graph shows it: membership of the group, and for licences a licenseAssignmentState for the SKU
without an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from bot.domain.licences.catalogue import CatalogueItem, Fulfilment
from bot.domain.platform.errors import DomainError


@dataclass(frozen=True, slots=True)
class LicenceState:
    """One of Graph's licenseAssignmentStates of a user."""

    sku_id: str
    assigned_by_group: str | None  # None: a direct assignment
    state: str  # Active, ActiveWithError, Disabled, Error
    error: str  # None, CountViolation, MutuallyExclusiveViolation, DependencyViolation, ...

    @property
    def ok(self) -> bool:
        return self.error in ("", "None") and self.state in ("Active", "")


class UsageLocationMissing(DomainError):
    """A direct licence assignment was refused: the person has no usageLocation."""

    message_key = "licence.reason.usage_location"


class NoFreeSeats(DomainError):
    message_key = "licence.reason.no_seats"


class GrantRefused(DomainError):
    """Graph refused the grant for a reason retrying will not fix (group or SKU gone, ...)."""

    message_key = "licence.reason.refused"


def licence_granted(item: CatalogueItem, states: Sequence[LicenceState]) -> LicenceState | None:
    """The assignment state that carries the item's SKU (the group's one for group-based
    licensing), or None when Graph shows no such assignment yet."""
    wanted = item.sku_id.casefold()
    for state in states:
        if state.sku_id.casefold() != wanted:
            continue
        if item.fulfilment is Fulfilment.DIRECT and state.assigned_by_group is None:
            return state
        if item.fulfilment is Fulfilment.GROUP and (state.assigned_by_group or "").casefold() == (
            item.group_id.casefold()
        ):
            return state
    return None


def grant_verified(item: CatalogueItem, is_member: bool, states: Sequence[LicenceState]) -> bool:
    """Does Graph show the item as granted without error?"""
    if item.fulfilment is Fulfilment.GROUP and not is_member:
        return False
    if not item.uses_seats:
        return True  # a workspace-role group carries no licence to check
    state = licence_granted(item, states)
    return state is not None and state.ok


def access_ends_at(end_date: date, tz: tzinfo) -> datetime:
    """Access "until 31 March" lasts through that day: it ends at midnight after it, in the
    administration's time zone."""
    return datetime.combine(end_date + timedelta(days=1), time.min, tzinfo=tz)
