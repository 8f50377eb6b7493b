"""The access card's open-work line: a person's open licence requests and the post waiting for them.

The licence and post capabilities answer through the ports in bot/ports/access.py and speak this
vocabulary, so the access capability never reads their internals. Each source is a `Fact`: one
that fails costs its own half of the line ("kon niet nagekeken worden"), never the card.

Decisions (and why):
- The line does not change the card's verdict. An open request is work in progress, not a
  problem of the account; what blocks it (no country in the account) is already a line of its own.
- Post counts the person's own post only (items routed to them, not yet handled): that is what
  "Mijn post" is about for everyone. Team and entity queues, or the mailroom's sorting, would
  make the number depend on who looks (a service-desk agent sees the same number the person does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.access.facts import Fact


class RequestStage(StrEnum):
    """Where an open request stands, in the words a requester needs."""

    SUBMITTED = "submitted"  # just in; who decides is being looked up
    AWAITING_APPROVAL = "awaiting_approval"
    BEING_GRANTED = "being_granted"  # approved, Werkplek is granting it
    AWAITING_COUNTRY = "awaiting_country"  # the country in the account must be set first
    AWAITING_SEATS = "awaiting_seats"  # no licence free: the ICT admins order more


@dataclass(frozen=True, slots=True)
class OpenRequest:
    """One open request. The item's names come from the catalogue workbook (untrusted text)."""

    reference: str  # LIC-2026-000123
    name_nl: str
    name_en: str
    stage: RequestStage
    submitted_at: datetime

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_nl


@dataclass(frozen=True, slots=True)
class OpenPost:
    """How many items wait for the person; `more`: at least `count`, the source stopped there."""

    count: int
    more: bool = False


@dataclass(frozen=True, slots=True)
class OpenWork:
    requests: Fact[list[OpenRequest]]
    post: Fact[OpenPost]
