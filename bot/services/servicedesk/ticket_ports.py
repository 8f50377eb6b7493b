"""What the ticket desk (bot/services/servicedesk/tickets.py) is given: the cards it sends, who
people are, where its desks are, and the form as it came."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.domain.servicedesk.agents import DeskAgent
from bot.domain.servicedesk.sla import TicketSla
from bot.domain.servicedesk.tickets import (
    DEFAULT_TARGETS,
    Targets,
    Ticket,
    TicketMessage,
    Urgency,
)
from bot.services.servicedesk.handover import AssignedCards


class TicketCards(AssignedCards, Protocol):
    """The activities tickets send (dialogs/servicedesk/ticket_notices.py renders them)."""

    def desk(
        self,
        ticket: Ticket,
        messages: Sequence[TicketMessage],
        names: Mapping[str, str],
        sla: TicketSla,
        agents: Sequence[DeskAgent] = (),
    ) -> dict[str, Any]:
        """The ticket's card for the agents' channel, with its service levels (`sla`) and
        whom it can be given to (`agents`)."""
        ...

    def answered(self, ticket: Ticket, text: str, agent_name: str, locale: str) -> dict[str, Any]:
        """An agent's answer, for the person's 1:1 chat."""
        ...

    def resolved(self, ticket: Ticket, locale: str) -> dict[str, Any]:
        """ "Je vraag is opgelost: ... Ben je geholpen?", for the person's 1:1 chat."""
        ...

    def reopened(self, ticket: Ticket, agent_name: str, locale: str) -> dict[str, Any]:
        """ "Je melding is heropend" by an agent, for the person's 1:1 chat."""
        ...

    def in_thread(self, ticket: Ticket, text: str, requester_name: str) -> dict[str, Any]:
        """What the person wrote, for the ticket's thread in the desk's channel."""
        ...


class People(Protocol):
    """Who is who, for names on cards and the person's language (the users who talked to
    Werkplek) and which entity a person belongs to (for per-entity desks, and kept on their
    tickets for the report)."""

    async def names(self, user_ids: Sequence[str]) -> dict[str, str]: ...

    async def locale_of(self, user_id: str) -> str: ...

    async def entity_of(self, user_id: str) -> str:
        """The person's entity code; "" when none or unknown."""
        ...


@dataclass(frozen=True, slots=True)
class DeskSettings:
    channel_id: str  # the central service desk's channel ("": tickets wait for `tickets open`)
    entity_channels: Mapping[str, str] = field(default_factory=dict)  # entity code -> channel
    targets: Mapping[Urgency, Targets] = field(default_factory=lambda: dict(DEFAULT_TARGETS))

    def channel_of(self, desk: str) -> str:
        return self.entity_channels.get(desk, "") if desk else self.channel_id

    def desk_of(self, entity: str) -> str:
        """The desk of a person of `entity`: its own when it has one, else "" (the central)."""
        return entity if entity and entity in self.entity_channels else ""


@dataclass(frozen=True, slots=True)
class TicketForm:
    """What the form sent, before it is checked."""

    category: str
    question: str
    urgency: str = Urgency.NORMAL.value
    context: Sequence[tuple[str, str]] = ()  # from the card: only a reference passes
    # What Werkplek itself made on the server (the access card's summary): kept as it is.
    attached: Sequence[tuple[str, str]] = ()
