"""Two Werkplek replicas as processes (`python app.py` each) on one PostgreSQL database, behind the
connector emulator (enforcing the Teams tenant limit) and the Graph emulator, each its own
process too (devtools/replicas.py, devtools/replica_scenarios.py). The emulators and the store
are the judges: counts only, never timings; a rate is a count of requests inside one second of
the emulator's own clock.

- 1,500 outbox messages at a 50/s tenant limit, while approved licence requests wait for their
  grant and post items a crash left unrouted wait for routing: every message accepted exactly
  once, no second above the limit, both replicas sending; each grant made once (one group
  addition, one audit line), each item routed once, every notice sent once.
- kill -9 of one replica after 40 % of 1,000 messages: the other finishes; nothing lost, and
  only messages in flight at the kill (at most the sender's concurrency) are sent twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from devtools.replica_scenarios import drain_together, drain_with_a_kill
from devtools.replica_work import outbox_drained
from devtools.replicas import ReplicaOptions

pytestmark = pytest.mark.postgres

LIMIT = 50.0
MESSAGES = 1500  # half a minute at the limit: enough seconds to find one above it
KILL_MESSAGES = 1000
# Replicas share one rate budget, but each sends at its own moment after taking a token: on a
# busy machine a request now and then lands a few milliseconds into the next second's share and
# Teams refuses it (429; the tenant then pauses for a second). Measured on a loaded 2-core
# machine: 1 to 19 refusals per 3,000 messages. Replicas pacing at twice the limit together
# (a rate set to 100/s on each) were refused 6 % of their requests: the pauses after each 429
# keep the busiest second near the limit (54), so the refusals, not that second, tell them apart.
# 2.5 % sits between the two, with room for a busier CI machine than the one measured. Refusals
# come at second boundaries, so they scale with the messages: 1,500 keep both figures' ratios.
THROTTLED_TOLERANCE = 0.025


@pytest.fixture
def options(make_database_url: Callable[..., str], tmp_path: Path) -> ReplicaOptions:
    """Two replicas on a fresh PostgreSQL database (skipped without a server, unless
    REQUIRE_POSTGRES=1); their logs stay in tmp_path/logs for a failed run."""
    return ReplicaOptions(
        database_url=make_database_url("postgres"),
        var_dir=tmp_path / "var",
        log_dir=tmp_path / "logs",
        replicas=2,
        outbox_rate_per_second=LIMIT,
    )


async def test_two_replicas_share_the_outbox_and_do_each_job_once(options: ReplicaOptions) -> None:
    # The licence workers look for due work twice a second, so both compete for each request.
    run = await drain_together(replace(options, licence_poll_seconds=0.5), messages=MESSAGES)

    delivery = run.delivery
    assert outbox_drained(run.counts, run.total), run.counts
    assert (delivery.lost, delivery.duplicated, delivery.accepted) == (0, 0, run.total)
    # No second above the limit, by the accepted stamps and by the emulator's own windows; and
    # the replicas together seldom asked for more than it (what the emulator refused).
    assert delivery.peak_in_one_second <= LIMIT
    assert run.emulator_peak <= LIMIT
    assert delivery.throttled <= MESSAGES * THROTTLED_TOLERANCE, delivery
    # Both sent (the shared budget is shared, not taken by one), each message by one of them.
    assert min(run.sent_by) > 0 and sum(run.sent_by) == run.total, run.sent_by
    assert run.requests == run.items == 10
    assert run.jobs.licences_done_once(run.requests), run.jobs
    assert run.jobs.post_done_once(run.items), run.jobs


async def test_when_one_replica_is_killed_mid_drain_the_other_finishes(
    options: ReplicaOptions,
) -> None:
    # A short lease, so the survivor takes over the killed replica's claimed messages soon.
    run = await drain_with_a_kill(
        replace(options, outbox_lease_seconds=5.0),
        messages=KILL_MESSAGES,
        kill_at_share=0.4,
    )

    delivery = run.delivery
    assert run.accepted_at_kill < KILL_MESSAGES  # killed mid-drain, not after it
    assert outbox_drained(run.counts, KILL_MESSAGES), run.counts
    assert delivery.lost == 0
    # At most the killed replica's sends in flight were accepted by Teams without their verdict
    # being stored, and only those may go out again.
    assert delivery.duplicated <= options.outbox_concurrency, delivery
    assert delivery.accepted == KILL_MESSAGES + delivery.duplicated
    # The survivor did not send everything: the killed one had its share before it died.
    assert 0 < run.survivor_sent < KILL_MESSAGES
    assert delivery.peak_in_one_second <= LIMIT
