"""The access card's summary as a ticket's context: what an agent needs first when someone
cannot sign in, attached by Werkplek itself.

The form shows it before sending (in the person's language) and, for a question about
signing in ("toegang en aanmelden"), the ticket keeps it (in Dutch, the desk's language). It is
made on the server each time, never read from a card's payload, which anyone can write; a
check that fails or takes too long leaves it out rather than hold up the form.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.domain.access.facts import AccessReport
from bot.domain.platform.actors import Actor
from bot.domain.platform.errors import DomainError
from bot.i18n import Translator

logger = logging.getLogger(__name__)

# The person's report: (user id, tenant id) -> the access card's checks.
AccessReports = Callable[[str, str], Awaitable[AccessReport]]
# Past this the form opens without it: the form matters more than its context.
TIMEOUT_SECONDS = 5.0
CONTEXT_KEY = "access"
# What the ticket keeps is read by the desk, whose cards are in the organisation's language
# (dialogs/servicedesk/ticket_notices.py).
DESK_LOCALE = "nl"


class AccessContext:
    def __init__(self, reports: AccessReports, timeout_seconds: float = TIMEOUT_SECONDS) -> None:
        self._reports = reports
        self._timeout = timeout_seconds

    async def line(self, caller: Actor, t: Translator) -> str | None:
        """The caller's access in one line, or None when it cannot be had now."""
        try:
            report = await asyncio.wait_for(
                self._reports(caller.user_id, caller.tenant_id), self._timeout
            )
        except (DomainError, TimeoutError) as failed:
            logger.info("ticket context: access summary left out (%s)", type(failed).__name__)
            return None
        return summary_line(report, t) or None


def summary_line(report: AccessReport, t: Translator) -> str:
    """The access card in one line, as the person sees it: "Account: In orde ·
    Tweestapsverificatie (MFA): Actie nodig · ...", each state in words."""
    return " · ".join(
        f"{t(f'access.kind.{check.kind.value}')}: {t(f'access.state.{check.state.value}')}"
        for check in report.shown(to_agent=False)
    )
