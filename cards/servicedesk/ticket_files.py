"""Files attached to tickets: what the person is told, the file's card in the ticket's thread,
and the link made for whoever asked to open one.

The thread's card carries a button that asks for a link (Action.Execute), never a link: a
card in a channel is read by everyone in it, and a link works for whoever has it. The link
card goes only to the 1:1 chat of whom it was made for (the verb is personal).

File names came from a person: they are escaped here, shown and never read as Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.platform.untrusted import escape_text
from bot.domain.servicedesk.ticket_files import TicketFile
from bot.domain.servicedesk.tickets import Ticket
from bot.i18n import Translator
from cards.base import MAX_NAME, Card, card, execute, facts, heading, open_url, text, worded
from cards.verbs import Verb

_KILOBYTE = 1024
_MEGABYTE = 1024 * 1024


def files_attached_card(
    ticket: Ticket,
    attached: Sequence[TicketFile],
    refused: Sequence[tuple[str, str, dict[str, object]]],
    t: Translator,
) -> Card:
    """The answer to files sent while the chat goes to the ticket: which were attached, and
    which not with why (`refused`: name, message id, its params)."""
    body = []
    if attached:
        title = t.n("servicedesk.files.attached", len(attached), reference=ticket.reference)
        body.append(heading(title))
        body += [text(f"\N{PAPERCLIP} {_name(file.name)}") for file in attached]
    if refused:
        title = t.n("servicedesk.files.refused", len(refused), reference=ticket.reference)
        body.append(heading(title) if not attached else text(title, weight="Bolder"))
        body += [
            text(t("servicedesk.files.refused.line", name=_name(name), reason=worded(k, p, t)))
            for name, k, p in refused
        ]
    view = execute(
        t("servicedesk.tickets.open", reference=ticket.reference),
        Verb.TICKET_VIEW,
        {"ticket": ticket.id},
    )
    return card(body, [view])


def file_thread_card(ticket: Ticket, file: TicketFile, requester_name: str, t: Translator) -> Card:
    """In the ticket's thread: the file the person sent, and a button for a link to it."""
    who = escape_text(requester_name, limit=MAX_NAME) or t("servicedesk.someone")
    return card(
        [
            heading(t("servicedesk.files.thread.from", name=who, reference=ticket.reference)),
            facts(
                [
                    (t("servicedesk.files.name"), _name(file.name)),
                    (t("servicedesk.files.size"), size_words(file.size, t)),
                ]
            ),
            text(t("servicedesk.files.thread.how"), subtle=True),
        ],
        [
            execute(
                t("servicedesk.files.open"),
                Verb.TICKET_FILE,
                {"ticket": ticket.id, "file": file.id},
            )
        ],
    )


def file_link_card(ticket: Ticket, file: TicketFile, url: str, minutes: int, t: Translator) -> Card:
    """For the 1:1 chat of whom the link was made for only (it carries a signed link)."""
    return card(
        [
            heading(t("servicedesk.files.link.title", reference=ticket.reference)),
            facts(
                [
                    (t("servicedesk.files.name"), _name(file.name)),
                    (t("servicedesk.files.size"), size_words(file.size, t)),
                ]
            ),
            text(t.n("servicedesk.files.link.ready", minutes), subtle=True),
        ],
        [open_url(t("servicedesk.files.download"), url)],
    )


def size_words(size: int, t: Translator) -> str:
    """1536 -> "2 kB", 2621440 -> "2,5 MB" (a decimal comma in Dutch)."""
    if size < _MEGABYTE:
        return f"{max(1, -(-size // _KILOBYTE))} kB"
    megabytes = f"{size / _MEGABYTE:.1f}".removesuffix(".0")
    return f"{megabytes.replace('.', ',') if t.locale == 'nl' else megabytes} MB"


def _name(name: str) -> str:
    return escape_text(name, limit=MAX_NAME)
