"""Fixtures for the Teams connector emulator (owner: outbox).

    async def test_x(connector_emulator):                 # default Teams limits (50/s)
        url = connector_emulator.service_url

    async def test_y(connector_emulator_factory):         # your own limits
        emulator = await connector_emulator_factory(tenant_rate_per_second=20)

Both listen on an ephemeral 127.0.0.1 port and stop at teardown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from devtools.connector_emulator import ConnectorEmulator

EmulatorFactory = Callable[..., Awaitable[ConnectorEmulator]]


@pytest.fixture
async def connector_emulator_factory() -> AsyncIterator[EmulatorFactory]:
    started: list[ConnectorEmulator] = []

    async def start(**options: Any) -> ConnectorEmulator:
        emulator = ConnectorEmulator(**options)
        await emulator.start("127.0.0.1", 0)
        started.append(emulator)
        return emulator

    yield start
    for emulator in started:
        await emulator.stop()


@pytest.fixture
async def connector_emulator(
    connector_emulator_factory: EmulatorFactory,
) -> ConnectorEmulator:
    return await connector_emulator_factory()
