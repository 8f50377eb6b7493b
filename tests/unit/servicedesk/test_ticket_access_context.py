"""The access card's summary as a ticket's context (dialogs/servicedesk/access_context.py):
shown on the form before sending, kept (in Dutch, for the desk) only with a question about
signing in, made on the server every time, and never in the way when it cannot be had."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.commands.dispatcher import Dispatcher
from bot.commands.registry import Registry
from bot.domain.access.facts import AccessReport, Check, CheckKind, CheckState
from bot.domain.platform.directory import DirectoryUser
from bot.domain.platform.errors import DomainError
from bot.services.platform.audit import Auditor
from cards.verbs import Verb
from devtools.card_inspection import card_text
from dialogs.servicedesk.access_context import AccessContext, AccessReports
from dialogs.servicedesk.tickets import TicketDialog
from tests.support.chat import click, say
from tests.unit.fakes import MemoryAuditLog
from tests.unit.servicedesk.fakes import ticket_world

LOTTE = "lotte"
PEOPLE = {LOTTE: ("Lotte Janssens", "nl", "AWV")}
SUMMARY_NL = "Account: In orde · Tweestapsverificatie (MFA): Actie nodig"


async def _report(user_id: str, tenant_id: str) -> AccessReport:
    return AccessReport(
        subject=DirectoryUser(id=user_id, display_name="Lotte", user_principal_name="l@x.be"),
        checks=(
            Check(CheckKind.ACCOUNT, CheckState.OK, "access.account.ok"),
            Check(CheckKind.MFA, CheckState.ACTION, "access.mfa.none"),
        ),
        checked_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
    )


class Desk:
    def __init__(self, reports: AccessReports = _report, timeout: float = 5.0) -> None:
        self.world = ticket_world(PEOPLE)
        audit = MemoryAuditLog()
        registry = Registry()
        self.dispatcher = Dispatcher(registry, Auditor(audit, self.world.clock), "https://x")
        access = AccessContext(reports, timeout_seconds=timeout)
        auditor = Auditor(audit, self.world.clock)
        zone = ZoneInfo("Europe/Brussels")
        registry.add_dialog(TicketDialog(self.world.desk, auditor, zone, access=access))

    async def submit(
        self, category: str, context: list[list[str]] | None = None
    ) -> tuple[tuple[str, str], ...]:
        form = {"category": category, "question": "Ik geraak niet binnen.", "urgency": "normal"}
        sent = await click(
            self.dispatcher, Verb.TICKET_SUBMIT, {**form, "context": context or []}, locale="en"
        )
        assert sent.result.card is not None, sent.result.message
        return self.world.repository.tickets[max(self.world.repository.tickets)].context


async def test_the_form_shows_the_access_summary_before_sending() -> None:
    desk = Desk()
    turn = await say(desk.dispatcher, "ticket ik geraak niet binnen", user_id=LOTTE)
    shown = card_text(turn.cards[0])
    assert "Toegangskaart" in shown and SUMMARY_NL in shown
    english = await click(desk.dispatcher, Verb.TICKET_FORM, {"reference": ""}, locale="en")
    assert "Account: In order" in card_text(english.result.card or {})


async def test_a_question_about_signing_in_keeps_it_in_the_desks_language() -> None:
    desk = Desk()
    assert ("access", SUMMARY_NL) in await desk.submit("access")  # the person writes in English


async def test_another_question_keeps_no_access_summary() -> None:
    desk = Desk()
    assert not [pair for pair in await desk.submit("other") if pair[0] == "access"]


async def test_a_summary_written_into_the_card_is_never_kept() -> None:
    desk = Desk()
    forged = [["access", "Account: in orde · MFA: in orde"]]
    assert not [p for p in await desk.submit("other", forged) if p[0] == "access"]
    kept = [p for p in await desk.submit("access", forged) if p[0] == "access"]
    assert kept == [("access", SUMMARY_NL)]  # the server's, not the card's


async def test_without_a_summary_the_form_still_opens_and_sends() -> None:
    async def refused(user_id: str, tenant_id: str) -> AccessReport:
        raise DomainError("graph.forbidden")

    async def slow(user_id: str, tenant_id: str) -> AccessReport:
        await asyncio.sleep(1)
        return await _report(user_id, tenant_id)

    for desk in (Desk(refused), Desk(slow, timeout=0.01)):
        turn = await say(desk.dispatcher, "ticket ik geraak niet binnen", user_id=LOTTE)
        assert "Toegangskaart" not in card_text(turn.cards[0])
        assert not [pair for pair in await desk.submit("access") if pair[0] == "access"]
