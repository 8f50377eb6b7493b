"""The access-status service on fakes: all reads at once, and a failing read costs one line."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.access.facts import AuthMethod, CheckKind, CheckState, Device, Licence, Sku
from bot.domain.access.rules import AccessPolicy
from bot.domain.licences.names import SKU_NAMES
from bot.domain.platform.directory import DirectoryUser, GroupRef
from bot.domain.platform.errors import DomainError, Forbidden, NotFound, Throttled, Unavailable
from bot.services.access.status import AccessStatus, access_policy
from bot.settings import Settings
from tests.support.clock import FakeClock
from tests.unit.access.fakes import MemoryAccessDirectory
from tests.unit.fakes import MemoryDirectory

LOTTE = "9b7c1c1e-0000-4000-8000-00000000a001"
STAFF_GROUP = "1f0e6a52-0000-4000-8000-000000000001"
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
POLICY = AccessPolicy(key_groups={STAFF_GROUP: "Personeel"})


class GatedDirectory(MemoryDirectory):
    """MemoryDirectory whose reads can wait at a barrier or fail one by one."""

    barrier: asyncio.Barrier | None = None
    user_failure: DomainError | None = None

    async def get_user(self, user_id: str) -> DirectoryUser:
        if self.barrier is not None:
            await self.barrier.wait()
        if self.user_failure is not None:
            raise self.user_failure
        return await super().get_user(user_id)

    async def member_of(self, user_id: str) -> list[GroupRef]:
        if self.barrier is not None:
            await self.barrier.wait()
        return await super().member_of(user_id)


def world() -> tuple[GatedDirectory, MemoryAccessDirectory]:
    directory = GatedDirectory(
        users={
            LOTTE: DirectoryUser(
                id=LOTTE,
                display_name="Lotte Janssens",
                user_principal_name="lotte@demo.example",
                usage_location="BE",
                account_enabled=True,
                on_premises_sync_enabled=True,
                on_premises_last_sync=NOW - timedelta(hours=2),
            )
        },
        groups={LOTTE: [GroupRef(STAFF_GROUP, "GRP-Personeel")]},
    )
    access = MemoryAccessDirectory(
        methods={LOTTE: [AuthMethod("password"), AuthMethod("microsoftAuthenticator")]},
        licences_by_user={LOTTE: [Licence("sku-e3", "")]},
        skus=[Sku("sku-e3", "SPE_E3", 10, 1)],
        devices_by_user={LOTTE: [Device("LAPTOP-1", "Windows", True, "compliant")]},
    )
    return directory, access


def service(
    directory: MemoryDirectory,
    access: MemoryAccessDirectory,
    policy: AccessPolicy = POLICY,
    **options: float,
) -> AccessStatus:
    return AccessStatus(directory, access, FakeClock(NOW), policy, **options)


def states(report: object) -> dict[CheckKind, CheckState]:
    return {check.kind: check.state for check in report.checks}  # type: ignore[attr-defined]


async def test_a_report_from_every_read() -> None:
    directory, access = world()
    report = await service(directory, access).report(LOTTE)
    assert set(states(report).values()) == {CheckState.OK}
    assert len(report.checks) == 6
    assert report.subject.display_name == "Lotte Janssens"
    assert report.checked_at == NOW
    licences = next(c for c in report.checks if c.kind is CheckKind.LICENCES)
    assert licences.params == {"names": "Microsoft 365 E3"}  # resolved through subscribedSkus
    assert sorted(access.calls) == ["auth_methods", "devices", "licences", "subscribed_skus"]
    assert sorted(directory.calls) == [f"forget:{LOTTE}", f"member_of:{LOTTE}", f"user:{LOTTE}"]


async def test_every_read_runs_at_the_same_time() -> None:
    directory, access = world()
    # Six reads wait for each other: only a concurrent service gets all six past the barrier.
    barrier = asyncio.Barrier(6)
    directory.barrier = access.barrier = barrier
    report = await service(directory, access, call_timeout_seconds=5.0).report(LOTTE)
    assert set(states(report).values()) == {CheckState.OK}


@pytest.mark.parametrize(
    ("read", "error", "kind", "summary"),
    [
        ("auth_methods", Forbidden(), CheckKind.MFA, "access.unchecked.forbidden"),
        ("licences", Throttled(retry_after=30), CheckKind.LICENCES, "access.unchecked.throttled"),
        ("devices", Unavailable(), CheckKind.DEVICES, "access.unchecked.unavailable"),
        ("devices", NotFound(), CheckKind.DEVICES, "access.unchecked.not_found"),
    ],
)
async def test_a_failing_read_degrades_only_its_own_line(
    read: str, error: DomainError, kind: CheckKind, summary: str
) -> None:
    directory, access = world()
    access.failures[read] = error
    report = await service(directory, access).report(LOTTE)
    failed = next(c for c in report.checks if c.kind is kind)
    assert (failed.state, failed.summary_key) == (CheckState.UNKNOWN, summary)
    assert {s for k, s in states(report).items() if k is not kind} == {CheckState.OK}


async def test_failing_subscriptions_only_cost_the_friendly_names() -> None:
    directory, access = world()
    access.failures["subscribed_skus"] = Forbidden()
    report = await service(directory, access).report(LOTTE)
    licences = next(c for c in report.checks if c.kind is CheckKind.LICENCES)
    assert (licences.state, licences.params) == (CheckState.OK, {"names": "sku-e3"})


async def test_a_crashing_read_is_logged_and_costs_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    directory, access = world()
    access.failures["devices"] = RuntimeError("adapter bug")
    with caplog.at_level(logging.ERROR):
        report = await service(directory, access).report(LOTTE)
    devices = next(c for c in report.checks if c.kind is CheckKind.DEVICES)
    assert devices.summary_key == "access.unchecked.other"
    assert any("devices" in r.getMessage() and r.exc_info for r in caplog.records)


async def test_a_read_that_never_answers_costs_one_line() -> None:
    directory, access = world()
    access.hang.add("auth_methods")
    report = await service(directory, access, call_timeout_seconds=0.05).report(LOTTE)
    mfa = next(c for c in report.checks if c.kind is CheckKind.MFA)
    assert (mfa.state, mfa.summary_key) == (CheckState.UNKNOWN, "access.unchecked.unavailable")
    assert states(report)[CheckKind.DEVICES] is CheckState.OK


async def test_an_unknown_person_has_no_report() -> None:
    directory, access = world()
    with pytest.raises(NotFound):
        await service(directory, access).report("no-such-person")


async def test_an_unreadable_user_object_still_gives_a_report() -> None:
    directory, access = world()
    directory.user_failure = Throttled()
    report = await service(directory, access).report(LOTTE)
    assert report.subject.id == LOTTE
    assert states(report)[CheckKind.ACCOUNT] is CheckState.UNKNOWN
    assert states(report)[CheckKind.IDENTITY_SOURCE] is CheckState.UNKNOWN
    assert states(report)[CheckKind.MFA] is CheckState.OK


async def test_no_key_groups_means_no_group_lookup() -> None:
    directory, access = world()
    report = await service(directory, access, AccessPolicy()).report(LOTTE)
    assert f"member_of:{LOTTE}" not in directory.calls
    assert CheckKind.GROUPS not in states(report)


def test_the_policy_follows_the_settings() -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        access_stale_sync_days=1.5,
        access_key_groups='{"g-1": "Personeel"}',
        security_info_url="https://security.example",
        device_help_url="https://devices.example",
        account_help_url="https://desk.example",
    )
    policy = access_policy(settings)
    assert policy.stale_sync_after == timedelta(days=1.5)
    assert dict(policy.key_groups) == {"g-1": "Personeel"}
    assert policy.sku_names is SKU_NAMES
    assert (policy.security_info_url, policy.device_help_url, policy.account_help_url) == (
        "https://security.example",
        "https://devices.example",
        "https://desk.example",
    )
