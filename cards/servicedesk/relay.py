"""The relay between a person's chat and their ticket's thread in the desk's channel.

- In the person's chat: "Hoort dit bij je melding SD-…?" (asked once per ticket), and what became
  of the answer.
- In the ticket's thread: what the person wrote, as it arrives, with how the agents answer.

Every text that came from a person is escaped here: it is shown, never read as Markdown.
"""

from __future__ import annotations

from bot.domain.platform.untrusted import escape_text
from bot.domain.servicedesk.tickets import Ticket
from bot.i18n import Translator
from cards.base import MAX_NAME, Card, card, execute, heading, run_button, text
from cards.servicedesk.ticket_parts import MAX_REPLY, excerpt
from cards.verbs import Verb

# What an agent types first in the thread to write an internal note instead of an answer.
NOTE_MARKERS = ("#intern", "#internal")


def relay_offer_card(ticket: Ticket, said: str, t: Translator) -> Card:
    """The person has an open ticket and wrote something no command claims: add it?"""
    data = {"ticket": ticket.id, "text": said[:MAX_REPLY]}
    return card(
        [
            heading(t("servicedesk.relay.offer.title", reference=ticket.reference)),
            text(excerpt(ticket.question), subtle=True),
            text(t("servicedesk.relay.offer.body")),
        ],
        [
            execute(t("servicedesk.relay.offer.yes"), Verb.TICKET_RELAY_YES, data),
            execute(t("servicedesk.relay.offer.no"), Verb.TICKET_RELAY_NO, data),
        ],
    )


def relay_started_card(ticket: Ticket, t: Translator) -> Card:
    """The answer to "Ja": added, and so will the next messages be."""
    return card(
        [
            heading(t("servicedesk.relay.added", reference=ticket.reference)),
            text(t("servicedesk.relay.started.body", stop=t("servicedesk.relay.stop_word"))),
        ],
        [execute(t("servicedesk.relay.stop"), Verb.TICKET_RELAY_STOP, {"ticket": ticket.id})],
    )


def relay_declined_card(ticket: Ticket, t: Translator) -> Card:
    """The answer to "Nee": nothing added, and not asked again for this ticket."""
    return card(
        [
            text(t("servicedesk.relay.declined", reference=ticket.reference)),
        ],
        [run_button(t("system.show_help"), "help")],
    )


def relay_stopped_card(ticket: Ticket, t: Translator) -> Card:
    return card(
        [text(t("servicedesk.relay.stopped", reference=ticket.reference))],
        [
            execute(
                t("servicedesk.tickets.open", reference=ticket.reference),
                Verb.TICKET_VIEW,
                {"ticket": ticket.id},
            )
        ],
    )


def thread_message_card(ticket: Ticket, said: str, requester_name: str, t: Translator) -> Card:
    """What the person wrote, in the ticket's thread: how to answer them from there."""
    who = escape_text(requester_name, limit=MAX_NAME) or t("servicedesk.someone")
    return card(
        [
            heading(t("servicedesk.relay.thread.from", name=who, reference=ticket.reference)),
            text(escape_text(said, limit=MAX_REPLY, multiline=True)),
            text(t("servicedesk.relay.thread.how", marker=NOTE_MARKERS[0]), subtle=True),
        ]
    )
