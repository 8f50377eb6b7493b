"""The ports of the service desk: its knowledge base and the knowledge base's workbook, its
tickets, and what its report reads.

bot/store/servicedesk implements the repositories, bot/excel/servicedesk the workbook; tests use
the store on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.platform.audit import AuditEntry
from bot.domain.platform.outbox import NewOutboxMessage
from bot.domain.servicedesk.articles import Article, ArticleProblem, KnowledgeBase, SearchHit
from bot.domain.servicedesk.report import AskedQuestion, SearchFigures
from bot.domain.servicedesk.ticket_files import NewTicketFile, TicketFile
from bot.domain.servicedesk.tickets import NewTicket, Relay, Ticket, TicketMessage
from bot.i18n import Translator


class KnowledgeBaseRepository(Protocol):
    async def load(self) -> KnowledgeBase: ...

    async def article(self, key: str) -> Article | None: ...

    async def replace(self, knowledge: KnowledgeBase) -> None:
        """The whole knowledge base and its search index, in one transaction."""
        ...

    async def search(self, question: str, language: str, limit: int = 3) -> list[SearchHit]:
        """The best articles for a question in a language, best first."""
        ...

    async def record_search(
        self,
        *,
        reference: str,
        tenant_id: str,
        asked_by: str,
        at: datetime,
        language: str,
        question: str,
        article_key: str | None,
    ) -> None: ...

    async def record_feedback(
        self, reference: str, asked_by: str, helped: bool, at: datetime
    ) -> bool:
        """False when the search is unknown, someone else's, or already answered."""
        ...

    async def search_figures(self, since: datetime, until: datetime) -> dict[str, int]: ...


class ArticleWorkbooks(Protocol):
    """The knowledge base's workbook (bot/excel/servicedesk/articles_files.py). CPU work: call
    it in a thread."""

    def read(self, data: bytes) -> tuple[KnowledgeBase | None, Sequence[ArticleProblem]]:
        """The knowledge base, or None with every problem found."""
        ...

    def describe(self, problem: ArticleProblem, t: Translator) -> str:
        """ "blad Artikels, rij 7, kolom Categorie: ..." in the reader's language."""
        ...


# Given a ticket just stored (its id and reference known): the audit lines and outbox messages
# to write in the same transaction.
TicketFiled = Callable[[Ticket], tuple[Sequence[AuditEntry], Sequence[NewOutboxMessage]]]


class TicketRepository(Protocol):
    """Tickets and their conversations (bot/store/servicedesk/tickets.py)."""

    async def add(self, new: NewTicket, then: TicketFiled | None = None) -> Ticket:
        """Store a new ticket with the next reference of its year (SD-2026-000123), and what
        `then` returns for it, in one transaction."""
        ...

    async def get(self, ticket_id: int) -> Ticket | None: ...

    async def by_reference(self, reference: str) -> Ticket | None: ...

    async def save(
        self,
        before: Ticket,
        after: Ticket,
        message: TicketMessage | None = None,
        *,
        audit: Sequence[AuditEntry] = (),
        notices: Sequence[NewOutboxMessage] = (),
    ) -> None:
        """Write `after` (with `message`, `audit` and `notices`, in the same transaction) only
        if the stored ticket is still at `before.version`; raises StaleTicket, having written
        nothing, otherwise."""
        ...

    async def add_message(self, ticket_id: int, message: TicketMessage) -> None: ...

    async def messages(self, ticket_id: int, *, internal: bool) -> list[TicketMessage]:
        """The conversation, oldest first; internal=False leaves the notes out (what the
        person may see)."""
        ...

    async def mine(self, tenant_id: str, requester_id: str, limit: int = 20) -> list[Ticket]:
        """A person's tickets, newest first."""
        ...

    async def open_of(self, tenant_id: str, requester_id: str, limit: int = 5) -> list[Ticket]:
        """A person's new, open and waiting tickets, the last changed first."""
        ...

    async def set_relay(self, ticket_id: int, relay: Relay) -> None:
        """Whether the person's free messages go to the ticket (no version check)."""
        ...

    async def open_for_desk(self, desk: str, limit: int = 50) -> list[Ticket]:
        """A desk's new, open and waiting tickets, oldest first."""
        ...

    async def open_tickets(self, limit: int, after_id: int = 0) -> list[Ticket]:
        """Every desk's new, open and waiting tickets by id, from after `after_id` (a page)."""
        ...

    async def set_desk_card(self, ticket_id: int, conversation_id: str, activity_id: str) -> None:
        """The ticket's card is posted in the service desk's channel."""
        ...

    async def desk_card(self, ticket_id: int) -> tuple[str, str] | None:
        """(conversation id, activity id) of the ticket's card, ("", "") before it is posted;
        None for an unknown ticket."""
        ...

    async def unposted(self, limit: int) -> list[Ticket]:
        """Tickets whose card is not posted yet (to try again), oldest first."""
        ...


class TicketReportSource(Protocol):
    """What the ticket report reads of a period [start, end)
    (bot/store/servicedesk/ticket_report.py)."""

    async def tickets_created(
        self, start: datetime, end: datetime, entity: str | None = None
    ) -> list[Ticket]:
        """The tickets created in the period, of the people of one entity (its code; ""
        unknown) or of all (None), whichever desk handled them; oldest first."""
        ...

    async def search_figures(self, start: datetime, end: datetime) -> SearchFigures:
        """The knowledge base's searches of the period, counted."""
        ...

    async def unanswered_questions(
        self, start: datetime, end: datetime, limit: int
    ) -> list[AskedQuestion]:
        """The questions of the period the knowledge base had no article for or whose article
        did not help, each text once with how often it was asked; the most asked first, at
        most `limit`. Personal text: for the report only, never to be logged."""
        ...


# --- files attached to tickets (bot/store/servicedesk/ticket_files.py) --------------------------
# Given a file just recorded (its id known): the audit lines and outbox messages (its card in
# the ticket's thread) to write in the same transaction.
TicketFileAttached = Callable[[TicketFile], tuple[Sequence[AuditEntry], Sequence[NewOutboxMessage]]]


class TicketFileRepository(Protocol):
    """The files people attached to their tickets: what was sent, where the document store keeps
    it (the bytes are the store's, never in the database)."""

    async def add(
        self, new: NewTicketFile, line: TicketMessage, then: TicketFileAttached
    ) -> TicketFile:
        """Record the file, its line in the ticket's conversation, and what `then` returns for
        it, in one transaction."""
        ...

    async def get(self, file_id: int) -> TicketFile | None: ...

    async def of_ticket(self, ticket_id: int) -> list[TicketFile]:
        """A ticket's files, in the order they came."""
        ...
