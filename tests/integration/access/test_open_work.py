"""The access card's open-work line on real parts: every capability built by bot.composition as the
server builds it, on the real store (SQLite and PostgreSQL) and the Graph emulator over HTTP.
Lotte has a licence request waiting for the country in her account and a letter in her post;
`status` shows both, and the buttons run the licence and post commands."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.composition import Capabilities, build_capabilities
from bot.composition.chat import Dialogs, build_chat
from bot.domain.licences.catalogue import ApproverKind, Stage
from bot.domain.licences.grants import UsageLocationMissing
from bot.domain.licences.requests import (
    LicenceRequest,
    NewLicenceRequest,
    StageAssignment,
)
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.post.items import (
    Destination,
    DestinationKind,
    IntakeMetadata,
    PostItem,
    Routing,
    Sender,
    StoredDocument,
)
from bot.graph import DeferredGraph
from bot.store import Database
from cards.verbs import Verb
from devtools.graph_emulator import GraphEmulator
from tests.support.chat import FakeTurn, click, say
from tests.support.clock import FakeClock
from tests.support.graph import JEF_ID, LOTTE_ID, settings_for
from tests.unit.licences.fakes import demo_catalogue
from tests.unit.test_dispatcher import card_text

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@dataclass
class Stack:
    capabilities: Capabilities
    chat: Dialogs
    clock: FakeClock
    tenant: str

    def audit(self, action: str) -> AuditEntry:
        return AuditEntry(self.clock.now(), "test", action, Outcome.OK)

    async def say(self, text: str) -> FakeTurn:
        return await say(self.chat.dispatcher, text, user_id=LOTTE_ID, tenant_id=self.tenant)

    async def request(self, item_key: str, stages: tuple[Stage, ...] = ()) -> LicenceRequest:
        new = NewLicenceRequest(
            tenant_id=self.tenant,
            requester_id=LOTTE_ID,
            requester_name="Lotte Janssens",
            entity="ADV",
            item_key=item_key,
            justification="Voor de maandrapportering van de afdeling.",
            stages=stages,
        )
        requests = self.capabilities.licences.requests
        return await requests.add(new, self.clock.now(), self.audit("licence.submit"))

    async def save(self, before: LicenceRequest, after: LicenceRequest) -> LicenceRequest:
        await self.capabilities.licences.requests.save(after, expected_version=before.version)
        return after

    async def letter(self, to: str, external_id: str) -> PostItem:
        now = self.clock.now()
        metadata = IntakeMetadata(
            external_id=external_id,
            received_at=now - timedelta(hours=1),
            scanned_at=now - timedelta(hours=1),
            sender=Sender("Klantendienst", "Fluvius"),
            addressee="Lotte Janssens",
            entity="ADV",
            subject=f"Afrekening elektriciteit {external_id}",
        )
        items = self.capabilities.post.items
        document = StoredDocument(f"{external_id}.pdf", "ab" * 32, 10)
        item, _ = await items.add(self.tenant, metadata, document, now, self.audit("post.intake"))
        routed = item.route(Routing(Destination(DestinationKind.PERSON, to)), now)
        await items.save(routed, expected_version=item.version)
        return routed


@pytest.fixture
async def stack(database: Database, graph_emulator: GraphEmulator) -> AsyncIterator[Stack]:
    settings = settings_for(graph_emulator)
    graph = DeferredGraph(settings)
    clock = FakeClock(NOW)
    capabilities = build_capabilities(settings, database, graph, clock, link_secret=b"s" * 32)
    await capabilities.licences.catalogue.replace(demo_catalogue())
    try:
        yield Stack(
            capabilities,
            build_chat(settings, graph.directory, capabilities),
            clock,
            graph_emulator.tenant_id,
        )
    finally:
        await capabilities.close()
        await graph.close()


async def _lottes_work(stack: Stack) -> tuple[LicenceRequest, LicenceRequest, PostItem]:
    now = stack.clock.now()
    # Approved, granting, then refused for want of a country in her account.
    blocked = await stack.request("power-automate-premium")
    approved = await stack.save(blocked, blocked.approve_without_stages(now))
    granting = await stack.save(approved, approved.start_fulfilment(now))
    waiting = await stack.save(
        granting,
        granting.retry_later(UsageLocationMissing.message_key, now + timedelta(hours=1), now),
    )
    # Waiting for her manager.
    asked = await stack.request("powerbi-pro", (Stage(ApproverKind.MANAGER),))
    stage = StageAssignment((JEF_ID,), now + timedelta(days=5), now + timedelta(days=2))
    pending = await stack.save(asked, asked.start_approval(stage, now))
    letter = await stack.letter(LOTTE_ID, "scan-0001")
    await stack.letter(JEF_ID, "scan-0002")  # Jef's: not counted for Lotte
    return waiting, pending, letter


async def test_the_access_card_shows_open_requests_and_post_from_the_store(stack: Stack) -> None:
    waiting, pending, _ = await _lottes_work(stack)

    turn = await stack.say("is mijn toegang in orde?")

    text = card_text(turn.cards[0])
    assert "Jouw toegang" in text
    assert "2 openstaande aanvragen:" in text
    assert (
        f"- **Power Automate Premium** ({waiting.reference}): "
        "goedgekeurd, wacht tot het land in je account ingevuld is"
    ) in text
    assert f"- **Power BI Pro** ({pending.reference}): wacht op goedkeuring" in text
    assert "1 poststuk wacht op afhandeling." in text
    # The Graph lines are there as well: one card, both sources.
    assert "Tweestapsverificatie (MFA)" in text


async def test_the_buttons_open_the_lists_and_handled_post_leaves_the_count(stack: Stack) -> None:
    waiting, _, letter = await _lottes_work(stack)
    dispatcher = stack.chat.dispatcher

    shown, _ = await click(
        dispatcher,
        Verb.RUN_COMMAND,
        {"command": "requests"},
        user_id=LOTTE_ID,
        tenant_id=stack.tenant,
    )
    assert waiting.reference in card_text(shown.cards[0])

    shown, _ = await click(
        dispatcher,
        Verb.RUN_COMMAND,
        {"command": "post"},
        user_id=LOTTE_ID,
        tenant_id=stack.tenant,
    )
    assert "Afrekening elektriciteit scan-0001" in card_text(shown.cards[0])

    items = stack.capabilities.post.items
    await items.save(letter.handle(LOTTE_ID, stack.clock.now()), expected_version=letter.version)
    _, refreshed = await click(
        dispatcher,
        Verb.ACCESS_REFRESH,
        {"user": LOTTE_ID},
        user_id=LOTTE_ID,
        tenant_id=stack.tenant,
    )
    assert refreshed.card is not None
    assert "Er wacht geen post op afhandeling." in card_text(refreshed.card)
