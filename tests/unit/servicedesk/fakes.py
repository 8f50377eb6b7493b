"""An in-memory knowledge base for unit tests (the real one is bot/store/servicedesk, tested
on both engines in tests/integration/servicedesk): search counts shared folded words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.platform.audit import AuditEntry
from bot.domain.platform.directory import DirectoryUser, GroupRef
from bot.domain.platform.errors import InvalidInput
from bot.domain.platform.outbox import NewOutboxMessage
from bot.domain.platform.roles import Role
from bot.domain.platform.text import folded_words
from bot.domain.platform.working_time import WorkingCalendar
from bot.domain.servicedesk.articles import Article, KnowledgeBase, SearchHit
from bot.domain.servicedesk.ticket_files import NewTicketFile, TicketFile
from bot.domain.servicedesk.tickets import (
    OPEN_STATES,
    MessageKind,
    NewTicket,
    Relay,
    StaleTicket,
    Ticket,
    TicketMessage,
    format_ticket_reference,
)
from bot.ports.servicedesk import TicketFileAttached, TicketFiled
from bot.services.platform.audit import Auditor
from bot.services.platform.roles import RoleResolver
from bot.services.servicedesk.agents import DeskAgents
from bot.services.servicedesk.sla_worker import SlaWorkerSettings, TicketSlaWorker
from bot.services.servicedesk.ticket_files import FileLimits, TicketFiles
from bot.services.servicedesk.tickets import DeskSettings, TicketDesk
from dialogs.servicedesk.sla_notices import SlaNoticeCards
from dialogs.servicedesk.ticket_files import TicketFileNoticeCards
from dialogs.servicedesk.ticket_notices import TicketNoticeCards
from tests.support.clock import FakeClock
from tests.unit.fakes import MemoryAuditLog, MemoryDirectory
from tests.unit.post.fakes import MemoryDocuments


@dataclass
class Search:
    asked_by: str
    article_key: str | None
    helped: bool | None = None


@dataclass
class MemoryKnowledgeBase:
    knowledge: KnowledgeBase = field(default_factory=KnowledgeBase)
    searches: dict[str, Search] = field(default_factory=dict)

    async def load(self) -> KnowledgeBase:
        return self.knowledge

    async def article(self, key: str) -> Article | None:
        return self.knowledge.article(key)

    async def replace(self, knowledge: KnowledgeBase) -> None:
        self.knowledge = knowledge

    async def search(self, question: str, language: str, limit: int = 3) -> list[SearchHit]:
        asked = {w for w in folded_words(question) if len(w) > 3}
        ranked = []
        for article in self.knowledge.articles:
            words = set(
                folded_words(article.heading_text(language) + " " + article.body_text(language))
            )
            if shared := len(asked & words):
                ranked.append(SearchHit(article.key, float(shared)))
        ranked.sort(key=lambda hit: -hit.rank)
        return ranked[:limit]

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
    ) -> None:
        self.searches[reference] = Search(asked_by, article_key)

    async def record_feedback(
        self, reference: str, asked_by: str, helped: bool, at: datetime
    ) -> bool:
        search = self.searches.get(reference)
        if search is None or search.asked_by != asked_by or search.helped is not None:
            return False
        search.helped = helped
        return True

    async def search_figures(self, since: datetime, until: datetime) -> dict[str, int]:
        found = list(self.searches.values())
        return {
            "asked": len(found),
            "answered": sum(s.article_key is not None for s in found),
            "helped": sum(s.helped is True for s in found),
            "not_helped": sum(s.helped is False for s in found),
        }


# --- tickets ------------------------------------------------------------------------------------
@dataclass
class MemoryTicketRepository:
    """Tickets in memory, with the store's version check; what each step queued is kept in
    `audit` and `outbox` (the real store writes them in the step's transaction)."""

    tickets: dict[int, Ticket] = field(default_factory=dict)
    lines: dict[int, list[TicketMessage]] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    outbox: list[NewOutboxMessage] = field(default_factory=list)

    async def add(self, new: NewTicket, then: TicketFiled | None = None) -> Ticket:
        ticket_id = len(self.tickets) + 1
        ticket = Ticket(
            id=ticket_id,
            reference=format_ticket_reference(new.created_at.year, ticket_id),
            tenant_id=new.tenant_id,
            requester_id=new.requester_id,
            category=new.category,
            urgency=new.urgency,
            question=new.question,
            created_at=new.created_at,
            desk=new.desk,
            requester_entity=new.requester_entity,
            context=new.context,
        )
        if then is not None:
            audit, messages = then(ticket)
            self.audit += audit
            self.outbox += messages
        self.tickets[ticket_id] = ticket
        return ticket

    async def get(self, ticket_id: int) -> Ticket | None:
        return self.tickets.get(ticket_id)

    async def by_reference(self, reference: str) -> Ticket | None:
        return next((t for t in self.tickets.values() if t.reference == reference), None)

    async def save(
        self,
        before: Ticket,
        after: Ticket,
        message: TicketMessage | None = None,
        *,
        audit: Sequence[AuditEntry] = (),
        notices: Sequence[NewOutboxMessage] = (),
    ) -> None:
        if self.tickets[before.id].version != before.version:
            raise StaleTicket()
        # As the store: a step never writes the person's relay choice.
        self.tickets[after.id] = replace(after, relay=self.tickets[before.id].relay)
        if message is not None:
            self.lines.setdefault(after.id, []).append(message)
        self.audit += audit
        self.outbox += notices

    async def add_message(self, ticket_id: int, message: TicketMessage) -> None:
        self.lines.setdefault(ticket_id, []).append(message)

    async def messages(self, ticket_id: int, *, internal: bool) -> list[TicketMessage]:
        said = self.lines.get(ticket_id, [])
        return [m for m in said if internal or m.kind is not MessageKind.NOTE]

    async def mine(self, tenant_id: str, requester_id: str, limit: int = 20) -> list[Ticket]:
        found = [
            t
            for t in self.tickets.values()
            if t.tenant_id == tenant_id and t.requester_id == requester_id
        ]
        return sorted(found, key=lambda t: -t.id)[:limit]

    async def open_of(self, tenant_id: str, requester_id: str, limit: int = 5) -> list[Ticket]:
        mine = await self.mine(tenant_id, requester_id, limit=len(self.tickets) or 1)
        return [t for t in mine if t.state in OPEN_STATES][:limit]

    async def set_relay(self, ticket_id: int, relay: Relay) -> None:
        self.tickets[ticket_id] = replace(self.tickets[ticket_id], relay=relay)

    async def open_for_desk(self, desk: str, limit: int = 50) -> list[Ticket]:
        found = [t for t in self.tickets.values() if t.desk == desk and t.state in OPEN_STATES]
        return found[:limit]

    async def open_tickets(self, limit: int, after_id: int = 0) -> list[Ticket]:
        found = [t for i, t in sorted(self.tickets.items()) if i > after_id]
        return [t for t in found if t.state in OPEN_STATES][:limit]

    async def set_desk_card(self, ticket_id: int, conversation_id: str, activity_id: str) -> None:
        return None

    async def desk_card(self, ticket_id: int) -> tuple[str, str] | None:
        return None

    async def unposted(self, limit: int) -> list[Ticket]:
        return []


@dataclass
class MemoryPeople:
    """Names, languages and entities of the people a test knows."""

    known: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # id: name, locale, entity

    async def names(self, user_ids: Sequence[str]) -> dict[str, str]:
        return {i: self.known[i][0] for i in user_ids if i in self.known}

    async def locale_of(self, user_id: str) -> str:
        return self.known.get(user_id, ("", "nl", ""))[1]

    async def entity_of(self, user_id: str) -> str:
        return self.known.get(user_id, ("", "nl", ""))[2]


DESK_CHANNEL = "19:servicedesk@thread.tacv2"
AWV_CHANNEL = "19:awv-desk@thread.tacv2"


LEAD_CHANNEL = "19:servicedesk-leads@thread.tacv2"
BRUSSELS = ZoneInfo("Europe/Brussels")


@dataclass
class TicketWorld:
    """A ticket desk on the fakes: the repository, the people, the clock."""

    repository: MemoryTicketRepository
    people: MemoryPeople
    clock: FakeClock
    desk: TicketDesk
    settings: DeskSettings
    calendar: WorkingCalendar
    # Who is in the agents' group (ticket_world's `agents`): the desk's agents and roles.
    directory: MemoryDirectory = field(default_factory=MemoryDirectory)

    def sla_worker(
        self,
        *,
        lead_channel_id: str = LEAD_CHANNEL,
        batch: int = 200,
    ) -> TicketSlaWorker:
        """The service-level worker on this world's desk."""
        return TicketSlaWorker(
            desk=self.desk,
            tickets=self.repository,
            people=self.people,
            cards=SlaNoticeCards(BRUSSELS),
            clock=self.clock,
            calendar=self.calendar,
            desk_settings=self.settings,
            settings=SlaWorkerSettings(lead_channel_id=lead_channel_id, batch=batch),
        )


def ticket_world(
    people: dict[str, tuple[str, str, str]] | None = None,
    *,
    entity_channels: dict[str, str] | None = None,
    channel_id: str = DESK_CHANNEL,
    repository: MemoryTicketRepository | None = None,
    agents: Sequence[str] = (),
) -> TicketWorld:
    """agents: the ids of the people in the agents' group (the role agent, from the directory)."""
    repository = repository or MemoryTicketRepository()
    known = MemoryPeople(dict(people or {}))
    clock = FakeClock()
    calendar = WorkingCalendar(BRUSSELS)
    settings = DeskSettings(channel_id=channel_id, entity_channels=entity_channels or {})
    directory = agents_directory(known, agents)
    desk = TicketDesk(
        tickets=repository,
        people=known,
        cards=TicketNoticeCards(BRUSSELS),
        clock=clock,
        calendar=calendar,
        settings=settings,
        agents=DeskAgents(
            directory=directory,
            agent_groups=[AGENT_GROUP],
            roles=RoleResolver(directory, {Role.AGENT.value: [AGENT_GROUP]}, clock),
            people=known,
            clock=clock,
        ),
    )
    return TicketWorld(repository, known, clock, desk, settings, calendar, directory)


AGENT_GROUP = "grp-servicedesk-agents"


def agents_directory(people: MemoryPeople, agents: Sequence[str]) -> MemoryDirectory:
    """A directory where `agents` (known by their names in `people`) are in the agents' group."""
    return MemoryDirectory(
        users={
            agent: DirectoryUser(agent, people.known.get(agent, (agent,))[0], f"{agent}@x.example")
            for agent in agents
        },
        groups={agent: [GroupRef(AGENT_GROUP, "Servicedesk")] for agent in agents},
    )


# --- files attached to tickets ------------------------------------------------------------------
@dataclass
class MemoryTicketFileRepository:
    """Files in memory. As the store writes them in one transaction, `add` puts the file's line
    on the ticket, and its audit lines and outbox messages, in the ticket repository's lists."""

    tickets: MemoryTicketRepository
    files: dict[int, TicketFile] = field(default_factory=dict)

    async def add(
        self, new: NewTicketFile, line: TicketMessage, then: TicketFileAttached
    ) -> TicketFile:
        stored = TicketFile(
            len(self.files) + 1, **{f.name: getattr(new, f.name) for f in fields(new)}
        )
        audit, messages = then(stored)
        self.files[stored.id] = stored
        self.tickets.lines.setdefault(new.ticket_id, []).append(line)
        self.tickets.audit += audit
        self.tickets.outbox += messages
        return stored

    async def get(self, file_id: int) -> TicketFile | None:
        return self.files.get(file_id)

    async def of_ticket(self, ticket_id: int) -> list[TicketFile]:
        return [f for _, f in sorted(self.files.items()) if f.ticket_id == ticket_id]


class StreamingDownloads:
    """FileDownloads over files known by URL as (first bytes, total size): read chunk by chunk
    and stopped past max_bytes as the real one (bot/http/downloads.py) does, so a file of any
    size costs at most one chunk more than the limit. `read` says how far each fetch got."""

    CHUNK = 64 * 1024

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, int]] = {}
        self.read: dict[str, int] = {}

    def serve(self, url: str, data: bytes, size: int | None = None) -> None:
        self.files[url] = (data, len(data) if size is None else size)

    async def fetch(self, url: str, max_bytes: int) -> bytes:
        if url not in self.files:
            raise InvalidInput("download.error.not_allowed")
        first, size = self.files[url]
        body = bytearray()
        while len(body) < size:
            start = len(body)
            chunk = first[start : start + self.CHUNK]
            body += chunk + bytes(min(self.CHUNK, size - start) - len(chunk))
            self.read[url] = len(body)
            if len(body) > max_bytes:
                raise InvalidInput("download.error.too_large", max_mb=str(max_bytes // 2**20))
        return bytes(body)


LINK_BASE = "https://werkplek.example/api/servicedesk/tickets"
MAX_FILE_BYTES = 10 * 1024 * 1024


@dataclass
class FileWorld:
    """TicketFiles on a ticket world: the files, their bytes, the downloads, the links made
    (ticket, file, for whom) and the audit lines written outside a ticket's step."""

    tickets: TicketWorld
    repository: MemoryTicketFileRepository
    documents: MemoryDocuments
    downloads: StreamingDownloads
    audit: MemoryAuditLog
    service: TicketFiles
    links: list[tuple[int, int, str]]


def file_world(tickets: TicketWorld, *, max_bytes: int = MAX_FILE_BYTES) -> FileWorld:
    repository = MemoryTicketFileRepository(tickets.repository)
    documents = MemoryDocuments()
    downloads = StreamingDownloads()
    audit = MemoryAuditLog()
    links: list[tuple[int, int, str]] = []

    def link(ticket_id: int, file_id: int, viewer: str) -> str:
        links.append((ticket_id, file_id, viewer))
        return f"{LINK_BASE}/{ticket_id}/files/{file_id}?by={viewer}&exp=1&n=x&sig=x"

    service = TicketFiles(
        desk=tickets.desk,
        files=repository,
        documents=documents,
        downloads=downloads,
        cards=TicketFileNoticeCards(),
        links=link,
        auditor=Auditor(audit, tickets.clock),
        clock=tickets.clock,
        settings=tickets.settings,
        limits=FileLimits(max_bytes, 10),
    )
    return FileWorld(tickets, repository, documents, downloads, audit, service, links)
