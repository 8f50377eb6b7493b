"""Teams read receipts through the real app: handed to the ReadReceipts port from personal
chats only, with the channel's ids, and never answered (also not when the port fails)."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from app import HOST, capabilities_loaded
from devtools.connector_emulator import ConnectorEmulator
from tests.integration.bot.conftest import LOTTE, TENANT, StartBot, activity

READ_UP_TO = "1700000000000"
Client = TestClient[web.Request, web.Application]


class Receipts:
    """Records what the host hands on; fails when told to."""

    def __init__(self, error: Exception | None = None) -> None:
        self.read_calls: list[tuple[str, str, str]] = []
        self.error = error

    async def read(self, tenant_id: str, user_id: str, last_read_message_id: str) -> None:
        self.read_calls.append((tenant_id, user_id, last_read_message_id))
        if self.error is not None:
            raise self.error


async def client_with(start_bot: StartBot, receipts: Receipts | None) -> Client:
    client = await start_bot()
    await capabilities_loaded(client.app)
    host = client.app[HOST]
    # What the composition passes once announcements record receipts.
    host._s = replace(host._s, read_receipts=receipts)
    return client


def receipt(service_url: str, kind: str = "personal", **overrides: Any) -> dict[str, Any]:
    event = activity(
        service_url,
        "event",
        name="application/vnd.microsoft.readReceipt",
        value={"lastReadMessageId": READ_UP_TO},
    )
    event["conversation"]["conversationType"] = kind
    event.update(overrides)
    return event


def said(connector: ConnectorEmulator) -> list[object]:
    """What the bot sent to the chat, or tried to. The SDK adds a typing indicator when a turn
    takes longer than 500 ms (a busy machine): that says nothing."""
    attempts = [r for r in connector.requests if not 200 <= r.status < 300]
    return [a for a in connector.activities if a.activity.get("type") != "typing"] + attempts


async def post(client: Client, body: dict[str, Any]) -> tuple[int, str]:
    response = await client.post("/api/messages", json=body)
    return response.status, await response.text()


async def test_a_receipt_in_a_personal_chat_is_handed_on_with_the_channels_ids(
    start_bot: StartBot, connector_emulator: ConnectorEmulator
) -> None:
    receipts = Receipts()
    client = await client_with(start_bot, receipts)

    status, body = await post(client, receipt(connector_emulator.service_url))

    assert (status, body) == (202, "")  # accepted; nothing in the answer
    assert receipts.read_calls == [(TENANT, LOTTE, READ_UP_TO)]
    assert said(connector_emulator) == []  # and nothing sent to the chat


@pytest.mark.parametrize("kind", ["groupChat", "channel"])
async def test_a_receipt_said_to_come_from_a_group_chat_or_channel_is_ignored(
    start_bot: StartBot, connector_emulator: ConnectorEmulator, kind: str
) -> None:
    receipts = Receipts()
    client = await client_with(start_bot, receipts)

    status, body = await post(client, receipt(connector_emulator.service_url, kind))

    assert (status, body) == (202, "")
    assert receipts.read_calls == [] and said(connector_emulator) == []


@pytest.mark.parametrize(
    "value",
    [{}, {"lastReadMessageId": "x1"}, {"lastReadMessageId": 17}, "1700000000000", None],
    ids=["empty", "not-digits", "a-number", "not-an-object", "none"],
)
async def test_a_receipt_without_a_readable_message_id_is_ignored(
    start_bot: StartBot, connector_emulator: ConnectorEmulator, value: Any
) -> None:
    receipts = Receipts()
    client = await client_with(start_bot, receipts)
    status, _ = await post(client, receipt(connector_emulator.service_url, value=value))
    assert status == 202 and receipts.read_calls == [] and said(connector_emulator) == []


async def test_who_read_is_the_channels_sender_not_the_events_value(
    start_bot: StartBot, connector_emulator: ConnectorEmulator
) -> None:
    receipts = Receipts()
    client = await client_with(start_bot, receipts)
    forged = {"lastReadMessageId": READ_UP_TO, "userId": "someone-else", "tenantId": "other"}
    await post(client, receipt(connector_emulator.service_url, value=forged))
    assert receipts.read_calls == [(TENANT, LOTTE, READ_UP_TO)]


async def test_a_receipt_from_a_tenant_not_allowed_is_refused_before_the_port(
    start_bot: StartBot, connector_emulator: ConnectorEmulator
) -> None:
    receipts = Receipts()
    client = await client_with(start_bot, receipts)
    foreign = receipt(connector_emulator.service_url)
    foreign["conversation"]["tenantId"] = "11111111-2222-4333-8444-555555555555"
    foreign["channelData"] = {"tenant": {"id": "11111111-2222-4333-8444-555555555555"}}
    status, _ = await post(client, foreign)
    assert status == 202 and receipts.read_calls == [] and said(connector_emulator) == []


async def test_a_failing_port_is_logged_with_ids_only_and_never_answered(
    start_bot: StartBot, connector_emulator: ConnectorEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    receipts = Receipts(RuntimeError(f"insert failed for {LOTTE} at {READ_UP_TO}"))
    client = await client_with(start_bot, receipts)
    caplog.set_level(logging.INFO)

    status, body = await post(client, receipt(connector_emulator.service_url))

    assert (status, body) == (202, "")
    assert said(connector_emulator) == []  # no failure card in the person's chat
    [warning] = [r for r in caplog.records if "read receipt" in r.getMessage()]
    assert warning.levelno == logging.WARNING and warning.exc_info is None
    assert "RuntimeError" in warning.getMessage() and "insert failed" not in warning.getMessage()
    assert getattr(warning, "user_id", None) == LOTTE
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_without_a_port_receipts_are_ignored(
    start_bot: StartBot, connector_emulator: ConnectorEmulator
) -> None:
    client = await client_with(start_bot, None)
    status, body = await post(client, receipt(connector_emulator.service_url))
    assert (status, body) == (202, "") and said(connector_emulator) == []
