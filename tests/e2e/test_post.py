"""Incoming post, end to end: a scanned item posted to the intake API of the running bot reaches
Lotte in the Playground; she opens its scan through the signed link the bot makes for her and
marks it handled; Jef, who is not its addressee, never gets a link to it.

Everything runs as real processes: the bot (`python app.py`), the Graph emulator (the directory
the routing looks Lotte up in) and the Playground. Items go in as a scanning service sends them:
HTTP multipart with the stack's intake token. Expected wording comes from the Dutch catalogs.
Each item has its own external id, so the tests do not depend on one another.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import aiohttp
import pytest
import pytest_asyncio

from bot.i18n import Translator
from devtools.demo_post import SAMPLES, IntakeAnswer, post_item, sample_pdf
from devtools.playground import BotMessage, PlaygroundClient, card_actions, card_text
from devtools.stack import LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
MESSAGE_TYPE = "application/vnd.microsoft.activity.message"
PROBLEM_TYPE = "application/problem+json"
REFERENCE = re.compile(r"POST-\d{4}-\d{6,9}")
LOTTE = "Lotte Janssens"
JEF = "Jef Peeters"
GRIET = "Griet Van Damme"  # the mailroom
# Notices go through the outbox, which opens the 1:1 chat first: allow them some time.
NOTICE_TIMEOUT = 30.0
# How a PNG starts (its signature): what a scanner set to the wrong format would send.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

t = Translator("nl")
en = Translator("en")


def opening(key: str, **params: object) -> str:
    """The catalog text of `key` up to its first placeholder not given (a time, say)."""
    mark = "\x00"
    names = re.findall(r"{(\w+)}", t(key))
    filled = {name: params.get(name, mark) for name in names}
    return t(key, **filled).split(mark)[0]


def about(reference: str, text: str = "") -> Callable[[BotMessage], bool]:
    return lambda message: reference in message.all_text and text in message.all_text


def verbs(card: dict[str, Any] | None) -> set[str]:
    assert card is not None
    return {str(action.get("verb")) for action in card_actions(card) if action.get("verb")}


def scan_links(card: dict[str, Any]) -> list[str]:
    return [
        str(action["url"])
        for action in card_actions(card)
        if action.get("type") == "Action.OpenUrl" and "/scan" in str(action.get("url", ""))
    ]


def metadata(addressee: str, **fields: Any) -> dict[str, Any]:
    """The scanner's metadata for one item, with an external id of its own."""
    received = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    return {
        "externalId": f"e2e-{uuid.uuid4()}",
        "receivedAt": received.isoformat(),
        "scannedAt": (received + timedelta(minutes=30)).isoformat(),
        "sender": {"name": "", "organisation": "Vlaamse Belastingdienst"},
        "addressee": addressee,
        "subject": "Aanslagbiljet verkeersbelasting dienstvoertuig 1-WPK-042",
        "documentType": "letter",
        **fields,
    }


def audit_rows(stack: LocalStack, object_id: str) -> list[tuple[str, str, str]]:
    """(actor, action, outcome) of the bot's audit lines about one object, oldest first, read
    from its database file the way an auditor would (read-only)."""
    path = stack.database_url.split(":///", 1)[1]
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT actor_id, action, outcome FROM audit_log WHERE object_id = ? ORDER BY id",
            (object_id,),
        ).fetchall()
    return [(str(a), str(b), str(c)) for a, b, c in rows]


def references_in(lines: list[str]) -> list[str]:
    return [found.group() for line in lines if (found := REFERENCE.search(line))]


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def with_path(url: str, path: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=path))


@pytest_asyncio.fixture(loop_scope="session")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        yield session


class Scanner:
    """The scanning service: posts items to the bot's intake API with the stack's token."""

    def __init__(self, stack: LocalStack, http: aiohttp.ClientSession) -> None:
        self.stack = stack
        self.http = http

    async def send(
        self,
        fields: dict[str, Any],
        data: bytes,
        *,
        token: str | None = None,
        filename: str = "scan.pdf",
        content_type: str = "application/pdf",
    ) -> IntakeAnswer:
        return await post_item(
            self.http,
            self.stack.bot_url,
            self.stack.intake_token if token is None else token,
            fields,
            data,
            filename=filename,
            content_type=content_type,
        )


@pytest.fixture
def scanner(werkplek_stack: LocalStack, http: aiohttp.ClientSession) -> Scanner:
    return Scanner(werkplek_stack, http)


async def delivered(
    scanner: Scanner, playground: PlaygroundClient, fields: dict[str, Any], data: bytes
) -> tuple[IntakeAnswer, BotMessage]:
    """Post an item for Lotte; the intake's answer and the notice card in her personal chat."""
    answer = await scanner.send(fields, data)
    assert answer.status == 201, answer
    reference = str(answer.body["reference"])
    assert REFERENCE.fullmatch(reference), answer.body
    assert answer.body["routedTo"] == {"kind": "person", "target": playground.user_id}
    assert answer.body["status"] == "routed"
    notice = await playground.next_message(NOTICE_TIMEOUT, about(reference))
    assert notice.action == "createMessage"
    assert notice.conversation_id == playground.personal_chat_id
    return answer, notice


async def test_lotte_opens_the_scan_and_marks_the_item_handled(
    playground: PlaygroundClient, scanner: Scanner, http: aiohttp.ClientSession
) -> None:
    lines = ("Kantoorinrichting Van Hecke bv", "Factuur 2026-0412", "6 x bureaustoel Ergo Plus")
    pdf = sample_pdf(lines)
    fields = metadata(
        "Dienst Werkplek – Lotte Janssens",
        sender={"name": "Boekhouding", "organisation": "Kantoorinrichting Van Hecke bv"},
        subject="Factuur 2026-0412: zes bureaustoelen voor de servicedesk",
        documentType="invoice",
    )

    answer, notice = await delivered(scanner, playground, fields, pdf)

    reference = str(answer.body["reference"])
    text = notice.all_text
    assert t("post.notice.new_item") in text
    assert t("post.where.routed", destination=t("post.destination.you")) in text
    assert "Boekhouding, Kantoorinrichting Van Hecke bv" in text
    assert fields["subject"] in text
    assert t("post.type.invoice") in text
    assert f"{t('post.fact.registered')} {t('post.no')}" in text
    assert notice.card is not None
    assert not scan_links(notice.card), "a notice never carries a link to the scan"
    assert {"post.open", "post.handle"} <= verbs(notice.card)

    # A retry of the same upload is the same item, told once.
    again = await scanner.send(fields, pdf)
    assert (again.status, again.body) == (200, answer.body)

    # Openen: the bot checks her, and answers with a link made for her.
    opened = await playground.click(notice, "post.open")

    assert opened.get("type") == CARD_TYPE, opened
    links = scan_links(opened["value"])
    assert len(links) == 1, card_text(opened["value"])
    # a counted text: its words up to the link's lifetime, whatever the settings make that
    assert t.n("post.open.ready", 2).split("2")[0] in card_text(opened["value"])
    assert t("post.button.view_scan") in card_text(opened["value"])
    link = links[0]
    assert dict(parse_qsl(urlsplit(link).query))["by"] == playground.user_id

    async with http.get(link) as response:
        assert response.status == 200
        assert response.content_type == "application/pdf"
        assert response.headers["Cache-Control"] == "no-store"
        assert await response.read() == pdf
    # The link works once: a second click gets the page that says how to get a new one.
    async with http.get(link) as response:
        assert (response.status, response.content_type) == (410, "text/html")
        assert "opnieuw op Openen" in await response.text()

    # Afhandelen: the answer is the card, handled, without the button.
    handled = await playground.click(notice, "post.handle")

    assert handled.get("type") == CARD_TYPE, handled
    done = card_text(handled["value"])
    assert t("post.done.handled", reference=reference) in done
    assert t("post.state.handled") in done
    assert opening("post.line.handled", name=LOTTE) in done
    assert "post.handle" not in verbs(handled["value"])

    # Her notice in the chat is edited in place to say so.
    edited = await playground.next_message(
        NOTICE_TIMEOUT, lambda m: m.action == "updateMessage" and m.id == notice.id
    )
    assert opening("post.line.handled", name=LOTTE) in edited.all_text
    assert "post.handle" not in verbs(edited.card)
    # The retry above sent no second notice.
    told = [m for m in playground.received if m.action == "createMessage" and about(reference)(m)]
    assert len(told) == 1

    # Each view of the scan left its trace, in her name.
    trail = audit_rows(scanner.stack, reference)
    assert (playground.user_id, "post.scan.view", "ok") in trail
    assert (playground.user_id, "post.scan.download", "ok") in trail
    assert (playground.user_id, "post.handle", "ok") in trail


async def test_a_registered_letter_is_acknowledged_before_it_is_handled(
    playground: PlaygroundClient, scanner: Scanner
) -> None:
    fields = metadata(
        "T.a.v. Mevr. L. Janssens",
        documentType="registered",
        registered=True,
        trackingNumber="RR 2604 1137 5BE",
    )
    answer, notice = await delivered(scanner, playground, fields, sample_pdf(["Aangetekend"]))

    reference = str(answer.body["reference"])
    assert t("post.type.registered") in notice.all_text
    assert f"{t('post.yes')} (RR 2604 1137 5BE)" in notice.all_text
    assert t("post.line.acknowledge_first") in notice.all_text
    # Until someone confirms receipt, "Afhandelen" is not offered.
    assert "post.acknowledge" in verbs(notice.card)
    assert "post.handle" not in verbs(notice.card)

    acknowledged = await playground.click(notice, "post.acknowledge")

    assert acknowledged.get("type") == CARD_TYPE, acknowledged
    card = card_text(acknowledged["value"])
    assert t("post.done.acknowledged", reference=reference) in card
    assert opening("post.line.acknowledged", name=LOTTE) in card
    assert "post.acknowledge" not in verbs(acknowledged["value"])
    assert "post.handle" in verbs(acknowledged["value"])

    # Her notice in the chat is edited in place: now it offers "Afhandelen".
    edited = await playground.next_message(
        NOTICE_TIMEOUT, lambda m: m.action == "updateMessage" and m.id == notice.id
    )
    assert opening("post.line.acknowledged", name=LOTTE) in edited.all_text
    assert "post.handle" in verbs(edited.card)

    handled = await playground.click(edited, "post.handle")

    assert t("post.done.handled", reference=reference) in card_text(handled["value"])
    trail = [action for _, action, _ in audit_rows(scanner.stack, reference)]
    assert trail.index("post.acknowledge") < trail.index("post.handle")


async def test_a_second_user_cannot_open_the_scan(
    playground: PlaygroundClient, scanner: Scanner, http: aiohttp.ClientSession
) -> None:
    jef = playground.user_id_of(JEF)
    lotte_answer, lotte_notice = await delivered(
        scanner, playground, metadata("Lotte Janssens"), sample_pdf(["Voor Lotte"])
    )
    lotte_item = int(lotte_answer.body["id"])
    lotte_reference = str(lotte_answer.body["reference"])

    # Jef has post of his own: its card reaches his own 1:1 chat.
    jef_answer = await scanner.send(metadata("Dhr. J. Peeters"), sample_pdf(["Voor Jef"]))
    assert jef_answer.status == 201, jef_answer
    assert jef_answer.body["routedTo"] == {"kind": "person", "target": jef}
    jef_reference = str(jef_answer.body["reference"])
    jef_notice = await playground.next_message(NOTICE_TIMEOUT, about(jef_reference), to=jef)
    assert lotte_reference not in jef_notice.all_text

    # His own "Openen" works: he gets a link for his item (the path itself is sound).
    own = await playground.click(jef_notice, "post.open", as_user=jef)
    assert own.get("type") == CARD_TYPE, own
    assert len(scan_links(own["value"])) == 1

    # He replays the button with Lotte's item id, in his own chat: refused, no link.
    replayed = await playground.click(jef_notice, "post.open", {"item": lotte_item}, as_user=jef)

    assert replayed.get("type") == MESSAGE_TYPE, replayed
    assert replayed["value"] == t("post.error.no_access")
    assert "/scan" not in str(replayed)
    denied = audit_rows(scanner.stack, str(lotte_item))
    assert (jef, "post.open", "denied") in denied
    # Nor may he act on it.
    handled = await playground.click(jef_notice, "post.handle", {"item": lotte_item}, as_user=jef)
    assert handled == {"type": MESSAGE_TYPE, "value": t("post.error.no_access")}

    # Lotte's own link: signed for her and for this item; a changed link is refused.
    opened = await playground.click(lotte_notice, "post.open")
    (link,) = scan_links(opened["value"])
    jef_item = int(jef_answer.body["id"])
    tampered = [
        with_query(link, by=jef),  # the same link, claimed for Jef
        with_path(link, f"/api/post/items/{jef_item}/scan"),  # another item, same signature
        with_query(link, exp=str(int(datetime.now(UTC).timestamp()) + 86_400)),  # longer life
        with_query(link, sig="0" * 64),
    ]
    for url in tampered:
        async with http.get(url) as response:
            assert response.status == 403, url
            assert response.content_type == "text/html"  # the page with the next step
            assert "%PDF" not in await response.text()

    downloads = [row for row in audit_rows(scanner.stack, lotte_reference) if row[0] == jef]
    assert downloads == []


async def test_the_intake_refuses_a_wrong_token_and_a_png(scanner: Scanner) -> None:
    fields = metadata("Lotte Janssens")

    wrong = await scanner.send(fields, sample_pdf(["x"]), token="not-the-scanner")
    missing = await scanner.send(fields, sample_pdf(["x"]), token="")

    assert wrong.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    for answer in (wrong, missing):
        assert answer.status == 401
        assert answer.content_type == PROBLEM_TYPE
        assert answer.body["reason"] == "post.intake.unauthorized"
        assert t("post.intake.unauthorized") in answer.body["detail"]
        assert en("post.intake.unauthorized") in answer.body["detail"]

    # Named and typed as a PDF: the intake goes by the content.
    png = await scanner.send(fields, PNG, filename="scan.pdf", content_type="application/pdf")

    assert png.status == 415
    assert png.content_type == PROBLEM_TYPE
    assert png.body["reason"] == "post.intake.not_pdf"
    assert t("post.intake.not_pdf") in png.body["detail"]
    assert en("post.intake.not_pdf") in png.body["detail"]

    # None of the refusals stored anything: the same external id is still new.
    accepted = await scanner.send(fields, sample_pdf(["Nu wel een PDF"]))
    assert accepted.status == 201, accepted


async def test_an_envelope_for_nobody_in_particular_waits_in_the_mailroom_channel(
    playground: PlaygroundClient, scanner: Scanner
) -> None:
    # "Fam. Peeters": a family, not one person. Wrong is worse than unknown: triage.
    answer = await scanner.send(metadata("Fam. Peeters"), sample_pdf(["Fam. Peeters"]))

    assert answer.status == 201, answer
    assert answer.body["routedTo"] == {"kind": "triage", "target": ""}
    reference = str(answer.body["reference"])
    # The stack's mailroom channel is the Playground team's General channel, which Lotte is in.
    card = await playground.next_message(NOTICE_TIMEOUT, about(reference))
    assert card.conversation_id == playground.team_id
    assert t("post.notice.triage", reference=reference) in card.all_text
    assert t("post.reason.unknown_addressee") in card.all_text
    assert not scan_links(card.card or {})

    # Griet of the mailroom may see the scan, but a channel card is one message for everyone
    # in it: the link only comes in her personal chat.
    griet = playground.user_id_of(GRIET)
    in_channel = await playground.click(card, "post.open", as_user=griet)
    assert in_channel == {"type": MESSAGE_TYPE, "value": t("post.open.personal_only")}
    # Lotte is in the channel, not in the mailroom: she may not even look.
    lotte = await playground.click(card, "post.open")
    assert lotte == {"type": MESSAGE_TYPE, "value": t("post.error.no_access")}


async def test_the_demo_post_arrives_once(
    playground: PlaygroundClient, werkplek_stack: LocalStack
) -> None:
    """What `make demo` does once the bot runs: the sample scanner's CLI, twice (two starts)."""
    first = await asyncio.to_thread(werkplek_stack.post_samples)

    assert len(first) == len(SAMPLES), first
    assert all("(nieuw)" in line for line in first), first
    references = references_in(first)
    registered, invoice, for_jef, family = references
    # Every notice is taken here, so none is left for later tests to trip over.
    letter = await playground.next_message(NOTICE_TIMEOUT, about(registered))
    assert t("post.line.acknowledge_first") in letter.all_text
    bill = await playground.next_message(NOTICE_TIMEOUT, about(invoice))
    assert t("post.type.invoice") in bill.all_text
    jef = playground.user_id_of(JEF)
    await playground.next_message(NOTICE_TIMEOUT, about(for_jef), to=jef)
    triage = await playground.next_message(NOTICE_TIMEOUT, about(family))
    assert triage.conversation_id == playground.team_id

    # The next start delivers the same scans: nothing new is stored, nobody is told again.
    second = await asyncio.to_thread(werkplek_stack.post_samples)
    assert all("(al ontvangen)" in line for line in second), second
    assert references_in(second) == references

    # Lotte finds hers with the post command (the answer also gives the outbox time to show
    # a second notice, were there one).
    await playground.send_text("post zoek Van Hecke")
    listed = await playground.next_message(predicate=lambda m: m.card is not None)
    assert t("post.list.title") in listed.all_text
    assert "Factuur 2026-0412: zes bureaustoelen voor de servicedesk" in listed.all_text
    told = [
        m
        for m in playground.received
        if m.action == "createMessage" and any(about(ref)(m) for ref in references)
    ]
    assert len(told) == len(SAMPLES)
