"""Tickets in chat: the person asks the service desk's people, the agents answer in their channel.

- `ticket` / `servicedesk` / `nieuwe melding` opens the form (the words after it fill in the
  question; "melding" alone is also a notification, so it is no keyword);
  so do "Stel je vraag aan de servicedesk" on a knowledge-base answer that did not help and
  "Servicedesk contacteren" on a failure, with what Werkplek knows of it shown before sending.
- `mijn meldingen` / `meldingen` / `mijn tickets`: the person's tickets; each opens with its
  conversation, a box to answer, and once resolved "Ben je geholpen?" and "Heropenen".
- In the service-desk channel each ticket has a card the agents work from: take it, give it to
  a colleague of the desk, change its category or urgency, answer the person, write an internal
  note, resolve it. The desk checks who clicks and whom a ticket is given to, never the card.

Every click names a ticket by id; a click on someone else's ticket is refused and audited, and
the card stays as it was.
"""

from __future__ import annotations

import re
from datetime import tzinfo
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bot.commands.dispatcher import ActionResult, refuse
from bot.commands.registry import card_action, command
from bot.domain.platform.errors import Forbidden, NotFound
from bot.domain.platform.roles import Role
from bot.domain.servicedesk.articles import Category
from bot.i18n import N_, Translator
from bot.services.platform.audit import Auditor
from bot.services.servicedesk.queue import DeskQueue
from bot.services.servicedesk.tickets import OBJECT_TYPE, TicketDesk, TicketForm
from bot.turn import Card, Turn
from cards.servicedesk.desk import desk_ticket_card, queue_card
from cards.servicedesk.ticket_parts import MAX_COMMENT, MAX_REPLY
from cards.servicedesk.tickets import (
    my_tickets_card,
    requester_ticket_card,
    ticket_form_card,
    ticket_sent_card,
)
from cards.verbs import Verb
from dialogs.servicedesk.access_context import CONTEXT_KEY as ACCESS_KEY
from dialogs.servicedesk.access_context import DESK_LOCALE, AccessContext

MAX_TICKET_ID = 2**63 - 1
_REFERENCE = r"^((WP|LIC|POST|SD|KB)-[A-Z0-9-]{4,24})?$"
Text = Annotated[str, StringConstraints(max_length=8000)]
Pair = Annotated[list[Annotated[str, StringConstraints(max_length=300)]], Field(max_length=2)]


class FormAsk(BaseModel):
    """Open the form: a question (the knowledge base's "Nee") or a reference (a failure)."""

    model_config = ConfigDict(extra="ignore")

    question: Text = ""
    reference: str = Field(default="", pattern=_REFERENCE)


class FormSent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    category: str = Field(default="", max_length=32)
    question: Text = ""
    urgency: str = Field(default="", max_length=16)
    context: list[Pair] = Field(default_factory=list, max_length=5)


class Target(BaseModel):
    model_config = ConfigDict(extra="ignore")

    ticket: int = Field(strict=True, gt=0, le=MAX_TICKET_ID)


class Said(Target):
    reply: Text = ""
    note: Text = ""
    resolution: Text = ""


class Assigned(Target):
    """ "Toewijzen": whom to (an Entra object id; the desk checks they are an agent of it)."""

    agent: str = Field(default="", pattern=r"^[A-Za-z0-9-]{0,64}$")


class Changed(Target):
    category: str = Field(default="", max_length=32)
    urgency: str = Field(default="", max_length=16)


class Rated(Target):
    rating: str = Field(default="", pattern=r"^[1-5]?$")
    comment: Annotated[str, StringConstraints(max_length=MAX_COMMENT)] = ""


_KEYWORDS = re.compile(
    r"^\s*(ticket|servicedesk|nieuwe melding|melding maken|new ticket)\b[\s:,.-]*", re.IGNORECASE
)


def _after_keyword(said: str) -> str:
    return _KEYWORDS.sub("", said, count=1).strip()


class TicketDialog:
    def __init__(
        self,
        desk: TicketDesk,
        auditor: Auditor,
        zone: tzinfo,
        *,
        queue: DeskQueue | None = None,
        access: AccessContext | None = None,
    ) -> None:
        """queue: the desk's open tickets for `open meldingen` (agents); without it the command
        answers that the queue is empty. access: the access card's summary, shown on the form
        and kept with a question about signing in; without it, no such line."""
        self._desk = desk
        self._auditor = auditor
        self._zone = zone
        self._queue = queue
        self._access = access

    # --- the person -------------------------------------------------------------------------
    @command(
        "ticket",
        nl=("ticket", "servicedesk", "nieuwe melding", "melding maken"),
        en=("ticket", "new ticket"),
        title_key=N_("cmd.ticket.title"),
        help_key=N_("cmd.ticket.help"),
        example_key=N_("cmd.ticket.example"),
        whole_text=True,
        order=850,
        asked_for=True,
    )
    async def ask(self, turn: Turn, args: str) -> None:
        """The form, with what the person already said as the question (a sentence as a
        whole; after the keyword itself, only what follows it)."""
        context = await self._shown_context(turn)
        question = _after_keyword(args)
        await turn.send_card(ticket_form_card(turn.t, question=question, context=context))

    @card_action(Verb.TICKET_FORM, payload=FormAsk)
    async def form(self, turn: Turn, data: FormAsk) -> Card:
        context = await self._shown_context(turn, data.reference)
        return ticket_form_card(turn.t, question=data.question, context=context)

    @card_action(Verb.TICKET_SUBMIT, payload=FormSent)
    async def submit(self, turn: Turn, data: FormSent) -> Card:
        pairs = [(pair[0], pair[1]) for pair in data.context if len(pair) == 2]
        attached: tuple[tuple[str, str], ...] = ()
        if self._access is not None and data.category == Category.ACCESS.value:
            line = await self._access.line(turn.caller, Translator(DESK_LOCALE))
            attached = ((ACCESS_KEY, line),) if line else ()
        form = TicketForm(data.category, data.question, data.urgency, pairs, attached)
        ticket = await self._desk.open(turn.caller, form)
        return ticket_sent_card(ticket, turn.t)

    async def _shown_context(self, turn: Turn, reference: str = "") -> list[tuple[str, str]]:
        """What Werkplek will attach, shown before sending: a failed flow's reference, and the
        access card's summary (kept only with a question about signing in)."""
        shown = [("reference", reference)] if reference else []
        line = await self._access.line(turn.caller, turn.t) if self._access else None
        return [*shown, (ACCESS_KEY, line)] if line else shown

    @command(
        "tickets",
        # Not "tickets" alone: it reads as "ticket" (one lemma), the form's keyword.
        nl=("mijn meldingen", "mijn tickets", "meldingen"),
        en=("my tickets",),
        title_key=N_("cmd.tickets.title"),
        help_key=N_("cmd.tickets.help"),
        example_key=N_("cmd.tickets.example"),
        order=860,
    )
    async def mine(self, turn: Turn, args: str) -> None:
        tickets = await self._desk.mine(turn.caller)
        await turn.send_card(my_tickets_card(tickets, turn.t, self._zone))

    @card_action(Verb.TICKET_VIEW, payload=Target)
    async def view(self, turn: Turn, data: Target) -> Card | ActionResult:
        return await self._persons(turn, data, "servicedesk.ticket.view")

    @card_action(Verb.TICKET_ANSWER, payload=Said)
    async def answer(self, turn: Turn, data: Said) -> Card | ActionResult:
        try:
            await self._desk.answer(turn.caller, data.ticket, data.reply[:MAX_REPLY])
        except NotFound as refused:
            return await self._refused(turn, "servicedesk.ticket.answer", data, refused)
        return await self._persons(turn, data, "", notice=turn.t("servicedesk.ticket.answered"))

    @card_action(Verb.TICKET_REOPEN, payload=Target)
    async def reopen(self, turn: Turn, data: Target) -> Card | ActionResult:
        try:
            await self._desk.reopen(turn.caller, data.ticket)
        except (NotFound, Forbidden) as refused:
            return await self._refused(turn, "servicedesk.ticket.reopen", data, refused)
        return await self._persons(turn, data, "", notice=turn.t("servicedesk.ticket.reopened"))

    @card_action(Verb.TICKET_RATE, payload=Rated)
    async def rate(self, turn: Turn, data: Rated) -> Card | ActionResult:
        if not data.rating:
            return ActionResult(message=turn.t("servicedesk.ticket.rating_error"), shareable=True)
        try:
            await self._desk.rate(turn.caller, data.ticket, int(data.rating), data.comment)
        except (NotFound, Forbidden) as refused:
            return await self._refused(turn, "servicedesk.ticket.rate", data, refused)
        return await self._persons(turn, data, "", notice=turn.t("servicedesk.ticket.thanks"))

    # --- the agents -------------------------------------------------------------------------
    @card_action(Verb.TICKET_TAKE, payload=Target, role=Role.AGENT, personal=False)
    async def take(self, turn: Turn, data: Target) -> Card | ActionResult:
        return await self._agents(turn, data, "take")

    @card_action(Verb.TICKET_REPLY, payload=Said, role=Role.AGENT, personal=False)
    async def reply(self, turn: Turn, data: Said) -> Card | ActionResult:
        return await self._agents(turn, data, "reply", data.reply)

    @card_action(Verb.TICKET_NOTE, payload=Said, role=Role.AGENT, personal=False)
    async def note(self, turn: Turn, data: Said) -> Card | ActionResult:
        return await self._agents(turn, data, "note", data.note)

    @card_action(Verb.TICKET_RESOLVE, payload=Said, role=Role.AGENT, personal=False)
    async def resolve(self, turn: Turn, data: Said) -> Card | ActionResult:
        return await self._agents(turn, data, "resolve", data.resolution)

    @card_action(Verb.TICKET_DESK_REOPEN, payload=Target, role=Role.AGENT, personal=False)
    async def desk_reopen(self, turn: Turn, data: Target) -> Card | ActionResult:
        return await self._agents(turn, data, "desk_reopen")

    @card_action(Verb.TICKET_ASSIGN, payload=Assigned, role=Role.AGENT, personal=False)
    async def assign(self, turn: Turn, data: Assigned) -> Card | ActionResult:
        return await self._agents(turn, data, "assign")

    @card_action(Verb.TICKET_CHANGE, payload=Changed, role=Role.AGENT, personal=False)
    async def change(self, turn: Turn, data: Changed) -> Card | ActionResult:
        return await self._agents(turn, data, "change")

    @command(
        "desk_tickets",
        nl=("open meldingen", "openstaande meldingen", "meldingen open", "tickets open"),
        en=("open tickets", "tickets open"),
        title_key=N_("cmd.desk_tickets.title"),
        help_key=N_("cmd.desk_tickets.help"),
        example_key=N_("cmd.desk_tickets.example"),
        role=Role.AGENT,
        personal=False,
        order=870,
    )
    async def queue(self, turn: Turn, args: str) -> None:
        """The desk's open tickets, oldest first: fit for the desk's channel (its cards show
        the same), each a click from its card."""
        queued = await self._queue.for_agent(turn.caller) if self._queue else []
        names = await self._desk.names_of([t.requester_id for t in queued])
        with_sla = [(ticket, self._desk.sla(ticket)) for ticket in queued]
        await turn.send_card(queue_card(with_sla, names, turn.t, self._zone))

    @card_action(Verb.TICKET_DESK_VIEW, payload=Target, role=Role.AGENT, personal=False)
    async def desk_view(self, turn: Turn, data: Target) -> Card | ActionResult:
        try:
            ticket, messages = await self._desk.for_agent(turn.caller, data.ticket)
        except (NotFound, Forbidden) as refused:
            return await self._refused(turn, "servicedesk.ticket.desk_view", data, refused)
        names = await self._desk.names(ticket, messages)
        agents = await self._desk.agents(ticket)
        sla = self._desk.sla(ticket)
        return desk_ticket_card(ticket, messages, names, sla, turn.t, self._zone, agents=agents)

    # --- helpers ----------------------------------------------------------------------------
    async def _persons(
        self, turn: Turn, data: Target, action: str, *, notice: str = ""
    ) -> Card | ActionResult:
        try:
            ticket, messages = await self._desk.for_requester(turn.caller, data.ticket)
        except NotFound as refused:
            return await self._refused(turn, action or "servicedesk.ticket.view", data, refused)
        names = await self._desk.names(ticket, messages)
        return requester_ticket_card(
            ticket, messages, names, turn.t, self._zone, now=self._desk.now(), notice=notice
        )

    async def _agents(
        self, turn: Turn, data: Target, step: str, said: str = ""
    ) -> Card | ActionResult:
        """One agent step, then the desk's card as it is now (the click updates it in place;
        the outbox edits it for everyone else)."""
        caller = turn.caller
        try:
            match step:
                case "take":
                    await self._desk.take(caller, data.ticket)
                case "reply":
                    await self._desk.reply(caller, data.ticket, said)
                case "note":
                    await self._desk.note(caller, data.ticket, said)
                case "assign" if isinstance(data, Assigned):
                    await self._desk.assign(caller, data.ticket, data.agent)
                case "change" if isinstance(data, Changed):
                    await self._desk.change(caller, data.ticket, data.category, data.urgency)
                case "desk_reopen":
                    await self._desk.reopen_for_desk(caller, data.ticket)
                case _:
                    await self._desk.resolve(caller, data.ticket, said)
            ticket, messages = await self._desk.for_agent(caller, data.ticket)
        except (NotFound, Forbidden) as refused:
            return await self._refused(turn, f"servicedesk.ticket.{step}", data, refused)
        names = await self._desk.names(ticket, messages)
        notice = turn.t(f"servicedesk.desk.done.{step}")
        agents = await self._desk.agents(ticket)
        sla = self._desk.sla(ticket)
        return desk_ticket_card(
            ticket, messages, names, sla, turn.t, self._zone, notice=notice, agents=agents
        )

    async def _refused(
        self, turn: Turn, action: str, data: Target, refused: NotFound | Forbidden
    ) -> ActionResult:
        return await refuse(
            self._auditor,
            turn,
            action=action,
            object_type=OBJECT_TYPE,
            object_id=str(data.ticket),
            message_key=refused.message_key,
        )
