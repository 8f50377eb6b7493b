"""The page a refused download link shows, the language it picks, and the file name header."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.http.link_pages import (
    LinkTopic,
    Refusal,
    Trouble,
    content_disposition,
    link_page,
    page_locale,
    prefers_html,
    trouble_page,
)
from bot.i18n import catalog_messages

HOSTILE = (
    '"><script>alert(1)</script><img src=x onerror=alert(1)>[Bevestig hier](https://x.example)'
)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    return parser


@pytest.mark.parametrize("refusal", list(Refusal))
@pytest.mark.parametrize("topic", list(LinkTopic))
@pytest.mark.parametrize("locale", ["nl", "en"])
def test_every_page_is_translated_and_says_what_to_do(
    refusal: Refusal, topic: LinkTopic, locale: str
) -> None:
    page = link_page(topic, refusal, locale, reference="abc123")
    text = " ".join(_parse(page).text)
    assert not [key for key in catalog_messages(locale) if key in text]  # all translated
    assert f'<html lang="{locale}">' in page
    assert "abc123" in text
    if refusal is not Refusal.GONE:
        assert "Open Werkplek in Teams" in text


def test_the_scan_page_points_to_the_openen_button() -> None:
    page = link_page(LinkTopic.SCAN, Refusal.USED, "nl")
    assert "Deze link is al gebruikt" in page
    assert "Open Werkplek in Teams en klik bij het poststuk opnieuw op Openen." in page
    assert "Click Open" not in page


def test_the_markup_is_only_the_pages_own() -> None:
    page = link_page(LinkTopic.EXPORT, Refusal.INVALID, "en", reference=HOSTILE)
    parsed = _parse(page)
    assert set(parsed.tags) == {"html", "head", "meta", "title", "style", "body", "main", "h1", "p"}
    assert "<script>" not in page and "<img" not in page
    assert HOSTILE in "".join(parsed.text)  # shown as text, exactly


@pytest.mark.parametrize("trouble", list(Trouble))
@pytest.mark.parametrize("locale", ["nl", "en"])
def test_every_trouble_page_is_translated_with_a_next_step_and_the_reference(
    trouble: Trouble, locale: str
) -> None:
    page = trouble_page(trouble, locale, reference="WP-req-42")
    parsed = _parse(page)
    text = " ".join(parsed.text)
    assert not [key for key in catalog_messages(locale) if key in text]
    assert f'<html lang="{locale}">' in page and "WP-req-42" in text
    assert set(parsed.tags) == {"html", "head", "meta", "title", "style", "body", "main", "h1", "p"}
    assert "Werkplek in Teams" in text


def test_the_trouble_pages_say_what_happened_and_what_to_do() -> None:
    waiting = trouble_page(Trouble.NOT_READY, "nl")
    assert "Werkplek start nog op" in waiting and "Laad deze pagina over een minuutje" in waiting
    assert "Je link is nog niet gebruikt." in waiting
    down = trouble_page(Trouble.UNAVAILABLE, "en")
    assert "Werkplek cannot reach its data right now" in down
    failed = trouble_page(Trouble.FAILED, "nl", reference=HOSTILE)
    assert "Vraag in Werkplek in Teams een nieuwe link" in failed and "servicedesk" in failed
    assert "<script>" not in failed and HOSTILE in "".join(_parse(failed).text)
    assert [t.status for t in Trouble] == [503, 503, 500]


@pytest.mark.parametrize(
    ("accept", "page"),
    [
        # Edge, Chrome and Firefox navigating to a link.
        ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8", True),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),
        ("TEXT/HTML", True),
        # API clients and tools.
        (None, False),
        ("", False),
        ("*/*", False),
        ("application/json", False),
        ("application/problem+json, text/html;q=0.5", False),
        ("text/html;q=0.5, application/json", False),
        ("text/html;q=0", False),
        ("text/*", False),  # a wildcard names nothing
        ("," * 10_000 + "text/html", False),  # read only so far
    ],
)
def test_a_page_is_for_clients_that_ask_for_html(accept: str | None, page: bool) -> None:
    assert prefers_html(accept) is page


@given(st.text(max_size=300))
def test_accept_never_breaks(accept: str) -> None:
    assert prefers_html(accept) in (True, False)


def test_an_unknown_locale_gets_dutch() -> None:
    assert '<html lang="nl">' in link_page(LinkTopic.SCAN, Refusal.EXPIRED, "fr")


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        (None, "nl"),
        ("", "nl"),
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("nl-BE,nl;q=0.9,en-US;q=0.8,en;q=0.7", "nl"),
        ("fr-BE,fr;q=0.9,en;q=0.8,nl;q=0.7", "en"),
        ("de, fr", "nl"),
        ("en;q=0, nl;q=0.1", "nl"),  # q=0: "not English"
        ("en;q=0", "nl"),
        ("nl;q=0.5, en;q=0.5", "nl"),  # equal: the first listed
        ("en;q=abc, nl;q=0.2", "nl"),
        ("en;q=7", "nl"),
        ("*", "nl"),
        ("EN-us", "en"),
        ("," * 10_000 + "en", "nl"),  # read only so far
    ],
)
def test_the_language_of_the_page(header: str | None, locale: str) -> None:
    assert page_locale(header) == locale


@given(st.text(max_size=300))
def test_accept_language_never_breaks(header: str) -> None:
    assert page_locale(header) in ("nl", "en")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("POST-2026-000123.pdf", 'attachment; filename="POST-2026-000123.pdf"'),
        (
            "werkplek-licenties-ÉCO.xlsx",
            'attachment; filename="werkplek-licenties-_CO.xlsx"; '
            "filename*=UTF-8''werkplek-licenties-%C3%89CO.xlsx",
        ),
        (
            'a"\r\nSet-Cookie: x=1.pdf',
            'attachment; filename="a_Set-Cookie__x_1.pdf"; '
            "filename*=UTF-8''a%22Set-Cookie%3A%20x%3D1.pdf",
        ),
        ("../../etc/passwd", 'attachment; filename="_.._etc_passwd"'),
        ("", 'attachment; filename="download"'),
        ("\u202egpj.exe", 'attachment; filename="gpj.exe"'),  # no bidi override
    ],
)
def test_the_file_name_header(name: str, expected: str) -> None:
    assert content_disposition(name) == expected


def test_a_long_name_keeps_its_extension() -> None:
    header = content_disposition("x" * 500 + ".xlsx")
    (name,) = re.findall(r'filename="([^"]*)"', header)
    assert len(name) == 120 and name.endswith(".xlsx")


@given(st.text(max_size=400))
def test_no_file_name_can_inject_into_the_header(name: str) -> None:
    header = content_disposition(name)
    assert header.isascii()
    assert not any(ord(c) < 32 or ord(c) == 127 for c in header)
    match = re.fullmatch(
        r"attachment; filename=\"([^\"\\;%]+)\"(?:; filename\*=UTF-8''(\S+))?", header
    )
    assert match, header
    if match.group(2):
        decoded = unquote(match.group(2), errors="strict")
        assert "/" not in decoded and "\\" not in decoded
        assert len(decoded) <= 120
