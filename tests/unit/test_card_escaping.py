"""Untrusted text in cards: what people, scanners and workbooks wrote is shown, never obeyed.

Three layers: `escape_text` on hostile strings (each construct Teams or another Adaptive Card
host would render), properties over any text (hypothesis), and every card builder fed hostile
data, its JSON walked for a construct that survived.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.domain.access.facts import Device
from bot.domain.access.rules import assess
from bot.domain.licences.catalogue import CatalogueItem, Fulfilment, ItemKind, Question
from bot.domain.licences.notices import LicenceNotice, NoticeKind
from bot.domain.licences.requests import RequestState
from bot.domain.platform.directory import DirectoryUser, GroupRef
from bot.domain.platform.errors import DomainError
from bot.domain.platform.roles import Role
from bot.domain.platform.untrusted import ELLIPSIS, clean_text, escape_text
from bot.domain.post.items import (
    Destination,
    DestinationKind,
    DocumentType,
    PostItem,
    PostNotice,
    PostNoticeKind,
    PostState,
    StoredDocument,
)
from bot.domain.post.routing import Delegation
from bot.i18n import LOCALES, Translator
from bot.services.licences.forms import FieldError
from cards.access.status import access_card, nobody_found_card, pick_person_card
from cards.licences.admin import import_problem_cards, report_card
from cards.licences.forms import (
    Draft,
    already_granted_card,
    existing_card,
    form_card,
    picker_card,
    received_card,
    requests_card,
)
from cards.licences.status import approval_card, closed_card, notice_card, notice_title
from cards.platform.profile import profile_card
from cards.platform.system import explained, welcome_card
from cards.platform.system import notice_card as system_notice_card
from cards.post.item import ItemTexts, ItemView, ScanLink, item_card
from cards.post.lists import ListState, delegate_picker_card, delegations_card, post_list_card
from cards.post.rules import (
    DryRunSummary,
    RulesSummary,
    checked_cards,
    outside_entity_cards,
    rejected_cards,
    rules_card,
)
from devtools.card_inspection import card_nodes
from dialogs.post.notices import PostNoticeCards
from tests.support.reading import as_read
from tests.unit.access.test_rules import NOW, POLICY, facts
from tests.unit.licences.samples import decision, request
from tests.unit.post.test_cards import checked

BRUSSELS = ZoneInfo("Europe/Brussels")

# Every construct a hostile writer could try, in one text (a letter's subject, say).
HOSTILE = (
    "[Bevestig hier](https://evil.example/login) ![x](https://evil.example/x.png) "
    "www.evil.example/reset boef@evil.example mailto:boef@evil **vet** _cursief_ ~~weg~~ "
    "`code` {{DATE(2017-02-14T06:08:39Z, SHORT)}} ${geheim} <at>Admin</at> "
    '<a href="https://evil.example">klik</a> &lt;b&gt; &#60;i&#62; \u202egnp.exe\u202c '
    "z\u200bero\u2066x\u2069\x07\n# kop\n- lijst\n1. lijst\n> citaat\n    ingesprongen\n=====\n"
    "[ref]: https://evil.example"
)
# What the reader must still find on a card that shows HOSTILE (as Teams renders it).
STILL_READ = ("Bevestig hier", "evil.example/login", "boef@evil.example")
LINK_SCHEMES = re.compile(
    r"(?i)(?<![\w.+-])(https?|ftp|mailto|tel|file|javascript|sip):(?=[^\s\u200b])"
)
BIDI_AND_INVISIBLE = re.compile(
    "[\u200c-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\x00-\x09\x0b-\x1f\x7f]"
)
BLOCK_MARKER = re.compile(r"(?m)^[ \t]*(#|>|[-+*=]|\d{1,9}[.)](?=[ \t]|$))|^ {4,}\S")
# On a card, our own texts may start a line with a bullet or hold "(.xlsx)": there only the
# hostile text's own markers and addresses count.
HOSTILE_BLOCK = re.compile(
    r"(?m)^[ \t]*(#|>|[-+*=]|\d{1,9}[.)])[ \t]*(kop|lijst|citaat|=)|^ {4,}\S"
)
HOSTILE_ADDRESS = re.compile(r"evil\.|www\.|\.example")


def unescaped(text: str, chars: str) -> list[int]:
    """Positions of `chars` that no backslash escapes (a backslash escapes the ASCII
    punctuation after it, itself included, as in CommonMark)."""
    found = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in string.punctuation:
            i += 2
            continue
        if ch in chars:
            found.append(i)
        i += 1
    return found


def hazards(shown: str, *, on_card: bool = False) -> list[str]:
    """What in card text would render as something other than text. `on_card`: the text
    mixes ours with the writer's (see HOSTILE_BLOCK)."""
    problems = []
    if unescaped(shown, "[]*_~`\\"):
        problems.append("unescaped Markdown")
    dotted = HOSTILE_ADDRESS.search(shown) if on_card else _joins_a_domain(shown)
    if "://" in shown or LINK_SCHEMES.search(shown) or dotted:
        problems.append("linkable address")
    if re.search(r"\{\{|\}\}|\$\{", shown):
        problems.append("date function or template")
    if re.search(r"<[A-Za-z/!?]", shown):
        problems.append("tag or mention")
    if re.search(r"&#?\w+;", shown):
        problems.append("entity")
    if BIDI_AND_INVISIBLE.search(shown):
        problems.append("control, bidi or writer's invisible character")
    if (HOSTILE_BLOCK if on_card else BLOCK_MARKER).search(shown):
        problems.append("block marker at a line start")
    return problems


def _joins_a_domain(shown: str) -> bool:
    """A dot (or one IDNA reads as a dot) between a word and a letter: "evil.example"."""
    return any(
        ch in ".\uff0e\u3002\uff61" and not shown[i - 1].isspace() and shown[i + 1].isalpha()
        for i, ch in enumerate(shown[1:-1], start=1)
    )


# --- the function, on hostile strings ----------------------------------------------------------
@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("Lotte Janssens", "Lotte Janssens"),
        ("Fam. Peeters", "Fam. Peeters"),
        ("Van den Broeck-Claes", "Van den Broeck-Claes"),
        ("D'Hondt & Zonen nv", "D'Hondt & Zonen nv"),
        ("Stad Gent, dienst 3.5", "Stad Gent, dienst 3.5"),
        ("Afrekening (2026) - tweede deel!", "Afrekening (2026) - tweede deel!"),
        ("Ref. 12:30 #4", "Ref. 12:30 #4"),
    ],
)
def test_ordinary_text_reads_exactly_as_written(written: str, shown: str) -> None:
    assert escape_text(written) == shown


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        (
            "[Bevestig hier](https://evil.example)",
            "\\[Bevestig hier\\](https:\u200b/\u200b/evil\u2024example)",
        ),
        ("![x](https://evil/x.png)", "!\\[x\\](https:\u200b/\u200b/evil/x\u2024png)"),
        ("https://evil.example/login", "https:\u200b/\u200b/evil\u2024example/login"),
        ("www.evil.example", "www\u2024evil\u2024example"),
        ("lotte.janssens@gemeente.be", "lotte\u2024janssens@gemeente\u2024be"),
        ("mailto:boef@evil", "mailto:\u200bboef@evil"),
        ("**vet** en _cursief_", "\\*\\*vet\\*\\* en \\_cursief\\_"),
        ("# kop", "\\# kop"),
        ("- lijst", "\\- lijst"),
        ("1. lijst", "1\\. lijst"),
        (
            "{{DATE(2017-02-14T06:08:39Z, SHORT)}}",
            "{\u200b{DATE(2017-02-14T06:\u200b08:39Z, SHORT)}\u200b}",
        ),
        ("<at>Admin</at>", "<\u200bat>Admin<\u200b/at>"),
        ('<a href="x">y</a>', '<\u200ba href="x">y<\u200b/a>'),
        ("&lt;b&gt;", "&\u200blt;b&\u200bgt;"),
        ("a\\b", "a\\\\b"),
        ("rechts\u202egnp.exe", "rechtsgnp\u2024exe"),
        ("on\u200bzicht\ufeffbaar", "onzichtbaar"),
    ],
)
def test_hostile_constructs_are_shown_not_rendered(written: str, shown: str) -> None:
    assert escape_text(written) == shown
    assert not hazards(shown)


def test_the_detector_finds_every_construct_in_the_raw_text() -> None:
    """Without escaping, the walk below would fail: the detector sees what it must."""
    assert set(hazards(HOSTILE)) == {
        "unescaped Markdown",
        "linkable address",
        "date function or template",
        "tag or mention",
        "entity",
        "control, bidi or writer's invisible character",
        "block marker at a line start",
    }


def test_line_breaks_are_kept_only_for_longer_texts() -> None:
    note = "Graag voor vrijdag.\r\n\r\n\r\n- Bijlage 1\n  1. nazien\u2028Dank!"
    assert escape_text(note, multiline=True) == (
        "Graag voor vrijdag.\n\n\\- Bijlage 1\n1\\. nazien\nDank!"
    )
    assert escape_text(note) == "Graag voor vrijdag. - Bijlage 1 1. nazien Dank!"


def test_a_long_text_is_cut_with_an_ellipsis_never_inside_an_escape() -> None:
    huge = "*" * 100_000
    shown = escape_text(huge, limit=50)
    assert len(shown) <= 50 and shown.endswith("\\*" + ELLIPSIS)
    assert len(escape_text("x" * 100_000)) == 2000
    assert escape_text("a" * 10 + " " + "b" * 10, limit=12) == "a" * 10 + ELLIPSIS


def test_clean_text_removes_what_misleads_but_escapes_nothing() -> None:
    assert clean_text("  **Jan**\u202e  [x](y) \x00") == "**Jan** [x](y)"
    assert clean_text("een\n\n\n\ntwee", multiline=True) == "een\n\ntwee"
    assert clean_text("x" * 30, limit=10) == "x" * 9 + ELLIPSIS


# --- properties --------------------------------------------------------------------------------
FRAGMENTS = [
    "[",
    "]",
    "(",
    ")",
    "!",
    "*",
    "_",
    "~",
    "`",
    "\\",
    "#",
    ">",
    "-",
    "+",
    "=",
    "1.",
    "2)",
    "://",
    "//",
    ".",
    "．",
    "。",
    "www.",
    "evil.example",
    "https:",
    "mailto:",
    "@",
    "{{",
    "}}",
    "${",
    "{",
    "}",
    "<",
    "<at>",
    "</at>",
    "&",
    "&lt;",
    "&#60;",
    "\n",
    "\r\n",
    " ",
    "    ",
    "\u202e",
    "\u200b",
    "\u2066",
    "\ufeff",
    "\x00",
    "\u2028",
    "é",
    "e\u0301",
    "\ud800",
    "a",
    "Z",
    "9",
]
texts = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=60).map("".join),
)


@settings(max_examples=400, deadline=None)
@given(written=texts, limit=st.integers(min_value=1, max_value=400), multiline=st.booleans())
# Found by this test: a cut right after a scheme's colon left "HTTP:…".
@example(written="[HTTP:\r0", limit=8, multiline=False)
def test_no_text_renders_as_anything_but_text(written: str, limit: int, multiline: bool) -> None:
    shown = escape_text(written, limit=limit, multiline=multiline)
    assert len(shown) <= limit
    assert not hazards(shown), (written, shown)
    if not multiline:
        assert "\n" not in shown


@settings(max_examples=400, deadline=None)
@given(written=texts, multiline=st.booleans())
def test_the_reader_reads_what_was_written(written: str, multiline: bool) -> None:
    """Escapes disappear in rendering: the reader sees the cleaned text, character for
    character (the writer's own one-dot leaders read as the dots they look like)."""
    shown = escape_text(written, limit=10_000, multiline=multiline)
    cleaned = clean_text(written, limit=10_000, multiline=multiline).replace("\u2024", ".")
    assert as_read(shown) == cleaned


@settings(max_examples=200, deadline=None)
@given(written=texts, limit=st.integers(min_value=2, max_value=60))
def test_a_cut_text_is_the_start_of_what_was_written(written: str, limit: int) -> None:
    shown = escape_text(written, limit=limit)
    cleaned = clean_text(written, limit=10_000).replace("\u2024", ".")
    if shown.endswith(ELLIPSIS) and not cleaned.endswith(ELLIPSIS):
        assert cleaned.startswith(as_read(shown[: -len(ELLIPSIS)]))


@settings(max_examples=200, deadline=None)
@given(written=texts, limit=st.integers(min_value=1, max_value=200))
def test_clean_text_is_bounded_and_free_of_controls(written: str, limit: int) -> None:
    cleaned = clean_text(written, limit=limit, multiline=True)
    assert len(cleaned) <= limit
    assert not BIDI_AND_INVISIBLE.search(cleaned.replace("\n", ""))
    assert not re.search("[\ud800-\udfff]", cleaned)


# --- every card builder, fed hostile data ------------------------------------------------------
TODAY = date(2026, 11, 27)
AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
SOMEONE = "6c1e2f3a-9b4d-4e7f-8a21-3d5c7b9e0f12"
OTHER = "2d4f6a8c-0e1b-4d3f-a5c7-e9b1d3f5a7c9"
HOSTILE_USER = DirectoryUser(
    SOMEONE,
    HOSTILE,
    "boef.x@evil.example",
    mail="boef@evil.example",
    job_title=HOSTILE,
    department=HOSTILE,
)
HOSTILE_ITEM = CatalogueItem(
    key="powerbi-pro",
    kind=ItemKind.LICENCE,
    name_nl=HOSTILE,
    name_en=HOSTILE,
    fulfilment=Fulfilment.GROUP,
    description_nl=HOSTILE,
    description_en=HOSTILE,
    questions=(Question("doel", HOSTILE, HOSTILE, required=True),),
)


def _hostile_request(**changes: Any) -> Any:
    return request(
        requester_name=HOSTILE,
        entity=HOSTILE,
        justification=HOSTILE,
        answers={"doel": HOSTILE, "onbekend": HOSTILE},
        decisions=(replace(decision(comment=HOSTILE), approver_name=HOSTILE),),
        **changes,
    )


def _post_item(**changes: Any) -> PostItem:
    from bot.domain.post.items import IntakeMetadata, Sender

    metadata = IntakeMetadata(
        external_id="scan-1",
        received_at=AT,
        scanned_at=AT,
        sender=Sender(HOSTILE, HOSTILE + " nv"),
        addressee=HOSTILE,
        subject=HOSTILE,
        document_type=DocumentType.REGISTERED,
        tracking_number=HOSTILE,
        pages=2,
    )
    base = PostItem(
        id=1,
        reference="POST-2026-000001",
        tenant_id="t",
        metadata=metadata,
        document=StoredDocument("k", "0" * 64, 10),
        state=PostState.ROUTED,
        created_at=AT,
        updated_at=AT,
        destination=Destination(DestinationKind.PERSON, SOMEONE),
        delegated_from=OTHER,
        forwarded_by=OTHER,
        note=HOSTILE,
        acknowledged_by=OTHER,
        acknowledged_at=AT,
    )
    return replace(base, **changes)


def hostile_cards(t: Translator) -> Iterator[tuple[str, dict[str, Any]]]:
    error = DomainError("licence_admin.report.bad_date", value=HOSTILE)
    yield "welcome", welcome_card(HOSTILE, [], t)
    yield "notice", system_notice_card(explained(error, t), t)
    yield "profile", profile_card(HOSTILE_USER, HOSTILE_USER, [Role.STAFF], t)
    devices = [Device(HOSTILE, HOSTILE, managed=True, compliance="noncompliant")]
    the_facts = facts(
        HOSTILE_USER,
        devices=devices,
        groups=[GroupRef("g", HOSTILE)],
    )
    report = assess(the_facts, POLICY, NOW)
    yield "access", access_card(report, t, viewed_by_agent=True, tz=BRUSSELS)
    yield "pick", pick_person_card([HOSTILE_USER, HOSTILE_USER], HOSTILE, t)
    yield "nobody", nobody_found_card(HOSTILE, t)
    yield from _licence_cards(t)
    yield "report", report_card(TODAY, TODAY, HOSTILE, "https://werkplek.example/x", 5, t)
    for n, problem_card in enumerate(import_problem_cards([HOSTILE, HOSTILE], t)):
        yield f"import-problems-{n}", problem_card
    yield from _post_cards(t)
    yield from _rules_cards(t)


def _licence_cards(t: Translator) -> Iterator[tuple[str, dict[str, Any]]]:
    pending = _hostile_request()
    yield "approval", approval_card(pending, HOSTILE_ITEM, t, comment=HOSTILE, tz=BRUSSELS)
    yield "closed", closed_card(pending, HOSTILE_ITEM, t, notice="", tz=BRUSSELS)
    for kind in NoticeKind:
        notice = LicenceNotice(
            kind,
            SOMEONE if kind is NoticeKind.FULFILLED else OTHER,
            pending,
            HOSTILE_ITEM,
            facts={"sku": HOSTILE, "free_seats": "0", "waiting": "3", "stage": "1"},
        )
        yield f"licence-notice-{kind.value}", notice_card(notice, t, tz=BRUSSELS)
    problem = FieldError("answer.doel", "licence_admin.report.bad_date", {"value": HOSTILE})
    draft = Draft(justification=HOSTILE, answers={"doel": HOSTILE}, previous_reference=HOSTILE)
    yield "picker", picker_card([HOSTILE_ITEM], t)
    yield "form", form_card(HOSTILE_ITEM, t, today=TODAY, draft=draft, problems=[problem])
    yield "received", received_card(pending, HOSTILE_ITEM, t, tz=BRUSSELS)
    yield "existing", existing_card(pending, HOSTILE_ITEM, t, tz=BRUSSELS)
    yield "granted", already_granted_card(HOSTILE_ITEM, t)
    rejected = _hostile_request(state=RequestState.REJECTED, approvers=())
    mine = requests_card([pending, rejected], {HOSTILE_ITEM.key: HOSTILE_ITEM}, t, tz=BRUSSELS)
    yield "requests", mine


def _post_cards(t: Translator) -> Iterator[tuple[str, dict[str, Any]]]:
    names = {SOMEONE: HOSTILE, OTHER: HOSTILE}
    routed = _post_item()
    texts = ItemTexts(names=names)
    view = ItemView(act=True, suggest_rule=True, back={"offset": 0})
    link = ScanLink("https://werkplek.example/scan", 5)
    yield "item", item_card(routed, t, view=view, texts=texts, link=link, tz=BRUSSELS)
    triage = _post_item(
        state=PostState.TRIAGE,
        destination=Destination(DestinationKind.TRIAGE),
        triage_reason=HOSTILE,
    )
    yield (
        "item-triage",
        item_card(triage, t, view=ItemView(act=True, route=True), texts=texts, tz=BRUSSELS),
    )
    entity = _post_item(destination=Destination(DestinationKind.ENTITY, HOSTILE))
    yield "item-entity", item_card(entity, t, texts=texts, tz=BRUSSELS)
    state = ListState(scope="all", search=HOSTILE)
    listed = post_list_card(
        [routed, entity], state, t, has_more=True, page_size=5, names=names, tz=BRUSSELS
    )
    yield "list", listed
    narrowed = post_list_card(
        [routed], state, t, BRUSSELS, has_more=False, page_size=5, asked=HOSTILE
    )
    yield "list-narrowed", narrowed
    away = Delegation(SOMEONE, OTHER, TODAY, TODAY + timedelta(days=3), SOMEONE, AT, id=4)
    yield "delegations", delegations_card([away], names, t, today=TODAY)
    yield "delegate-picker", delegate_picker_card([HOSTILE_USER], TODAY, TODAY, t)
    for kind in PostNoticeKind:
        notice = PostNotice(kind, entity, recipient_id=SOMEONE)
        rendered = PostNoticeCards(
            names=lambda ids: dict.fromkeys(ids, HOSTILE), tz=BRUSSELS
        ).render(notice, t.locale)
        yield f"post-notice-{kind.value}", rendered["attachments"][0]["content"]


def _rules_cards(t: Translator) -> Iterator[tuple[str, dict[str, Any]]]:
    summary = RulesSummary(rules=3, active=2, entities=(HOSTILE,), own=1)
    yield "rules", rules_card(summary, "https://werkplek.example/r", 5, 50, t)
    for n, rules_card_ in enumerate(rejected_cards([HOSTILE], t)):
        yield f"rules-rejected-{n}", rules_card_
    for n, rules_card_ in enumerate(outside_entity_cards([HOSTILE], [HOSTILE], t)):
        yield f"rules-outside-{n}", rules_card_
    dry_run = DryRunSummary(rules=3, active=2, tried=5, lines=(HOSTILE, HOSTILE))
    for n, rules_card_ in enumerate(checked_cards(dry_run, 5, t)):
        yield f"rules-checked-{n}", rules_card_


def rendered_texts(card: dict[str, Any]) -> Iterator[str]:
    """Every string Teams renders with Markdown: TextBlock/TextRun text, Fact title and value."""
    for node in card_nodes(card):
        if node.get("type") in ("TextBlock", "TextRun"):
            yield node["text"]
        elif node.get("type") == "FactSet":
            for fact in node["facts"]:
                yield fact["title"]
                yield fact["value"]


def plain_texts(card: dict[str, Any]) -> Iterator[str]:
    """Strings shown without Markdown: button titles, input labels, values and placeholders."""
    for node in card_nodes(card):
        kind = str(node.get("type", ""))
        if kind.startswith("Action.") and "title" in node:
            yield node["title"]
        if kind.startswith("Input."):
            for key in ("label", "placeholder", "value"):
                if isinstance(node.get(key), str):
                    yield node[key]


CASES = [
    (locale, name, card) for locale in LOCALES for name, card in hostile_cards(Translator(locale))
]


@pytest.mark.parametrize(("locale", "name", "card"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_no_hostile_construct_survives_in_a_card(locale: str, name: str, card: dict) -> None:
    for shown in rendered_texts(card):
        assert "**vet**" not in shown, (name, shown)
        assert not hazards(_ours_removed(shown), on_card=True), (name, shown)
    for plain in plain_texts(card):
        assert not BIDI_AND_INVISIBLE.search(plain.replace("\n", "")), (name, plain)
    checked(card)  # and the card is still valid Adaptive Cards 1.5


def test_the_reader_still_reads_the_hostile_text_on_the_cards() -> None:
    """The walk above could pass by dropping the text; it must be shown, as written."""
    for name, card in hostile_cards(Translator("nl")):
        read = as_read("\n".join([*rendered_texts(card), *plain_texts(card)]))
        if name.startswith(("licence-notice-", "post-notice-", "rules-rejected", "rules-checked")):
            continue  # not every notice shows every field; the cards below do
        assert "Bevestig hier" in read, name
    for name, card in hostile_cards(Translator("nl")):
        if name in ("item", "approval", "profile", "list", "import-problems-0"):
            read = as_read("\n".join(rendered_texts(card)))
            for words in STILL_READ:
                assert words in read, (name, words)


def test_a_notification_preview_is_plain_text_without_controls() -> None:
    notice = PostNotice(PostNoticeKind.NEW_ITEM, _post_item(), recipient_id=SOMEONE)
    rendered = PostNoticeCards(tz=BRUSSELS).render(notice, "nl")
    assert "\\" not in rendered["summary"] and "Bevestig hier" in rendered["summary"]
    assert not BIDI_AND_INVISIBLE.search(rendered["summary"])
    licence = LicenceNotice(NoticeKind.APPROVED, SOMEONE, _hostile_request(), HOSTILE_ITEM)
    title = notice_title(licence, Translator("nl"))
    assert "\\" not in title and not BIDI_AND_INVISIBLE.search(title)


# Markdown that our own catalog messages use on purpose ("Typ **hulp**"): not the writer's.
_OURS = re.compile(r"\*\*[^*\n\\]+\*\*")


def _ours_removed(shown: str) -> str:
    return _OURS.sub("", shown)
