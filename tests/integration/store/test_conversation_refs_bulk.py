"""Looking many conversation references up at once (the outbox sender's batches)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.platform.conversations import ConversationRef
from bot.store import Database, SqlConversationRefRepository

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
SERVICE_URL = "https://smba.example/emea/"


def ref(user_id: str, tenant_id: str = "t1") -> ConversationRef:
    return ConversationRef(
        user_id, tenant_id, SERVICE_URL, f"a:{tenant_id}:{user_id}", "28:bot", updated_at=T0
    )


async def test_only_the_references_found_in_the_tenant_come_back(database: Database) -> None:
    refs = SqlConversationRefRepository(database)
    for stored in (ref("u1"), ref("u2"), ref("u3", tenant_id="t2")):
        await refs.save(stored)
    found = await refs.get_many("t1", ["u1", "u2", "u3", "nobody"])
    assert found == {"u1": ref("u1"), "u2": ref("u2")}  # u3 lives in another tenant
    assert found["u1"] == await refs.get("t1", "u1")  # the same as one at a time


async def test_duplicates_and_an_empty_list_are_harmless(database: Database) -> None:
    refs = SqlConversationRefRepository(database)
    await refs.save(ref("u1"))
    assert await refs.get_many("t1", ["u1", "u1", "nobody", "u1"]) == {"u1": ref("u1")}
    assert await refs.get_many("t1", []) == {}
    assert await refs.get_many("unknown-tenant", ["u1"]) == {}


async def test_a_list_longer_than_one_query_allows_is_looked_up_whole(
    database: Database,
) -> None:
    refs = SqlConversationRefRepository(database)
    stored = [f"u{index:04d}" for index in range(0, 1300, 2)]  # every other one has a reference
    for user_id in stored:
        await refs.save(ref(user_id))
    asked = [f"u{index:04d}" for index in range(1300)]  # 1,300 ids: three chunks of IN (...)
    found = await refs.get_many("t1", asked + asked[:10])
    assert sorted(found) == stored
    assert all(found[user_id] == ref(user_id) for user_id in stored)
