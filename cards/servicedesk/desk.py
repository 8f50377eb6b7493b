"""The ticket's card in the service-desk channel, edited in place as the ticket moves: what the
agents see (the internal notes too) and what they can do."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo

from bot.domain.platform.untrusted import escape_text
from bot.domain.servicedesk.agents import DeskAgent
from bot.domain.servicedesk.sla import TicketSla
from bot.domain.servicedesk.tickets import (
    MAX_QUESTION,
    MAX_RESOLUTION,
    Ticket,
    TicketMessage,
    TicketState,
)
from bot.i18n import Translator
from cards.base import (
    Card,
    Element,
    banner,
    card,
    execute,
    facts,
    heading,
    moment,
    run_button,
    text,
)
from cards.servicedesk.desk_changes import change_actions
from cards.servicedesk.sla_clock import sla_lines
from cards.servicedesk.ticket_parts import (
    MAX_REPLY,
    NOTE,
    REPLY,
    RESOLUTION,
    context_label,
    conversation,
    person_name,
    show_card,
    shown,
    text_input,
    ticket_facts,
)
from cards.verbs import Verb

MAX_QUEUED_SHOWN = 15
# Buttons Teams shows side by side; past them an action is put in the card's "..." menu.
MAX_BUTTONS = 6


def desk_ticket_card(
    ticket: Ticket,
    messages: Sequence[TicketMessage],
    names: Mapping[str, str],
    sla: TicketSla,
    t: Translator,
    zone: tzinfo,
    *,
    notice: str = "",
    agents: Sequence[DeskAgent] = (),
) -> Card:
    """The ticket in the service-desk channel, edited in place as it moves: state, category,
    urgency, assignee, the service levels (first response, resolution: each running one with
    its due moment), the person, the conversation with the internal notes marked, and the
    agents' actions (`agents`: whom it can be given to; none, and it can only be taken)."""
    body: list[Element] = [banner(notice, "Good")] if notice else []
    body += [
        heading(t("servicedesk.desk.title", reference=ticket.reference)),
        facts(
            [
                *ticket_facts(ticket, t),
                (t("servicedesk.desk.requester"), person_name(names, ticket.requester_id, t)),
                (
                    t("servicedesk.desk.assignee"),
                    person_name(names, ticket.assignee_id, t)
                    if ticket.assignee_id
                    else t("servicedesk.desk.nobody"),
                ),
                (t("servicedesk.desk.asked_at"), moment(ticket.created_at, zone)),
            ]
        ),
        *sla_lines(sla, t, zone),
        text(escape_text(ticket.question, limit=MAX_QUESTION, multiline=True)),
    ]
    if ticket.context:
        body.append(facts([(context_label(k, t), shown(v)) for k, v in ticket.context]))
    body += conversation(messages, names, t, zone)
    if ticket.resolution:
        body.append(text(t("servicedesk.ticket.resolution"), weight="Bolder"))
        body.append(text(escape_text(ticket.resolution, limit=MAX_RESOLUTION, multiline=True)))
    actions = [*desk_actions(ticket, t), *change_actions(ticket, agents, t)]
    if name := names.get(ticket.requester_id, ""):
        # The person's access card, in the agent's own 1:1 chat (status is personal).
        access = run_button(t("servicedesk.desk.access"), "status", name)
        actions.append(access if len(actions) < MAX_BUTTONS else {**access, "mode": "secondary"})
    return card(body, actions)


def desk_actions(ticket: Ticket, t: Translator) -> list[Element]:
    """Take it, answer, note, resolve while it is open; a finished ticket still takes notes
    (what was learnt, for the next time), and a resolved one not yet rated can be reopened.
    The service levels' notices (cards/servicedesk/sla.py) offer the same steps."""
    target = {"ticket": ticket.id}
    note = show_card(
        t("servicedesk.desk.note"),
        text_input(NOTE, t("servicedesk.desk.note_label"), MAX_REPLY),
        execute(t("servicedesk.desk.save_note"), Verb.TICKET_NOTE, target),
    )
    if ticket.state is TicketState.RESOLVED:
        return [note, execute(t("servicedesk.desk.reopen"), Verb.TICKET_DESK_REOPEN, target)]
    if ticket.state is TicketState.CLOSED:
        return [note]
    actions: list[Element] = []
    if not ticket.assignee_id or ticket.state is TicketState.NEW:
        actions.append(execute(t("servicedesk.desk.take"), Verb.TICKET_TAKE, target))
    reply = show_card(
        t("servicedesk.desk.reply"),
        text_input(REPLY, t("servicedesk.desk.reply_label"), MAX_REPLY),
        execute(t("servicedesk.desk.send_reply"), Verb.TICKET_REPLY, target),
    )
    resolve = show_card(
        t("servicedesk.desk.resolve"),
        text_input(RESOLUTION, t("servicedesk.desk.resolution_label"), MAX_RESOLUTION),
        execute(t("servicedesk.desk.resolve"), Verb.TICKET_RESOLVE, target),
    )
    return [*actions, reply, note, resolve]


def queue_card(
    queued: Sequence[tuple[Ticket, TicketSla]],
    names: Mapping[str, str],
    t: Translator,
    zone: tzinfo,
) -> Card:
    """The desk's open tickets, oldest first, each with its service levels (when each running
    target is due) and a button to its card."""
    body: list[Element] = [heading(t("servicedesk.queue.title"))]
    if not queued:
        body.append(text(t("servicedesk.queue.none")))
        return card(body, [run_button(t("servicedesk.queue.refresh"), "desk_tickets")])
    body.append(text(t.n("servicedesk.queue.count", len(queued))))
    for ticket, sla in queued[:MAX_QUEUED_SHOWN]:
        who = person_name(names, ticket.requester_id, t)
        line = t(
            "servicedesk.queue.line",
            reference=ticket.reference,
            state=t(f"servicedesk.state.{ticket.state.value}"),
            urgency=t(f"servicedesk.urgency.{ticket.urgency.value}"),
            name=who,
        )
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [
                    text(line),
                    *({**part, "spacing": "None"} for part in sla_lines(sla, t, zone)),
                    {
                        **text(moment(ticket.created_at, zone), subtle=True),
                        "spacing": "None",
                    },
                    {
                        "type": "ActionSet",
                        "actions": [
                            execute(
                                t("servicedesk.queue.show", reference=ticket.reference),
                                Verb.TICKET_DESK_VIEW,
                                {"ticket": ticket.id},
                            )
                        ],
                    },
                ],
            }
        )
    return card(body, [run_button(t("servicedesk.queue.refresh"), "desk_tickets")])
