"""Work for several replicas to share, and the emulators' verdict on how they did it.

The work is stored through the bot's own store and services, as the bot itself leaves it:
- outbox messages: people who installed the app (a stored conversation reference, a chat Teams
  knows) and one queued message each, as an announcement queues them;
- licence requests approved and awaiting fulfilment: submitted through the licence desk for a
  Power BI workspace role that needs no approval, so the desk approves at once and leaves the
  grant (a group membership in Graph) to the background worker;
- post items a crash left unrouted: stored RECEIVED with their scan, as the intake stores an item
  before routing it; the post worker routes them when it starts.

The verdicts come from outside the replicas: what the connector emulator accepted (each outbox
dedupe key, each 429, its own clock), what the Graph emulator was asked, and the store.
Used by devtools/replica_scenarios.py (which the test tests/integration/replicas and the bench
bench/replicas.py run).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.documents.filesystem import FilesystemDocumentStore
from bot.domain.licences.catalogue import (
    ALL_ENTITIES,
    ApprovalPolicy,
    Catalogue,
    CatalogueItem,
    Fulfilment,
    ItemKind,
    Offer,
)
from bot.domain.licences.requests import LicenceRequest, RequestState
from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.platform.conversations import ConversationRef
from bot.domain.platform.outbox import NewOutboxMessage, OutboxStatus
from bot.domain.platform.roles import Role
from bot.domain.post.items import DestinationKind, IntakeMetadata, PostItem, PostState, Sender
from bot.services.licences.desk import LicenceDesk
from bot.services.licences.flow import LicenceFlow
from bot.services.licences.forms import RequestForm
from bot.services.platform.clock import SystemClock
from bot.services.platform.outbox_notifier import OutboxNotifier
from bot.services.post.flow import OBJECT_TYPE as POST_OBJECT
from bot.services.post.intake import INTAKE_ACTION, ROUTE_ACTION
from bot.settings import Settings
from bot.store import (
    Database,
    SqlAuditLog,
    SqlCatalogueRepository,
    SqlConversationRefRepository,
    SqlLicenceRequestRepository,
    SqlOutboxRepository,
    SqlPostItemRepository,
    SqlUserRepository,
)
from devtools.connector_emulator import DEDUPE_KEY_FIELD
from devtools.demo_post import sample_pdf
from devtools.graph_emulator.tenant import TenantState
from devtools.replicas import ConnectorControl, GraphControl
from devtools.stack import DEMO_TENANT_ID
from dialogs.licences.notices import LicenceNoticeCards

TENANT = DEMO_TENANT_ID
BOT_ID = "28:werkplek-replicas"
BRUSSELS = ZoneInfo("Europe/Brussels")
# "PBI-WS-Ruimtelijke-Data-Lezers" of the demo tenant: a Power BI workspace role, granted by
# membership alone (no seats), so a grant is one group addition the Graph emulator records.
WORKSPACE_GROUP = "dcdd0d27-d599-450e-bf84-d58fd80b599f"
WORKSPACE_ITEM = "ruimtelijke-data"
NO_APPROVAL = "geen-goedkeuring"
FULFIL_ACTION = "licence.fulfil"
SCANNER = "replica-test"
_GROUP_ADDITION = re.compile(r"^POST /v1\.0/groups/[^/]+/members/\$ref$", re.IGNORECASE)
_AUDIT_WINDOW = 100_000  # more audit lines than any scenario writes
_SAVE_CONCURRENCY = 50


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str


def demo_people() -> list[Person]:
    """Staff of the demo tenant whose envelope name finds only them: enabled members with a
    display name nobody else has."""
    users = [
        user
        for user in TenantState.load().users.values()
        if user.get("accountEnabled") and user.get("userType") == "Member"
    ]
    names = Counter(str(user["displayName"]).casefold() for user in users)
    return sorted(
        (
            Person(str(user["id"]), str(user["displayName"]))
            for user in users
            if names[str(user["displayName"]).casefold()] == 1
        ),
        key=lambda person: person.id,
    )


def split_people(count: int) -> tuple[list[Person], list[Person]]:
    """(licence requesters, post addressees): `count` each, nobody in both, no requester
    holding the workspace role yet. Each person then hears of exactly one piece of work."""
    members = {str(m).casefold() for m in TenantState.load().group(WORKSPACE_GROUP)["members"]}
    people = demo_people()
    requesters = [p for p in people if p.id.casefold() not in members][:count]
    addressees = [p for p in people if p not in requesters][:count]
    if len(requesters) < count or len(addressees) < count:
        raise ValueError(f"the demo tenant has too few people for {count} of each")
    return requesters, addressees


def replica_catalogue() -> Catalogue:
    item = CatalogueItem(
        WORKSPACE_ITEM,
        ItemKind.WORKSPACE_ROLE,
        "Ruimtelijke data (lezer)",
        "Spatial data (viewer)",
        Fulfilment.GROUP,
        group_id=WORKSPACE_GROUP,
    )
    return Catalogue(
        items=(item,),
        policies=(ApprovalPolicy(NO_APPROVAL),),
        offers=(Offer(WORKSPACE_ITEM, ALL_ENTITIES, NO_APPROVAL),),
    )


# --- seeding ------------------------------------------------------------------------------------
async def make_reachable(
    database: Database, connector: ConnectorControl, people: Sequence[str]
) -> None:
    """People who installed the app: a personal chat in Teams and its reference in the store."""
    conversations = {person: f"a:1replicas{index:06d}" for index, person in enumerate(people)}
    await connector.add_conversations(conversations, TENANT)
    refs = SqlConversationRefRepository(database)
    limit = asyncio.Semaphore(_SAVE_CONCURRENCY)

    async def save(person: str, conversation: str) -> None:
        async with limit:
            ref = ConversationRef(person, TENANT, connector.service_url, conversation, BOT_ID)
            await refs.save(ref)

    await asyncio.gather(*(save(p, c) for p, c in conversations.items()))


async def queue_announcement(database: Database, people: Sequence[str], tag: str) -> list[str]:
    """One message to each person, queued as an announcement queues them; their dedupe keys."""
    notifier = OutboxNotifier(SqlOutboxRepository(database), SystemClock())
    activity = {"type": "message", "text": "Nieuwe aankondiging", "summary": "Aankondiging"}
    queued = [NewOutboxMessage(TENANT, f"{tag}:{p}", activity, recipient_id=p) for p in people]
    await notifier.enqueue_many(queued)
    return [message.dedupe_key for message in queued]


async def store_catalogue(database: Database) -> None:
    await SqlCatalogueRepository(database).replace(replica_catalogue())


async def approve_requests(
    settings: Settings, database: Database, requesters: Sequence[Person]
) -> list[LicenceRequest]:
    """Each requester asks for the workspace role through the licence desk, which approves it
    at once (no approval needed): approved requests waiting for the worker's grant."""
    from bot.graph import open_graph  # the Graph SDK: only for the callers that need it

    gateway = await open_graph(settings)
    try:
        database_requests = SqlLicenceRequestRepository(database, reference_zone=BRUSSELS)
        flow = LicenceFlow(
            catalogue=SqlCatalogueRepository(database),
            requests=database_requests,
            directory=gateway.directory,
            licences=gateway.licences,
            cards=LicenceNoticeCards(BRUSSELS),
            users=SqlUserRepository(database),
            clock=SystemClock(),
        )
        # No worker here: the replicas' workers find the approved requests by their wake time.
        desk = LicenceDesk(flow, BRUSSELS, wake_worker=lambda: None)
        approved = []
        for person in requesters:
            requester = Actor(person.id, TENANT, person.name, frozenset({Role.STAFF}))
            form = RequestForm(WORKSPACE_ITEM, "Kaarten van de ruimtelijke data raadplegen")
            result = await desk.submit(requester, form)
            if result.request is None or result.request.state is not RequestState.APPROVED:
                raise RuntimeError(f"the desk did not approve a request at once: {result!r}")
            approved.append(result.request)
        return approved
    finally:
        await gateway.close()


async def leave_post_unrouted(
    database: Database, documents_dir: Path, addressees: Sequence[Person]
) -> dict[str, str]:
    """One letter for each addressee, stored with its scan but not routed (as a crash between
    the intake's two steps leaves it); {item reference: the addressee's id}."""
    items = SqlPostItemRepository(database, reference_zone=BRUSSELS)
    documents = FilesystemDocumentStore(documents_dir)
    now = datetime.now(UTC)
    expected: dict[str, str] = {}
    for index, person in enumerate(addressees):
        data = sample_pdf(["Stad Gent", f"Aan {person.name}", "Betreft: uw aanvraag"])
        document = await documents.put("scan.pdf", data)
        metadata = IntakeMetadata(
            external_id=f"replicas-{index:04d}",
            received_at=now,
            scanned_at=now,
            sender=Sender("Stad Gent", "Stad Gent"),
            addressee=person.name,
            subject="Uw aanvraag",
            pages=1,
            scanner=SCANNER,
        )
        audit = AuditEntry(
            at=now,
            actor_id=f"intake:{SCANNER}",
            action=INTAKE_ACTION,
            outcome=Outcome.OK,
            role="intake",
            tenant_id=TENANT,
            object_type=POST_OBJECT,
            detail={"external_id": metadata.external_id, "bytes": str(len(data))},
        )
        item, created = await items.add(TENANT, metadata, document, now, audit)
        if not created or item.state is not PostState.RECEIVED:
            raise RuntimeError("a seeded post item was not stored as new and unrouted")
        expected[item.reference] = person.id
    return expected


# --- waiting ------------------------------------------------------------------------------------
async def wait_until(
    done: Callable[[], Awaitable[bool]],
    within_seconds: float,
    *,
    alive: Callable[[], None] = lambda: None,
    poll_seconds: float = 0.25,
) -> None:
    """Poll `done` until it says so; `alive` raises when a process it depends on died."""
    deadline = time.monotonic() + within_seconds
    while not await done():
        alive()
        if time.monotonic() > deadline:
            raise TimeoutError(f"not done within {within_seconds:.0f} s")
        await asyncio.sleep(poll_seconds)


async def outbox_counts(database: Database) -> dict[OutboxStatus, int]:
    return await SqlOutboxRepository(database).counts()


def outbox_drained(counts: Mapping[OutboxStatus, int], total: int) -> bool:
    """Every one of `total` queued messages delivered (nothing waiting, in flight or failed)."""
    return counts[OutboxStatus.SENT] == total and sum(counts.values()) == total


async def accepted_sends(connector: ConnectorControl) -> int:
    return int((await connector.stats())["accepted"])


# --- verdicts -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Delivery:
    """What the connector emulator saw of the outbox (its own clock and counters)."""

    queued: int  # messages whose delivery is judged
    accepted: int  # sends (new messages) it accepted, all keys
    lost: int  # queued, never accepted
    duplicated: int  # accepted more than once (the extra copies)
    throttled: int  # answered 429 by its limits
    peak_in_one_second: int  # most sends accepted in any one-second window
    # Most requests that reached it in any one-second window, refused ones included: what the
    # replicas together asked for, which its limit then cut down to `peak_in_one_second`.
    peak_asked_in_one_second: int
    sustained_per_second: float  # accepted sends over the time from the first to the last

    def share_of(self, limit: float) -> float:
        return self.sustained_per_second / limit


def judge_delivery(
    keys: Iterable[str],
    activities: Sequence[Mapping[str, Any]],
    requests: Sequence[Mapping[str, Any]],
) -> Delivery:
    wanted = list(keys)
    sends = [a for a in activities if a["operation"] in ("send", "reply")]
    per_key = Counter(_dedupe_key(a) for a in sends)
    stamps = sorted(float(a["at"]) for a in sends)
    span = stamps[-1] - stamps[0] if len(stamps) > 1 else 0.0
    return Delivery(
        queued=len(wanted),
        accepted=len(sends),
        lost=sum(1 for key in wanted if per_key[key] == 0),
        duplicated=sum(times - 1 for key, times in per_key.items() if key and times > 1),
        throttled=sum(1 for r in requests if r["status"] == 429),
        peak_in_one_second=peak_in_window(stamps, 1.0),
        peak_asked_in_one_second=peak_in_window(sorted(float(r["at"]) for r in requests), 1.0),
        sustained_per_second=(len(stamps) - 1) / span if span > 0 else 0.0,
    )


def peak_in_window(stamps: Sequence[float], seconds: float) -> int:
    """The most stamps (sorted) inside any window (t - seconds, t], as Teams counts a limit."""
    peak = start = 0
    for end, stamp in enumerate(stamps):
        while stamps[start] <= stamp - seconds:
            start += 1
        peak = max(peak, end - start + 1)
    return peak


def _dedupe_key(activity: Mapping[str, Any]) -> str:
    channel_data = activity["activity"].get("channelData")
    return str(channel_data.get(DEDUPE_KEY_FIELD, "")) if isinstance(channel_data, dict) else ""


@dataclass(frozen=True, slots=True)
class WorkerJobs:
    """How often each background job was done (the ideal: every count 1)."""

    licence_states: Counter[str]  # request state -> requests
    fulfilments: Counter[str]  # request reference -> "licence.fulfil" audit lines
    group_additions: int  # group additions Graph was asked for, all groups
    post_destinations: Counter[str]  # "person ok" / "elsewhere" / "unrouted" -> items
    routings: Counter[str]  # item reference -> "post.route" audit lines

    def licence_anomalies(self, requests: int) -> int:
        """Grants missing or repeated among `requests`: not fulfilled, an audit line missing or
        written twice, a group addition missing or asked twice."""
        return (
            requests
            - self.licence_states[RequestState.FULFILLED.value]
            + _missing_or_repeated(self.fulfilments, requests)
            + abs(self.group_additions - requests)
        )

    def post_anomalies(self, items: int) -> int:
        """Routings missing, wrong or repeated among `items`."""
        return (
            items - self.post_destinations["person ok"] + _missing_or_repeated(self.routings, items)
        )

    def licences_done_once(self, requests: int) -> bool:
        return self.licence_anomalies(requests) == 0

    def post_done_once(self, items: int) -> bool:
        return self.post_anomalies(items) == 0


def _missing_or_repeated(per_object: Counter[str], objects: int) -> int:
    return objects - len(per_object) + sum(abs(times - 1) for times in per_object.values())


async def worker_jobs(
    database: Database,
    graph: GraphControl,
    requests: Sequence[LicenceRequest],
    post: Mapping[str, str],
) -> WorkerJobs:
    repo = SqlLicenceRequestRepository(database)
    states: Counter[str] = Counter()
    for request in requests:
        stored = await repo.get(request.id)
        states[stored.state.value if stored else "missing"] += 1
    audit = SqlAuditLog(database)
    references = {request.reference for request in requests}
    fulfilled = await audit.recent(_AUDIT_WINDOW, action=FULFIL_ACTION)
    routed = await audit.recent(_AUDIT_WINDOW, action=ROUTE_ACTION)
    counts = await graph.request_counts()
    items = SqlPostItemRepository(database)
    destinations: Counter[str] = Counter()
    for reference, person in post.items():
        destinations[_where(await items.get_by_reference(reference), person)] += 1
    return WorkerJobs(
        licence_states=states,
        fulfilments=Counter(e.object_id for e in fulfilled if e.object_id in references),
        group_additions=sum(n for key, n in counts.items() if _GROUP_ADDITION.match(key)),
        post_destinations=destinations,
        routings=Counter(e.object_id for e in routed if e.object_id in post),
    )


def _where(item: PostItem | None, person: str) -> str:
    if item is None or item.state is PostState.RECEIVED:
        return "unrouted"
    destination = item.destination
    if destination.kind is DestinationKind.PERSON and destination.target.casefold() == (
        person.casefold()
    ):
        return "person ok"
    return "elsewhere"
