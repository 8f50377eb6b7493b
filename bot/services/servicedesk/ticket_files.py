"""Files on tickets: what a person sends in their chat while it goes to their open ticket is
attached to it, and the desk's agents open it through a link made for them.

- Attaching (`attach`): only the person who asked, on a ticket still open. Each file is judged
  by its name first (bot/domain/servicedesk/ticket_files.py: the types taken, the name made
  safe) and fetched only then, within the configured size (the download stops at the limit,
  so a larger file is never read whole); its bytes must look like its type. Kept in the
  document store (the scans' one), then recorded with a line "📎 name" in the ticket's
  conversation, its audit line and a card in the ticket's thread in the desk's channel, in one
  transaction. A file refused says why; the others of the message are still taken.
- Opening (`open_file`): the person who asked, an agent of the ticket's desk (any agent for the
  central desk's) or a Werkplek admin, checked as for every other step of the ticket; the
  answer is a short-lived, single-use link made for that person, audited before it is made.
  The thread's card never holds a link, only a button that asks for one.

A file sent alone does not change the ticket (a ticket waiting on the person stays waiting:
their next message reopens it); the desk's card shows the line from its next edit, and the
thread shows the file at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import AuditEntry, Outcome
from bot.domain.platform.errors import DomainError, InvalidInput, NotFound, Unavailable
from bot.domain.platform.outbox import NewOutboxMessage
from bot.domain.platform.roles import Role
from bot.domain.servicedesk.ticket_files import (
    MAX_FILES_PER_MESSAGE,
    NewTicketFile,
    TicketFile,
    content_type_of,
    looks_like,
    safe_name,
)
from bot.domain.servicedesk.tickets import OPEN_STATES, MessageKind, Ticket, TicketMessage
from bot.i18n import N_
from bot.ports.platform import Clock, FileDownloads
from bot.ports.post import DocumentStore
from bot.ports.servicedesk import TicketFileRepository
from bot.services.platform.audit import Auditor
from bot.services.servicedesk.tickets import (
    OBJECT_TYPE,
    DeskSettings,
    TicketDesk,
    desk_card_key,
    ticket_audit,
)

ATTACH = "servicedesk.ticket.file"
OPEN = "servicedesk.ticket.file.open"
CLOSED = N_("servicedesk.files.error.closed")
FILE_NOT_FOUND = N_("servicedesk.files.error.not_found")
TYPE_REFUSED = N_("servicedesk.files.error.type")
CONTENT_REFUSED = N_("servicedesk.files.error.content")
TOO_MANY = N_("servicedesk.files.error.too_many")
CLIP = "\N{PAPERCLIP}"

# (ticket id, file id, viewer's Entra id) -> a short-lived signed URL, served by the bot.
FileLinks = Callable[[int, int, str], str]


class SentFile(Protocol):
    """A file as the chat hands it over (bot.turn.IncomingFile)."""

    @property
    def name(self) -> str: ...

    @property
    def download_url(self) -> str: ...


class TicketFileCards(Protocol):
    """The activity for the ticket's thread (dialogs/servicedesk/ticket_files.py renders it)."""

    def in_thread(self, ticket: Ticket, file: TicketFile, requester_name: str) -> dict[str, Any]:
        """The file the person sent, with a button that asks for a link to it (never the link)."""
        ...


@dataclass(frozen=True, slots=True)
class RefusedFile:
    name: str  # safe_name of what was sent
    reason_key: str  # a message id, with `params`
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Attached:
    ticket: Ticket
    files: list[TicketFile]
    refused: list[RefusedFile]


@dataclass(frozen=True, slots=True)
class OpenedFile:
    ticket: Ticket
    file: TicketFile
    url: str
    minutes: int


@dataclass(frozen=True, slots=True)
class FileLimits:
    max_bytes: int
    link_minutes: int


class TicketFiles:
    def __init__(
        self,
        *,
        desk: TicketDesk,
        files: TicketFileRepository,
        documents: DocumentStore,
        downloads: FileDownloads,
        cards: TicketFileCards,
        links: FileLinks,
        auditor: Auditor,
        clock: Clock,
        settings: DeskSettings,
        limits: FileLimits,
    ) -> None:
        self._desk = desk
        self._files = files
        self._documents = documents
        self._downloads = downloads
        self._cards = cards
        self._links = links
        self._auditor = auditor
        self._clock = clock
        self._settings = settings
        self._limits = limits

    # --- the person -------------------------------------------------------------------------
    async def attach(self, caller: Actor, ticket_id: int, sent: Sequence[SentFile]) -> Attached:
        """Attach what the person sent to their open ticket; NotFound for anyone else's ticket,
        DomainError(CLOSED) for one no longer open. Each file is taken or refused on its own."""
        ticket, _ = await self._desk.for_requester(caller, ticket_id)
        if ticket.state not in OPEN_STATES:
            raise DomainError(CLOSED, reference=ticket.reference)
        names = await self._desk.names_of([caller.user_id])
        requester = names.get(caller.user_id) or caller.name
        taken: list[TicketFile] = []
        refused: list[RefusedFile] = []
        for number, one in enumerate(sent):
            name = safe_name(one.name)
            try:
                if number >= MAX_FILES_PER_MESSAGE:
                    raise InvalidInput(TOO_MANY, limit=MAX_FILES_PER_MESSAGE)
                taken.append(await self._attach_one(caller, ticket, name, one, requester))
            except (InvalidInput, Unavailable) as why:
                await self._refused(caller, ticket, why.message_key)
                refused.append(RefusedFile(name, why.message_key, dict(why.params)))
        return Attached(ticket, taken, refused)

    # --- whoever may see the ticket ---------------------------------------------------------
    async def open_file(self, caller: Actor, ticket_id: int, file_id: int) -> OpenedFile:
        """A link to one of the ticket's files for the caller: its requester, an agent of its
        desk or an admin (NotFound, or Forbidden for an agent of another desk, otherwise: the
        ids come from a card, which anyone can write). Audited before the link is made."""
        ticket = await self._ticket_for(caller, ticket_id)
        found = await self._files.get(file_id)
        if found is None or found.ticket_id != ticket.id:
            raise NotFound(FILE_NOT_FOUND)
        await self._auditor.record(
            actor_id=caller.user_id,
            action=OPEN,
            outcome=Outcome.OK,
            role=caller.role,
            tenant_id=ticket.tenant_id,
            object_type=OBJECT_TYPE,
            object_id=ticket.reference,
            correlation_id=caller.correlation_id,
            durable=True,
            file=str(found.id),
        )
        url = self._links(ticket.id, found.id, caller.user_id)
        return OpenedFile(ticket, found, url, self._limits.link_minutes)

    async def files_of(self, caller: Actor, ticket_id: int) -> list[TicketFile]:
        """The ticket's files, for whoever may see it (as open_file)."""
        ticket = await self._ticket_for(caller, ticket_id)
        return await self._files.of_ticket(ticket.id)

    # --- helpers ----------------------------------------------------------------------------
    async def _ticket_for(self, caller: Actor, ticket_id: int) -> Ticket:
        try:
            ticket, _ = await self._desk.for_requester(caller, ticket_id)
        except NotFound:
            if not (caller.has(Role.AGENT) or caller.has(Role.ADMIN)):
                raise
            ticket, _ = await self._desk.for_agent(caller, ticket_id)
        return ticket

    async def _attach_one(
        self, caller: Actor, ticket: Ticket, name: str, sent: SentFile, requester: str
    ) -> TicketFile:
        content_type = content_type_of(name)
        if content_type is None:  # judged by its name: not even fetched
            raise InvalidInput(TYPE_REFUSED)
        data = await self._downloads.fetch(sent.download_url, self._limits.max_bytes)
        if not looks_like(content_type, data):
            raise InvalidInput(CONTENT_REFUSED)
        stored = await self._documents.put(name, data)
        now = self._clock.now()
        new = NewTicketFile(
            ticket_id=ticket.id,
            at=now,
            author_id=caller.user_id,
            name=name,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            document_key=stored.key,
        )
        line = TicketMessage(now, caller.user_id, MessageKind.REQUESTER, f"{CLIP} {name}")

        def then(recorded: TicketFile) -> tuple[list[AuditEntry], list[NewOutboxMessage]]:
            audit = self._audit(caller, ticket, Outcome.OK, file=str(recorded.id))
            return [audit], self._to_thread(ticket, recorded, requester)

        try:
            return await self._files.add(new, line, then)
        except Exception:
            # Not recorded: the bytes go too, so nothing is half-stored.
            await self._documents.delete(stored.key)
            raise

    def _to_thread(
        self, ticket: Ticket, file: TicketFile, requester: str
    ) -> list[NewOutboxMessage]:
        """The file's card in the ticket's thread in its desk's channel (as TicketDesk's)."""
        channel = self._settings.channel_of(ticket.desk)
        if not channel:
            return []
        return [
            NewOutboxMessage(
                tenant_id=ticket.tenant_id,
                dedupe_key=f"ticket-{ticket.id}-file-{file.id}",
                activity=self._cards.in_thread(ticket, file, requester),
                conversation_id=channel,
                thread_of=desk_card_key(ticket.id),
            )
        ]

    async def _refused(self, caller: Actor, ticket: Ticket, reason: str) -> None:
        """A file not taken: audited durably with why (the file's name is the person's: out)."""
        await self._auditor.record(
            actor_id=caller.user_id,
            action=ATTACH,
            outcome=Outcome.REJECTED,
            role=caller.role,
            tenant_id=ticket.tenant_id,
            object_type=OBJECT_TYPE,
            object_id=ticket.reference,
            correlation_id=caller.correlation_id,
            durable=True,
            reason=reason,
        )

    def _audit(self, caller: Actor, ticket: Ticket, outcome: Outcome, **detail: str) -> AuditEntry:
        return ticket_audit(self._clock.now(), caller, ATTACH, ticket, outcome, **detail)
