"""Messages that edit an earlier one in place (`replaces`), end to end: real store (SQLite and
PostgreSQL), real ConnectorDelivery, and the connector emulator over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot.domain.platform.outbox import (
    NOTHING_TO_DELETE,
    NewOutboxMessage,
    OutboxStatus,
    deletion_of,
)
from bot.store import Database
from devtools.connector_emulator import ConnectorEmulator
from tests.integration.outbox.stack import TENANT, Stack
from tests.support.connector import EmulatorFactory

LIMIT = 20


def card(title: str) -> dict[str, Any]:
    content = {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": title}]}
    return {"contentType": "application/vnd.microsoft.card.adaptive", "content": content}


def approval(person: str, **target: Any) -> NewOutboxMessage:
    activity = {"type": "message", "attachments": [card("Goedkeuren?")]}
    return NewOutboxMessage(TENANT, f"card:{person}", activity, recipient_id=person, **target)


def closed(person: str, **target: Any) -> NewOutboxMessage:
    activity = {"type": "message", "attachments": [card(f"Goedgekeurd ({person})")]}
    return NewOutboxMessage(
        TENANT,
        f"closed:{person}",
        activity,
        recipient_id=person,
        replaces=f"card:{person}",
        **target,
    )


@pytest.fixture
async def emulator(connector_emulator_factory: EmulatorFactory) -> ConnectorEmulator:
    return await connector_emulator_factory(tenant_rate_per_second=LIMIT)


@pytest.fixture
async def stack(database: Database, emulator: ConnectorEmulator) -> AsyncIterator[Stack]:
    stack = Stack(database, emulator)
    yield stack
    await stack.close()


async def assert_edited(stack: Stack, person: str) -> None:
    """The person's card went out once and now shows the replacement, under the same id."""
    original = await stack.repo.by_dedupe_key(f"card:{person}")
    edit = await stack.repo.by_dedupe_key(f"closed:{person}")
    assert original is not None and edit is not None
    assert (original.status, edit.status) == (OutboxStatus.SENT, OutboxStatus.SENT)
    assert original.activity_id and edit.activity_id == original.activity_id
    posted = stack.emulator.message(original.activity_id)
    assert posted is not None
    assert posted.attachments == [card(f"Goedgekeurd ({person})")]
    assert posted.edits == 1


async def test_a_replacement_edits_the_card_sent_earlier(stack: Stack) -> None:
    [person] = await stack.known_people(1)
    await stack.notifier.enqueue_many([approval(person)])
    await stack.run_until_done(stack.sender())
    await stack.notifier.enqueue_many([closed(person)])
    await stack.run_until_done(stack.sender())

    await assert_edited(stack, person)
    assert len(stack.emulator.sends()) == 1
    [update] = stack.emulator.updates()
    assert update.conversation_id == f"a:1{person.replace('-', '')}"
    assert stack.emulator.duplicates == 0


async def test_a_card_opened_in_a_new_chat_is_edited_there(stack: Stack) -> None:
    await stack.notifier.enqueue_many([approval("newcomer")])  # no chat yet: opened on the way
    await stack.run_until_done(stack.sender())
    await stack.notifier.enqueue_many([closed("newcomer")])
    await stack.run_until_done(stack.sender())
    await assert_edited(stack, "newcomer")
    [update] = stack.emulator.updates()
    assert update.conversation_id == stack.emulator.sends()[0].conversation_id


@pytest.mark.parametrize("deferred", [True, False], ids=["deferred-original", "same-batch"])
async def test_a_replacement_queued_before_its_original_went_out_waits_then_edits(
    stack: Stack, deferred: bool
) -> None:
    [person] = await stack.known_people(1)
    original = approval(person)
    if deferred:  # the original may not go out for another second
        later = stack.clock.now() + timedelta(seconds=1)
        original = replace(original, not_before=later)
    await stack.notifier.enqueue_many([original, closed(person)])
    await stack.run_until_done(stack.sender())

    await assert_edited(stack, person)
    [sent] = stack.emulator.sends()
    [update] = stack.emulator.updates()
    assert update.at > sent.at
    edit = await stack.repo.by_dedupe_key(f"closed:{person}")
    assert edit is not None
    if deferred:
        assert edit.attempts >= 1  # it waited (and that did not cost it the edit)
    assert not [r for r in stack.emulator.requests if r.status == 404]


async def test_a_replacement_of_a_card_that_never_went_out_is_gone(stack: Stack) -> None:
    blocker, fine = await stack.known_people(2)
    stack.emulator.block_user(blocker, "ConversationBlockedByUser")
    await stack.notifier.enqueue_many([approval(blocker), approval(fine)])
    await stack.run_until_done(stack.sender())
    unknown = NewOutboxMessage(TENANT, "closed:ghost", {"text": "x"}, fine, replaces="card:ghost")
    await stack.notifier.enqueue_many([closed(blocker), closed(fine), unknown])
    await stack.run_until_done(stack.sender())

    for key in (f"closed:{blocker}", "closed:ghost"):
        edit = await stack.repo.by_dedupe_key(key)
        assert edit is not None
        assert (edit.status, edit.last_error, edit.activity_id) == (
            OutboxStatus.GONE,
            "nothing to replace",
            "",
        )
    await assert_edited(stack, fine)
    assert [r.method for r in stack.emulator.requests].count("PUT") == 1


async def test_sends_and_edits_together_stay_within_the_tenant_limit(
    database: Database, connector_emulator_factory: EmulatorFactory
) -> None:
    """With the emulator only measuring, the sender alone keeps sends and edits together within
    the limit: an edit takes a permit like a send."""
    measuring = await connector_emulator_factory(tenant_rate_per_second=None)
    stack = Stack(database, measuring)
    try:
        people = await stack.known_people(30)
        await stack.notifier.enqueue_many(
            [approval(person) for person in people] + [closed(person) for person in people]
        )
        await stack.run_until_done(stack.sender(rate=LIMIT, concurrency=16))
        for person in people:
            await assert_edited(stack, person)
    finally:
        await stack.close()
    assert (len(measuring.sends()), len(measuring.updates())) == (30, 30)
    assert measuring.max_per_second_window <= LIMIT
    assert measuring.duplicates == 0


async def test_edits_to_one_channel_all_land_under_its_conversation_limit(stack: Stack) -> None:
    """Six cards and their six edits in one channel: more than Teams takes from a bot in one
    conversation within two seconds (8), so the edits meet 429s, wait and still all land."""
    channel = "19:approvals@thread.tacv2"
    stack.emulator.add_conversation(channel, TENANT)
    target = {"conversation_id": channel, "service_url": stack.emulator.service_url}
    people = [f"approver-{index}" for index in range(6)]
    await stack.notifier.enqueue_many([approval(person, **target) for person in people])
    await stack.run_until_done(stack.sender(max_attempts=8))
    await stack.notifier.enqueue_many([closed(person, **target) for person in people])
    await stack.run_until_done(stack.sender(max_attempts=8))

    for person in people:
        await assert_edited(stack, person)
    writes = sorted(r.at for r in stack.emulator.requests if 200 <= r.status < 300)
    assert len(writes) == 12
    # never more than 7 writes to the channel in any second, edits included (Teams: 7 per 1 s)
    assert all(sum(1 for other in writes if at - 1.0 < other <= at) <= 7 for at in writes)


def thread_root(
    channel: str, emulator: ConnectorEmulator, key: str = "ticket-1-desk"
) -> NewOutboxMessage:
    activity = {"type": "message", "attachments": [card("Melding SD-2026-000001")]}
    return NewOutboxMessage(
        TENANT, key, activity, conversation_id=channel, service_url=emulator.service_url
    )


def in_thread(
    channel: str, emulator: ConnectorEmulator, key: str, root: str = "ticket-1-desk"
) -> NewOutboxMessage:
    activity = {"type": "message", "attachments": [card(key)]}
    return NewOutboxMessage(
        TENANT,
        key,
        activity,
        conversation_id=channel,
        service_url=emulator.service_url,
        thread_of=root,
    )


@pytest.mark.parametrize("together", [True, False], ids=["queued-with-its-root", "after-it"])
async def test_a_thread_message_is_posted_under_its_root_once_the_root_is_out(
    stack: Stack, together: bool
) -> None:
    channel = "19:servicedesk@thread.tacv2"
    stack.emulator.add_conversation(channel, TENANT)
    root = thread_root(channel, stack.emulator)
    answers = [in_thread(channel, stack.emulator, f"ticket-1-requester.v{n}") for n in (2, 3)]
    if together:
        await stack.notifier.enqueue_many([root, *answers])
    else:
        await stack.notifier.enqueue_many([root])
        await stack.run_until_done(stack.sender())
        await stack.notifier.enqueue_many(answers)
    await stack.run_until_done(stack.sender())

    posted = await stack.repo.by_dedupe_key("ticket-1-desk")
    assert posted is not None and posted.status is OutboxStatus.SENT and posted.activity_id
    thread = f"{channel};messageid={posted.activity_id}"
    sends = stack.emulator.sends()
    assert [s.conversation_id for s in sends] == [channel, thread, thread]
    assert await stack.repo.sent_as(channel, posted.activity_id) == "ticket-1-desk"
    assert await stack.repo.sent_as(channel, "not-a-message") is None


async def test_a_thread_message_whose_root_never_went_out_goes_to_the_channel(
    stack: Stack,
) -> None:
    channel = "19:servicedesk@thread.tacv2"
    stack.emulator.add_conversation(channel, TENANT)
    orphan = in_thread(channel, stack.emulator, "ticket-9-requester.v2", root="ticket-9-desk")
    await stack.notifier.enqueue_many([orphan])
    await stack.run_until_done(stack.sender())
    stored = await stack.repo.by_dedupe_key("ticket-9-requester.v2")
    assert stored is not None and stored.status is OutboxStatus.SENT
    assert [s.conversation_id for s in stack.emulator.sends()] == [channel]


def recalled(person: str, **target: Any) -> NewOutboxMessage:
    return deletion_of(
        f"card:{person}",
        tenant_id=TENANT,
        dedupe_key=f"recall:{person}",
        recipient_id=person,
        **target,
    )


async def test_a_deletion_after_the_original_went_out_deletes_it_in_teams(stack: Stack) -> None:
    [person] = await stack.known_people(1)
    await stack.notifier.enqueue_many([approval(person)])
    await stack.run_until_done(stack.sender())
    await stack.notifier.enqueue_many([recalled(person)])
    await stack.run_until_done(stack.sender())

    original = await stack.repo.by_dedupe_key(f"card:{person}")
    deletion = await stack.repo.by_dedupe_key(f"recall:{person}")
    assert original is not None and deletion is not None
    assert (deletion.status, deletion.last_error) == (OutboxStatus.SENT, "")
    assert deletion.activity_id == original.activity_id != ""
    [deleted] = stack.emulator.deletions()
    assert (deleted.conversation_id, deleted.activity_id) == (
        f"a:1{person.replace('-', '')}",
        original.activity_id,
    )
    posted = stack.emulator.message(original.activity_id)
    assert posted is not None and posted.deleted
    assert [r.method for r in stack.emulator.requests] == ["POST", "DELETE"]


async def test_a_deletion_whose_original_never_went_out_finishes_without_a_call(
    stack: Stack,
) -> None:
    blocker, _ = await stack.known_people(2)
    stack.emulator.block_user(blocker, "ConversationBlockedByUser")
    await stack.notifier.enqueue_many([approval(blocker)])
    await stack.run_until_done(stack.sender())
    requests_before = len(stack.emulator.requests)
    await stack.notifier.enqueue_many([recalled(blocker), recalled("ghost")])
    await stack.run_until_done(stack.sender())

    for person in (blocker, "ghost"):
        deletion = await stack.repo.by_dedupe_key(f"recall:{person}")
        assert deletion is not None
        assert (deletion.status, deletion.last_error, deletion.attempts) == (
            OutboxStatus.SENT,
            NOTHING_TO_DELETE,
            1,
        )
    assert len(stack.emulator.requests) == requests_before
    assert stack.emulator.deletions() == []


@pytest.mark.parametrize("deferred", [True, False], ids=["deferred-original", "same-batch"])
async def test_a_deletion_queued_while_its_original_is_pending_waits_then_deletes(
    stack: Stack, deferred: bool
) -> None:
    [person] = await stack.known_people(1)
    original = approval(person)
    if deferred:
        original = replace(original, not_before=stack.clock.now() + timedelta(seconds=1))
    await stack.notifier.enqueue_many([original, recalled(person)])
    await stack.run_until_done(stack.sender())

    [sent] = stack.emulator.sends()
    [deleted] = stack.emulator.deletions()
    assert deleted.activity_id == sent.activity_id and deleted.at > sent.at
    deletion = await stack.repo.by_dedupe_key(f"recall:{person}")
    assert deletion is not None and deletion.status is OutboxStatus.SENT
    assert deletion.last_error == ""  # deleted, not "nothing to delete"
    if deferred:
        assert deletion.attempts >= 2  # it waited for its original, then deleted it
    assert not [r for r in stack.emulator.requests if r.status == 404]
