"""The dispatcher when the database is down inside a command or a click (the gate passed): a
card that says "even niet beschikbaar" with a reference, a click answered with one line (the
clicked card stays), no attempt at an audit line that cannot be written, and the same when the
private answer to a question asked in a channel cannot be queued."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from pydantic import BaseModel

from bot.commands.dispatcher import Dispatcher
from bot.commands.registry import Registry, card_action, command
from bot.domain.platform.errors import StoreUnavailable
from bot.i18n import Translator
from bot.services.platform.audit import Auditor
from cards.platform.availability import unavailable_card
from tests.support.chat import FakeTurn, click, say
from tests.support.clock import FakeClock
from tests.support.schemas import validate_card
from tests.unit.fakes import MemoryAuditLog

REFERENCE = re.compile(r"WP-[0-9A-F]{8}")


class Nothing(BaseModel):
    pass


class NeedsTheDatabase:
    @command("mine", nl=("mijn",), en=("mine",), title_key="t", help_key="h")
    async def mine(self, turn: FakeTurn, args: str) -> None:
        raise StoreUnavailable("OperationalError")

    @command("open", nl=("open",), en=("open",), title_key="t", help_key="h")
    async def answer(self, turn: FakeTurn, args: str) -> None:
        await turn.send_text("your own things")

    @card_action("post.mark_read", payload=Nothing)
    async def click(self, turn: FakeTurn, data: Nothing) -> None:
        raise StoreUnavailable("InterfaceError")


class OutboxDown:
    async def notify_user(
        self, tenant_id: str, user_id: str, activity: dict[str, Any], dedupe_key: str
    ) -> bool:
        raise StoreUnavailable("OperationalError")


def dispatcher(audit: MemoryAuditLog) -> Dispatcher:
    registry = Registry()
    registry.add_dialog(NeedsTheDatabase())
    return Dispatcher(
        registry, Auditor(audit, FakeClock()), "https://desk.example", notifier=OutboxDown()
    )


def shown(card: dict[str, Any]) -> str:
    return " ".join(block.get("text", "") for block in card["body"])


async def test_a_command_gets_the_unavailable_card_and_the_log_its_reference(
    caplog: pytest.LogCaptureFixture,
) -> None:
    audit = MemoryAuditLog()
    with caplog.at_level(logging.ERROR):
        turn = await say(dispatcher(audit), "mijn")
    (card,) = turn.cards
    assert "Werkplek is even niet beschikbaar" in shown(card)
    reference = REFERENCE.search(shown(card))
    assert reference is not None
    assert any(reference.group() in r.getMessage() and r.exc_info for r in caplog.records)
    assert audit.entries == []  # nothing tried that cannot be written


async def test_a_click_is_answered_with_a_line_so_the_card_stays() -> None:
    _, result = await click(dispatcher(MemoryAuditLog()), "post.mark_read", {}, locale="en")
    assert result.card is None
    assert result.message is not None and result.message.startswith("Werkplek is briefly")
    assert REFERENCE.search(result.message)


async def test_a_private_answer_that_cannot_be_queued_is_the_unavailable_card_there() -> None:
    turn = await say(
        dispatcher(MemoryAuditLog()),
        "open",
        conversation_type="channel",
        conversation_id="19:general@thread.tacv2",
    )
    assert turn.texts == []  # the personal answer never shows in the channel
    (card,) = turn.cards
    assert "Werkplek is even niet beschikbaar" in shown(card)


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_the_unavailable_card_is_a_valid_card_in_both_languages(locale: str) -> None:
    card = unavailable_card("WP-0A1B2C3D", Translator(locale))
    validate_card(card)
    assert "WP-0A1B2C3D" in shown(card)
