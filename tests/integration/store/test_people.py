"""Seen users and conversation references: race-free upserts on both dialects."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.domain.platform.conversations import ConversationRef, SeenUser
from bot.store import Database, SqlConversationRefRepository, SqlUserRepository
from bot.store.platform.tables import users as users_table
from tests.support.clock import FakeClock

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


async def test_a_new_user_is_stored_and_read_back(database: Database) -> None:
    users = SqlUserRepository(database)
    user = SeenUser("u1", "t1", "an@example.org", "An Peeters", "nl", "Financiën")
    await users.upsert(user)
    assert await users.get("u1") == user
    assert await users.get("nobody") is None


async def test_an_upsert_refreshes_but_never_blanks_known_fields(database: Database) -> None:
    clock = FakeClock(T0)
    users = SqlUserRepository(database, clock=clock)
    await users.upsert(SeenUser("u1", "t1", "an@example.org", "An Peeters", "nl", "Financiën"))
    clock.advance(days=1)
    await users.upsert(SeenUser("u1", "t1", "", "An Peeters-Janssens", "en", ""))
    assert await users.get("u1") == SeenUser(
        "u1", "t1", "an@example.org", "An Peeters-Janssens", "en", "Financiën"
    )
    query = sa.select(users_table.c.first_seen, users_table.c.last_seen)
    async with database.connect() as connection:
        seen = (await connection.execute(query)).one()
    assert tuple(seen) == (T0, T0 + timedelta(days=1))


async def test_concurrent_upserts_of_one_user_do_not_collide(database: Database) -> None:
    users = SqlUserRepository(database)
    await asyncio.gather(
        *(users.upsert(SeenUser("u1", "t1", display_name=f"v{i}")) for i in range(20))
    )
    stored = await users.get("u1")
    assert stored is not None and stored.display_name.startswith("v")


async def test_a_conversation_reference_is_replaced_per_tenant_and_user(
    database: Database,
) -> None:
    refs = SqlConversationRefRepository(database, clock=FakeClock(T0))
    first = ConversationRef("u1", "t1", "https://smba.example/emea/", "a:old", "28:bot")
    await refs.save(first)
    await refs.save(ConversationRef("u1", "t2", "https://smba.example/emea/", "a:other", "28:bot"))
    newer = ConversationRef(
        "u1", "t1", "https://smba.example/amer/", "a:new", "28:bot", locale="en", updated_at=T0
    )
    await refs.save(newer)
    assert await refs.get("t1", "u1") == newer
    other = await refs.get("t2", "u1")
    assert other is not None and other.conversation_id == "a:other"
    assert other.updated_at == T0  # from the clock when the caller gives no time
    assert await refs.get("t1", "nobody") is None


async def test_concurrent_saves_of_one_reference_do_not_collide(database: Database) -> None:
    refs = SqlConversationRefRepository(database)
    await asyncio.gather(
        *(
            refs.save(ConversationRef("u1", "t1", "https://smba.example/", f"a:{i}", "28:bot"))
            for i in range(20)
        )
    )
    stored = await refs.get("t1", "u1")
    assert stored is not None and stored.conversation_id.startswith("a:")
