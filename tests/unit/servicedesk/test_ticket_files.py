"""Files on tickets through the real dispatcher, relay, files dialog, service and cards, on the
in-memory repositories.

The person: files sent in their 1:1 chat while it goes to their open ticket are attached, each
judged on its own (type by name before anything is fetched, size while it is fetched, content
by its first bytes); without such a ticket nothing changes. The desk: the file's card in the
ticket's thread asks for a link, never holds one; the link goes to the clicker's 1:1 chat, and
only to the person who asked, an agent of the ticket's desk or an admin."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.commands.dispatcher import Dispatcher
from bot.commands.registry import Registry
from bot.domain.platform.actors import Actor
from bot.domain.platform.audit import Outcome
from bot.domain.platform.errors import DomainError, NotFound, StoreUnavailable
from bot.domain.platform.roles import Role
from bot.domain.servicedesk.ticket_files import content_type_of, looks_like, safe_name
from bot.domain.servicedesk.tickets import MessageKind, Relay, TicketState
from bot.services.platform.audit import Auditor
from bot.services.servicedesk.relay import TicketRelay
from bot.services.servicedesk.ticket_files import ATTACH, OPEN
from bot.services.servicedesk.tickets import desk_card_key
from bot.turn import IncomingFile, Turn, carries_signed_link
from cards.servicedesk.relay import NOTE_MARKERS
from cards.verbs import Verb
from devtools.card_inspection import card_text
from dialogs.servicedesk.relay import RelayDialog
from dialogs.servicedesk.ticket_files import TicketFilesDialog
from dialogs.servicedesk.tickets import TicketDialog
from tests.support.chat import FakeTurn, click, send
from tests.unit.fakes import MemoryAuditLog
from tests.unit.servicedesk.fakes import (
    AWV_CHANNEL,
    MAX_FILE_BYTES,
    FileWorld,
    StreamingDownloads,
    file_world,
    ticket_world,
)

LOTTE, JEF, ANN, PIET = "lotte", "jef", "ann", "piet"
AGENT = frozenset({Role.STAFF, Role.AGENT})
PEOPLE = {
    LOTTE: ("Lotte Janssens", "nl", "AWV"),
    JEF: ("Jef Peeters", "en", ""),
    ANN: ("Ann Desmet", "nl", "AWV"),
    PIET: ("Piet Claes", "nl", "DOMG"),
}
PDF = b"%PDF-1.7\n% a scan of the error\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
EXE = b"MZ\x90\x00" + bytes(64)


class Outbox:
    """The Notifier: personal answers asked for in a channel, queued for the 1:1 chat."""

    def __init__(self) -> None:
        self.queued: list[tuple[str, dict[str, Any]]] = []

    async def notify_user(
        self, tenant_id: str, user_id: str, activity: dict[str, Any], dedupe_key: str
    ) -> bool:
        self.queued.append((user_id, activity))
        return True


class Chat:
    def __init__(self, *, per_entity: bool = False) -> None:
        channels = {"AWV": AWV_CHANNEL} if per_entity else None
        self.files: FileWorld = file_world(ticket_world(PEOPLE, entity_channels=channels))
        self.world = self.files.tickets
        self.audit = MemoryAuditLog()
        auditor = Auditor(self.audit, self.world.clock)
        self.outbox = Outbox()
        self.registry = Registry()
        self.dispatcher = Dispatcher(self.registry, auditor, "https://desk.example", self.outbox)
        self.inbox: list[str] = []  # what reached the workbook inbox

        async def inbox(turn: Turn, text: str) -> None:
            self.inbox += [file.name for file in turn.files]

        self.dispatcher.receive_files(inbox)
        relay = RelayDialog(
            TicketRelay(
                desk=self.world.desk,
                tickets=self.world.repository,
                sent=_NoThreads(),
                note_markers=NOTE_MARKERS,
            ),
            auditor,
        )
        files = TicketFilesDialog(self.files.service, auditor)
        relay.attach_files_with(files.attach_sent)
        self.dispatcher.relay_with(relay)
        for dialog in (TicketDialog(self.world.desk, auditor, ZoneInfo("Europe/Brussels")), relay):
            self.registry.add_dialog(dialog)
        self.registry.add_dialog(files)

    async def ticket(self, *, relaying: bool = True) -> int:
        form = {"category": "other", "question": "Mijn printer trekt geen papier.", "urgency": ""}
        clicked = await click(self.dispatcher, Verb.TICKET_SUBMIT, form, user_id=LOTTE)
        assert clicked.result.card is not None, clicked.result.message
        ticket_id = max(self.world.repository.tickets)
        if relaying:
            await self.world.repository.set_relay(ticket_id, Relay.ON)
        return ticket_id

    async def send(self, *named: tuple[str, bytes], text: str = "", who: str = LOTTE) -> FakeTurn:
        files = []
        for number, (name, data) in enumerate(named):
            url = f"https://tenant.sharepoint.com/f{number}"
            self.files.downloads.serve(url, data)
            files.append(IncomingFile(name, url))
        return await send(self.dispatcher, files, text, user_id=who, name=PEOPLE[who][0])

    def thread(self, ticket_id: int) -> list[dict[str, Any]]:
        return [
            m.activity
            for m in self.world.repository.outbox
            if m.thread_of == desk_card_key(ticket_id)
        ]

    def lines(self, ticket_id: int) -> list[tuple[MessageKind, str]]:
        return [(m.kind, m.text) for m in self.world.repository.lines.get(ticket_id, [])]

    def attach_audit(self) -> list[tuple[Outcome, str]]:
        entries = [*self.world.repository.audit, *self.files.audit.entries]
        return [(e.outcome, e.detail.get("reason", "")) for e in entries if e.action == ATTACH]


class _NoThreads:
    async def sent_as(self, conversation_id: str, activity_id: str) -> str | None:
        return None


def _open_button(activity: dict[str, Any]) -> dict[str, Any]:
    [action] = activity["attachments"][0]["content"]["actions"]
    return dict(action)


# --- the person ---------------------------------------------------------------------------------
async def test_a_file_sent_while_the_chat_goes_to_the_ticket_is_attached() -> None:
    chat = Chat()
    ticket_id = await chat.ticket()
    turn = await chat.send(("foutmelding.pdf", PDF))

    [answer] = turn.cards
    assert "Bijlage toegevoegd aan melding SD-" in card_text(answer)
    [stored] = await chat.files.repository.of_ticket(ticket_id)
    assert (stored.name, stored.content_type, stored.size) == (
        "foutmelding.pdf",
        "application/pdf",
        len(PDF),
    )
    assert chat.files.documents.files[stored.document_key] == PDF
    assert chat.lines(ticket_id)[-1] == (MessageKind.REQUESTER, "\N{PAPERCLIP} foutmelding.pdf")
    assert chat.attach_audit() == [(Outcome.OK, "")]
    # In the thread: the file, and a button that asks for a link; never the link itself.
    [in_thread] = chat.thread(ticket_id)
    button = _open_button(in_thread)
    assert button["verb"] == Verb.TICKET_FILE
    assert button["data"] == {"ticket": ticket_id, "file": stored.id}
    assert not carries_signed_link(in_thread)
    assert chat.inbox == []


async def test_without_a_ticket_the_chat_goes_to_files_keep_going_where_they_went() -> None:
    chat = Chat()
    await chat.ticket(relaying=False)  # open, but the person never said yes
    await chat.send(("catalogus.xlsx", b"PK\x03\x04"))
    assert chat.inbox == ["catalogus.xlsx"]
    assert chat.files.repository.files == {}


async def test_the_words_with_the_files_are_passed_on_too() -> None:
    chat = Chat()
    ticket_id = await chat.ticket()
    turn = await chat.send(("scherm.png", PNG), text="Zo ziet het eruit.")
    assert (MessageKind.REQUESTER, "Zo ziet het eruit.") in chat.lines(ticket_id)
    assert (MessageKind.REQUESTER, "\N{PAPERCLIP} scherm.png") in chat.lines(ticket_id)
    assert any("Doorgegeven" in text for text in turn.texts)


async def test_an_oversized_file_is_refused_before_it_is_read_whole() -> None:
    chat = Chat()
    ticket_id = await chat.ticket()
    url = "https://tenant.sharepoint.com/huge"
    chat.files.downloads.serve(url, PDF, size=2 * 1024**3)  # 2 GB, never held
    turn = await send(chat.dispatcher, [IncomingFile("groot.pdf", url)], user_id=LOTTE)

    assert "te groot" in card_text(turn.cards[0])
    assert chat.files.downloads.read[url] <= MAX_FILE_BYTES + StreamingDownloads.CHUNK
    assert chat.files.repository.files == {} and chat.files.documents.files == {}
    assert chat.attach_audit() == [(Outcome.REJECTED, "download.error.too_large")]
    assert chat.thread(ticket_id) == []


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("setup.exe", EXE, "servicedesk.files.error.type"),
        ("../../etc/passwd", b"root:x:0:0\n", "servicedesk.files.error.type"),
        ("pagina.html", b"<script>", "servicedesk.files.error.type"),
        ("factuur.pdf", EXE, "servicedesk.files.error.content"),
        ("scherm.png", PDF, "servicedesk.files.error.content"),
        ("notities.txt", b"tekst\x00binair", "servicedesk.files.error.content"),
    ],
)
async def test_a_file_of_a_type_not_taken_is_refused_with_why(
    name: str, data: bytes, reason: str
) -> None:
    chat = Chat()
    await chat.ticket()
    turn = await chat.send((name, data))
    assert "niet toegevoegd" in card_text(turn.cards[0])
    assert chat.files.repository.files == {}
    assert chat.attach_audit() == [(Outcome.REJECTED, reason)]
    if reason.endswith(".type"):  # judged by its name: not even fetched
        assert chat.files.downloads.read == {}


async def test_each_file_is_judged_on_its_own_and_at_most_five_are_taken() -> None:
    chat = Chat()
    ticket_id = await chat.ticket()
    sent = [(f"scherm-{n}.png", PNG) for n in range(6)] + [("virus.exe", EXE)]
    turn = await chat.send(*sent)

    assert len(await chat.files.repository.of_ticket(ticket_id)) == 5
    shown = card_text(turn.cards[0])
    assert "5 bijlagen toegevoegd" in shown
    # The first five are judged; the others are named (dots shown as leaders: no auto-links).
    assert "scherm-5" in shown and "virus" in shown and "hoogstens 5" in shown
    assert len(chat.thread(ticket_id)) == 5


async def test_a_hostile_name_is_a_label_and_never_markup() -> None:
    chat = Chat()
    ticket_id = await chat.ticket()
    await chat.send(("..\\..\\**vet** [klik](evil)\x07\u202e.pdf", PDF))
    [stored] = await chat.files.repository.of_ticket(ticket_id)
    assert stored.name == "**vet** [klik](evil).pdf"
    shown = str(chat.thread(ticket_id)[0])
    assert "[klik](evil)" not in shown and "**vet**" not in shown  # escaped: shown literally


# --- the desk -------------------------------------------------------------------------------
async def _attached(chat: Chat) -> tuple[int, int]:
    ticket_id = await chat.ticket()
    await chat.send(("foutmelding.pdf", PDF))
    [stored] = await chat.files.repository.of_ticket(ticket_id)
    return ticket_id, stored.id


async def test_an_agent_clicking_open_in_the_channel_gets_the_link_in_their_own_chat() -> None:
    chat = Chat()
    ticket_id, file_id = await _attached(chat)
    data = _open_button(chat.thread(ticket_id)[0])["data"]
    clicked = await click(
        chat.dispatcher,
        Verb.TICKET_FILE,
        data,
        user_id=ANN,
        roles=AGENT,
        conversation_type="channel",
        conversation_id=chat.world.settings.channel_id,
    )
    assert clicked.result.card is None  # the thread's card stays as it is
    [(to, activity)] = chat.outbox.queued
    assert to == ANN and carries_signed_link(activity)
    assert chat.files.links == [(ticket_id, file_id, ANN)]
    opened = [e for e in chat.files.audit.entries if e.action == OPEN]
    assert [(e.actor_id, e.outcome) for e in opened] == [(ANN, Outcome.OK)]


async def test_the_person_who_asked_may_open_their_own_file() -> None:
    chat = Chat()
    ticket_id, file_id = await _attached(chat)
    data = {"ticket": ticket_id, "file": file_id}
    clicked = await click(chat.dispatcher, Verb.TICKET_FILE, data, user_id=LOTTE)
    assert clicked.result.card is not None and carries_signed_link(clicked.result.card)


@pytest.mark.parametrize("forged", ["someone_elses_ticket", "file_of_another_ticket"])
async def test_forged_ids_are_refused_audited_and_the_card_stays(forged: str) -> None:
    chat = Chat()
    ticket_id, file_id = await _attached(chat)
    data = {"ticket": ticket_id, "file": file_id}
    if forged == "file_of_another_ticket":  # Jef's own ticket, with Lotte's file
        form = {"category": "other", "question": "Mijn scherm flikkert.", "urgency": ""}
        await click(chat.dispatcher, Verb.TICKET_SUBMIT, form, user_id=JEF)
        data["ticket"] = max(chat.world.repository.tickets)
    clicked = await click(chat.dispatcher, Verb.TICKET_FILE, data, user_id=JEF)

    assert clicked.result.card is None and clicked.result.shareable
    assert chat.files.links == []
    [denied] = [e for e in chat.audit.entries if e.action == OPEN]
    assert (denied.actor_id, denied.outcome) == (JEF, Outcome.DENIED)


async def test_an_agent_of_another_entitys_desk_is_refused() -> None:
    chat = Chat(per_entity=True)  # Lotte is of AWV: her ticket is the AWV desk's
    ticket_id, file_id = await _attached(chat)
    data = {"ticket": ticket_id, "file": file_id}
    refused = await click(chat.dispatcher, Verb.TICKET_FILE, data, user_id=PIET, roles=AGENT)
    assert refused.result.card is None and chat.files.links == []
    [denied] = [e for e in chat.audit.entries if e.action == OPEN]
    assert (denied.outcome, denied.detail["reason"]) == (
        Outcome.DENIED,
        "servicedesk.ticket.other_desk",
    )
    allowed = await click(chat.dispatcher, Verb.TICKET_FILE, data, user_id=ANN, roles=AGENT)
    assert allowed.result.card is not None


@pytest.mark.parametrize(
    "data",
    [
        {"ticket": 1},
        {"ticket": 1, "file": 0},
        {"ticket": "1", "file": 1},
        {"ticket": 1, "file": 2**63},
    ],
)
async def test_a_malformed_payload_is_refused(data: dict[str, Any]) -> None:
    chat = Chat()
    await _attached(chat)
    clicked = await click(chat.dispatcher, Verb.TICKET_FILE, data, user_id=LOTTE)
    assert clicked.result.card is None and chat.files.links == []


# --- the service alone ------------------------------------------------------------------------
async def test_only_the_person_who_asked_attaches_and_only_to_an_open_ticket() -> None:
    chat = Chat()
    ticket_id = await chat.ticket()
    jef = Actor(JEF, "tenant-1", "Jef Peeters", frozenset({Role.STAFF}))
    with pytest.raises(NotFound):
        await chat.files.service.attach(jef, ticket_id, [IncomingFile("a.pdf", "https://x/a")])
    ticket = chat.world.repository.tickets[ticket_id]
    chat.world.repository.tickets[ticket_id] = replace(ticket, state=TicketState.CLOSED)
    lotte = Actor(LOTTE, "tenant-1", "Lotte Janssens", frozenset({Role.STAFF}))
    with pytest.raises(DomainError) as closed:
        await chat.files.service.attach(lotte, ticket_id, [IncomingFile("a.pdf", "https://x/a")])
    assert closed.value.message_key == "servicedesk.files.error.closed"
    assert chat.files.downloads.read == {}


async def test_a_file_not_recorded_leaves_no_bytes_behind() -> None:
    chat = Chat()
    ticket_id = await chat.ticket()

    async def down(*_: object) -> None:
        raise StoreUnavailable()

    chat.files.repository.add = down  # type: ignore[method-assign, assignment]
    lotte = Actor(LOTTE, "tenant-1", "Lotte Janssens", frozenset({Role.STAFF}))
    chat.files.downloads.serve("https://x/a", PDF)
    with pytest.raises(StoreUnavailable):
        await chat.files.service.attach(lotte, ticket_id, [IncomingFile("a.pdf", "https://x/a")])
    assert chat.files.documents.files == {}


# --- the rules ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("rapport.pdf", "rapport.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("C:\\Users\\lotte\\scherm.png", "scherm.png"),
        ("rap\x00po\nrt\u202egpj.pdf", "rapportgpj.pdf"),
        ("...", "bijlage"),
        ("", "bijlage"),
        (" .verborgen.txt ", "verborgen.txt"),
        ("a" * 300 + ".docx", "a" * 115 + ".docx"),
    ],
)
def test_a_name_is_made_safe(sent: str, kept: str) -> None:
    assert safe_name(sent) == kept


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.PDF", "application/pdf"),
        ("a.jpeg", "image/jpeg"),
        ("a.msg", "application/vnd.ms-outlook"),
        ("a.docm", None),
        ("a.svg", None),
        ("pdf", None),
        (".pdf", None),
    ],
)
def test_the_type_is_told_by_the_extension(name: str, expected: str | None) -> None:
    assert content_type_of(name) == expected


def test_office_files_are_zips_and_text_holds_no_nul() -> None:
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert looks_like(docx, b"PK\x03\x04rest")
    assert not looks_like(docx, EXE)
    assert looks_like("text/plain", "één regel".encode())
    assert looks_like("image/gif", b"GIF89a...")
