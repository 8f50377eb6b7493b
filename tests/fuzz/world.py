"""A small populated tenant for the fuzz targets, and the property "nothing of anyone else's
changed".

Seeded through the real store and the real intake API: the demo catalogue, licence requests of
Nora (pending with her manager Jef) and of Lotte, post items routed to Jef, to Lotte and to the
mailroom's triage, one routing rule, and a delegation of Jef's post. The fuzzed caller is Lotte
(staff, no other role), unless a target says otherwise: the random payloads carry these real
ids, so a missing ownership check shows up as a changed row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import aiohttp
import sqlalchemy as sa

from bot.domain.licences.catalogue import ApproverKind, Stage
from bot.domain.licences.requests import NewLicenceRequest, StageAssignment
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.post.items import Destination, DestinationKind
from bot.domain.post.routing import Delegation, RoutingRule, RuleConditions
from bot.store import (
    Database,
    SqlCatalogueRepository,
    SqlDelegationRepository,
    SqlLicenceRequestRepository,
    SqlRoutingRuleRepository,
)
from bot.store.licences.tables import (
    catalogue_entities,
    catalogue_items,
    catalogue_offers,
    catalogue_policies,
    licence_requests,
)
from bot.store.post.tables import post_delegations, post_items, post_rules
from devtools.demo_catalogue import demo_catalogue
from devtools.demo_post import SAMPLES, SampleItem, post_item
from tests.fuzz.conftest import INTAKE_TOKEN, TENANT, Bot

LOTTE = "6c1e2f3a-9b4d-4e7f-8a21-3d5c7b9e0f12"  # staff
NORA = "9bc27e58-cefb-4a47-9a5a-7e8919747217"  # staff, Jef's report
JEF = "2d4f6a8c-0e1b-4d3f-a5c7-e9b1d3f5a7c9"  # manager (approver), service-desk agent
STRANGER = "00000000-0000-4000-8000-00000000f022"  # nobody in the directory

_NOBODY_WE_KNOW = SampleItem(
    external_id="fuzz-triage",
    addressee="Dienst Onbekend",
    sender_name="",
    sender_organisation="Fuzz bv",
    subject="Brief zonder herkenbare bestemmeling",
    document_type="letter",
    lines=("Fuzz bv", "Dienst Onbekend"),
)


@dataclass(frozen=True, slots=True)
class World:
    requests: dict[str, int]  # "nora", "lotte" -> licence request id
    items: dict[str, int]  # "jef", "lotte", "triage" -> post item id
    delegations: dict[str, int]  # "jef" -> delegation id
    users: tuple[str, ...]

    def ids(self) -> list[Any]:
        """Every real id in the store, for payloads that should not be trusted."""
        return [
            *self.requests.values(),
            *self.items.values(),
            *self.delegations.values(),
            *self.users,
            "R-001",
        ]


async def seed(bot: Bot) -> World:
    database = bot.database
    await SqlCatalogueRepository(database).replace(demo_catalogue())
    now = datetime.now(UTC)
    requests = {
        "nora": await _pending_request(database, NORA, "Nora El Amrani", now),
        "lotte": await _pending_request(database, LOTTE, "Lotte Janssens", now),
    }
    samples = {"lotte": SAMPLES[0], "jef": SAMPLES[2], "triage": _NOBODY_WE_KNOW}
    items: dict[str, int] = {}
    async with aiohttp.ClientSession() as session:
        for who, sample in samples.items():
            answer = await post_item(
                session,
                str(bot.client.make_url("/")),
                INTAKE_TOKEN,
                sample.metadata(now),
                sample.pdf(),
            )
            assert answer.status == 201, answer.body
            items[who] = int(answer.body["id"])
    await SqlRoutingRuleRepository(database).replace(
        [
            RoutingRule(
                "R-001",
                1,
                Destination(DestinationKind.PERSON, JEF),
                RuleConditions(keywords=("fietsparking",)),
                description="Mobiliteit",
            )
        ]
    )
    # Starts next month: it must not reroute the seeded items, only be there to be attacked.
    later = date.today() + timedelta(days=40)
    delegation = await SqlDelegationRepository(database).add(
        Delegation(JEF, NORA, later, later + timedelta(days=7), JEF, now)
    )
    return World(requests, items, {"jef": delegation.id}, (LOTTE, NORA, JEF, STRANGER))


async def _pending_request(database: Database, requester: str, name: str, now: datetime) -> int:
    repository = SqlLicenceRequestRepository(database)
    new = NewLicenceRequest(
        TENANT,
        requester,
        name,
        "ADV",
        "powerbi-pro",
        "Rapporten delen",
        (Stage(ApproverKind.MANAGER),),
    )
    audit = AuditEntry(now, requester, "licence.submit", Outcome.OK)
    submitted = await repository.add(new, now, audit)
    pending = submitted.start_approval(StageAssignment((JEF,), now, now + timedelta(days=5)), now)
    await repository.save(pending, expected_version=submitted.version)
    return pending.id


# --- the property: nothing of anyone else's changed ---------------------------------------------
# Table -> the column naming who a row belongs to; None: nobody fuzzed may change it at all.
GUARDED: Mapping[sa.Table, str | None] = {
    licence_requests: "requester_id",
    post_items: "destination_target",
    post_delegations: "user_id",
    post_rules: None,
    catalogue_items: None,
    catalogue_entities: None,
    catalogue_policies: None,
    catalogue_offers: None,
}

Snapshot = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


async def snapshot(database: Database) -> Snapshot:
    taken: Snapshot = {}
    async with database.connect() as connection:
        for table in GUARDED:
            keys = [column.name for column in table.primary_key.columns]
            rows = (await connection.execute(sa.select(table))).mappings().all()
            taken[table.name] = {tuple(row[k] for k in keys): dict(row) for row in rows}
    return taken


def foreign_changes(before: Snapshot, after: Snapshot, callers: Iterable[str]) -> list[str]:
    """Rows that changed, appeared or vanished although none of `callers` owns them (owned:
    the row's owner column names a caller, before or after). Empty when all is well."""
    mine = {caller.casefold() for caller in callers if caller}
    found: list[str] = []
    for table, owner in GUARDED.items():
        old, new = before[table.name], after[table.name]
        for key in old.keys() | new.keys():
            was, now = old.get(key), new.get(key)
            if was == now:
                continue
            owners = {str(row[owner]).casefold() for row in (was, now) if row and owner}
            if owner is None or not owners & mine:
                found.append(f"{table.name} {key}: {_short(was)} -> {_short(now)}")
    return found


def _short(row: Mapping[str, Any] | None) -> str:
    if row is None:
        return "(none)"
    return str({k: v for k, v in row.items() if k in ("state", "destination_target", "user_id")})
