"""A licence step that keeps stopping the worker is set aside, not claimed forever; the requests
claimed with it are not counted against; on the real store (both dialects) and Graph emulator."""

from __future__ import annotations

import re
from datetime import date, timedelta

import sqlalchemy as sa

from bot.domain.licences.requests import LicenceRequest, RequestState
from bot.services.licences.forms import RequestForm
from bot.services.licences.fulfilment import GAVE_UP
from bot.services.licences.worker import LicenceWorker
from bot.services.licences.worker_settings import WorkerSettings
from bot.store.licences.tables import licence_requests
from tests.integration.licences.conftest import BRUSSELS, LOTTE, NORA, WS_GROUP, LicenceStack

LEASE = 120.0
ADD_MEMBER = re.escape(f"/groups/{WS_GROUP}/members/$ref")


async def submit(stack: LicenceStack, user: str) -> LicenceRequest:
    form = RequestForm("viewer", "Rapporten delen met het team", end_date=date(2027, 1, 31))
    result = await stack.desk.submit(stack.person(user, user), form)
    assert not result.errors and result.request is not None
    return result.request


def worker(stack: LicenceStack, max_attempts: int, counted: list[int]) -> LicenceWorker:
    settings = WorkerSettings(timezone=BRUSSELS, max_attempts=max_attempts, lease_seconds=LEASE)
    return LicenceWorker(stack.flow, settings, on_set_aside=lambda: counted.append(1))


async def killed_workers(stack: LicenceStack, times: int, limit: int = 10) -> None:
    """What `times` workers killed in the middle of a step leave: claims whose leases ran out."""
    for _ in range(times):
        assert await stack.requests.claim_due(stack.clock.now(), limit, LEASE)
        stack.clock.advance(seconds=LEASE + 1)


async def claims_of(stack: LicenceStack, request: LicenceRequest) -> int:
    query = sa.select(licence_requests.c.claims).where(licence_requests.c.id == request.id)
    async with stack.database.connect() as connection:
        return int((await connection.execute(query)).scalar_one())


async def test_a_step_that_keeps_killing_the_worker_fails_with_the_requester_told(
    stack: LicenceStack,
) -> None:
    request = await submit(stack, NORA)
    counted: list[int] = []
    await killed_workers(stack, 3)
    stack.emulator.reset_requests()
    assert await worker(stack, 3, counted).run_once() == 1
    failed = await stack.reload(request)
    assert (failed.state, failed.reason) == (RequestState.FAILED, GAVE_UP)
    assert stack.emulator.request_count(ADD_MEMBER, method="POST") == 0  # not tried once more
    assert [m for m in await stack.messages_to(NORA) if ":failed" in m["dedupe_key"]]
    (line,) = [a for a in await stack.audit(failed.reference) if a["detail"].get("to") == "failed"]
    assert line["outcome"] == "failed"
    assert (line["detail"]["error"], line["detail"]["failed_steps"]) == ("set_aside", "3")
    assert counted == [1]
    assert await claims_of(stack, request) == 0
    stack.clock.advance(seconds=LEASE + 1)
    assert await worker(stack, 3, counted).run_once() == 0  # and never claimed again


async def test_one_crash_short_of_the_cap_the_step_runs_and_the_count_starts_again(
    stack: LicenceStack,
) -> None:
    request = await submit(stack, NORA)
    await killed_workers(stack, 2)
    counted: list[int] = []
    await worker(stack, 3, counted).run_once()
    assert (await stack.reload(request)).state is RequestState.FULFILLED
    assert await claims_of(stack, request) == 0
    assert counted == []


async def test_a_suspect_runs_alone_and_the_others_claimed_with_it_are_not_counted(
    stack: LicenceStack,
) -> None:
    suspect = await submit(stack, NORA)
    await killed_workers(stack, 2)
    other = await submit(stack, LOTTE)  # due now, claimed together with the suspect
    counted: list[int] = []
    assert await worker(stack, 12, counted).run_once() == 2
    assert (await stack.reload(suspect)).state is RequestState.FULFILLED
    untouched = await stack.reload(other)
    assert untouched.state is other.state and untouched.version == other.version  # not run
    assert await claims_of(stack, other) == 0  # given back uncounted
    await stack.run_worker()
    assert (await stack.reload(other)).state is RequestState.FULFILLED


async def test_a_granted_request_whose_end_step_keeps_crashing_waits_a_day_not_fails(
    stack: LicenceStack,
) -> None:
    end = (stack.clock.now() + timedelta(days=20)).date()
    form = RequestForm("viewer", "Rapporten delen met het team", end_date=end)
    result = await stack.desk.submit(stack.person(NORA, NORA), form)
    assert result.request is not None
    await stack.run_worker()
    granted = await stack.reload(result.request)
    assert granted.state is RequestState.FULFILLED
    stack.clock.advance(days=14)  # the "ends in a week" warning
    await killed_workers(stack, 2)
    counted: list[int] = []
    await worker(stack, 2, counted).run_once()
    parked = await stack.reload(granted)
    assert parked.state is RequestState.FULFILLED and not parked.end_warned
    assert counted == [1]
    stack.clock.advance(seconds=LEASE + 1)
    assert await worker(stack, 2, counted).run_once() == 0  # looked at again only tomorrow
    stack.clock.advance(days=1)
    await worker(stack, 2, counted).run_once()
    assert (await stack.reload(granted)).end_warned
