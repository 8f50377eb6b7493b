"""The desk card's two changes to a ticket still to do, and the notice to whoever gets one:

- "Toewijzen": a pick list of the desk's agents by name (the dialog gives them; the desk checks
  the one chosen again, never trusting the card);
- "Wijzigen": the category and the urgency, as they are now;
- `assigned_card`: "Melding ... is aan jou toegewezen", in the new assignee's 1:1 chat, with a
  button to the ticket's card.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.platform.untrusted import clean_text, escape_text
from bot.domain.servicedesk.agents import DeskAgent
from bot.domain.servicedesk.articles import Category
from bot.domain.servicedesk.tickets import OPEN_STATES, Ticket, Urgency
from bot.i18n import Translator
from cards.base import MAX_NAME, Card, Element, card, execute, facts, heading, text
from cards.servicedesk.ticket_parts import CATEGORY, URGENCY, excerpt, ticket_facts
from cards.verbs import Verb

AGENT = "agent"  # the pick list's input, as its value comes back in Action.Execute data
# Agents a card lists: a card holds about 28 KB, and each choice is an id and a name.
MAX_AGENTS_LISTED = 100
# Adaptive Cards 1.5's "filtered" style (a pick list one can type in) is not in the 1.5 JSON
# schema every card is validated against (manifest/schemas), so the list is a plain drop-down.
AGENT_PICKER_STYLE = "compact"


def change_actions(ticket: Ticket, agents: Sequence[DeskAgent], t: Translator) -> list[Element]:
    """ "Toewijzen" (when there is someone else to give it to) and "Wijzigen", while the ticket
    is still to do."""
    if ticket.state not in OPEN_STATES:
        return []
    target = {"ticket": ticket.id}
    found: list[Element] = []
    choices = [
        {"title": clean_text(agent.name, limit=MAX_NAME) or agent.id, "value": agent.id}
        for agent in agents
        if agent.id and agent.id.casefold() != ticket.assignee_id.casefold()
    ][:MAX_AGENTS_LISTED]
    if choices:
        picker: Element = {
            "type": "Input.ChoiceSet",
            "id": AGENT,
            "label": t("servicedesk.assign.agent"),
            "style": AGENT_PICKER_STYLE,
            "isRequired": True,
            "errorMessage": t("servicedesk.assign.agent_error"),
            "choices": choices,
        }
        send = execute(t("servicedesk.assign.send"), Verb.TICKET_ASSIGN, target)
        found.append(_show_card(t("servicedesk.assign.title"), [picker], send))
    pickers: list[Element] = [
        _choices(
            CATEGORY,
            t("servicedesk.ticket.category"),
            [(t(f"servicedesk.category.{c.value}"), c.value) for c in Category],
            ticket.category.value,
            "compact",
        ),
        _choices(
            URGENCY,
            t("servicedesk.ticket.urgency"),
            [(t(f"servicedesk.urgency.{u.value}"), u.value) for u in Urgency],
            ticket.urgency.value,
            "expanded",
        ),
    ]
    send = execute(t("servicedesk.change.send"), Verb.TICKET_CHANGE, target)
    found.append(_show_card(t("servicedesk.change.title"), pickers, send))
    return found


def assigned_card(ticket: Ticket, by_name: str, t: Translator) -> Card:
    """For the agent who was given the ticket, in their 1:1 chat: which one, from whom, and a
    button to its card."""
    body: list[Element] = [
        heading(t("servicedesk.assigned.title", reference=ticket.reference)),
        text(
            t(
                "servicedesk.assigned.by",
                name=escape_text(by_name, limit=MAX_NAME) or t("servicedesk.someone"),
            )
        ),
        facts(ticket_facts(ticket, t)),
        text(excerpt(ticket.question), subtle=True),
    ]
    show = execute(t("servicedesk.assigned.show"), Verb.TICKET_DESK_VIEW, {"ticket": ticket.id})
    return card(body, [show])


def _choices(
    input_id: str, label: str, choices: list[tuple[str, str]], value: str, style: str
) -> Element:
    return {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "style": style,
        "isRequired": True,
        "errorMessage": label,
        "value": value,
        "choices": [{"title": title, "value": choice} for title, choice in choices],
    }


def _show_card(title: str, fields: list[Element], send: Element) -> Element:
    return {
        "type": "Action.ShowCard",
        "title": title,
        "card": {"type": "AdaptiveCard", "body": fields, "actions": [send]},
    }
