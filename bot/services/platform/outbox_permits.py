"""Permission to make one connector request, under the tenant's limits.

A delivery wraps each HTTP request in `async with permit():`. Entering waits for the tenant's
turn; one dispenser per tenant serves the waiting deliveries in arrival order and lets a
request through only when
- the RateBudget grants a token (the pace, shared by all replicas when it is the SQL one);
- the tenant is not paused after a 429;
- this process's own sliding window has room: Teams refuses the (N+1)th request within any
  second. The connector sees a request somewhere between our decision to send it and its
  answer, so counting each request from its permit until one second after its answer never
  under-counts, whatever the network or scheduling delays: requests let through this way never
  exceed N in any second as Teams counts them.
A delivery whose lease is about to end before its turn gets PermitWithdrawn instead.

Waiting for the permit after lookups (such as the conversation reference, or the message a
replacement edits) keeps their latency out of the gap between the token and the wire. An edit
(PUT) is a connector request like a send and takes a permit the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from bot.domain.platform.delivery import PermitWithdrawn
from bot.ports.platform import Permit, RateBudget

logger = logging.getLogger(__name__)

_BUDGET_ERROR_PAUSE_SECONDS = 1.0
_WINDOW_SECONDS = 1.0


@runtime_checkable
class KnowsWhenAvailable(Protocol):
    """Optional RateBudget capability: when tokens come back (saves polling)."""

    def seconds_until_available(self, tenant_id: str, wanted: int = 1) -> float: ...


@dataclass(slots=True)
class _Tenant:
    waiters: deque[tuple[asyncio.Future[None], float]] = field(default_factory=deque)
    credit: int = 0  # tokens granted by the budget and not handed out yet
    paused_until: float = 0.0
    in_flight: int = 0  # permits entered and not yet left
    answered: deque[float] = field(default_factory=deque)  # when recent permits were left
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    dispenser: asyncio.Task[None] | None = None


class TenantPermits:
    def __init__(
        self,
        budget: RateBudget,
        *,
        rate_per_second: float,
        window_limit: int | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """window_limit: requests this process may have in any sliding second (None: no own
        window, the budget alone paces)."""
        self._budget = budget
        # Asked once: a runtime Protocol check on every refusal showed up in profiles.
        self._knows_when = budget if isinstance(budget, KnowsWhenAvailable) else None
        self._rate = rate_per_second
        self._window_limit = window_limit
        # Tokens asked for in one go: about 20 ms of sending (fewer round trips to a SQL budget).
        self._chunk = max(1, min(50, int(rate_per_second * 0.02)))
        self._monotonic = monotonic
        self._tenants: dict[str, _Tenant] = {}

    def permit_for(self, tenant_id: str, send_before: float) -> Permit:
        """The permit for one message; entering it raises PermitWithdrawn after `send_before`
        (a monotonic time)."""

        @contextlib.asynccontextmanager
        async def permit() -> AsyncIterator[None]:
            tenant = await self._wait_turn(tenant_id, send_before)
            try:
                yield
            finally:
                self._left(tenant)

        return permit

    def pause(self, tenant_id: str, seconds: float) -> bool:
        """Hold every request of the tenant for `seconds`; True when that extends the pause."""
        tenant = self._tenant(tenant_id)
        until = self._monotonic() + seconds
        tenant.credit = 0  # tokens granted before the 429 must not burst out after it
        if until <= tenant.paused_until:
            return False
        tenant.paused_until = until
        return True

    def paused_for(self, tenant_id: str) -> float:
        tenant = self._tenants.get(tenant_id)
        return 0.0 if tenant is None else max(0.0, tenant.paused_until - self._monotonic())

    async def close(self) -> None:
        tasks = [t.dispenser for t in self._tenants.values() if t.dispenser is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _wait_turn(self, tenant_id: str, send_before: float) -> _Tenant:
        tenant = self._tenant(tenant_id)
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        tenant.waiters.append((turn, send_before))
        if tenant.dispenser is None or tenant.dispenser.done():
            tenant.dispenser = asyncio.create_task(self._dispense(tenant_id, tenant))
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled() and turn.exception() is None:
                self._left(tenant)  # granted, but its delivery was cancelled before it began
            raise
        return tenant

    def _left(self, tenant: _Tenant) -> None:
        tenant.in_flight -= 1
        tenant.answered.append(self._monotonic())
        tenant.changed.set()

    def _tenant(self, tenant_id: str) -> _Tenant:
        tenant = self._tenants.get(tenant_id)
        if tenant is None:
            tenant = self._tenants[tenant_id] = _Tenant()
        return tenant

    async def _dispense(self, tenant_id: str, tenant: _Tenant) -> None:
        """Serve the tenant's waiters in order until none is left."""
        waiters = tenant.waiters
        while waiters:
            turn, send_before = waiters[0]
            if turn.done():  # its delivery was cancelled
                waiters.popleft()
                continue
            now = self._monotonic()
            if now > send_before:
                waiters.popleft()
                turn.set_exception(PermitWithdrawn())
                continue
            wait = max(tenant.paused_until - now, self._window_wait(tenant, now))
            if wait > 0:
                tenant.changed.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(min(wait, send_before - now)):
                        await tenant.changed.wait()  # an answer may open the window sooner
                continue
            if tenant.credit == 0 and not await self._refill(tenant_id, tenant):
                continue
            waiters.popleft()
            tenant.credit -= 1
            tenant.in_flight += 1
            turn.set_result(None)

    def _window_wait(self, tenant: _Tenant, now: float) -> float:
        """0 when the own window has room; else how long until it may (inf: until an answer)."""
        if self._window_limit is None:
            return 0.0
        answered = tenant.answered
        while answered and answered[0] <= now - _WINDOW_SECONDS:
            answered.popleft()
        if tenant.in_flight + len(answered) < self._window_limit:
            return 0.0
        if not answered:
            return float("inf")
        return answered[0] + _WINDOW_SECONDS - now

    async def _refill(self, tenant_id: str, tenant: _Tenant) -> bool:
        """Ask the budget for tokens; False after waiting when it had none."""
        try:
            granted = await self._budget.acquire(tenant_id, min(self._chunk, len(tenant.waiters)))
        except Exception:
            logger.exception("Rate budget unavailable for tenant %s", tenant_id)
            await asyncio.sleep(_BUDGET_ERROR_PAUSE_SECONDS)
            return False
        if granted > 0:
            tenant.credit += granted
            return True
        await asyncio.sleep(self._token_wait(tenant_id))
        return False

    def _token_wait(self, tenant_id: str) -> float:
        if self._knows_when is not None:
            wait = self._knows_when.seconds_until_available(tenant_id, 1)
            return min(max(wait, 0.0005), 1.0)
        # Poll a few times per token, so a budget with a small burst loses nothing to oversleeping.
        return min(max(0.25 / self._rate, 0.001), 0.05)
