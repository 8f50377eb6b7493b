"""A card payload is user input: replaying someone else's approval button is refused and audited.

The whole bot runs (JWT-less local mode, real store, Graph emulator); the click arrives as the
Bot Framework invoke Teams sends for an Action.Execute button."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from app import DATABASE
from bot.domain.licences.catalogue import (
    ALL_ENTITIES,
    ApprovalPolicy,
    ApproverKind,
    Catalogue,
    CatalogueItem,
    Fulfilment,
    ItemKind,
    Offer,
    Stage,
)
from bot.domain.licences.requests import NewLicenceRequest, RequestState, StageAssignment
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.store import SqlCatalogueRepository, SqlLicenceRequestRepository
from bot.store.platform.tables import audit_log
from devtools.connector_emulator import ConnectorEmulator
from tests.integration.bot.conftest import TENANT, StartBot, activity
from tests.support.chat import card_click

NORA = "9bc27e58-cefb-4a47-9a5a-7e8919747217"  # requester
JEF = "2d4f6a8c-0e1b-4d3f-a5c7-e9b1d3f5a7c9"  # her manager, the approver
LOTTE = "6c1e2f3a-9b4d-4e7f-8a21-3d5c7b9e0f12"  # a colleague with a copy of the payload
WORKSPACE_GROUP = "dcdd0d27-d599-450e-bf84-d58fd80b599f"
# The app runs its real worker on the real clock: the request must still be open when clicked.
NOW = datetime.now(UTC).replace(microsecond=0)


def click(service_url: str, user: str, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    return activity(service_url, user=user, conversation=f"a:{user}-chat", **card_click(verb, data))


@pytest.fixture
async def client(start_bot: StartBot) -> TestClient:
    return await start_bot()


async def pending_request(client: TestClient) -> int:
    database = client.app[DATABASE]
    item = CatalogueItem(
        "viewer", ItemKind.WORKSPACE_ROLE, "Lezer", "Viewer", Fulfilment.GROUP, WORKSPACE_GROUP
    )
    await SqlCatalogueRepository(database).replace(
        Catalogue(
            items=(item,),
            policies=(ApprovalPolicy("manager", (Stage(ApproverKind.MANAGER),)),),
            offers=(Offer("viewer", ALL_ENTITIES, "manager"),),
        )
    )
    requests = SqlLicenceRequestRepository(database)
    new = NewLicenceRequest(
        TENANT,
        NORA,
        "Nora",
        "ADV",
        "viewer",
        "Ruimtelijke data bekijken",
        (Stage(ApproverKind.MANAGER),),
    )
    submitted = await requests.add(new, NOW, AuditEntry(NOW, NORA, "licence.submit", Outcome.OK))
    pending = submitted.start_approval(
        StageAssignment((JEF,), NOW + timedelta(days=5), NOW + timedelta(days=2)), NOW
    )
    await requests.save(pending, expected_version=submitted.version)
    return pending.id


async def test_a_replayed_approval_by_someone_else_is_refused_and_audited(
    client: TestClient, connector_emulator: ConnectorEmulator
) -> None:
    request_id = await pending_request(client)
    data = {"request": request_id, "stage": 1, "comment": "ok"}

    answer = await client.post(
        "/api/messages", json=click(connector_emulator.service_url, LOTTE, "licence.approve", data)
    )

    assert answer.status == 200
    body = await answer.json()
    assert body["type"] == "application/vnd.microsoft.activity.message"  # a short answer
    request = await SqlLicenceRequestRepository(client.app[DATABASE]).get(request_id)
    assert request is not None and request.state is RequestState.PENDING_APPROVAL
    assert request.decisions == ()
    async with client.app[DATABASE].connect() as connection:
        rows = (
            (
                await connection.execute(
                    sa.select(audit_log).where(
                        audit_log.c.actor_id == LOTTE, audit_log.c.outcome == Outcome.DENIED.value
                    )
                )
            )
            .mappings()
            .all()
        )
    assert [(row["action"], row["object_id"]) for row in rows] == [
        ("licence.decide", str(request_id))
    ]


async def test_the_approver_clicking_the_same_payload_decides(
    client: TestClient, connector_emulator: ConnectorEmulator
) -> None:
    request_id = await pending_request(client)
    data = {"request": request_id, "stage": 1, "comment": "ok"}

    answer = await client.post(
        "/api/messages", json=click(connector_emulator.service_url, JEF, "licence.approve", data)
    )

    assert answer.status == 200
    body = await answer.json()
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Goedgekeurd door" in str(body["value"])
    request = await SqlLicenceRequestRepository(client.app[DATABASE]).get(request_id)
    assert request is not None and request.state is RequestState.APPROVED
    assert [d.approver_id for d in request.decisions] == [JEF]
