"""The emulated directory: users, groups, directory roles and licences, held in memory.

Seeded from a tenant file (devtools/demo_tenant.json by default). Relationships live on the
records the way the file states them (a user's manager id and direct licences, a group's member
ids and group-based licences); everything Graph derives from them (transitive membership,
effective licences, consumed units) is computed on request so mutations stay consistent.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import uuid
from pathlib import Path
from typing import Any

from devtools.graph_emulator.licensing import ERROR, Allocation, Grant, allocate, assignment_state

DEFAULT_TENANT_FILE = Path(__file__).resolve().parent.parent / "demo_tenant.json"

# Keys of a user record that are relationships served by their own endpoints, not properties.
USER_RELATIONS = frozenset(
    {
        "manager",
        "assignedLicenses",
        "authenticationMethods",
        "managedDevices",
        "registeredDevices",
        "entity",
    }
)
GROUP_RELATIONS = frozenset({"members", "assignedLicenses", "kind", "channels"})
ROLE_RELATIONS = frozenset({"members"})

_RELATIVE_TIME = re.compile(r"^now([+-])(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class DirectoryError(Exception):
    """A Graph-visible failure of a directory operation (status, ODataError code, message)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def not_found(object_id: str) -> DirectoryError:
    return DirectoryError(
        404,
        "Request_ResourceNotFound",
        f"Resource '{object_id}' does not exist or one of its queried reference-property "
        "objects are not present.",
    )


def bad_request(message: str) -> DirectoryError:
    return DirectoryError(400, "Request_BadRequest", message)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def resolve_relative_times(value: Any, now: dt.datetime) -> Any:
    """Turn every "now-9d"-style string in the document into an ISO timestamp."""
    if isinstance(value, dict):
        return {key: resolve_relative_times(item, now) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve_relative_times(item, now) for item in value]
    if isinstance(value, str) and (match := _RELATIVE_TIME.match(value)):
        sign, amount, unit = match.groups()
        delta = dt.timedelta(**{_UNITS[unit]: int(amount)})
        return iso(now + delta if sign == "+" else now - delta)
    return value


class TenantState:
    """In-memory directory with the lookups and mutations the Graph routes need."""

    def __init__(self, document: dict[str, Any], now: dt.datetime | None = None) -> None:
        self.loaded_at = now or dt.datetime.now(dt.UTC)
        doc = resolve_relative_times(copy.deepcopy(document), self.loaded_at)
        tenant = doc["tenant"]
        self.tenant_id: str = tenant["id"]
        self.domain: str = tenant["defaultDomain"]
        self.display_name: str = tenant.get("displayName", self.domain)
        self.entities: list[dict[str, Any]] = doc.get("entities", [])
        self.skus: list[dict[str, Any]] = doc.get("subscribedSkus", [])
        self.users: dict[str, dict[str, Any]] = {u["id"].lower(): u for u in doc["users"]}
        self.groups: dict[str, dict[str, Any]] = {g["id"].lower(): g for g in doc["groups"]}
        self.roles: dict[str, dict[str, Any]] = {
            r["id"].lower(): r for r in doc.get("directoryRoles", [])
        }
        self._by_upn = {u["userPrincipalName"].casefold(): u for u in self.users.values()}
        # Group-based seats given so far (see licensing.py: Entra does not take them back).
        self._granted: set[Grant] = set()
        # Teams apps installed for a user (user id, lower) -> Teams app ids, in install order.
        self.installed_apps: dict[str, list[str]] = {}
        self._synthetic_users = 0

    @classmethod
    def load(cls, path: Path | None = None, now: dt.datetime | None = None) -> TenantState:
        source = path or DEFAULT_TENANT_FILE
        return cls(json.loads(source.read_text(encoding="utf-8")), now)

    # --- lookups ----------------------------------------------------------------------------
    def find_user(self, key: str) -> dict[str, Any] | None:
        """A user by object id or by userPrincipalName (both case-insensitive, as in Graph)."""
        return self.users.get(key.lower()) or self._by_upn.get(key.casefold())

    def user(self, key: str) -> dict[str, Any]:
        found = self.find_user(key)
        if found is None:
            raise not_found(key)
        return found

    def group(self, group_id: str) -> dict[str, Any]:
        found = self.groups.get(group_id.lower())
        if found is None:
            raise not_found(group_id)
        return found

    def team(self, team_id: str) -> dict[str, Any]:
        """A group provisioned as a Teams team (404 for any other group, as /teams answers)."""
        group = self.groups.get(team_id.lower())
        if group is None or "Team" not in (group.get("resourceProvisioningOptions") or []):
            raise DirectoryError(404, "NotFound", f"No team found with Group Id {team_id}")
        return group

    def directory_object(self, object_id: str) -> tuple[str, dict[str, Any]] | None:
        """("user" | "group" | "directoryRole", record) for an object id."""
        key = object_id.lower()
        for kind, table in (
            ("user", self.users),
            ("group", self.groups),
            ("directoryRole", self.roles),
        ):
            if key in table:
                return kind, table[key]
        return None

    def sku(self, sku_id: str) -> dict[str, Any] | None:
        return next((s for s in self.skus if s["skuId"].lower() == sku_id.lower()), None)

    # --- membership -------------------------------------------------------------------------
    def direct_parents(self, object_id: str) -> list[tuple[str, dict[str, Any]]]:
        """Groups and directory roles that list the object as a direct member."""
        key = object_id.lower()
        parents: list[tuple[str, dict[str, Any]]] = [
            ("group", g) for g in self.groups.values() if key in _ids(g["members"])
        ]
        parents += [("directoryRole", r) for r in self.roles.values() if key in _ids(r["members"])]
        return parents

    def transitive_parents(self, object_id: str) -> list[tuple[str, dict[str, Any]]]:
        """Every group/role reached through nested membership, each once, nearest first."""
        seen: set[str] = set()
        result: list[tuple[str, dict[str, Any]]] = []
        frontier = [object_id]
        while frontier:
            next_frontier: list[str] = []
            for member in frontier:
                for kind, parent in self.direct_parents(member):
                    parent_id = parent["id"].lower()
                    if parent_id not in seen:
                        seen.add(parent_id)
                        result.append((kind, parent))
                        next_frontier.append(parent_id)
            frontier = next_frontier
        return result

    def members(self, group: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        # Users first, inline: a benchmark's group holds tens of thousands, read on every page.
        users = self.users
        found: list[tuple[str, dict[str, Any]]] = []
        for member_id in group["members"]:
            user = users.get(member_id.lower())
            item = ("user", user) if user is not None else self.directory_object(member_id)
            if item is not None:
                found.append(item)
        return found

    def transitive_members(self, group: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        seen: set[str] = set()
        result: list[tuple[str, dict[str, Any]]] = []
        stack = list(reversed(self.members(group)))
        while stack:
            kind, member = stack.pop()
            key = member["id"].lower()
            if key in seen:
                continue
            seen.add(key)
            result.append((kind, member))
            if kind == "group":
                stack.extend(reversed(self.members(member)))
        return result

    def add_member(self, group_id: str, object_id: str) -> None:
        group = self.group(group_id)
        if self.directory_object(object_id) is None:
            raise not_found(object_id)
        if object_id.lower() in _ids(group["members"]):
            raise bad_request(
                "One or more added object references already exist for the following modified "
                "properties: 'members'."
            )
        if object_id.lower() == group["id"].lower():
            raise bad_request("A group cannot be a member of itself.")
        group["members"].append(object_id)

    def remove_member(self, group_id: str, object_id: str) -> None:
        group = self.group(group_id)
        remaining = [m for m in group["members"] if m.lower() != object_id.lower()]
        if len(remaining) == len(group["members"]):
            raise not_found(object_id)
        group["members"] = remaining

    def add_synthetic_members(
        self, group_id: str, count: int, *, prefix: str = "bench"
    ) -> list[str]:
        """Create `count` plain enabled users (no licences, no manager) as direct members of the
        group, for benchmarks of large audiences: ids are stable across runs (the n-th one made
        is always the same), UPN and mail are `{prefix}.{n:06d}@{domain}`. Their ids."""
        group = self.group(group_id)
        if count < 0:
            raise bad_request("count cannot be negative.")
        made: list[str] = []
        for _ in range(count):
            self._synthetic_users += 1
            number = self._synthetic_users
            user_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"werkplek-bench-user:{number}"))
            address = f"{prefix}.{number:06d}@{self.domain}"
            user: dict[str, Any] = {
                "id": user_id,
                "displayName": f"Bench {number:06d}",
                "givenName": "Bench",
                "surname": f"{number:06d}",
                "userPrincipalName": address,
                "mail": address,
                "accountEnabled": True,
                "userType": "Member",
                "usageLocation": "BE",
                "preferredLanguage": "nl-BE",
                "manager": None,
                "assignedLicenses": [],
            }
            self.users[user_id] = user
            self._by_upn[address.casefold()] = user
            made.append(user_id)
        group["members"].extend(made)
        return made

    # --- Teams apps -------------------------------------------------------------------------
    def install_app(self, user_key: str, teams_app_id: str) -> None:
        """Install a Teams app for a user (POST /users/{id}/teamwork/installedApps): 409 when
        it is installed already, as Graph answers."""
        user = self.user(user_key)
        installed = self.installed_apps.setdefault(user["id"].lower(), [])
        if teams_app_id.lower() in (app.lower() for app in installed):
            raise DirectoryError(409, "Conflict", "The app is already installed for this user.")
        installed.append(teams_app_id)

    def apps_of(self, user_key: str) -> list[str]:
        """The Teams app ids installed for a user, in install order (404 for an unknown user)."""
        return list(self.installed_apps.get(self.user(user_key)["id"].lower(), []))

    # --- licences ---------------------------------------------------------------------------
    def allocation(self) -> Allocation:
        """Who holds which SKU now, group-based licensing applied (see licensing.py)."""
        seats = {sku["skuId"].lower(): int(sku["prepaidUnits"]["enabled"]) for sku in self.skus}
        return allocate(self.users, self.groups.values(), seats, self._granted, iso(self.loaded_at))

    def licence_states(
        self, user: dict[str, Any], allocation: Allocation | None = None
    ) -> list[dict[str, Any]]:
        """Graph's licenseAssignmentStates: direct assignments, then group-based ones (an
        "Error" state with "CountViolation" when the group had no free seat for the user).

        Group-based licensing only follows direct membership of the licensed group (as in Entra).
        """
        updated = iso(self.loaded_at)
        states = [assignment_state(lic, None, updated) for lic in user.get("assignedLicenses", [])]
        found = allocation or self.allocation()
        return states + found.group_states.get(user["id"].lower(), [])

    def effective_licences(
        self, user: dict[str, Any], allocation: Allocation | None = None
    ) -> list[dict[str, Any]]:
        """Graph's assignedLicenses: one entry per SKU the user really holds, whatever the number
        of sources (a group assignment in error gives nothing)."""
        merged: dict[str, dict[str, Any]] = {}
        for state in self.licence_states(user, allocation):
            if state["state"] == ERROR:
                continue
            merged.setdefault(
                state["skuId"].lower(),
                {"disabledPlans": list(state["disabledPlans"]), "skuId": state["skuId"]},
            )
        return list(merged.values())

    def consumed_units(self, sku_id: str, allocation: Allocation | None = None) -> int:
        return len((allocation or self.allocation()).holding(sku_id))

    def set_prepaid_units(self, sku_id: str, enabled: int) -> dict[str, Any]:
        """Buy or cancel seats (what the admin centre does); waiting members are served on the
        next read."""
        sku = self.sku(sku_id)
        if sku is None:
            raise not_found(sku_id)
        if enabled < 0:
            raise bad_request("prepaidUnits.enabled cannot be negative.")
        sku["prepaidUnits"] = {**sku["prepaidUnits"], "enabled": enabled}
        return sku

    def set_usage_location(self, user_key: str, location: str | None) -> dict[str, Any]:
        """Set (a two-letter country code) or clear (None or "") a user's usageLocation."""
        user = self.user(user_key)
        if location and (len(location) != 2 or not location.isalpha()):
            raise bad_request(f"Invalid value specified for property 'usageLocation': {location}.")
        user["usageLocation"] = location.upper() if location else None
        return user

    def assign_licences(
        self, user_key: str, add: list[dict[str, Any]], remove: list[str]
    ) -> dict[str, Any]:
        """Apply POST /users/{id}/assignLicense with Graph's validation and error messages."""
        user = self.user(user_key)
        if add and not user.get("usageLocation"):
            raise bad_request(
                "License assignment cannot be done for user with invalid usage location."
            )
        held = {lic["skuId"].lower() for lic in self.effective_licences(user)}
        direct = {lic["skuId"].lower(): lic for lic in user.get("assignedLicenses", [])}
        for sku_id in remove:
            if sku_id.lower() not in direct:
                if sku_id.lower() in held:
                    raise bad_request(
                        "User license is inherited from a group membership and it cannot be "
                        "removed directly from the user."
                    )
                raise bad_request(f"User does not have a corresponding license {sku_id}.")
        for licence in add:
            sku = self.sku(str(licence.get("skuId", "")))
            if sku is None:
                raise bad_request(
                    f"License {licence.get('skuId')} does not correspond to a valid company "
                    "License."
                )
            fresh = sku["skuId"].lower() not in held
            if fresh and self.consumed_units(sku["skuId"]) >= sku["prepaidUnits"]["enabled"]:
                raise bad_request(
                    f"Subscription with SKU {sku['skuId']} does not have any available licenses."
                )
        for sku_id in remove:
            direct.pop(sku_id.lower(), None)
        for licence in add:
            direct[licence["skuId"].lower()] = {
                "skuId": licence["skuId"],
                "disabledPlans": list(licence.get("disabledPlans") or []),
            }
        user["assignedLicenses"] = list(direct.values())
        return user


def _ids(values: list[str]) -> set[str]:
    return {value.lower() for value in values}
