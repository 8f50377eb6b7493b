"""In-memory fakes of the ports the licence capability uses, and a demo-like world built on them.

Each fake keeps the promises its Protocol's docstring in bot/ports/ makes (versions checked on
save, references counted per year, leases honoured, group-based seats handed out in order), so
the desk, the worker and the dialog can be tested without a database or Graph. `make_flow()`
wires the real LicenceFlow and LicenceDesk on them, with a catalogue shaped like the demo
tenant's (devtools/demo_tenant.json: the same entities, groups, SKUs and people).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.access.facts import Sku
from bot.domain.licences.catalogue import (
    ALL_ENTITIES,
    ApprovalPolicy,
    ApproverKind,
    Catalogue,
    CatalogueItem,
    Entity,
    Fulfilment,
    ItemKind,
    Offer,
    Question,
    Stage,
    WorkspaceRole,
)
from bot.domain.licences.grants import GrantRefused, LicenceState, NoFreeSeats, UsageLocationMissing
from bot.domain.licences.requests import (
    OPEN_STATES,
    LicenceRequest,
    NewLicenceRequest,
    RequestState,
    StaleRequest,
    format_reference,
)
from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import AuditEntry
from bot.domain.platform.conversations import SeenUser
from bot.domain.platform.directory import DirectoryUser, GroupRef
from bot.domain.platform.outbox import NewOutboxMessage
from bot.domain.platform.roles import Role
from bot.ports.licences import LicenceCards
from bot.services.licences.desk import LicenceDesk
from bot.services.licences.flow import LicenceFlow
from dialogs.licences.notices import LicenceNoticeCards
from tests.support.clock import FakeClock
from tests.support.transitions import MemoryTransitions
from tests.unit.fakes import MemoryDirectory

TENANT = "3f3d1cea-7a18-41af-872b-cfbbd5140984"
BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # 10:00 in Brussels


# --- catalogue ---------------------------------------------------------------------------------
class MemoryCatalogueRepository:
    def __init__(self, catalogue: Catalogue | None = None) -> None:
        self.catalogue = catalogue or Catalogue()
        self.loads = 0

    async def load(self) -> Catalogue:
        self.loads += 1
        return self.catalogue

    async def replace(self, catalogue: Catalogue) -> None:
        problems = catalogue.problems()
        if problems:  # the store refuses a catalogue the domain calls unusable, as a whole
            raise ValueError(f"unusable catalogue: {problems}")
        self.catalogue = catalogue


# --- requests ----------------------------------------------------------------------------------
class MemoryLicenceRequests(MemoryTransitions[LicenceRequest]):
    """LicenceRequestRepository in memory: saves, `audit`, `messages` and `races` as
    tests.support.transitions keeps them; references, queries, claims and leases here."""

    def __init__(self, timezone: ZoneInfo = BRUSSELS) -> None:
        super().__init__(StaleRequest)
        self.timezone = timezone  # references count per year in the administration's zone
        self.leases: dict[int, datetime] = {}
        self.claims: dict[int, int] = {}  # worker claims since the last finished step
        self.counters: dict[int, int] = {}

    # --- the port --------------------------------------------------------------------------
    async def add(self, new: NewLicenceRequest, now: datetime, audit: AuditEntry) -> LicenceRequest:
        year = now.astimezone(self.timezone).year
        number = self.counters.get(year, 0) + 1
        self.counters[year] = number
        request = LicenceRequest(
            id=self.next_id(),
            reference=format_reference(year, number),
            tenant_id=new.tenant_id,
            requester_id=new.requester_id,
            requester_name=new.requester_name,
            entity=new.entity,
            item_key=new.item_key,
            justification=new.justification,
            stages=new.stages,
            state=RequestState.SUBMITTED,
            created_at=now,
            updated_at=now,
            answers=dict(new.answers),
            end_date=new.end_date,
            previous_reference=new.previous_reference,
        )
        entry = replace(audit, object_type="licence_request", object_id=request.reference)
        return self.insert(request, [entry])

    async def get(self, request_id: int) -> LicenceRequest | None:
        return self.rows.get(request_id)

    async def get_by_reference(self, reference: str) -> LicenceRequest | None:
        return next((r for r in self.rows.values() if r.reference == reference), None)

    async def for_requester(
        self, tenant_id: str, requester_id: str, limit: int = 20
    ) -> list[LicenceRequest]:
        mine = [
            r
            for r in self.rows.values()
            if r.tenant_id == tenant_id and r.requester_id == requester_id
        ]
        return sorted(mine, key=lambda r: (r.created_at, r.id), reverse=True)[:limit]

    async def open_for(
        self, tenant_id: str, requester_id: str, item_key: str
    ) -> LicenceRequest | None:
        """The newest open request for the item, or granted access to it (time-bound or not:
        the desk needs the granted one to tell an extension from a duplicate)."""
        for request in await self.for_requester(tenant_id, requester_id, limit=len(self.rows)):
            if request.item_key != item_key:
                continue
            if request.state in OPEN_STATES or request.state is RequestState.FULFILLED:
                return request
        return None

    async def claim_due(
        self, now: datetime, limit: int, lease_seconds: float
    ) -> list[LicenceRequest]:
        due = []
        for request in self.rows.values():
            wake = request.wake_at()
            lease = self.leases.get(request.id)
            if wake is not None and wake <= now and (lease is None or lease <= now):
                due.append((wake, request.id, request))
        claimed = [request for _, _, request in sorted(due, key=lambda d: (d[0], d[1]))[:limit]]
        for request in claimed:
            self.leases[request.id] = now + timedelta(seconds=lease_seconds)
            self.claims[request.id] = self.claims.get(request.id, 0) + 1
        return [replace(request, claims=self.claims[request.id]) for request in claimed]

    async def release(self, request_id: int) -> None:
        self.leases.pop(request_id, None)
        self.claims.pop(request_id, None)

    async def postpone(self, request_id: int, until: datetime) -> None:
        self.leases[request_id] = until
        self.claims.pop(request_id, None)

    async def between(
        self, start: datetime, end: datetime, entity: str | None = None
    ) -> list[LicenceRequest]:
        found = [
            r
            for r in self.rows.values()
            if start <= r.created_at < end and (entity is None or r.entity == entity)
        ]
        return sorted(found, key=lambda r: (r.created_at, r.id))

    async def count_by_state(self) -> dict[RequestState, int]:
        """Requests per state; every state is present (zero when none)."""
        counts = dict.fromkeys(RequestState, 0)
        for request in self.rows.values():
            counts[request.state] += 1
        return counts

    # --- for tests -------------------------------------------------------------------------
    def messages_to(self, user_id: str) -> list[NewOutboxMessage]:
        return [m for m in self.messages if _same(m.recipient_id, user_id)]


# --- Entra ID, write side ----------------------------------------------------------------------
@dataclass
class MemoryLicenceManager:
    """LicenceManager in memory, with group-based licensing worked out on every read.

    Seats of an SKU go first to direct assignments, then to licensed groups' direct members in
    group and membership order; a person counts once per SKU. A member left without a seat gets
    an "Error"/"CountViolation" state, as Entra records it. (Unlike Entra, a seat once given is
    not kept when the subscription is lowered below what is in use.)

    `failures` makes a method raise (by method name) until the test removes it; `calls` records
    every call as "name:arg".
    """

    seats: dict[str, tuple[str, int]] = field(default_factory=dict)  # sku id -> (part, enabled)
    members: dict[str, list[str]] = field(default_factory=dict)  # group -> direct members
    nested: dict[str, list[str]] = field(default_factory=dict)  # group -> member groups
    group_licences: dict[str, str] = field(default_factory=dict)  # group -> sku id it carries
    direct: dict[str, list[str]] = field(default_factory=dict)  # user -> sku ids assigned
    usage_locations: dict[str, str | None] = field(default_factory=dict)
    failures: dict[str, BaseException] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def _enter(self, name: str, arg: str) -> None:
        self.calls.append(f"{name}:{arg}")
        if name in self.failures:
            raise self.failures[name]

    def _allocation(self) -> tuple[dict[str, set[str]], dict[str, list[LicenceState]]]:
        holders: dict[str, set[str]] = {sku.casefold(): set() for sku in self.seats}
        states: dict[str, list[LicenceState]] = {}
        for user, skus in self.direct.items():
            for sku in skus:
                holders.setdefault(sku.casefold(), set()).add(user.casefold())
                states.setdefault(user.casefold(), []).append(
                    LicenceState(sku, None, "Active", "None")
                )
        for group, sku in self.group_licences.items():
            enabled = self.seats.get(sku, ("", 0))[1]
            held = holders.setdefault(sku.casefold(), set())
            for member in self.members.get(group, []):
                key = member.casefold()
                if key in held or len(held) < enabled:
                    held.add(key)
                    state = LicenceState(sku, group, "Active", "None")
                else:
                    state = LicenceState(sku, group, "Error", "CountViolation")
                states.setdefault(key, []).append(state)
        return holders, states

    async def subscribed_sku(self, sku_id: str) -> Sku | None:
        self._enter("subscribed_sku", sku_id)
        found = next((s for s in self.seats if s.casefold() == sku_id.casefold()), None)
        if found is None:
            return None
        part, enabled = self.seats[found]
        holders, _ = self._allocation()
        return Sku(found, part, enabled, len(holders.get(found.casefold(), set())))

    async def is_member(self, group_id: str, user_id: str) -> bool:
        self._enter("is_member", group_id)
        return _contains(self.members.get(group_id, []), user_id)

    async def add_member(self, group_id: str, user_id: str) -> bool:
        self._enter("add_member", group_id)
        members = self.members.setdefault(group_id, [])
        if _contains(members, user_id):
            return False
        members.append(user_id)
        return True

    async def remove_member(self, group_id: str, user_id: str) -> bool:
        self._enter("remove_member", group_id)
        members = self.members.get(group_id, [])
        kept = [m for m in members if not _same(m, user_id)]
        self.members[group_id] = kept
        return len(kept) != len(members)

    async def assign_licence(self, user_id: str, sku_id: str) -> None:
        self._enter("assign_licence", sku_id)
        if sku_id not in self.seats:
            raise GrantRefused()
        if not self.usage_locations.get(user_id):
            raise UsageLocationMissing()
        assigned = self.direct.setdefault(user_id, [])
        if sku_id in assigned:
            return  # Graph accepts assigning what is there already
        holders, _ = self._allocation()
        held = holders.get(sku_id.casefold(), set())
        if user_id.casefold() not in held and len(held) >= self.seats[sku_id][1]:
            raise NoFreeSeats()
        assigned.append(sku_id)

    async def remove_licence(self, user_id: str, sku_id: str) -> bool:
        self._enter("remove_licence", sku_id)
        assigned = self.direct.get(user_id, [])
        if sku_id not in assigned:
            return False
        assigned.remove(sku_id)
        return True

    async def licence_states(self, user_id: str) -> list[LicenceState]:
        self._enter("licence_states", user_id)
        _, states = self._allocation()
        return list(states.get(user_id.casefold(), []))

    async def usage_location(self, user_id: str) -> str | None:
        self._enter("usage_location", user_id)
        return self.usage_locations.get(user_id)

    async def group_member_ids(self, group_id: str) -> list[str]:
        self._enter("group_member_ids", group_id)
        found: list[str] = []
        pending, seen = [group_id], set()
        while pending:
            group = pending.pop(0)
            if group in seen:
                continue
            seen.add(group)
            found += [m for m in self.members.get(group, []) if not _contains(found, m)]
            pending += self.nested.get(group, [])
        return found


# --- people the bot has met --------------------------------------------------------------------
class MemoryUsers:
    def __init__(self) -> None:
        self.users: dict[str, SeenUser] = {}

    async def upsert(self, user: SeenUser) -> None:
        self.users[user.user_id] = user

    async def get(self, user_id: str) -> SeenUser | None:
        return self.users.get(user_id)


# --- the demo-like world -----------------------------------------------------------------------
# People (the demo tenant's object ids). ADV: An heads it, Jef reports to An, Lotte and Nora to
# Jef; Thomas and Tine are ADV's ICT admins. DOMG: Koen heads it, Sofie and Bram report to him
# (Bram has no usage location); Elise is DOMG's ICT admin. DFB: Marleen heads it, Dries reports
# to her.
AN = "08c483c0-e05f-4da4-9567-595928862476"
JEF = "2d4f6a8c-0e1b-4d3f-a5c7-e9b1d3f5a7c9"
LOTTE = "6c1e2f3a-9b4d-4e7f-8a21-3d5c7b9e0f12"
NORA = "9bc27e58-cefb-4a47-9a5a-7e8919747217"
THOMAS = "8e31cd68-aab2-4cbf-b980-00e773e52b18"
TINE = "4c8a26ed-d13d-4e46-a12b-ab59a6f77d9f"
KOEN = "dd89d31a-27de-4055-b89a-5bfd037126de"
SOFIE = "a30b3089-414e-477d-8adf-46920e8965cb"
BRAM = "f21edbe9-4cdd-4a55-905f-e4ac59e923ec"
ELISE = "adf80054-6e7e-4a6e-83cd-d7f6b9ffa881"
MARLEEN = "fe0855d4-be3d-4ac7-9a8e-14248fefbd75"
DRIES = "16d9e97b-282a-4941-8e55-0156fb84f33e"

NAMES = {
    AN: "An De Smet",
    JEF: "Jef Peeters",
    LOTTE: "Lotte Janssens",
    NORA: "Nora El Amrani",
    THOMAS: "Thomas Claes",
    TINE: "Tine Verhoeven",
    KOEN: "Koen Vermeulen",
    SOFIE: "Sofie Van den Broeck",
    BRAM: "Bram Willems",
    ELISE: "Elise Maes",
    MARLEEN: "Marleen Aerts",
    DRIES: "Dries Lemmens",
}
MANAGERS = {JEF: AN, LOTTE: JEF, NORA: JEF, THOMAS: AN, TINE: AN, SOFIE: KOEN, BRAM: KOEN}
MANAGERS |= {ELISE: KOEN, DRIES: MARLEEN}

# Groups: the entities' staff groups are the demo's; the ICT-admin groups are made up.
ADV_STAFF = "c6f62345-9962-4982-a38e-417299f70562"
DOMG_STAFF = "0cac39fb-0f9b-49c9-acb2-882ab81aef93"
DFB_STAFF = "ca430b42-6eb2-4c0d-92c9-50a08c877167"
ADV_ADMINS = "7d1e0c2a-5b3f-4c6d-8e9f-0a1b2c3d4e01"
DOMG_ADMINS = "7d1e0c2a-5b3f-4c6d-8e9f-0a1b2c3d4e02"
DFB_ADMINS = "7d1e0c2a-5b3f-4c6d-8e9f-0a1b2c3d4e03"
PRO_GROUP = "45051185-e7a1-43b1-a23e-15b0763768d2"
PPU_GROUP = "b8c35992-de75-4bbb-b376-43f16c34d535"
APPS_GROUP = "e2e20df2-8469-4bbf-a06f-f857d302ad07"
BUDGET_WS_GROUP = "d0b5fc86-ab35-487a-898c-88102e90a863"
SPATIAL_WS_GROUP = "dcdd0d27-d599-450e-bf84-d58fd80b599f"

PRO_SKU = "f8a1db68-be16-40ed-86d5-cb42ce701560"
PPU_SKU = "c1d032e0-5619-4761-9b5c-75b6831e1711"
FLOW_SKU = "4a51bf65-409c-4a91-b845-1121b571cc9d"
APPS_SKU = "b30411f5-fea1-4a59-9ad9-3db7c7ead579"

STAFF_OF = {
    ADV_STAFF: (AN, JEF, LOTTE, NORA, THOMAS, TINE),
    DOMG_STAFF: (KOEN, SOFIE, BRAM, ELISE),
    DFB_STAFF: (MARLEEN, DRIES),
}
GROUP_NAMES = {ADV_STAFF: "ADV-Personeel", DOMG_STAFF: "DOMG-Personeel", DFB_STAFF: "DFB-Personeel"}


def demo_catalogue() -> Catalogue:
    """Six items, three entities, five policies, as an admin would fill in the workbook.

    - powerbi-pro: everyone, the manager decides (group-based licensing, 25 seats).
    - powerbi-ppu: everyone, manager then the entity's ICT admins; at most 180 days.
    - power-automate-premium: a direct assignment (needs a usage location); ADV's ICT admins
      decide for ADV, elsewhere manager then ICT admins; asks which processes.
    - powerapps-premium: everyone, manager then ICT admins; only 3 seats.
    - ws-begroting: a Power BI workspace role for DFB only, decided by Marleen (named).
    - ws-ruimtelijke-data: a workspace viewer role for DOMG, no approval needed.
    """
    items = (
        CatalogueItem(
            key="powerbi-pro",
            kind=ItemKind.LICENCE,
            name_nl="Power BI Pro",
            name_en="Power BI Pro",
            fulfilment=Fulfilment.GROUP,
            group_id=PRO_GROUP,
            sku_id=PRO_SKU,
            description_nl="Rapporten en dashboards maken en delen met collega's.",
            description_en="Create reports and dashboards and share them with colleagues.",
            synonyms=("power bi", "powerbi", "pbi"),
        ),
        CatalogueItem(
            key="powerbi-ppu",
            kind=ItemKind.LICENCE,
            name_nl="Power BI Premium per gebruiker",
            name_en="Power BI Premium Per User",
            fulfilment=Fulfilment.GROUP,
            group_id=PPU_GROUP,
            sku_id=PPU_SKU,
            description_nl="Grote datasets, paginated reports en AI-functies in Power BI.",
            description_en="Large datasets, paginated reports and AI features in Power BI.",
            synonyms=("power bi premium", "ppu", "premium per user"),
        ),
        CatalogueItem(
            key="power-automate-premium",
            kind=ItemKind.LICENCE,
            name_nl="Power Automate Premium",
            name_en="Power Automate Premium",
            fulfilment=Fulfilment.DIRECT,
            sku_id=FLOW_SKU,
            description_nl="Werkstromen met premium connectoren en robotautomatisering.",
            description_en="Flows with premium connectors and robotic process automation.",
            synonyms=("power automate", "flow", "automatiseren"),
            questions=(
                Question(
                    "processes",
                    "Welke processen wil je automatiseren?",
                    "Which processes do you want to automate?",
                    required=True,
                ),
            ),
        ),
        CatalogueItem(
            key="powerapps-premium",
            kind=ItemKind.LICENCE,
            name_nl="Power Apps Premium",
            name_en="Power Apps Premium",
            fulfilment=Fulfilment.GROUP,
            group_id=APPS_GROUP,
            sku_id=APPS_SKU,
            description_nl="Apps bouwen en gebruiken die met Dataverse of premium bronnen werken.",
            description_en="Build and use apps that work with Dataverse or premium sources.",
            synonyms=("power apps", "powerapps"),
        ),
        CatalogueItem(
            key="ws-begroting",
            kind=ItemKind.WORKSPACE_ROLE,
            name_nl="Werkruimte Begrotingsopvolging (lid)",
            name_en="Budget monitoring workspace (member)",
            fulfilment=Fulfilment.GROUP,
            group_id=BUDGET_WS_GROUP,
            workspace="Begrotingsopvolging",
            workspace_role=WorkspaceRole.MEMBER,
            description_nl="Rapporten van de begrotingsopvolging bewerken en publiceren.",
            description_en="Edit and publish the budget monitoring reports.",
            synonyms=("begroting", "begrotingsopvolging"),
            questions=(
                Question("report", "Aan welk rapport werk je mee?", "Which report do you work on?"),
            ),
        ),
        CatalogueItem(
            key="ws-ruimtelijke-data",
            kind=ItemKind.WORKSPACE_ROLE,
            name_nl="Werkruimte Ruimtelijke Data (lezer)",
            name_en="Spatial data workspace (viewer)",
            fulfilment=Fulfilment.GROUP,
            group_id=SPATIAL_WS_GROUP,
            workspace="Ruimtelijke Data",
            workspace_role=WorkspaceRole.VIEWER,
            description_nl="De rapporten met ruimtelijke data bekijken.",
            description_en="View the spatial data reports.",
            synonyms=("ruimtelijke data",),
            min_justification=10,
        ),
    )
    plain = (
        Entity("ADV", "Agentschap Digitaal Vlaanderen", "Digital Flanders Agency", ADV_STAFF),
        Entity("DOMG", "Departement Omgeving", "Department of Environment", DOMG_STAFF),
        Entity("DFB", "Departement Financiën en Begroting", "Department of Finance", DFB_STAFF),
    )
    entities = tuple(
        replace(e, admin_group_id=admins)
        for e, admins in zip(plain, (ADV_ADMINS, DOMG_ADMINS, DFB_ADMINS), strict=True)
    )
    manager, admin = Stage(ApproverKind.MANAGER), Stage(ApproverKind.ENTITY_ADMIN)
    policies = (
        ApprovalPolicy("manager", (manager,)),
        ApprovalPolicy("manager-admin", (manager, admin)),
        ApprovalPolicy("admin", (admin,)),
        ApprovalPolicy("finance", (Stage(ApproverKind.NAMED, (MARLEEN,)),)),
        ApprovalPolicy("none", ()),
    )
    offers = (
        Offer("powerbi-pro", ALL_ENTITIES, "manager"),
        Offer("powerbi-ppu", ALL_ENTITIES, "manager-admin", max_days=180),
        Offer("power-automate-premium", "ADV", "admin"),
        Offer("power-automate-premium", ALL_ENTITIES, "manager-admin"),
        Offer("powerapps-premium", ALL_ENTITIES, "manager-admin"),
        Offer("ws-begroting", "DFB", "finance", max_days=365),
        Offer("ws-ruimtelijke-data", "DOMG", "none"),
    )
    return Catalogue(items, entities, policies, offers)


def demo_directory() -> MemoryDirectory:
    users = {
        user_id: DirectoryUser(
            id=user_id,
            display_name=name,
            user_principal_name=name.split()[0].casefold() + "@demo.example",
            given_name=name.split()[0],
        )
        for user_id, name in NAMES.items()
    }
    groups: dict[str, list[GroupRef]] = {}
    for group_id, people in STAFF_OF.items():
        for person in people:
            groups.setdefault(person, []).append(GroupRef(group_id, GROUP_NAMES[group_id]))
    return MemoryDirectory(users=users, managers=dict(MANAGERS), groups=groups)


def demo_licences() -> MemoryLicenceManager:
    """Nora has Power BI Pro already (group-based); Bram has no usage location."""
    return MemoryLicenceManager(
        seats={
            PRO_SKU: ("POWER_BI_PRO", 25),
            PPU_SKU: ("PBI_PREMIUM_PER_USER", 5),
            FLOW_SKU: ("FLOW_PER_USER", 10),
            APPS_SKU: ("POWERAPPS_PER_USER", 3),
        },
        members={
            ADV_ADMINS: [THOMAS, TINE],
            DOMG_ADMINS: [ELISE],
            DFB_ADMINS: [MARLEEN],
            PRO_GROUP: [NORA],
            PPU_GROUP: [],
            APPS_GROUP: [],
            BUDGET_WS_GROUP: [],
            SPATIAL_WS_GROUP: [],
        },
        group_licences={PRO_GROUP: PRO_SKU, PPU_GROUP: PPU_SKU, APPS_GROUP: APPS_SKU},
        usage_locations={person: ("" if person == BRAM else "BE") for person in NAMES},
    )


@dataclass
class LicenceWorld:
    """Everything make_flow() wired, for tests to drive and inspect."""

    clock: FakeClock
    catalogue: MemoryCatalogueRepository
    requests: MemoryLicenceRequests
    directory: MemoryDirectory
    licences: MemoryLicenceManager
    users: MemoryUsers
    flow: LicenceFlow
    desk: LicenceDesk
    timezone: ZoneInfo
    wakes: list[datetime] = field(default_factory=list)  # each wake_worker() call, when
    enqueued: list[datetime] = field(default_factory=list)  # each on_enqueued() call, when

    def person(self, user_id: str, roles: frozenset[Role] = frozenset({Role.STAFF})) -> Actor:
        """The Actor a turn of this person would make."""
        return Actor(user_id, TENANT, NAMES.get(user_id, ""), roles, "activity-1")


def make_flow(
    *,
    catalogue: Catalogue | None = None,
    cards: LicenceCards | None = None,
    start: datetime = NOW,
    locales: dict[str, str] | None = None,
    timezone: ZoneInfo = BRUSSELS,
) -> LicenceWorld:
    """LicenceFlow + LicenceDesk on fresh fakes, seeded with the demo-like catalogue and people.

    `locales`: the language each person's notices are rendered in (default nl; people not
    listed are unknown to the user repository, which also means nl)."""
    clock = FakeClock(start)
    users = MemoryUsers()
    for user_id, locale in (locales or {}).items():
        users.users[user_id] = SeenUser(
            user_id, TENANT, display_name=NAMES.get(user_id, ""), locale=locale
        )
    catalogue_repo = MemoryCatalogueRepository(catalogue or demo_catalogue())
    requests = MemoryLicenceRequests(timezone)
    directory = demo_directory()
    licences = demo_licences()
    wakes: list[datetime] = []
    enqueued: list[datetime] = []
    flow = LicenceFlow(
        catalogue=catalogue_repo,
        requests=requests,
        directory=directory,
        licences=licences,
        cards=cards or LicenceNoticeCards(timezone),
        users=users,
        clock=clock,
        on_enqueued=lambda: enqueued.append(clock.now()),
        monotonic=clock.monotonic,
    )
    desk = LicenceDesk(flow, timezone, lambda: wakes.append(clock.now()))
    return LicenceWorld(
        clock=clock,
        catalogue=catalogue_repo,
        requests=requests,
        directory=directory,
        licences=licences,
        users=users,
        flow=flow,
        desk=desk,
        timezone=timezone,
        wakes=wakes,
        enqueued=enqueued,
    )


def _same(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def _contains(ids: Sequence[str], user_id: str) -> bool:
    return any(_same(i, user_id) for i in ids)
