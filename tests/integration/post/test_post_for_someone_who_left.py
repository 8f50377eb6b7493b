"""Post for someone who left, through the real intake API: the Graph emulator's demo tenant has
Hanne Goossens (Omgeving) with a disabled account. What reaches her goes to her delegate, else to
the mailroom's triage queue with the reason; rules that name her are warned about on import."""

from __future__ import annotations

from datetime import date

from bot.domain.post.items import Destination, DestinationKind, PostState
from bot.domain.post.routing import (
    ADDRESSEE_INACTIVE_REASON,
    RULE_PERSON_INACTIVE_REASON,
    Delegation,
    RoutingRule,
    RuleConditions,
)
from bot.graph import GraphGateway
from bot.i18n import Translator
from bot.services.post.rules_warnings import (
    PERSON_DISABLED,
    PERSON_UNKNOWN,
    describe_warning,
    rules_to_inactive_people,
)
from bot.store import SqlDelegationRepository, SqlRoutingRuleRepository
from bot.store.platform.tables import outbox
from tests.integration.post.conftest import (
    JEF,
    MAILROOM_CHANNEL,
    NOW,
    IntakeStack,
    metadata,
)
from tests.integration.post.files import tiny_pdf

HANNE = "faa0fa5f-cac9-4449-acca-8f8b303e5795"  # Omgeving, account disabled in the demo tenant
ELISE = "adf80054-6e7e-4a6e-83cd-d7f6b9ffa881"  # Omgeving
NOBODY = "00000000-0000-4000-8000-000000000000"
FOR_HANNE = "Departement Omgeving\nT.a.v. Mevr. H. Goossens"


async def away(stack: IntakeStack, user_id: str, delegate_id: str) -> None:
    await SqlDelegationRepository(stack.database).add(
        Delegation(user_id, delegate_id, date(2026, 11, 1), date(2026, 12, 31), user_id, NOW)
    )


async def test_the_demo_tenant_has_someone_who_left(intake_gateway: GraphGateway) -> None:
    hanne = await intake_gateway.directory.get_user(HANNE)
    assert hanne.account_enabled is False
    [found] = await intake_gateway.directory.find_users("goossens")
    assert found.id == HANNE and found.account_enabled is False


async def test_a_letter_for_someone_who_left_goes_to_her_delegate(stack: IntakeStack) -> None:
    await away(stack, HANNE, ELISE)

    response = await stack.post(tiny_pdf(), metadata(addressee=FOR_HANNE))

    assert response.status == 201
    body = await response.json()
    assert body["routedTo"] == {"kind": "person", "target": ELISE}
    item = await stack.items.get(body["id"])
    assert item is not None
    assert item.addressee_id == HANNE and item.delegated_from == HANNE
    assert [m["recipient_id"] for m in await stack.rows(outbox)] == [ELISE]


async def test_a_letter_for_someone_who_left_without_a_delegate_goes_to_triage(
    stack: IntakeStack,
) -> None:
    response = await stack.post(tiny_pdf(), metadata(addressee=FOR_HANNE))

    assert response.status == 201
    body = await response.json()
    assert body["status"] == "triage"
    item = await stack.items.get(body["id"])
    assert item is not None and item.state is PostState.TRIAGE
    assert item.triage_reason == ADDRESSEE_INACTIVE_REASON
    assert item.addressee_id == HANNE  # the mailroom sees whom it was for
    [message] = await stack.rows(outbox)
    assert message["conversation_id"] == MAILROOM_CHANNEL and message["recipient_id"] == ""


async def test_a_rule_to_someone_who_left_sends_to_triage_with_the_rules_reason(
    stack: IntakeStack,
) -> None:
    await SqlRoutingRuleRepository(stack.database).replace(
        [
            RoutingRule(
                "R-004",
                1,
                Destination(DestinationKind.PERSON, HANNE),
                RuleConditions(sender_contains="fod financien"),
            )
        ]
    )

    body = await (await stack.post(tiny_pdf(), metadata())).json()

    item = await stack.items.get(body["id"])
    assert item is not None and item.state is PostState.TRIAGE
    assert item.triage_reason == RULE_PERSON_INACTIVE_REASON and item.rule_id == "R-004"
    assert [m["recipient_id"] for m in await stack.rows(outbox)] == [""]


async def test_a_delegate_who_left_leaves_the_post_with_the_addressee(stack: IntakeStack) -> None:
    await away(stack, JEF, HANNE)

    body = await (await stack.post(tiny_pdf(), metadata())).json()

    assert body["routedTo"] == {"kind": "person", "target": JEF}
    assert [m["recipient_id"] for m in await stack.rows(outbox)] == [JEF]


async def test_the_rules_check_warns_about_people_who_left(intake_gateway: GraphGateway) -> None:
    rules = [
        RoutingRule("R-001", 1, Destination(DestinationKind.PERSON, JEF)),
        RoutingRule("R-002", 2, Destination(DestinationKind.PERSON, HANNE)),
        RoutingRule("R-003", 3, Destination(DestinationKind.PERSON, NOBODY)),
        RoutingRule("R-004", 4, Destination(DestinationKind.PERSON, HANNE), active=False),
        RoutingRule("R-005", 5, Destination(DestinationKind.ENTITY, "DOMG")),
    ]

    warnings = await rules_to_inactive_people(rules, intake_gateway.directory)

    assert [(w.rule_id, w.person_id, w.message_key) for w in warnings] == [
        ("R-002", HANNE, PERSON_DISABLED),
        ("R-003", NOBODY, PERSON_UNKNOWN),
    ]
    said = describe_warning(warnings[0], {HANNE: "Hanne Goossens"}, Translator("nl"))
    assert "R-002" in said and "Hanne Goossens" in said and "uitgeschakeld" in said
