"""The fakes keep the promises of the ports they stand in for (bot/ports/), so tests built on
them (desk, worker, dialog) mean what they say."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.licences.grants import NoFreeSeats, UsageLocationMissing
from bot.domain.licences.requests import NewLicenceRequest, RequestState, StaleRequest
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.platform.outbox import NewOutboxMessage
from tests.unit.licences.fakes import (
    APPS_GROUP,
    APPS_SKU,
    BRAM,
    FLOW_SKU,
    JEF,
    LOTTE,
    NORA,
    PRO_GROUP,
    PRO_SKU,
    SOFIE,
    TENANT,
    MemoryLicenceRequests,
    demo_catalogue,
    demo_licences,
    make_flow,
)


def _new(item: str = "powerbi-pro", who: str = LOTTE) -> NewLicenceRequest:
    return NewLicenceRequest(TENANT, who, "", "ADV", item, "because", ())


def _audit(at: datetime) -> AuditEntry:
    return AuditEntry(at=at, actor_id=LOTTE, action="licence.submit", outcome=Outcome.OK)


async def test_references_count_per_year_in_brussels() -> None:
    requests = MemoryLicenceRequests()
    new_years_eve = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)  # 23:30 in Brussels
    first = await requests.add(_new(), new_years_eve, _audit(new_years_eve))
    second = await requests.add(_new(), new_years_eve + timedelta(hours=1), _audit(new_years_eve))
    assert (first.reference, second.reference) == ("LIC-2026-000001", "LIC-2027-000001")
    assert [e.object_id for e in requests.audit] == [first.reference, second.reference]
    assert first.state is RequestState.SUBMITTED and first.version == 1


async def test_a_save_checks_the_version_and_writes_all_or_nothing() -> None:
    requests = MemoryLicenceRequests()
    now = datetime(2026, 11, 28, tzinfo=UTC)
    request = await requests.add(_new(), now, _audit(now))
    moved = replace(request, state=RequestState.CANCELLED, version=2)
    message = NewOutboxMessage(TENANT, "k1", {"type": "message"}, recipient_id=JEF)
    with pytest.raises(StaleRequest):  # the stored version is 1, not 0
        await requests.save(moved, expected_version=0, audit=[_audit(now)], messages=[message])
    assert requests.messages == [] and len(requests.audit) == 1
    with pytest.raises(ValueError, match="newer version"):
        await requests.save(request, expected_version=1)
    await requests.save(moved, expected_version=1, messages=[message, message])
    assert requests.rows[request.id] == moved and requests.messages == [message]
    requests.races.add(request.id)
    with pytest.raises(StaleRequest):
        await requests.save(replace(moved, version=3), expected_version=2)
    assert requests.rows[request.id].version == 3  # the other replica's save


async def test_claims_honour_wake_times_and_leases() -> None:
    requests = MemoryLicenceRequests()
    now = datetime(2026, 11, 28, tzinfo=UTC)
    submitted = await requests.add(_new(), now, _audit(now))  # wakes at once (crash recovery)
    later = await requests.add(_new("powerbi-ppu"), now, _audit(now))
    requests.put(replace(later, state=RequestState.FULFILLING, next_attempt_at=now + timedelta(1)))
    asleep = await requests.add(_new("powerapps-premium"), now, _audit(now))
    requests.put(replace(asleep, state=RequestState.CANCELLED))
    assert [r.id for r in await requests.claim_due(now, 10, 60)] == [submitted.id]
    assert await requests.claim_due(now + timedelta(seconds=30), 10, 60) == []  # leased
    await requests.release(submitted.id)
    assert [r.id for r in await requests.claim_due(now, 10, 60)] == [submitted.id]
    due = await requests.claim_due(now + timedelta(days=2), 10, 60)
    assert [r.id for r in due] == [submitted.id, later.id]  # lease ran out; oldest wake first


async def test_open_for_finds_the_newest_open_or_granted_request() -> None:
    requests = MemoryLicenceRequests()
    now = datetime(2026, 11, 28, tzinfo=UTC)
    old = await requests.add(_new(), now, _audit(now))
    requests.put(replace(old, state=RequestState.FULFILLED, end_date=now.date()))
    assert await requests.open_for(TENANT, LOTTE, "powerbi-pro") == requests.rows[old.id]
    new = await requests.add(_new(), now + timedelta(hours=1), _audit(now))
    assert await requests.open_for(TENANT, LOTTE, "powerbi-pro") == new
    requests.put(replace(new, state=RequestState.REJECTED))
    requests.put(replace(old, state=RequestState.ENDED))
    assert await requests.open_for(TENANT, LOTTE, "powerbi-pro") is None
    counts = await requests.count_by_state()
    assert counts[RequestState.ENDED] == 1 and counts[RequestState.SUBMITTED] == 0


async def test_group_based_seats_run_out_in_order() -> None:
    licences = demo_licences()  # 3 Power Apps seats
    for person in (LOTTE, NORA, JEF, SOFIE):
        assert await licences.add_member(APPS_GROUP, person)
    assert not await licences.add_member(APPS_GROUP, LOTTE)  # a member already: success
    states = {p: await licences.licence_states(p) for p in (LOTTE, SOFIE)}
    assert [(s.state, s.error) for s in states[LOTTE]] == [("Active", "None")]
    assert [(s.state, s.error) for s in states[SOFIE]] == [("Error", "CountViolation")]
    sku = await licences.subscribed_sku(APPS_SKU)
    assert sku is not None and (sku.enabled_units, sku.consumed_units) == (3, 3)
    await licences.remove_member(APPS_GROUP, NORA)
    assert [s.ok for s in await licences.licence_states(SOFIE)] == [True]
    assert await licences.is_member(PRO_GROUP, NORA)


async def test_direct_assignments_need_a_usage_location_and_a_free_seat() -> None:
    licences = demo_licences()
    with pytest.raises(UsageLocationMissing):
        await licences.assign_licence(BRAM, FLOW_SKU)
    licences.seats[PRO_SKU] = ("POWER_BI_PRO", 1)  # Nora holds the only one
    with pytest.raises(NoFreeSeats):
        await licences.assign_licence(LOTTE, PRO_SKU)
    await licences.assign_licence(LOTTE, FLOW_SKU)
    await licences.assign_licence(LOTTE, FLOW_SKU)  # again: Graph accepts it
    assert [s.assigned_by_group for s in await licences.licence_states(LOTTE)] == [None]
    assert await licences.remove_licence(LOTTE, FLOW_SKU)
    assert not await licences.remove_licence(LOTTE, FLOW_SKU)


def test_the_demo_catalogue_is_usable() -> None:
    assert demo_catalogue().problems() == []


async def test_make_flow_wires_the_desk_on_the_fakes() -> None:
    world = make_flow()
    context = await world.desk.form_context(world.person(LOTTE))
    assert context.entity is not None and context.entity.code == "ADV"
    started = world.clock.monotonic()
    world.clock.advance(days=1)
    assert world.clock.now() == datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    assert world.clock.monotonic() - started == 86400.0
