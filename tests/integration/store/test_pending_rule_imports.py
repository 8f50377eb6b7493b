"""Routing rules checked in chat wait in the database: one per person, taken once, on both
dialects (two replicas confirming at once apply once)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.domain.platform.actors import Actor
from bot.domain.post.items import Destination, DestinationKind, DocumentType
from bot.domain.post.routing import RoutingRule, RuleConditions
from bot.domain.post.rule_imports import PendingRuleImport
from bot.store import Database, SqlPendingRuleImports
from bot.store.post.tables import post_rule_imports

NOW = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
TENANT = "tenant-1"
CLERK = Actor("Clerk-1", TENANT)
RULES = (
    RoutingRule(
        "R-001",
        1,
        Destination(DestinationKind.TEAM, "45051185-e7a1-43b1-a23e-15b0763768d2|19:abc@thread"),
        RuleConditions(
            addressee_ids=("8d0f4a3e-8a4b-4c2e-9f47-0c6a8f2b1d11",),
            addressee_text="dienst financiën",
            sender_contains="FOD",
            document_types=frozenset({DocumentType.INVOICE, DocumentType.LETTER}),
            keywords=("subsidie", "premie"),
        ),
        entity="ADV",
        description="Facturen naar Financiën",
    ),
    RoutingRule("R-002", 2, Destination(DestinationKind.TRIAGE), active=False),
)


def checked(
    actor: Actor = CLERK,
    import_id: str = "a" * 32,
    rules: tuple[RoutingRule, ...] = RULES,
    scope: frozenset[str] | None = None,
    now: datetime = NOW,
) -> PendingRuleImport:
    return PendingRuleImport.checked(import_id, actor, rules, RULES[:1], scope, now)


async def count(database: Database) -> int:
    async with database.connect() as connection:
        query = sa.select(sa.func.count()).select_from(post_rule_imports)
        return int((await connection.execute(query)).scalar_one())


async def test_what_was_kept_comes_back_as_it_was_once(database: Database) -> None:
    pending = SqlPendingRuleImports(database)
    kept = checked(scope=frozenset({"ADV", "DOMG"}))
    await pending.keep(kept)
    taken = await pending.take(TENANT, "clerk-1")  # ids are compared as Entra writes them
    assert taken == kept
    assert taken is not None and taken.is_for(CLERK)
    assert await pending.take(TENANT, "clerk-1") is None
    await pending.keep(checked(scope=None))
    again = await pending.take(TENANT, "Clerk-1")
    assert again is not None and again.scope is None


async def test_only_the_uploader_takes_it(database: Database) -> None:
    pending = SqlPendingRuleImports(database)
    await pending.keep(checked())
    assert await pending.take(TENANT, "someone-else") is None
    assert await pending.take("other-tenant", "clerk-1") is None
    assert await pending.take(TENANT, "clerk-1") is not None


async def test_a_newer_check_replaces_the_older(database: Database) -> None:
    pending = SqlPendingRuleImports(database)
    await pending.keep(checked(import_id="a" * 32))
    await pending.keep(checked(import_id="b" * 32, rules=RULES[:1], now=NOW + timedelta(minutes=1)))
    await pending.keep(checked(Actor("other", TENANT), import_id="c" * 32))
    assert await count(database) == 2
    taken = await pending.take(TENANT, "clerk-1")
    assert taken is not None and (taken.id, taken.rules) == ("b" * 32, RULES[:1])


async def test_expired_ones_are_forgotten_when_others_are_kept(database: Database) -> None:
    pending = SqlPendingRuleImports(database)
    await pending.keep(checked(Actor("early", TENANT), import_id="a" * 32))
    await pending.keep(checked(import_id="b" * 32, now=NOW + timedelta(minutes=10)))
    assert await count(database) == 1
    assert await pending.take(TENANT, "early") is None


async def test_two_confirmations_at_once_take_it_once(
    database: Database, database_url: str
) -> None:
    await SqlPendingRuleImports(database).keep(checked())
    replicas = [Database(database_url), Database(database_url)]
    try:
        found = await asyncio.gather(
            *(SqlPendingRuleImports(replica).take(TENANT, "clerk-1") for replica in replicas)
        )
    finally:
        for replica in replicas:
            await replica.dispose()
    assert sorted(taken is None for taken in found) == [False, True]
