"""Routing at intake with rules, delegations and entity queues, and finishing items a crash left
unrouted: the real store, the real directory (emulator) and the real domain rules."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.post.items import Destination, DestinationKind, PostState, StoredDocument
from bot.domain.post.routing import Delegation, RoutingRule, RuleConditions
from bot.graph import GraphGateway
from bot.services.post.metadata import parse_metadata
from bot.store import SqlDelegationRepository, SqlRoutingRuleRepository
from bot.store.platform.tables import audit_log, outbox
from bot.store.post.tables import post_rules
from tests.integration.post.conftest import (
    JEF,
    LOTTE,
    NOW,
    TENANT,
    IntakeStack,
    admin_group,
    build_intake,
    metadata,
)
from tests.integration.post.files import tiny_pdf

TEAM_GROUP = "0b7a4c2e-61d9-4f3b-8e25-9c4d7f1a3e60"
TEAM_CHANNEL = "19:belastingen@thread.tacv2"


async def test_a_rule_sends_tax_letters_into_a_team_channel(stack: IntakeStack) -> None:
    target = f"{TEAM_GROUP}|{TEAM_CHANNEL}"
    await SqlRoutingRuleRepository(stack.database).replace(
        [
            RoutingRule(
                "R-001",
                10,
                Destination(DestinationKind.TEAM, target),
                RuleConditions(sender_contains="fod financien"),
            )
        ]
    )

    body = await (await stack.post(tiny_pdf(), metadata())).json()

    assert body["routedTo"] == {"kind": "team", "target": target}
    item = await stack.items.get(body["id"])
    assert item is not None and item.rule_id == "R-001" and item.addressee_id == JEF
    [message] = await stack.rows(outbox)
    assert message["conversation_id"] == TEAM_CHANNEL
    assert message["service_url"] == "https://smba.trafficmanager.net/emea/"


async def test_a_delegation_sends_jefs_post_to_lotte(stack: IntakeStack) -> None:
    await SqlDelegationRepository(stack.database).add(
        Delegation(JEF, LOTTE, date(2026, 11, 23), date(2026, 12, 4), JEF, NOW)
    )

    body = await (await stack.post(tiny_pdf(), metadata())).json()

    assert body["routedTo"] == {"kind": "person", "target": LOTTE}
    item = await stack.items.get(body["id"])
    assert item is not None and item.delegated_from == JEF and item.addressee_id == JEF
    assert [m["recipient_id"] for m in await stack.rows(outbox)] == [LOTTE]


async def test_an_entity_queue_tells_each_of_the_entitys_admins(stack: IntakeStack) -> None:
    await SqlRoutingRuleRepository(stack.database).replace(
        [
            RoutingRule(
                "R-ADV",
                1,
                Destination(DestinationKind.ENTITY, "ADV"),
                RuleConditions(addressee_text="digitaal vlaanderen"),
            )
        ]
    )
    admins = {m.lower() for m in stack.emulator.tenant.group(admin_group("adv"))["members"]}
    assert admins

    response = await stack.post(
        tiny_pdf(), metadata(addressee="Agentschap Digitaal Vlaanderen, Havenlaan 88")
    )

    body = await response.json()
    assert body["routedTo"] == {"kind": "entity", "target": "ADV"}
    told = {m["recipient_id"].lower() for m in await stack.rows(outbox)}
    assert told == admins


async def test_route_pending_finishes_an_item_a_crash_left_unrouted(stack: IntakeStack) -> None:
    # What a crash between storing and routing leaves behind: a RECEIVED item and its scan.
    document: StoredDocument = await stack.document_store().put("scan.pdf", tiny_pdf())
    item, created = await stack.items.add(
        TENANT,
        parse_metadata(json.dumps(metadata("crashed"))),
        document,
        NOW,
        AuditEntry(NOW, "intake:scanner", "post.intake", Outcome.OK),
    )
    assert created and item.state is PostState.RECEIVED

    assert await stack.intake.route_pending(10) == 1
    assert await stack.intake.route_pending(10) == 0

    routed = await stack.items.get(item.id)
    assert routed is not None and routed.state is PostState.ROUTED
    assert routed.destination == Destination(DestinationKind.PERSON, JEF)
    assert [m["recipient_id"] for m in await stack.rows(outbox)] == [JEF]
    # the scanner retrying now gets the routed item, and nothing is stored twice
    again = await stack.post(tiny_pdf(), metadata("crashed"))
    assert again.status == 200
    assert (await again.json())["status"] == "routed"
    assert len(stack.document_files()) == 1


async def test_when_routing_breaks_the_item_is_kept_received_and_routed_later(
    stack: IntakeStack,
) -> None:
    # The rules table gone (a botched manual change): routing cannot decide anything.
    async with stack.database.transaction() as connection:
        await connection.execute(sa.text("DROP TABLE post_rules"))

    response = await stack.post(tiny_pdf(), metadata("broken"))

    assert response.status == 201
    body = await response.json()
    assert body["status"] == "received"
    assert len(stack.document_files()) == 1
    assert await stack.rows(outbox) == []

    async with stack.database.transaction() as connection:
        await connection.run_sync(lambda sync: post_rules.create(sync))
    stack.intake.forget_rules()
    assert await stack.intake.route_pending(10) == 1
    item = await stack.items.get(body["id"])
    assert item is not None and item.state is PostState.ROUTED
    assert [m["recipient_id"] for m in await stack.rows(outbox)] == [JEF]


async def test_without_add_with_an_item_is_stored_and_routed_in_two_steps(
    stack: IntakeStack, intake_gateway: GraphGateway, tmp_path: Path
) -> None:
    intake = build_intake(
        stack.database,
        intake_gateway,
        tmp_path / "two-steps",
        max_bytes=stack.settings.post_max_bytes,
        one_step=False,
    )

    item, created = await intake.receive(
        TENANT, parse_metadata(json.dumps(metadata("two"))), tiny_pdf(), "scanner"
    )

    assert created and item.state is PostState.ROUTED and item.version == 2
    assert item.destination == Destination(DestinationKind.PERSON, JEF)
    assert [a["action"] for a in await stack.rows(audit_log)] == ["post.intake", "post.route"]
    assert [m["recipient_id"] for m in await stack.rows(outbox)] == [JEF]
