"""Group-based licensing as Entra applies it: seats are handed out in order, and who is left
without one gets an error state instead of a licence.

Entra processes a licensed group's direct user members and records, per member, a
licenseAssignmentState: "Active" while the subscription has a free seat, else "Error" with
"CountViolation" (the member is in the group but has no licence, and consumes no seat). When
seats become free (more were bought, someone left a group or lost a direct licence), Entra
processes the group again and the waiting members get theirs.

The emulator computes all of this on every read from the records as they are now, so any change
(through Graph, the control API or a test editing the records) is reflected at once; that is the
"processing again". Two rules keep it faithful:
- a person counts once per SKU, however many groups (or a direct assignment) give it to them;
- a seat once given through a group stays given while the person stays in that group, even if
  the subscription is later lowered below what is in use (Entra does not take licences back; the
  SKU then shows more consumed than enabled units).
Direct assignments always hold their seat: assignLicense refuses them when none is free.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Record = dict[str, Any]
# (user id, group id, SKU id), lower case: a group-based seat that was given.
Grant = tuple[str, str, str]

ACTIVE = "Active"
ERROR = "Error"
NO_ERROR = "None"
COUNT_VIOLATION = "CountViolation"


@dataclass(slots=True)
class Allocation:
    # user id (lower) -> the licenseAssignmentStates they get through groups, in group order
    group_states: dict[str, list[Record]] = field(default_factory=dict)
    # SKU id (lower) -> the users (lower) holding it: directly or through an Active group state
    holders: dict[str, set[str]] = field(default_factory=dict)

    def holding(self, sku_id: str) -> set[str]:
        return self.holders.setdefault(sku_id.lower(), set())


def assignment_state(
    licence: Record,
    group_id: str | None,
    updated: str,
    *,
    state: str = ACTIVE,
    error: str = NO_ERROR,
) -> Record:
    """One licenseAssignmentState as Graph shows it."""
    return {
        "assignedByGroup": group_id,
        "disabledPlans": list(licence.get("disabledPlans") or []),
        "error": error,
        "lastUpdatedDateTime": updated,
        "skuId": licence["skuId"],
        "state": state,
    }


def allocate(
    users: Mapping[str, Record],
    groups: Iterable[Record],
    seats: Mapping[str, int],
    granted: set[Grant],
    updated: str,
) -> Allocation:
    """Who holds which SKU now. `seats` is prepaidUnits.enabled per SKU id (lower case; an SKU
    the tenant does not own has none). `granted` is updated in place: seats given are added,
    seats of people no longer in the group are dropped."""
    allocation = Allocation()
    for user_id, user in users.items():
        for licence in user.get("assignedLicenses", []):
            allocation.holding(licence["skuId"]).add(user_id)

    candidates: list[tuple[Grant, Record, str]] = []
    for group in groups:
        licences = group.get("assignedLicenses") or []
        # Group-based licensing follows direct members that are users (not nested groups).
        members = dict.fromkeys(m.lower() for m in group["members"] if m.lower() in users)
        for member in members:
            for licence in licences:
                key = (member, group["id"].lower(), licence["skuId"].lower())
                candidates.append((key, licence, group["id"]))
    # Seats already given are honoured first; then the queue, in group and membership order.
    ordered = [c for c in candidates if c[0] in granted] + [
        c for c in candidates if c[0] not in granted
    ]
    decided: dict[Grant, Record] = {}
    for key, licence, group_id in ordered:
        user_id, _, sku_id = key
        holders = allocation.holding(sku_id)
        if user_id in holders or key in granted or len(holders) < seats.get(sku_id, 0):
            holders.add(user_id)
            granted.add(key)
            decided[key] = assignment_state(licence, group_id, updated)
        else:
            decided[key] = assignment_state(
                licence, group_id, updated, state=ERROR, error=COUNT_VIOLATION
            )
    granted.intersection_update(decided)  # people who left the group gave their seat back
    for key, _, _ in candidates:  # each person's states in group order, as Graph lists them
        allocation.group_states.setdefault(key[0], []).append(decided[key])
    return allocation
