"""Ops endpoints and failure classification, without I/O: who may read /metrics, the shared
readiness check, and which database errors mean "unavailable"."""

from __future__ import annotations

import asyncio
import hashlib
from unittest.mock import Mock

import pytest
import sqlalchemy.exc as sa_exc
from aiohttp.test_utils import make_mocked_request

from bot.http.health import SharedReadiness
from bot.http.metrics import MetricsAccess
from bot.store.failures import is_unavailable, scrub
from tests.support.clock import FakeClock

TOKEN = "prometheus-scrape-token-4b1d"
DIGEST = hashlib.sha256(TOKEN.encode()).hexdigest()


def request(peer: str = "127.0.0.1", **headers: str) -> object:
    transport = Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (
        (peer, 50123) if name == "peername" else default
    )
    return make_mocked_request("GET", "/metrics", headers=headers, transport=transport)


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({"Authorization": f"Bearer {TOKEN}"}, True),
        ({"Authorization": f"bearer {TOKEN}"}, True),
        ({}, False),
        ({"Authorization": "Bearer not-the-token"}, False),
        ({"Authorization": f"Basic {TOKEN}"}, False),
        ({"Authorization": DIGEST}, False),  # the hash itself is not the token
    ],
)
def test_with_a_token_only_its_bearer_reads_metrics(headers: dict[str, str], allowed: bool) -> None:
    refusal = MetricsAccess(DIGEST).refusal(request("203.0.113.9", **headers))  # type: ignore[arg-type]
    assert (refusal is None) is allowed
    if refusal is not None:
        assert refusal.status == 401
        assert refusal.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_is_needed_even_from_loopback() -> None:
    refusal = MetricsAccess(DIGEST).refusal(request("127.0.0.1"))  # type: ignore[arg-type]
    assert refusal is not None and refusal.status == 401


def test_with_a_separate_port_the_main_port_has_no_metrics() -> None:
    access = MetricsAccess("", separate_port=True)
    refusal = access.refusal(request("127.0.0.1"))  # type: ignore[arg-type]
    assert refusal is not None and refusal.status == 404


@pytest.mark.parametrize(
    ("peer", "headers", "allowed"),
    [
        ("127.0.0.1", {}, True),
        ("::1", {}, True),
        ("::ffff:127.0.0.1", {}, True),
        ("127.10.0.3", {}, True),
        ("10.0.0.7", {}, False),
        ("203.0.113.9", {}, False),
        ("::ffff:10.0.0.7", {}, False),
        # A reverse proxy on the same machine: the peer is loopback, the client is not.
        ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, False),
        ("127.0.0.1", {"Forwarded": "for=203.0.113.9"}, False),
        ("127.0.0.1", {"X-Real-IP": "203.0.113.9"}, False),
        ("127.0.0.1", {"Via": "1.1 proxy"}, False),
    ],
)
def test_without_configuration_only_direct_loopback_peers_read_metrics(
    peer: str, headers: dict[str, str], allowed: bool
) -> None:
    refusal = MetricsAccess().refusal(request(peer, **headers))  # type: ignore[arg-type]
    assert (refusal is None) is allowed
    if refusal is not None:
        assert refusal.status == 403


class Checks:
    def __init__(self, answers: list[tuple[bool, bool] | Exception]) -> None:
        self.answers = answers
        self.calls = 0
        self.release = asyncio.Event()

    async def __call__(self) -> tuple[bool, bool]:
        self.calls += 1
        await self.release.wait()
        answer = self.answers[min(self.calls, len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer


async def test_concurrent_probes_share_one_check_and_its_answer_for_a_second() -> None:
    checks, clock = Checks([(True, True), (False, False)]), FakeClock()
    readiness = SharedReadiness(checks, seconds=1.0, monotonic=clock.monotonic)
    probes = [asyncio.ensure_future(readiness()) for _ in range(20)]
    await asyncio.sleep(0)
    checks.release.set()
    assert await asyncio.gather(*probes) == [(True, True)] * 20
    assert checks.calls == 1
    clock.advance(seconds=0.9)
    assert await readiness() == (True, True)
    assert checks.calls == 1
    clock.advance(seconds=0.2)
    assert await readiness() == (False, False)  # a second later: checked again
    assert checks.calls == 2


async def test_a_check_that_raises_means_not_ready() -> None:
    checks = Checks([RuntimeError("the pool is closed")])
    checks.release.set()
    assert await SharedReadiness(checks)() == (False, False)


async def test_a_probe_that_hangs_up_does_not_cancel_the_shared_check() -> None:
    checks, clock = Checks([(True, True)]), FakeClock()
    readiness = SharedReadiness(checks, monotonic=clock.monotonic)
    impatient = asyncio.ensure_future(readiness())
    patient = asyncio.ensure_future(readiness())
    await asyncio.sleep(0)
    impatient.cancel()
    checks.release.set()
    assert await patient == (True, True)
    assert checks.calls == 1


class _DriverError(Exception):
    def __init__(self, sqlstate: str, detail: str = "") -> None:
        super().__init__("driver error")
        self.sqlstate = sqlstate
        self.detail = detail


def wrapped(kind: type[sa_exc.DBAPIError], sqlstate: str = "", detail: str = "") -> Exception:
    return kind("INSERT INTO users ...", {"name": "x"}, _DriverError(sqlstate, detail))


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (ConnectionRefusedError(111, "refused"), True),
        (TimeoutError(), True),
        (sa_exc.TimeoutError("QueuePool limit reached"), True),
        (wrapped(sa_exc.OperationalError), True),
        (wrapped(sa_exc.InterfaceError), True),
        (wrapped(sa_exc.DatabaseError), True),  # SQLite: not a database, malformed image
        (wrapped(sa_exc.DBAPIError, "08006"), True),  # connection failure
        (wrapped(sa_exc.DBAPIError, "57P01"), True),  # admin shutdown
        (wrapped(sa_exc.DBAPIError, "53300"), True),  # too many connections
        (wrapped(sa_exc.DBAPIError, "3D000"), True),  # the database is gone
        (wrapped(sa_exc.InternalError, "25006"), True),  # read-only standby after a failover
        (wrapped(sa_exc.IntegrityError, "23505"), False),  # a duplicate: the request's doing
        (wrapped(sa_exc.ProgrammingError, "42P01"), False),
        (wrapped(sa_exc.DBAPIError, "P0001"), False),  # raised by a trigger
        (ValueError("not a database error"), False),
    ],
)
def test_which_errors_mean_the_database_is_unavailable(error: Exception, unavailable: bool) -> None:
    assert is_unavailable(error) is unavailable


def test_scrub_drops_what_quotes_row_values_along_the_chain() -> None:
    error = wrapped(sa_exc.IntegrityError, "23502", "Failing row contains (1, Lotte Janssens)")
    try:
        raise error from _DriverError("23502", "Failing row contains (1, Lotte Janssens)")
    except sa_exc.IntegrityError as raised:
        scrub(raised)
        assert raised.orig.detail is None  # type: ignore[union-attr]
        assert raised.__cause__.detail is None  # type: ignore[union-attr]


def test_the_metrics_setting_takes_a_hash_and_never_echoes_a_pasted_token() -> None:
    from pydantic import ValidationError

    from bot.settings import Settings

    assert Settings(_env_file=None, metrics_token=DIGEST.upper()).metrics_token == DIGEST  # type: ignore[call-arg]
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, metrics_token=TOKEN)  # type: ignore[call-arg]
    assert TOKEN not in str(refused.value)
