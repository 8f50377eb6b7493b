"""Graph fixtures: the Graph emulator (and its HTTPS token authority) on ephemeral ports,
Settings pointing at it, and a ready Graph gateway.

The emulator pages after 5 objects whatever $top asks, so code that forgets to follow
@odata.nextLink fails in tests with the demo tenant's modest memberships.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from bot.settings import Settings
from devtools.graph_emulator import GraphEmulator
from devtools.graph_emulator.emulator import DEMO_ROLES_FILE

if TYPE_CHECKING:
    from bot.graph import GraphGateway

TEST_PAGE_SIZE = 5

# Fixed ids of the demo tenant (devtools/demo_tenant.json) that tests across the project use.
LOTTE_ID = "6c1e2f3a-9b4d-4e7f-8a21-3d5c7b9e0f12"
LOTTE_UPN = "lotte.janssens@demo.werkplek.be"
JEF_ID = "2d4f6a8c-0e1b-4d3f-a5c7-e9b1d3f5a7c9"
SERVICEDESK_GROUP_ID = "0b7a4c2e-61d9-4f3b-8e25-9c4d7f1a3e60"
COMMUNICATION_GROUP_ID = "5e9d1b3f-7a2c-4e6d-b081-3f5a7c9e1d24"
ADMIN_GROUP_ID = "9c3e5a7d-2f4b-46a8-b1d3-6e8f0a2c4b57"
MAILROOM_GROUP_ID = "4a6c8e0b-3d5f-47a9-92b4-d6f8a0c2e4b1"


def demo_role_groups() -> dict[str, list[str]]:
    """The WERKPLEK_ROLE_GROUPS value for the demo tenant (devtools/demo_roles.json)."""
    roles: dict[str, list[str]] = json.loads(Path(DEMO_ROLES_FILE).read_text(encoding="utf-8"))
    return roles


def settings_for(emulator: GraphEmulator, **overrides: Any) -> Settings:
    """Settings that send Graph traffic to `emulator` (no .env file is read)."""
    values: dict[str, Any] = {
        "graph_base_url": emulator.graph_url,
        "azure_authority_host": emulator.authority_url,
        "azure_tenant_id": emulator.tenant_id,
        "azure_client_id": emulator.client_id,
        "azure_client_secret": emulator.client_secret,
        "graph_ca_file": str(emulator.ca_file),
        "role_groups": demo_role_groups(),
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
async def graph_emulator(tmp_path: Path) -> AsyncIterator[GraphEmulator]:
    emulator = GraphEmulator(
        state_dir=tmp_path / "graph-emulator",
        page_size=TEST_PAGE_SIZE,
        max_page_size=TEST_PAGE_SIZE,
    )
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest.fixture
def graph_settings(graph_emulator: GraphEmulator) -> Settings:
    return settings_for(graph_emulator)


@pytest.fixture
async def graph_gateway(graph_settings: Settings) -> AsyncIterator[GraphGateway]:
    # Imported here: loading the Graph SDK takes a moment that unit-test runs need not pay.
    from bot.graph import open_graph

    gateway = await open_graph(graph_settings)
    try:
        yield gateway
    finally:
        await gateway.close()
