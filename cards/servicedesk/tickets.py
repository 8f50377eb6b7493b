"""The service desk's ticket cards for the person who asks: the form, the receipt, my tickets,
one ticket with its conversation, an agent's answer and "Ben je geholpen?" in their chat
(the agents' card: cards/servicedesk/desk.py).

What people typed (the question, replies, notes, the resolution) is escaped like any text from
outside; inputs keep what was typed (cleaned, never escaped), so nothing is typed twice. The
person's card never shows internal notes: the caller hands it only what the person may read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo

from bot.domain.platform.untrusted import clean_text, escape_text
from bot.domain.servicedesk.articles import Category
from bot.domain.servicedesk.tickets import (
    MAX_QUESTION,
    MAX_RESOLUTION,
    MessageKind,
    Ticket,
    TicketMessage,
    TicketState,
    Urgency,
)
from bot.i18n import Translator
from cards.base import (
    MAX_NAME,
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
from cards.servicedesk.ticket_parts import (
    CATEGORY,
    MAX_REPLY,
    QUESTION,
    REPLY,
    URGENCY,
    context_label,
    conversation,
    excerpt,
    rating_inputs,
    shown,
    state_text,
    text_input,
    ticket_facts,
)
from cards.verbs import Verb

MAX_LISTED = 10


def ticket_form_card(
    t: Translator,
    *,
    question: str = "",
    context: Sequence[tuple[str, str]] = (),
    problem: str = "",
) -> Card:
    """ "Stel je vraag aan de servicedesk": a category, the question, the urgency; what
    Werkplek adds (the failed flow's reference) is shown before it is sent."""
    body: list[Element] = [heading(t("servicedesk.ticket.form.title"))]
    if problem:
        body.insert(0, banner(problem, "Attention"))
    body.append(text(t("servicedesk.ticket.form.body")))
    body.append(
        {
            "type": "Input.ChoiceSet",
            "id": CATEGORY,
            "label": t("servicedesk.ticket.category"),
            "isRequired": True,
            "errorMessage": t("servicedesk.ticket.category_error"),
            "style": "compact",
            "choices": [
                {"title": t(f"servicedesk.category.{c.value}"), "value": c.value} for c in Category
            ],
        }
    )
    body.append(
        {
            "type": "Input.Text",
            "id": QUESTION,
            "label": t("servicedesk.ticket.question"),
            "isMultiline": True,
            "isRequired": True,
            "errorMessage": t("servicedesk.ticket.question_error"),
            "maxLength": MAX_QUESTION,
            "value": clean_text(question, limit=MAX_QUESTION, multiline=True),
        }
    )
    body.append(
        {
            "type": "Input.ChoiceSet",
            "id": URGENCY,
            "label": t("servicedesk.ticket.urgency"),
            "style": "expanded",
            "value": Urgency.NORMAL.value,
            "choices": [
                {"title": t(f"servicedesk.urgency.{u.value}"), "value": u.value}
                for u in (Urgency.LOW, Urgency.NORMAL, Urgency.HIGH)
            ],
        }
    )
    if context:
        body.append(text(t("servicedesk.ticket.context"), subtle=True))
        body.append(facts([(context_label(key, t), shown(value)) for key, value in context]))
    data = {"context": [list(pair) for pair in context]}
    return card(body, [execute(t("servicedesk.ticket.send"), Verb.TICKET_SUBMIT, data)])


def ticket_sent_card(ticket: Ticket, t: Translator) -> Card:
    body = [
        banner(t("servicedesk.ticket.sent", reference=ticket.reference), "Good"),
        heading(t("servicedesk.ticket.sent_title")),
        text(t("servicedesk.ticket.sent_body")),
        facts(ticket_facts(ticket, t)),
    ]
    return card(body, [run_button(t("servicedesk.ticket.show_mine"), "tickets")])


def my_tickets_card(tickets: Sequence[Ticket], t: Translator, zone: tzinfo) -> Card:
    """The person's tickets, newest first, each with its state and a button to open it."""
    body: list[Element] = [heading(t("servicedesk.tickets.title"))]
    if not tickets:
        body.append(text(t("servicedesk.tickets.none")))
        return card(body, [run_button(t("servicedesk.ticket.ask"), "ticket")])
    for ticket in tickets[:MAX_LISTED]:
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [
                    text(f"**{ticket.reference}** · {state_text(ticket, t)}"),
                    {**text(excerpt(ticket.question), subtle=True), "spacing": "None"},
                    {
                        **text(moment(ticket.created_at, zone), subtle=True),
                        "spacing": "None",
                    },
                    {
                        "type": "ActionSet",
                        "actions": [
                            execute(
                                t("servicedesk.tickets.open", reference=ticket.reference),
                                Verb.TICKET_VIEW,
                                {"ticket": ticket.id},
                            )
                        ],
                    },
                ],
            }
        )
    return card(body, [run_button(t("servicedesk.ticket.ask"), "ticket")])


def requester_ticket_card(
    ticket: Ticket,
    messages: Sequence[TicketMessage],
    names: Mapping[str, str],
    t: Translator,
    zone: tzinfo,
    *,
    now: datetime,
    notice: str = "",
) -> Card:
    """One ticket as the person sees it: what they asked, the answers (never a note), and what
    they can do now: answer, reopen for a while after it was resolved, or rate it."""
    body: list[Element] = [banner(notice, "Good")] if notice else []
    body += [
        heading(t("servicedesk.ticket.title", reference=ticket.reference)),
        facts(ticket_facts(ticket, t)),
        text(escape_text(ticket.question, limit=MAX_QUESTION, multiline=True)),
    ]
    body += conversation([m for m in messages if m.kind is not MessageKind.NOTE], names, t, zone)
    if ticket.resolution:
        body.append(text(t("servicedesk.ticket.resolution"), weight="Bolder"))
        body.append(text(escape_text(ticket.resolution, limit=MAX_RESOLUTION, multiline=True)))
    actions: list[Element] = []
    if ticket.state in (TicketState.NEW, TicketState.OPEN, TicketState.WAITING):
        body.append(text_input(REPLY, t("servicedesk.ticket.your_reply"), MAX_REPLY))
        actions.append(
            execute(t("servicedesk.ticket.send_reply"), Verb.TICKET_ANSWER, {"ticket": ticket.id})
        )
    if ticket.state is TicketState.RESOLVED:
        body += rating_inputs(t)
        actions.append(
            execute(t("servicedesk.ticket.rate"), Verb.TICKET_RATE, {"ticket": ticket.id})
        )
        if ticket.may_reopen(now):
            actions.append(
                execute(t("servicedesk.ticket.reopen"), Verb.TICKET_REOPEN, {"ticket": ticket.id})
            )
    actions.append(run_button(t("servicedesk.ticket.show_mine"), "tickets"))
    return card(body, actions)


def answered_card(ticket: Ticket, said: str, agent_name: str, t: Translator) -> Card:
    """An agent's answer in the person's chat, with a box to answer back."""
    who = escape_text(agent_name, limit=MAX_NAME) or t("servicedesk.someone")
    target = {"ticket": ticket.id}
    body = [
        heading(t("servicedesk.answered.title", reference=ticket.reference)),
        text(t("servicedesk.answered.from", name=who), subtle=True),
        text(escape_text(said, limit=MAX_REPLY, multiline=True)),
        text_input(REPLY, t("servicedesk.ticket.your_reply"), MAX_REPLY),
    ]
    return card(
        body,
        [
            execute(t("servicedesk.ticket.send_reply"), Verb.TICKET_ANSWER, target),
            execute(
                t("servicedesk.tickets.open", reference=ticket.reference), Verb.TICKET_VIEW, target
            ),
        ],
    )


def reopened_card(ticket: Ticket, agent_name: str, t: Translator) -> Card:
    """An agent took the person's resolved ticket back up: who, and the way to the ticket."""
    who = escape_text(agent_name, limit=MAX_NAME) or t("servicedesk.someone")
    target = {"ticket": ticket.id}
    body = [
        heading(t("servicedesk.reopened.title", reference=ticket.reference)),
        text(t("servicedesk.reopened.by", name=who)),
    ]
    return card(
        body,
        [
            execute(
                t("servicedesk.tickets.open", reference=ticket.reference), Verb.TICKET_VIEW, target
            )
        ],
    )


def resolved_card(ticket: Ticket, t: Translator) -> Card:
    """ "Je vraag is opgelost": the resolution, "Ben je geholpen?" and a way back in."""
    target = {"ticket": ticket.id}
    body = [
        heading(t("servicedesk.resolved.title", reference=ticket.reference)),
        text(escape_text(ticket.resolution, limit=MAX_RESOLUTION, multiline=True)),
        *rating_inputs(t),
    ]
    return card(
        body,
        [
            execute(t("servicedesk.ticket.rate"), Verb.TICKET_RATE, target),
            execute(t("servicedesk.ticket.reopen"), Verb.TICKET_REOPEN, target),
        ],
    )
