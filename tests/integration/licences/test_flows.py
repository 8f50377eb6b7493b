"""Full licence flows on the real store and the Graph emulator: request, approval stages,
fulfilment through Graph (seats, usage location, duplicate members, throttling, a crash in the
middle), reminders, expiry and the end of time-bound access."""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta

import pytest

from bot.domain.licences.requests import AlreadyDecided, NotAnApprover, RequestState
from bot.services.licences.forms import RequestForm
from tests.integration.licences.conftest import (
    APPS_SKU,
    BRAM,
    JEF,
    KOEN,
    LOTTE,
    NORA,
    PPU_GROUP,
    PPU_SKU,
    PRO_GROUP,
    WS_GROUP,
    LicenceStack,
    build_stack,
)

JUSTIFICATION = "Rapporten delen met het team"


async def submit(stack: LicenceStack, user: str, item: str, **form: object):  # type: ignore[no-untyped-def]
    result = await stack.desk.submit(
        stack.person(user, user),
        RequestForm(item, JUSTIFICATION, **form),  # type: ignore[arg-type]
    )
    assert not result.errors, result.errors
    assert result.request is not None
    return result.request


def kinds(messages: list[dict[str, object]]) -> list[str]:
    return [str(m["dedupe_key"]).split(":")[3] if m["dedupe_key"] else "" for m in messages]


async def test_two_stages_then_granted_through_the_licensing_group(stack: LicenceStack) -> None:
    request = await submit(stack, NORA, "pro")
    assert request.reference.startswith("LIC-2026-")
    assert (request.state, request.stage, request.approvers) == (
        RequestState.PENDING_APPROVAL,
        1,
        (JEF,),
    )
    jef_cards = await stack.messages_to(JEF)
    assert [m["dedupe_key"] for m in jef_cards] == [f"licence:{request.id}:approval:1:{JEF}"]

    request = await stack.desk.decide(
        stack.person(JEF, "Jef Peeters"), request.id, approve=True, comment="ok"
    )
    assert request.stage == 2 and JEF not in request.approvers and request.approvers
    admins = request.approvers
    # Jef's card is edited in place; the admins get theirs; Lotte hears that stage 1 passed.
    replacing = [m for m in await stack.messages_to(JEF) if m["replaces"]]
    assert [m["replaces"] for m in replacing] == [f"licence:{request.id}:approval:1:{JEF}"]
    assert {
        m["recipient_id"]
        for m in await stack.messages()
        if m["dedupe_key"].endswith(":approval:2:" + m["recipient_id"].lower())
    } == set(admins)

    with pytest.raises(NotAnApprover):  # the requester cannot approve her own stage 2
        await stack.desk.decide(stack.person(NORA), request.id, approve=True, comment="")
    with pytest.raises(NotAnApprover):  # nor can a colleague replaying the card's payload
        await stack.desk.decide(stack.person(LOTTE), request.id, approve=True, comment="")
    request = await stack.desk.decide(
        stack.person(admins[0], "ICT"), request.id, approve=True, comment=""
    )
    assert request.state is RequestState.APPROVED
    with pytest.raises(AlreadyDecided):
        await stack.desk.decide(stack.person(admins[-1]), request.id, approve=False, comment="")

    await stack.run_worker()
    request = await stack.reload(request)
    assert request.state is RequestState.FULFILLED
    assert NORA.lower() in stack.group_members(PRO_GROUP)
    states = [row["detail"]["to"] for row in await stack.audit(request.reference)]
    assert states == ["submitted", "pending_approval", "pending_approval", "approved", "fulfilled"]
    nora = [m["dedupe_key"] for m in await stack.messages_to(NORA)]
    assert [key.split(":")[3] for key in nora] == ["stage_approved", "approved", "fulfilled"]


async def test_the_same_request_twice_is_not_duplicated(stack: LicenceStack) -> None:
    first = await submit(stack, NORA, "pro")
    again = await stack.desk.submit(stack.person(NORA), RequestForm("pro", JUSTIFICATION))
    assert again.request is None and again.existing is not None and again.existing.id == first.id


async def test_access_someone_already_has_is_answered_as_such(stack: LicenceStack) -> None:
    stack.emulator.tenant.add_member(WS_GROUP, NORA)
    result = await stack.desk.submit(
        stack.person(NORA), RequestForm("viewer", JUSTIFICATION, end_date=date(2027, 1, 31))
    )
    assert result.already_granted and result.request is None


async def test_a_member_already_in_the_group_is_done_without_adding_again(
    stack: LicenceStack,
) -> None:
    request = await submit(stack, NORA, "viewer", end_date=date(2027, 1, 31))
    assert request.state is RequestState.APPROVED  # the "none" policy: no stages
    stack.emulator.tenant.add_member(WS_GROUP, NORA)  # someone added her by hand meanwhile
    stack.emulator.reset_requests()
    await stack.run_worker()
    assert (await stack.reload(request)).state is RequestState.FULFILLED
    assert (
        stack.emulator.request_count(re.escape(f"/groups/{WS_GROUP}/members/$ref"), method="POST")
        == 0
    )


async def test_no_free_seats_waits_and_continues_when_seats_are_added(stack: LicenceStack) -> None:
    _enabled, consumed = stack.emulator.seats(PPU_SKU)
    stack.emulator.set_seats(PPU_SKU, consumed)  # full
    request = await submit(stack, LOTTE, "ppu")
    await stack.desk.decide(stack.person(JEF, "Jef"), request.id, approve=True, comment="")
    await stack.run_worker()
    request = await stack.reload(request)
    assert request.state is RequestState.WAITING_FOR_SEATS
    assert LOTTE.lower() not in stack.group_members(PPU_GROUP)
    seat_cards = [m for m in await stack.messages() if ":seats_needed:" in m["dedupe_key"]]
    assert seat_cards, "the entity's ICT admins are asked to order seats"
    await stack.run_worker()  # a recount before the recheck time changes nothing
    assert len([m for m in await stack.messages() if ":seats_needed:" in m["dedupe_key"]]) == len(
        seat_cards
    )

    stack.emulator.set_seats(PPU_SKU, consumed + 1)
    stack.clock.advance(minutes=16)
    await stack.run_worker()
    assert (await stack.reload(request)).state is RequestState.FULFILLED
    assert LOTTE.lower() in stack.group_members(PPU_GROUP)


async def test_missing_usage_location_waits_for_the_entity_admin(stack: LicenceStack) -> None:
    request = await submit(stack, BRAM, "apps")
    assert request.approvers == (KOEN,)
    await stack.desk.decide(stack.person(KOEN, "Koen"), request.id, approve=True, comment="")
    await stack.run_worker()
    request = await stack.reload(request)
    assert request.state is RequestState.FULFILLING
    assert request.reason == "licence.reason.usage_location"
    admin_notes = [
        m for m in await stack.messages() if ":usage_location_missing:" in m["dedupe_key"]
    ]
    assert admin_notes
    admin = admin_notes[0]["recipient_id"]
    # The requester reads why nothing happens, in plain words, once: not at every recheck.
    stack.clock.advance(hours=2)
    await stack.run_worker()
    assert (await stack.reload(request)).reason == "licence.reason.usage_location"
    (told,) = [m for m in await stack.messages() if ":waiting_for_country:" in m["dedupe_key"]]
    assert told["recipient_id"] == BRAM
    assert "het land in je account ontbreekt" in str(told["activity"])
    assert "usageLocation" not in str(told["activity"])

    stack.emulator.set_usage_location(BRAM, "BE")
    await stack.desk.retry_fulfilment(stack.person(admin, "ICT"), request.id)
    await stack.run_worker()
    assert (await stack.reload(request)).state is RequestState.FULFILLED
    licences = stack.emulator.tenant.user(BRAM)["assignedLicenses"]
    assert [lic["skuId"] for lic in licences] == [APPS_SKU]


async def test_a_429_storm_is_retried_from_the_queue(stack: LicenceStack) -> None:
    request = await submit(stack, NORA, "viewer", end_date=date(2027, 1, 31))
    stack.emulator.add_fault(
        re.escape(f"/groups/{WS_GROUP}/members/$ref"), 429, count=4, retry_after=0, method="POST"
    )
    await stack.run_worker()
    request = await stack.reload(request)
    assert request.state is RequestState.FULFILLING and request.attempts == 1
    stack.clock.advance(minutes=1)
    await stack.run_worker()
    assert (await stack.reload(request)).state is RequestState.FULFILLED
    assert NORA.lower() in stack.group_members(WS_GROUP)


async def test_a_crash_in_the_middle_of_fulfilment_loses_nothing_and_adds_once(
    stack: LicenceStack, graph_gateway: object
) -> None:
    request = await submit(stack, NORA, "viewer", end_date=date(2027, 1, 31))
    stack.emulator.reset_requests()
    stack.emulator.set_latency(200)  # the verification read after the add is still under way...
    step = asyncio.create_task(stack.worker.run_once())
    add = f"/groups/{WS_GROUP}/members/$ref"
    for _ in range(200):
        if stack.emulator.request_count(re.escape(add), method="POST"):
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    step.cancel()  # ...when the process dies
    with pytest.raises(asyncio.CancelledError):
        await step
    stack.emulator.set_latency(0)
    assert NORA.lower() in stack.group_members(WS_GROUP)  # Graph did its part
    assert (await stack.reload(request)).state is RequestState.APPROVED  # we never saved ours

    restarted = build_stack(stack.database, stack.emulator, graph_gateway, stack.clock)  # type: ignore[arg-type]
    await restarted.run_worker()  # the lease still holds: nothing happens yet
    assert (await stack.reload(request)).state is not RequestState.FULFILLED
    stack.clock.advance(seconds=restarted.worker._settings.lease_seconds + 1)
    await restarted.run_worker()
    assert (await stack.reload(request)).state is RequestState.FULFILLED
    assert stack.emulator.request_count(re.escape(add), method="POST") == 1
    assert stack.group_members(WS_GROUP).count(NORA.lower()) == 1


async def test_reminder_halfway_then_expiry(stack: LicenceStack) -> None:
    request = await submit(stack, LOTTE, "ppu")
    stack.clock.advance(days=7, minutes=1)
    await stack.run_worker()
    request = await stack.reload(request)
    assert request.reminded and request.state is RequestState.PENDING_APPROVAL
    assert [m for m in await stack.messages_to(JEF) if ":reminder:" in m["dedupe_key"]]
    stack.clock.advance(days=7)
    await stack.run_worker()
    request = await stack.reload(request)
    assert request.state is RequestState.EXPIRED
    assert [m for m in await stack.messages_to(LOTTE) if ":expired:" in m["dedupe_key"]]
    edits = [m["replaces"] for m in await stack.messages_to(JEF) if m["replaces"]]
    assert len(edits) == 2  # the card and its reminder both show the request expired


async def test_time_bound_access_is_warned_then_removed(stack: LicenceStack) -> None:
    end = (stack.clock.now() + timedelta(days=20)).date()
    request = await submit(stack, NORA, "viewer", end_date=end)
    await stack.run_worker()
    request = await stack.reload(request)
    assert request.state is RequestState.FULFILLED and request.ends_at is not None
    stack.clock.set(request.ends_at - timedelta(days=7))
    await stack.run_worker()
    assert [m for m in await stack.messages_to(NORA) if ":ending_soon:" in m["dedupe_key"]]
    stack.clock.set(request.ends_at + timedelta(minutes=1))
    await stack.run_worker()
    assert (await stack.reload(request)).state is RequestState.ENDED
    assert NORA.lower() not in stack.group_members(WS_GROUP)


async def test_an_extension_keeps_access_past_the_first_end(stack: LicenceStack) -> None:
    end = (stack.clock.now() + timedelta(days=20)).date()
    first = await submit(stack, NORA, "viewer", end_date=end)
    await stack.run_worker()
    first = await stack.reload(first)
    draft = await stack.desk.draft_from(stack.person(NORA), first.id)
    assert draft.extending
    later = RequestForm(
        draft.form.item_key,
        draft.form.justification,
        end + timedelta(days=60),
        previous_reference=first.reference,
    )
    result = await stack.desk.submit(stack.person(NORA), later)
    assert result.request is not None
    await stack.run_worker()
    assert first.ends_at is not None
    stack.clock.set(first.ends_at + timedelta(minutes=1))
    await stack.run_worker()
    assert (await stack.reload(first)).state is RequestState.ENDED
    assert NORA.lower() in stack.group_members(WS_GROUP)
