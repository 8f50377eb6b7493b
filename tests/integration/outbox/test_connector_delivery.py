"""ConnectorDelivery against the connector emulator over HTTP, with the real reference store."""

from __future__ import annotations

import base64
import contextlib
import json
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.platform.connector_hosts import ConnectorHosts
from bot.domain.platform.conversations import ConversationRef
from bot.domain.platform.delivery import DeliveryOutcome, PermitWithdrawn, Verdict
from bot.domain.platform.outbox import (
    DELETE_ACTIVITY,
    NOTHING_TO_DELETE,
    OutboxMessage,
    OutboxStatus,
    deletion_of,
)
from bot.store import Database, SqlConversationRefRepository
from bot.teams.delivery import ConnectorDelivery
from devtools.connector_emulator import ConnectorEmulator
from tests.unit.outbox.fakes import FakeConversationRefs

TENANT = "tenant-1"
# The connector emulator stands in for Teams on a local port.
LOCAL = ConnectorHosts(["127.0.0.1"])


def outbox_message(
    key: str,
    recipient: str = "",
    conversation_id: str = "",
    service_url: str = "",
    activity: dict[str, object] | None = None,
    replaces: str = "",
) -> OutboxMessage:
    return OutboxMessage(
        id=abs(hash(key)) % 100_000,
        tenant_id=TENANT,
        dedupe_key=key,
        activity=activity if activity is not None else {"type": "message", "text": "Hallo"},
        status=OutboxStatus.IN_FLIGHT,
        attempts=0,
        created_at=datetime.now(UTC),
        recipient_id=recipient,
        conversation_id=conversation_id,
        service_url=service_url,
        replaces=replaces,
    )


class Permits:
    """Counts the connector requests a delivery asked permission for."""

    def __init__(self) -> None:
        self.granted = 0

    @contextlib.asynccontextmanager
    async def __call__(self) -> AsyncIterator[None]:
        self.granted += 1
        yield


async def send(
    delivery: ConnectorDelivery, message: OutboxMessage, permits: Permits | None = None
) -> DeliveryOutcome:
    return await delivery.deliver(message, permits or Permits())


def jwt_expiring_in(seconds: float) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = {"appid": "werkplek-app", "exp": int(time.time() + seconds)}
    return f"{part({'alg': 'none'})}.{part(claims)}.signature"


@pytest.fixture
async def refs(database: Database) -> SqlConversationRefRepository:
    return SqlConversationRefRepository(database)


@pytest.fixture
async def delivery(
    connector_emulator: ConnectorEmulator, refs: SqlConversationRefRepository
) -> AsyncIterator[ConnectorDelivery]:
    delivery = ConnectorDelivery(
        connector_hosts=LOCAL,
        conversations=refs,
        bot_app_id="28:bot",
        default_service_url=connector_emulator.service_url,
    )
    yield delivery
    await delivery.close()


async def test_sends_to_a_stored_reference_with_the_dedupe_key_and_tenant(
    connector_emulator: ConnectorEmulator,
    refs: SqlConversationRefRepository,
    delivery: ConnectorDelivery,
) -> None:
    await refs.save(
        ConversationRef("u1", TENANT, connector_emulator.service_url, "a:1known", "28:bot")
    )
    card = {
        "contentType": "application/vnd.microsoft.card.adaptive",
        "content": {"type": "AdaptiveCard"},
    }
    permits = Permits()
    outcome = await send(
        delivery,
        outbox_message("k1", "u1", activity={"text": "Hallo", "attachments": [card]}),
        permits,
    )
    assert (outcome.verdict, permits.granted) == (Verdict.SENT, 1)
    [sent] = connector_emulator.sends()
    assert sent.conversation_id == "a:1known" and sent.activity_id == outcome.activity_id
    assert sent.activity["type"] == "message"
    assert sent.activity["attachments"] == [card]
    assert sent.activity["channelData"] == {"tenant": {"id": TENANT}, "werkplekDedupeKey": "k1"}
    assert not sent.had_token  # anonymous local mode


async def test_posts_to_an_explicit_conversation_under_a_path_prefixed_service_url(
    connector_emulator: ConnectorEmulator, delivery: ConnectorDelivery
) -> None:
    service_url = connector_emulator.service_url + "emea"  # like https://smba.../emea/
    message = outbox_message(
        "k", conversation_id="19:channel@thread.tacv2", service_url=service_url
    )
    outcome = await send(delivery, message)
    assert outcome.verdict is Verdict.SENT
    assert (
        connector_emulator.requests[-1].path
        == "/emea/v3/conversations/19:channel@thread.tacv2/activities"
    )


async def test_a_failed_chat_opening_for_someone_without_the_app_is_unreachable(
    connector_emulator: ConnectorEmulator, delivery: ConnectorDelivery
) -> None:
    connector_emulator.block_user("nobody", "BotNotInConversationRoster")
    permits = Permits()
    outcome = await send(delivery, outbox_message("k", "nobody"), permits)
    assert (outcome.verdict, outcome.status, permits.granted) == (Verdict.UNREACHABLE, 403, 1)
    assert outcome.error == "open: 403"


async def test_throttling_reports_retry_after(
    connector_emulator: ConnectorEmulator, delivery: ConnectorDelivery
) -> None:
    connector_emulator.inject(429, times=1, retry_after=7)
    outcome = await send(delivery, outbox_message("k", conversation_id="a:1x"))
    assert (outcome.verdict, outcome.retry_after, outcome.is_throttled) == (
        Verdict.RETRY,
        7.0,
        True,
    )
    assert outcome.error == "send: 429 TooManyRequests"


async def test_an_unreachable_connector_is_a_retry(refs: SqlConversationRefRepository) -> None:
    delivery = ConnectorDelivery(
        connector_hosts=LOCAL,
        conversations=refs,
        bot_app_id="28:bot",
        default_service_url="http://127.0.0.1:9/",
    )
    try:
        outcome = await send(delivery, outbox_message("k", conversation_id="a:1x"))
    finally:
        await delivery.close()
    assert (outcome.verdict, outcome.status) == (Verdict.RETRY, 0)


async def test_an_activity_the_sdk_rejects_fails_without_a_request(
    connector_emulator: ConnectorEmulator, delivery: ConnectorDelivery
) -> None:
    outcome = await send(
        delivery,
        outbox_message("k", conversation_id="a:1x", activity={"type": 42, "attachments": "x"}),
    )
    assert outcome.verdict is Verdict.FAILED
    assert connector_emulator.requests == []


def token_delivery(
    connector_emulator: ConnectorEmulator, refs: SqlConversationRefRepository, lifetime: int
) -> tuple[ConnectorDelivery, list[str]]:
    """A delivery whose token provider issues tokens valid for `lifetime` s, and those tokens."""
    issued: list[str] = []

    async def provider() -> str:
        issued.append(jwt_expiring_in(lifetime))
        return issued[-1]

    delivery = ConnectorDelivery(
        connector_hosts=LOCAL,
        conversations=refs,
        bot_app_id="28:bot",
        default_service_url=connector_emulator.service_url,
        token_provider=provider,
    )
    return delivery, issued


async def test_reuses_the_token_until_it_nears_expiry(
    connector_emulator: ConnectorEmulator, refs: SqlConversationRefRepository
) -> None:
    delivery, issued = token_delivery(connector_emulator, refs, lifetime=3600)
    try:
        for index in range(5):
            await send(delivery, outbox_message(f"k{index}", conversation_id="a:1x"))
        connector_emulator.inject(401, times=1)  # the connector rejects the token: renew it
        assert (
            await send(delivery, outbox_message("k5", conversation_id="a:1x"))
        ).verdict is Verdict.RETRY
        await send(delivery, outbox_message("k6", conversation_id="a:1x"))
    finally:
        await delivery.close()
    assert len(issued) == 2
    assert all(activity.had_token for activity in connector_emulator.sends())
    assert "werkplek-app|tenant-1" in connector_emulator.stats.peak_per_tenant


async def test_a_short_lived_token_is_renewed(
    connector_emulator: ConnectorEmulator, refs: SqlConversationRefRepository
) -> None:
    delivery, issued = token_delivery(connector_emulator, refs, lifetime=0)
    try:
        for index in range(3):
            await send(delivery, outbox_message(f"k{index}", conversation_id="a:1x"))
    finally:
        await delivery.close()
    assert len(issued) == 3


class CountingRefs(FakeConversationRefs):
    """A reference repository that counts its lookups."""

    def __init__(self) -> None:
        super().__init__()
        self.single_lookups = 0
        self.bulk_lookups = 0

    async def get(self, tenant_id: str, user_id: str) -> ConversationRef | None:
        self.single_lookups += 1
        return await super().get(tenant_id, user_id)

    async def get_many(self, tenant_id: str, user_ids: Sequence[str]) -> dict[str, ConversationRef]:
        self.bulk_lookups += 1
        return await super().get_many(tenant_id, user_ids)


async def test_prepare_looks_a_batch_up_at_once(connector_emulator: ConnectorEmulator) -> None:
    refs = CountingRefs()
    for index in range(5):
        await refs.save(
            ConversationRef(f"u{index}", TENANT, connector_emulator.service_url, f"a:{index}", "b")
        )
    delivery = ConnectorDelivery(
        connector_hosts=LOCAL,
        conversations=refs,
        bot_app_id="b",
        default_service_url=connector_emulator.service_url,
    )
    batch = [outbox_message(f"k{index}", f"u{index}") for index in range(5)]
    batch.append(outbox_message("k-new", "u-new"))
    try:
        await delivery.prepare(batch)
        permits = [Permits() for _ in batch]
        outcomes = [await send(delivery, m, p) for m, p in zip(batch, permits, strict=True)]
    finally:
        await delivery.close()
    assert [o.verdict for o in outcomes] == [Verdict.SENT] * 6
    assert (refs.bulk_lookups, refs.single_lookups) == (1, 0)
    assert [p.granted for p in permits] == [1] * 5 + [2]  # the newcomer's chat was opened
    assert [a.conversation_id for a in connector_emulator.sends()][:5] == [
        f"a:{i}" for i in range(5)
    ]


async def test_a_withdrawn_permit_sends_nothing(
    connector_emulator: ConnectorEmulator, delivery: ConnectorDelivery
) -> None:
    @contextlib.asynccontextmanager
    async def withdrawn() -> AsyncIterator[None]:
        raise PermitWithdrawn
        yield

    with pytest.raises(PermitWithdrawn):
        await delivery.deliver(outbox_message("k", conversation_id="a:1x"), withdrawn)
    with pytest.raises(PermitWithdrawn):
        await delivery.deliver(outbox_message("k2", "someone-new"), withdrawn)
    assert connector_emulator.requests == []


def card(title: str) -> dict[str, object]:
    return {
        "contentType": "application/vnd.microsoft.card.adaptive",
        "content": {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": title}]},
    }


class Originals:
    """The outbox rows a replacement may edit, found by dedupe key (like by_dedupe_key)."""

    def __init__(self) -> None:
        self.rows: dict[str, OutboxMessage] = {}

    def add(self, message: OutboxMessage, status: OutboxStatus, activity_id: str = "") -> None:
        self.rows[message.dedupe_key] = replace(message, status=status, activity_id=activity_id)

    async def __call__(self, dedupe_key: str) -> OutboxMessage | None:
        return self.rows.get(dedupe_key)


@pytest.fixture
async def originals() -> Originals:
    return Originals()


@pytest.fixture
async def editing(
    connector_emulator: ConnectorEmulator, refs: SqlConversationRefRepository, originals: Originals
) -> AsyncIterator[ConnectorDelivery]:
    delivery = ConnectorDelivery(
        connector_hosts=LOCAL,
        conversations=refs,
        bot_app_id="28:bot",
        default_service_url=connector_emulator.service_url,
        find_message=originals,
    )
    yield delivery
    await delivery.close()


def replacement(replaces: str, recipient: str = "u1", title: str = "Goedgekeurd") -> OutboxMessage:
    return outbox_message(
        f"closed:{replaces}", recipient, activity={"attachments": [card(title)]}, replaces=replaces
    )


async def test_a_replacement_edits_the_message_it_replaces_in_the_personal_chat(
    connector_emulator: ConnectorEmulator,
    refs: SqlConversationRefRepository,
    originals: Originals,
    editing: ConnectorDelivery,
) -> None:
    await refs.save(ConversationRef("u1", TENANT, connector_emulator.service_url, "a:1u1", "b"))
    original = outbox_message("card", "u1", activity={"attachments": [card("Goedkeuren?")]})
    sent = await send(editing, original)
    originals.add(original, OutboxStatus.SENT, sent.activity_id)

    permits = Permits()
    outcome = await send(editing, replacement("card"), permits)

    assert (outcome.verdict, outcome.status, permits.granted) == (Verdict.SENT, 200, 1)
    assert outcome.activity_id == sent.activity_id  # the edited message keeps its id
    [update] = connector_emulator.updates()
    assert (update.conversation_id, update.activity_id) == ("a:1u1", sent.activity_id)
    assert update.activity["type"] == "message" and update.activity["id"] == sent.activity_id
    assert update.activity["channelData"] == {
        "tenant": {"id": TENANT},
        "werkplekDedupeKey": "closed:card",
    }
    posted = connector_emulator.message(sent.activity_id)
    assert posted is not None and posted.attachments == [card("Goedgekeurd")]
    assert len(connector_emulator.sends()) == 1


async def test_a_replacement_edits_a_channel_message_under_its_service_url(
    connector_emulator: ConnectorEmulator, originals: Originals, editing: ConnectorDelivery
) -> None:
    service_url = connector_emulator.service_url + "emea"
    original = outbox_message("post", conversation_id="19:c@thread.tacv2", service_url=service_url)
    sent = await send(editing, original)
    originals.add(original, OutboxStatus.SENT, sent.activity_id)
    outcome = await send(editing, replacement("post", recipient=""))
    assert outcome.verdict is Verdict.SENT
    assert connector_emulator.requests[-1].method == "PUT"
    assert connector_emulator.requests[-1].path == (
        f"/emea/v3/conversations/19:c@thread.tacv2/activities/{sent.activity_id}"
    )


async def test_a_replacement_waits_while_its_original_has_not_gone_out(
    connector_emulator: ConnectorEmulator, originals: Originals, editing: ConnectorDelivery
) -> None:
    deferred = replace(
        outbox_message("later", "u1"), not_before=datetime.now(UTC) + timedelta(seconds=60)
    )
    originals.add(deferred, OutboxStatus.PENDING)
    originals.add(outbox_message("busy", "u1"), OutboxStatus.IN_FLIGHT)
    originals.add(outbox_message("due", "u1"), OutboxStatus.PENDING)
    permits = Permits()

    waiting = [await send(editing, replacement(key), permits) for key in ("later", "busy", "due")]

    assert [o.verdict for o in waiting] == [Verdict.WAIT] * 3
    assert waiting[0].retry_after is not None and 50 < waiting[0].retry_after <= 60
    assert [o.retry_after for o in waiting[1:]] == [None, None]
    assert permits.granted == 0 and connector_emulator.requests == []


@pytest.mark.parametrize(
    "status", [OutboxStatus.UNREACHABLE, OutboxStatus.GONE, OutboxStatus.FAILED, None]
)
async def test_nothing_to_replace_when_the_original_never_went_out(
    connector_emulator: ConnectorEmulator,
    originals: Originals,
    editing: ConnectorDelivery,
    status: OutboxStatus | None,
) -> None:
    if status is not None:
        originals.add(outbox_message("card", "u1"), status)
    permits = Permits()
    outcome = await send(editing, replacement("card"), permits)
    assert (outcome.verdict, outcome.error) == (Verdict.GONE, "nothing to replace")
    assert permits.granted == 0 and connector_emulator.requests == []


async def test_an_original_without_a_message_id_or_chat_cannot_be_edited(
    connector_emulator: ConnectorEmulator, originals: Originals, editing: ConnectorDelivery
) -> None:
    originals.add(outbox_message("old", "u1"), OutboxStatus.SENT)  # sent before ids were kept
    originals.add(outbox_message("lost", "u-without-ref"), OutboxStatus.SENT, "1:x")
    outcomes = [await send(editing, replacement(key)) for key in ("old", "lost")]
    assert [o.verdict for o in outcomes] == [Verdict.GONE, Verdict.GONE]
    assert connector_emulator.requests == []


async def test_an_edit_of_a_message_teams_no_longer_has_is_gone(
    connector_emulator: ConnectorEmulator, originals: Originals, editing: ConnectorDelivery
) -> None:
    originals.add(outbox_message("card", conversation_id="a:1x"), OutboxStatus.SENT, "12345")
    outcome = await send(editing, replacement("card"))
    assert (outcome.verdict, outcome.status) == (Verdict.GONE, 404)
    assert outcome.error == "update: 404 ActivityNotFound"


async def test_a_throttled_edit_is_retried_like_a_send(
    connector_emulator: ConnectorEmulator, originals: Originals, editing: ConnectorDelivery
) -> None:
    original = outbox_message("card", conversation_id="a:1x")
    sent = await send(editing, original)
    originals.add(original, OutboxStatus.SENT, sent.activity_id)
    connector_emulator.inject(429, times=1, retry_after=3)
    connector_emulator.inject(502, times=1)
    throttled = await send(editing, replacement("card"))
    failed = await send(editing, replacement("card"))
    assert (throttled.verdict, throttled.retry_after, throttled.is_throttled) == (
        Verdict.RETRY,
        3.0,
        True,
    )
    assert throttled.error == "update: 429 TooManyRequests"
    assert (failed.verdict, failed.status) == (Verdict.RETRY, 502)
    assert (await send(editing, replacement("card"))).verdict is Verdict.SENT


async def test_a_replacement_without_a_lookup_or_of_itself_fails(
    connector_emulator: ConnectorEmulator, delivery: ConnectorDelivery, editing: ConnectorDelivery
) -> None:
    unwired = await send(delivery, replacement("card"))
    itself = await send(editing, outbox_message("k", "u1", replaces="k"))
    assert (unwired.verdict, itself.verdict) == (Verdict.FAILED, Verdict.FAILED)
    assert connector_emulator.requests == []


def recall(replaces: str, recipient: str = "u1") -> OutboxMessage:
    message = deletion_of(
        replaces, tenant_id=TENANT, dedupe_key=f"recall:{replaces}", recipient_id=recipient
    )
    return outbox_message(
        message.dedupe_key, recipient, activity=dict(message.activity), replaces=message.replaces
    )


async def test_a_deletion_deletes_the_message_it_replaces_in_the_personal_chat(
    connector_emulator: ConnectorEmulator,
    refs: SqlConversationRefRepository,
    originals: Originals,
    editing: ConnectorDelivery,
) -> None:
    await refs.save(ConversationRef("u1", TENANT, connector_emulator.service_url, "a:1u1", "b"))
    original = outbox_message("card", "u1", activity={"attachments": [card("Aankondiging")]})
    sent = await send(editing, original)
    originals.add(original, OutboxStatus.SENT, sent.activity_id)

    permits = Permits()
    outcome = await send(editing, recall("card"), permits)

    assert (outcome.verdict, outcome.status, outcome.error) == (Verdict.SENT, 200, "")
    assert outcome.activity_id == sent.activity_id and permits.granted == 1
    [deletion] = connector_emulator.deletions()
    assert (deletion.conversation_id, deletion.activity_id) == ("a:1u1", sent.activity_id)
    assert connector_emulator.requests[-1].method == "DELETE"
    assert connector_emulator.requests[-1].path == (
        f"/v3/conversations/a:1u1/activities/{sent.activity_id}"
    )
    posted = connector_emulator.message(sent.activity_id)
    assert posted is not None and posted.deleted
    assert connector_emulator.updates() == [] and len(connector_emulator.sends()) == 1


async def test_a_deletion_of_a_channel_message_goes_to_its_service_url(
    connector_emulator: ConnectorEmulator, originals: Originals, editing: ConnectorDelivery
) -> None:
    service_url = connector_emulator.service_url + "emea"
    original = outbox_message("post", conversation_id="19:c@thread.tacv2", service_url=service_url)
    sent = await send(editing, original)
    originals.add(original, OutboxStatus.SENT, sent.activity_id)
    outcome = await send(editing, recall("post", recipient=""))
    assert outcome.verdict is Verdict.SENT
    assert (connector_emulator.requests[-1].method, connector_emulator.requests[-1].path) == (
        "DELETE",
        f"/emea/v3/conversations/19:c@thread.tacv2/activities/{sent.activity_id}",
    )


@pytest.mark.parametrize(
    "status",
    [OutboxStatus.UNREACHABLE, OutboxStatus.GONE, OutboxStatus.FAILED, OutboxStatus.DEAD, None],
)
async def test_nothing_to_delete_when_the_original_never_went_out_is_done(
    connector_emulator: ConnectorEmulator,
    originals: Originals,
    editing: ConnectorDelivery,
    status: OutboxStatus | None,
) -> None:
    if status is not None:
        originals.add(outbox_message("card", "u1"), status)
    permits = Permits()
    outcome = await send(editing, recall("card"), permits)
    assert (outcome.verdict, outcome.error, outcome.activity_id) == (
        Verdict.SENT,
        NOTHING_TO_DELETE,
        "",
    )
    assert permits.granted == 0 and connector_emulator.requests == []


async def test_a_deletion_waits_while_its_original_has_not_gone_out(
    connector_emulator: ConnectorEmulator, originals: Originals, editing: ConnectorDelivery
) -> None:
    deferred = replace(
        outbox_message("later", "u1"), not_before=datetime.now(UTC) + timedelta(seconds=60)
    )
    originals.add(deferred, OutboxStatus.PENDING)
    originals.add(outbox_message("busy", "u1"), OutboxStatus.IN_FLIGHT)
    permits = Permits()

    waiting = [await send(editing, recall(key), permits) for key in ("later", "busy")]

    assert [o.verdict for o in waiting] == [Verdict.WAIT] * 2
    assert waiting[0].retry_after is not None and 50 < waiting[0].retry_after <= 60
    assert permits.granted == 0 and connector_emulator.requests == []


async def test_a_deletion_of_a_message_teams_no_longer_has_is_gone(
    connector_emulator: ConnectorEmulator, originals: Originals, editing: ConnectorDelivery
) -> None:
    originals.add(outbox_message("card", conversation_id="a:1x"), OutboxStatus.SENT, "12345")
    outcome = await send(editing, recall("card"))
    assert (outcome.verdict, outcome.status) == (Verdict.GONE, 404)
    assert outcome.error.startswith("delete: 404")
    assert connector_emulator.deletions() == []


async def test_a_throttled_deletion_is_retried_like_a_send(
    connector_emulator: ConnectorEmulator, originals: Originals, editing: ConnectorDelivery
) -> None:
    original = outbox_message("card", conversation_id="a:1x")
    sent = await send(editing, original)
    originals.add(original, OutboxStatus.SENT, sent.activity_id)
    connector_emulator.inject(429, times=1, retry_after=3)
    throttled = await send(editing, recall("card"))
    assert (throttled.verdict, throttled.retry_after, throttled.is_throttled) == (
        Verdict.RETRY,
        3.0,
        True,
    )
    assert (await send(editing, recall("card"))).verdict is Verdict.SENT
    assert len(connector_emulator.deletions()) == 1


async def test_a_deletion_that_replaces_nothing_fails_without_a_request(
    connector_emulator: ConnectorEmulator, editing: ConnectorDelivery
) -> None:
    orphan = outbox_message("recall:none", "u1", activity=dict(DELETE_ACTIVITY))
    outcome = await send(editing, orphan)
    assert outcome.verdict is Verdict.FAILED
    assert connector_emulator.requests == []
