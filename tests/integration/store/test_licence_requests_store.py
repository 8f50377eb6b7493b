"""Licence requests on both dialects: references, round trips, optimistic saves with their audit
lines and notices, leased claims of due work, and the lookups the desk and reports use."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.domain.licences.catalogue import ApproverKind, Stage
from bot.domain.licences.requests import (
    LicenceRequest,
    NewLicenceRequest,
    RequestState,
    StageAssignment,
    StaleRequest,
)
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.platform.outbox import NewOutboxMessage, OutboxStatus
from bot.store import Database, SqlAuditLog, SqlLicenceRequestRepository, SqlOutboxRepository

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
LEASE = 60.0
TWO_STAGES = (Stage(ApproverKind.MANAGER), Stage(ApproverKind.NAMED, ("n-1", "n-2")))


def new_request(
    requester: str = "u-1", item: str = "powerbi-pro", entity: str = "ADV", **fields: object
) -> NewLicenceRequest:
    values: dict[str, object] = {
        "tenant_id": "t1",
        "requester_id": requester,
        "requester_name": "An Peeters",
        "entity": entity,
        "item_key": item,
        "justification": "Ik maak de maandrapporten van het team in Power BI.",
        "stages": TWO_STAGES,
        **fields,
    }
    return NewLicenceRequest(**values)  # type: ignore[arg-type]


def submit_audit(at: datetime = T0, actor: str = "u-1") -> AuditEntry:
    return AuditEntry(at=at, actor_id=actor, action="licence.submit", outcome=Outcome.OK)


def notice(key: str, **fields: object) -> NewOutboxMessage:
    return NewOutboxMessage(
        tenant_id="t1",
        dedupe_key=key,
        activity={"type": "message", "text": key},
        recipient_id="m-1",
        **fields,  # type: ignore[arg-type]
    )


def assignment(approvers: tuple[str, ...], at: datetime) -> StageAssignment:
    return StageAssignment(
        approvers, deadline=at + timedelta(days=14), remind_at=at + 7 * 1440 * MINUTE
    )


@pytest.fixture
def requests(database: Database) -> SqlLicenceRequestRepository:
    return SqlLicenceRequestRepository(database)


# --- references -----------------------------------------------------------------------------


async def test_references_count_per_year(requests: SqlLicenceRequestRepository) -> None:
    first = await requests.add(new_request(), T0, submit_audit())
    second = await requests.add(new_request("u-2"), T0 + MINUTE, submit_audit())
    next_year = await requests.add(
        new_request("u-3"), datetime(2027, 1, 2, tzinfo=UTC), submit_audit()
    )
    later = await requests.add(new_request("u-4"), T0 + 2 * MINUTE, submit_audit())
    assert [r.reference for r in (first, second, next_year, later)] == [
        "LIC-2026-000001",
        "LIC-2026-000002",
        "LIC-2027-000001",
        "LIC-2026-000003",
    ]
    assert first.id != second.id
    assert await requests.get_by_reference("LIC-2027-000001") == next_year


async def test_the_year_is_the_administrations(database: Database) -> None:
    requests = SqlLicenceRequestRepository(database, reference_zone=ZoneInfo("Europe/Brussels"))
    new_year_in_brussels = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    added = await requests.add(new_request(), new_year_in_brussels, submit_audit())
    assert added.reference == "LIC-2027-000001"


async def test_a_failed_add_gives_its_number_back(requests: SqlLicenceRequestRepository) -> None:
    naive = AuditEntry(
        at=datetime(2026, 11, 28, 9, 0), actor_id="u-1", action="x", outcome=Outcome.OK
    )
    with pytest.raises(sa.exc.StatementError, match="naive"):
        await requests.add(new_request(), T0, naive)
    assert await requests.count_by_state() == dict.fromkeys(RequestState, 0)
    assert (await requests.add(new_request(), T0, submit_audit())).reference == "LIC-2026-000001"


async def test_concurrent_adds_get_distinct_consecutive_numbers(database: Database) -> None:
    """Two replicas (separate engines), ten submissions each, all at once."""
    replicas = [Database(database.url), Database(database.url)]
    try:
        stores = [SqlLicenceRequestRepository(replica) for replica in replicas]
        added = await asyncio.gather(
            *(
                stores[n % 2].add(new_request(f"u-{n}"), T0, submit_audit(actor=f"u-{n}"))
                for n in range(20)
            )
        )
    finally:
        for replica in replicas:
            await replica.dispose()
    assert sorted(r.reference for r in added) == [f"LIC-2026-{n:06d}" for n in range(1, 21)]


# --- round trips ----------------------------------------------------------------------------


async def test_add_stores_a_submitted_request_and_its_audit_line(database: Database) -> None:
    requests = SqlLicenceRequestRepository(database)
    new = new_request(
        answers={"werkruimte": "Financiën", "rapport": "Budget 2027"},
        end_date=date(2027, 3, 31),
        previous_reference="LIC-2025-000042",
    )
    added = await requests.add(new, T0, submit_audit())
    assert added == LicenceRequest(
        id=added.id,
        reference="LIC-2026-000001",
        tenant_id="t1",
        requester_id="u-1",
        requester_name="An Peeters",
        entity="ADV",
        item_key="powerbi-pro",
        justification=new.justification,
        stages=TWO_STAGES,
        state=RequestState.SUBMITTED,
        created_at=T0,
        updated_at=T0,
        version=1,
        answers={"werkruimte": "Financiën", "rapport": "Budget 2027"},
        end_date=date(2027, 3, 31),
        previous_reference="LIC-2025-000042",
    )
    assert await requests.get(added.id) == added
    assert await requests.get(added.id + 1000) is None
    assert await requests.get_by_reference("LIC-2026-999999") is None
    (line,) = await SqlAuditLog(database).recent()
    assert line == replace(
        submit_audit(), object_type="licence_request", object_id="LIC-2026-000001"
    )


async def test_every_field_survives_a_whole_life(requests: SqlLicenceRequestRepository) -> None:
    """Each transition of the domain is saved and read back whole, field by field."""
    request = await requests.add(new_request(end_date=date(2027, 3, 31)), T0, submit_audit())
    at = T0

    async def step(after: LicenceRequest) -> LicenceRequest:
        nonlocal request
        await requests.save(after, expected_version=request.version)
        stored = await requests.get(after.id)
        assert stored == after
        request = after
        return stored

    at += MINUTE
    await step(request.start_approval(assignment(("m-1",), at), at))
    at += MINUTE
    await step(request.mark_reminded(at))
    at += MINUTE
    await step(
        request.approve("m-1", "Mieke Manager", "Akkoord 👍", at, assignment(("n-1", "n-2"), at))
    )
    at += MINUTE
    await step(request.approve("n-2", "Named Approver", "", at))
    at += MINUTE
    await step(request.start_fulfilment(at))
    at += MINUTE
    await step(request.retry_later("licence.reason.usage_location", at + 10 * MINUTE, at))
    at += 10 * MINUTE
    ends_at = datetime(2027, 3, 31, 22, 0, tzinfo=UTC)
    stored = await step(request.fulfilled(at, ends_at=ends_at))
    assert (stored.fulfilled_at, stored.ends_at, stored.attempts) == (at, ends_at, 1)
    assert [(d.stage, d.approver_id, d.approved, d.comment) for d in stored.decisions] == [
        (1, "m-1", True, "Akkoord 👍"),
        (2, "n-2", True, ""),
    ]
    await step(request.mark_end_warned(at + MINUTE))
    stored = await step(request.end(ends_at))
    assert (stored.state, stored.ended_at, stored.end_warned, stored.version) == (
        RequestState.ENDED,
        ends_at,
        True,
        10,
    )


async def test_times_come_back_as_utc(requests: SqlLicenceRequestRepository) -> None:
    brussels = timezone(timedelta(hours=1))
    added = await requests.add(new_request(), T0, submit_audit())
    local = datetime(2026, 11, 28, 11, 0, tzinfo=brussels)
    pending = added.start_approval(assignment(("m-1",), local), local)
    rejected = pending.reject("m-1", "Mieke", "Nee", local + MINUTE)
    await requests.save(pending, expected_version=1)
    await requests.save(rejected, expected_version=2)
    stored = await requests.get(added.id)
    assert stored == rejected
    assert stored is not None and stored.updated_at.tzinfo is UTC
    assert stored.decisions[0].at == local + MINUTE and stored.decisions[0].at.tzinfo is UTC


# --- saving transitions ---------------------------------------------------------------------


async def test_a_save_writes_its_audit_lines_and_notices(database: Database) -> None:
    requests, outbox = SqlLicenceRequestRepository(database), SqlOutboxRepository(database)
    added = await requests.add(new_request(), T0, submit_audit())
    pending = added.start_approval(assignment(("m-1",), T0 + MINUTE), T0 + MINUTE)
    lines = [
        AuditEntry(T0 + MINUTE, "worker", "licence.approval_started", Outcome.OK, object_id="x"),
        AuditEntry(T0 + MINUTE, "worker", "licence.notified", Outcome.OK, object_id="x"),
    ]
    messages = [notice("lic-1:approve:1"), notice("lic-1:submitted", replaces="lic-1:draft")]
    await requests.save(pending, expected_version=1, audit=lines, messages=messages)
    assert await requests.get(added.id) == pending
    assert [line.action for line in await SqlAuditLog(database).recent()][:2] == [
        "licence.notified",
        "licence.approval_started",
    ]
    stored = await outbox.by_dedupe_key("lic-1:submitted")
    assert stored is not None
    assert (stored.status, stored.replaces, stored.created_at) == (
        OutboxStatus.PENDING,
        "lic-1:draft",
        T0 + MINUTE,
    )
    # A notice queued before (same dedupe key) is skipped, not duplicated.
    reminded = pending.mark_reminded(T0 + 2 * MINUTE)
    await requests.save(reminded, expected_version=2, messages=[notice("lic-1:approve:1")])
    assert (await outbox.counts())[OutboxStatus.PENDING] == 2


async def test_a_stale_save_raises_and_writes_nothing(database: Database) -> None:
    requests, outbox = SqlLicenceRequestRepository(database), SqlOutboxRepository(database)
    added = await requests.add(new_request(), T0, submit_audit())
    pending = added.start_approval(assignment(("m-1", "m-2"), T0), T0 + MINUTE)
    await requests.save(pending, expected_version=1)
    # Two approvers decide the same version at once: the first save wins.
    by_first = pending.approve("m-1", "Eerste", "", T0 + 2 * MINUTE, assignment(("n-1",), T0))
    by_second = pending.reject("m-2", "Tweede", "Nee", T0 + 2 * MINUTE)
    await requests.save(by_first, expected_version=pending.version)
    late_line = AuditEntry(T0, "m-2", "licence.reject", Outcome.OK)
    with pytest.raises(StaleRequest):
        await requests.save(
            by_second,
            expected_version=pending.version,
            audit=[late_line],
            messages=[notice("lic-1:rejected")],
        )
    assert await requests.get(added.id) == by_first
    assert [line.action for line in await SqlAuditLog(database).recent()] == ["licence.submit"]
    assert await outbox.by_dedupe_key("lic-1:rejected") is None


async def test_a_save_is_all_or_nothing(database: Database) -> None:
    """The notice fails last (a naive not_before): the request row and audit line roll back."""
    requests = SqlLicenceRequestRepository(database)
    added = await requests.add(new_request(), T0, submit_audit())
    pending = added.start_approval(assignment(("m-1",), T0), T0 + MINUTE)
    broken = notice("lic-1:approve:1", not_before=datetime(2026, 11, 28, 9, 0))
    with pytest.raises(sa.exc.StatementError, match="naive"):
        await requests.save(
            pending,
            expected_version=1,
            audit=[AuditEntry(T0, "worker", "licence.approval_started", Outcome.OK)],
            messages=[broken],
        )
    assert await requests.get(added.id) == added
    assert len(await SqlAuditLog(database).recent()) == 1
    assert await SqlOutboxRepository(database).by_dedupe_key("lic-1:approve:1") is None


async def test_a_save_must_carry_a_newer_version(requests: SqlLicenceRequestRepository) -> None:
    added = await requests.add(new_request(), T0, submit_audit())
    with pytest.raises(ValueError, match="newer version"):
        await requests.save(added, expected_version=1)


# --- claims of due work ---------------------------------------------------------------------


async def test_claims_take_due_requests_oldest_wake_first_and_lease_them(
    requests: SqlLicenceRequestRepository,
) -> None:
    later = await requests.add(new_request("u-1"), T0 + 2 * MINUTE, submit_audit())
    first = await requests.add(new_request("u-2"), T0, submit_audit())
    middle = await requests.add(new_request("u-3"), T0 + MINUTE, submit_audit())
    future = await requests.add(new_request("u-4"), T0 + 60 * MINUTE, submit_audit())
    now = T0 + 5 * MINUTE
    assert [r.id for r in await requests.claim_due(now, 2, LEASE)] == [first.id, middle.id]
    assert await requests.claim_due(now, 10, LEASE) == [later]
    assert await requests.claim_due(now, 10, LEASE) == []  # all leased
    assert await requests.claim_due(now, 0, LEASE) == []
    # A released request is due again at once; the others wait for their lease to run out.
    await requests.release(middle.id)
    assert await requests.claim_due(now, 10, LEASE) == [middle]
    assert await requests.claim_due(now + timedelta(seconds=LEASE - 1), 10, LEASE) == []
    expired = now + timedelta(seconds=LEASE)
    assert [r.id for r in await requests.claim_due(expired, 10, LEASE)] == [
        first.id,
        middle.id,
        later.id,
    ]
    assert future.id not in {r.id for r in await requests.claim_due(T0 + 59 * MINUTE, 10, LEASE)}


async def test_the_stored_wake_time_follows_each_transition(
    requests: SqlLicenceRequestRepository,
) -> None:
    added = await requests.add(new_request(), T0, submit_audit())
    pending = added.start_approval(assignment(("m-1",), T0), T0)  # remind after 7 days
    await requests.save(pending, expected_version=1)
    assert await requests.claim_due(T0 + timedelta(days=6), 10, LEASE) == []
    assert await requests.claim_due(T0 + timedelta(days=7), 10, LEASE) == [pending]
    rejected = pending.reject("m-1", "Mieke", "", T0 + timedelta(days=7))
    await requests.save(rejected, expected_version=2)
    await requests.release(added.id)
    assert await requests.claim_due(T0 + timedelta(days=400), 10, LEASE) == []  # asleep for good


async def test_concurrent_claimers_never_share_a_request(database: Database) -> None:
    """Two replicas (separate engines), three claimers each, until nothing is due."""
    store = SqlLicenceRequestRepository(database)
    for n in range(120):
        await store.add(new_request(f"u-{n}"), T0 + n * timedelta(seconds=1), submit_audit())
    replicas = [Database(database.url), Database(database.url)]
    now = T0 + timedelta(hours=1)

    async def drain(claimer: SqlLicenceRequestRepository) -> list[int]:
        taken: list[int] = []
        while batch := await claimer.claim_due(now, 7, LEASE):
            taken.extend(r.id for r in batch)
        return taken

    try:
        claimers = [SqlLicenceRequestRepository(r) for r in replicas for _ in range(3)]
        results = await asyncio.gather(*(drain(claimer) for claimer in claimers))
    finally:
        for replica in replicas:
            await replica.dispose()
    everything = [request_id for taken in results for request_id in taken]
    assert len(everything) == len(set(everything)) == 120


# --- lookups --------------------------------------------------------------------------------


async def test_for_requester_lists_newest_first(requests: SqlLicenceRequestRepository) -> None:
    mine = [
        await requests.add(new_request(item=f"item-{n}"), T0 + n * MINUTE, submit_audit())
        for n in range(3)
    ]
    await requests.add(new_request("u-2"), T0 + 9 * MINUTE, submit_audit())
    await requests.add(new_request(tenant_id="t2"), T0 + 9 * MINUTE, submit_audit())
    assert await requests.for_requester("t1", "u-1") == mine[::-1]
    assert await requests.for_requester("t1", "u-1", limit=2) == mine[:0:-1]
    assert await requests.for_requester("t1", "nobody") == []


async def test_open_for_finds_an_open_or_granted_request(
    requests: SqlLicenceRequestRepository,
) -> None:
    assert await requests.open_for("t1", "u-1", "powerbi-pro") is None
    old = await requests.add(new_request(), T0, submit_audit())
    cancelled = old.cancel("u-1", T0 + MINUTE)
    await requests.save(cancelled, expected_version=1)
    assert await requests.open_for("t1", "u-1", "powerbi-pro") is None  # closed ones don't count
    time_bound = new_request(stages=(), end_date=date(2026, 12, 28))
    submitted = await requests.add(time_bound, T0 + 2 * MINUTE, submit_audit())
    assert await requests.open_for("t1", "u-1", "powerbi-pro") == submitted
    assert await requests.open_for("t1", "u-1", "automate-premium") is None
    assert await requests.open_for("t1", "u-2", "powerbi-pro") is None
    assert await requests.open_for("t2", "u-1", "powerbi-pro") is None
    # Granted access (time-bound too) still counts: the desk tells an extension by reference.
    approved = submitted.approve_without_stages(T0 + 3 * MINUTE)
    fulfilling = approved.start_fulfilment(T0 + 3 * MINUTE)
    granted = fulfilling.fulfilled(T0 + 4 * MINUTE, ends_at=T0 + timedelta(days=30))
    for before, after in ((submitted, approved), (approved, fulfilling), (fulfilling, granted)):
        await requests.save(after, expected_version=before.version)
    assert await requests.open_for("t1", "u-1", "powerbi-pro") == granted


async def test_open_for_prefers_the_newest(requests: SqlLicenceRequestRepository) -> None:
    await requests.add(new_request(), T0, submit_audit())
    newest = await requests.add(new_request(), T0 + MINUTE, submit_audit())
    assert await requests.open_for("t1", "u-1", "powerbi-pro") == newest


async def test_between_takes_a_half_open_period_and_an_entity(
    requests: SqlLicenceRequestRepository,
) -> None:
    made = [
        await requests.add(new_request(f"u-{n}", entity=entity), T0 + n * MINUTE, submit_audit())
        for n, entity in enumerate(["ADV", "DFB", "ADV", "ADV"])
    ]
    start, end = T0 + MINUTE, T0 + 3 * MINUTE
    assert await requests.between(start, end) == made[1:3]
    assert await requests.between(start, end, entity="ADV") == [made[2]]
    assert await requests.between(T0, T0 + timedelta(days=1), entity="DFB") == [made[1]]
    assert await requests.between(T0, T0 + timedelta(days=1), entity="NONE") == []


async def test_count_by_state_lists_every_state(requests: SqlLicenceRequestRepository) -> None:
    first = await requests.add(new_request(), T0, submit_audit())
    await requests.add(new_request("u-2"), T0, submit_audit())
    await requests.save(first.cancel("u-1", T0 + MINUTE), expected_version=1)
    counts = await requests.count_by_state()
    assert counts == {
        **dict.fromkeys(RequestState, 0),
        RequestState.SUBMITTED: 1,
        RequestState.CANCELLED: 1,
    }
