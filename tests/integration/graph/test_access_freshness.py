"""The status card's refresh shows the directory as it is now, not the cache's copy."""

from __future__ import annotations

from bot.domain.access.facts import CheckKind, CheckState
from bot.domain.access.rules import AccessPolicy
from bot.graph import GraphGateway
from bot.services.access.status import AccessStatus
from bot.services.platform.clock import SystemClock
from devtools.graph_emulator import GraphEmulator
from tests.support.graph import LOTTE_ID


def account_state(report: object) -> CheckState:
    checks = {check.kind: check for check in report.checks}  # type: ignore[attr-defined]
    return checks[CheckKind.ACCOUNT].state


async def test_a_disabled_account_shows_on_the_next_report(
    graph_emulator: GraphEmulator, graph_gateway: GraphGateway
) -> None:
    status = AccessStatus(
        graph_gateway.directory, graph_gateway.access, SystemClock(), AccessPolicy()
    )
    # A profile card earlier filled the directory cache with the enabled account.
    await graph_gateway.directory.get_user(LOTTE_ID)
    assert account_state(await status.report(LOTTE_ID)) is CheckState.OK

    graph_emulator.tenant.user(LOTTE_ID)["accountEnabled"] = False

    assert account_state(await status.report(LOTTE_ID)) is CheckState.ACTION
