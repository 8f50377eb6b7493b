"""A ticket's service levels on the desk's cards, one line per target: while it runs, when it is
due in the organisation's time and where it stands ("Eerste antwoord: uiterlijk di 8 dec 14:00 ·
op tijd"); once its moment came, only whether it was met ("Oplossing: gehaald"). The words carry
the state; the colour repeats it."""

from __future__ import annotations

from datetime import tzinfo

from bot.domain.servicedesk.sla import SlaClock, TicketSla
from bot.domain.servicedesk.tickets import SlaState
from bot.i18n import Translator
from bot.i18n.dates import weekday_moment
from cards.base import Element, text

_SLA_COLOURS = {
    SlaState.ON_TIME: "Default",
    SlaState.MET: "Good",
    SlaState.AT_RISK: "Warning",
    SlaState.BREACHED: "Attention",
}


def sla_lines(sla: TicketSla, t: Translator, zone: tzinfo) -> list[Element]:
    """The first response's line, then the resolution's, close together."""
    first, resolution = (sla_line(clock, t, zone) for clock in sla.clocks)
    return [first, {**resolution, "spacing": "None"}]


def sla_line(clock: SlaClock, t: Translator, zone: tzinfo) -> Element:
    """ "Oplossing: uiterlijk vr 11 dec 12:00 · te laat", in the colour of its state."""
    said = t(f"servicedesk.sla.{clock.state.value}")
    if clock.is_running:
        due = weekday_moment(clock.due, zone, t.locale)
        said = t("servicedesk.sla_clock.running", due=due, state=said)
    line = t(f"servicedesk.sla_clock.{clock.target.value}", clock=said)
    return {**text(line), "color": _SLA_COLOURS[clock.state]}
