"""What the service desk's ticket cards share: the inputs' names and limits, a ticket's facts,
its conversation, and the small pieces each card is built of (cards/servicedesk/tickets.py for
the person, cards/servicedesk/desk.py for the agents)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo

from bot.domain.platform.untrusted import escape_text
from bot.domain.servicedesk.tickets import RATINGS, MessageKind, Ticket, TicketMessage
from bot.i18n import Translator
from cards.base import MAX_LINE, MAX_NAME, Element, moment, text

# Inputs, as the cards name them and their values come back in Action.Execute data.
CATEGORY, QUESTION, URGENCY, REPLY, NOTE, RESOLUTION, RATING, COMMENT = (
    "category",
    "question",
    "urgency",
    "reply",
    "note",
    "resolution",
    "rating",
    "comment",
)
MAX_REPLY = 4000
MAX_COMMENT = 1000
# Messages shown on a ticket card: the newest, the rest is in the ticket's history.
MAX_SHOWN_MESSAGES = 6
_EXCERPT = 140


def ticket_facts(ticket: Ticket, t: Translator) -> list[tuple[str, str]]:
    return [
        (t("servicedesk.ticket.reference"), ticket.reference),
        (t("servicedesk.ticket.state"), state_text(ticket, t)),
        (t("servicedesk.ticket.category"), t(f"servicedesk.category.{ticket.category.value}")),
        (t("servicedesk.ticket.urgency"), t(f"servicedesk.urgency.{ticket.urgency.value}")),
    ]


def state_text(ticket: Ticket, t: Translator) -> str:
    return t(f"servicedesk.state.{ticket.state.value}")


def conversation(
    messages: Sequence[TicketMessage], names: Mapping[str, str], t: Translator, zone: tzinfo
) -> list[Element]:
    shown = [m for m in messages if m.kind is not MessageKind.EVENT][-MAX_SHOWN_MESSAGES:]
    found: list[Element] = []
    for message in shown:
        who = person_name(names, message.author_id, t)
        label = t(f"servicedesk.message.{message.kind.value}", name=who)
        found.append(
            {
                "type": "Container",
                "separator": True,
                "style": "emphasis" if message.kind is MessageKind.NOTE else "default",
                "items": [
                    text(f"{label} · {moment(message.at, zone)}", subtle=True),
                    {
                        **text(escape_text(message.text, limit=MAX_REPLY, multiline=True)),
                        "spacing": "None",
                    },
                ],
            }
        )
    return found


def rating_inputs(t: Translator) -> list[Element]:
    return [
        text(t("servicedesk.ticket.helped"), weight="Bolder"),
        {
            "type": "Input.ChoiceSet",
            "id": RATING,
            "label": t("servicedesk.ticket.rating"),
            "style": "expanded",
            "isRequired": True,
            "errorMessage": t("servicedesk.ticket.rating_error"),
            "choices": [{"title": t(f"servicedesk.rating.{n}"), "value": str(n)} for n in RATINGS],
        },
        text_input(COMMENT, t("servicedesk.ticket.comment"), MAX_COMMENT, required=False),
    ]


def text_input(input_id: str, label: str, limit: int, *, required: bool = True) -> Element:
    element: Element = {
        "type": "Input.Text",
        "id": input_id,
        "label": label,
        "isMultiline": True,
        "maxLength": limit,
    }
    if required:
        element |= {"isRequired": True, "errorMessage": label}
    return element


def show_card(title: str, field: Element, send: Element) -> Element:
    return {
        "type": "Action.ShowCard",
        "title": title,
        "card": {"type": "AdaptiveCard", "body": [field], "actions": [send]},
    }


def person_name(names: Mapping[str, str], person_id: str, t: Translator) -> str:
    return escape_text(names.get(person_id, ""), limit=MAX_NAME) or t("servicedesk.someone")


def context_label(key: str, t: Translator) -> str:
    return t(f"servicedesk.context.{key}") if key in CONTEXT_KEYS else escape_text(key, limit=40)


CONTEXT_KEYS = frozenset({"reference", "question", "access"})


def shown(value: str) -> str:
    return escape_text(value, limit=MAX_LINE)


def excerpt(question: str) -> str:
    return escape_text(" ".join(question.split()), limit=_EXCERPT)
