"""What a person sees when a download link cannot be served: a small HTML page, in Dutch or
English, with the one next step. Pure functions, no I/O: text in, text out.

Two kinds of page: a refused link (invalid, expired, used, gone: `link_page`) and trouble on our
side while serving one (not started yet, the database away, a failure: `trouble_page`). A
browser gets the page; an API client asking for JSON keeps problem+json (`prefers_html`).

Every text comes from the catalog and is HTML-escaped here, as is the reference (a request id
a caller may choose): nothing on the page is markup but the page's own.
"""

from __future__ import annotations

import html
import unicodedata
from enum import StrEnum
from urllib.parse import quote

from bot.i18n import DEFAULT_LOCALE, LOCALES, N_, Translator

# A browser sends a handful of languages; a longer header is read only this far.
_MAX_LANGUAGES = 16
# Longer names are cut (keeping the extension): a header is no place for a paragraph.
_MAX_FILENAME = 120
# Characters kept as they are in the plain `filename=` fallback (quoted-string safe, no `%`).
_FALLBACK_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.+()")


class Refusal(StrEnum):
    """What the person is told about a link that cannot be served, and with which status."""

    INVALID = "invalid"  # not made by the bot, changed, incomplete
    EXPIRED = "expired"
    USED = "used"
    GONE = "gone"  # a scan deleted after its retention period

    @property
    def status(self) -> int:
        return 403 if self is Refusal.INVALID else 410


class Trouble(StrEnum):
    """Our side could not serve a request that was fine: the page says so, and what to do."""

    NOT_READY = "not_ready"  # the app started a moment ago and is not wired yet
    UNAVAILABLE = "unavailable"  # the database cannot be reached (nothing was changed)
    FAILED = "failed"  # anything else: logged with the page's reference

    @property
    def status(self) -> int:
        return 500 if self is Trouble.FAILED else 503


class LinkTopic(StrEnum):
    """What the link was for: decides the next step the page gives."""

    SCAN = "scan"
    CATALOGUE = "catalogue"
    LICENCE_REPORT = "licence-report"
    POST_RULES = "post-rules"
    ARTICLES = "articles"
    TICKETS_REPORT = "tickets-report"
    ANNOUNCEMENT_REPORT = "announcement-report"
    EXPORT = "export"  # any other download


_HEADINGS = {
    Refusal.INVALID: N_("link.invalid.heading"),
    Refusal.EXPIRED: N_("link.expired.heading"),
    Refusal.USED: N_("link.used.heading"),
    Refusal.GONE: N_("link.gone.heading"),
}
_EXPLANATIONS = {
    Refusal.INVALID: N_("link.invalid.body"),
    Refusal.EXPIRED: N_("link.expired.body"),
    Refusal.USED: N_("link.used.body"),
    Refusal.GONE: N_("link.gone.body"),
}
_NEXT_STEPS = {
    LinkTopic.SCAN: N_("link.next.scan"),
    LinkTopic.CATALOGUE: N_("link.next.catalogue"),
    LinkTopic.LICENCE_REPORT: N_("link.next.licence_report"),
    LinkTopic.POST_RULES: N_("link.next.post_rules"),
    LinkTopic.ARTICLES: N_("link.next.articles"),
    LinkTopic.TICKETS_REPORT: N_("link.next.tickets_report"),
    LinkTopic.ANNOUNCEMENT_REPORT: N_("link.next.announcement_report"),
    LinkTopic.EXPORT: N_("link.next.export"),
}

_TROUBLE_TEXTS = {
    Trouble.NOT_READY: (
        N_("link.not_ready.heading"),
        N_("link.not_ready.body"),
        N_("link.next.reload"),
    ),
    Trouble.UNAVAILABLE: (
        N_("link.unavailable.heading"),
        N_("link.unavailable.body"),
        N_("link.next.reload"),
    ),
    Trouble.FAILED: (N_("link.failed.heading"), N_("link.failed.body"), N_("link.next.failed")),
}
# What an HTML page is asked for as (a browser's navigation), and what an API client wants.
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_JSON_TYPES = frozenset({"application/json", "application/problem+json"})
# A browser sends a few media ranges; a longer header is read only this far.
_MAX_MEDIA_RANGES = 32

_STYLE = (
    "body{font-family:'Segoe UI',system-ui,sans-serif;margin:0;background:#f5f5f5;color:#242424}"
    "main{max-width:34rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:8px;"
    "box-shadow:0 1px 3px rgba(0,0,0,.15)}"
    "h1{font-size:1.35rem;margin:0 0 1rem}p{line-height:1.5}"
    ".next{font-weight:600}.ref{color:#616161;font-size:.85rem}"
)


def link_page(topic: LinkTopic, refusal: Refusal, locale: str, reference: str = "") -> str:
    """The whole page, escaped. A gone scan has its own next step whatever the topic."""
    t = _translator(locale)
    next_step = t(N_("link.next.gone")) if refusal is Refusal.GONE else t(_NEXT_STEPS[topic])
    return _page(t, t(_HEADINGS[refusal]), t(_EXPLANATIONS[refusal]), next_step, reference)


def trouble_page(trouble: Trouble, locale: str, reference: str = "") -> str:
    """The page for trouble on our side, escaped: what happened, that nothing is lost, what to
    do (reload in a moment; after a failure, a new link), and the reference for the service
    desk."""
    t = _translator(locale)
    heading, body, next_step = (t(key) for key in _TROUBLE_TEXTS[trouble])
    return _page(t, heading, body, next_step, reference)


def prefers_html(accept: str | None) -> bool:
    """Does the client ask for a page rather than JSON? Browsers list text/html first; API
    clients send application/json, */* or nothing. HTML wins only when it is named with a
    weight above 0 and no JSON type is named with a higher one (wildcards name nothing)."""
    html_weight = json_weight = 0.0
    for part in (accept or "").split(",")[:_MAX_MEDIA_RANGES]:
        media, _, parameters = part.partition(";")
        media = media.strip().casefold()
        if media in _HTML_TYPES:
            html_weight = max(html_weight, _weight(parameters))
        elif media in _JSON_TYPES:
            json_weight = max(json_weight, _weight(parameters))
    return html_weight > 0.0 and html_weight >= json_weight


def _translator(locale: str) -> Translator:
    return Translator(locale if locale in LOCALES else DEFAULT_LOCALE)


def _page(t: Translator, heading: str, explanation: str, next_step: str, reference: str) -> str:
    paragraphs = [
        f"<p>{html.escape(explanation)}</p>",
        f'<p class="next">{html.escape(next_step)}</p>',
    ]
    if reference:
        line = t(N_("link.reference"), reference=reference)
        paragraphs.append(f'<p class="ref">{html.escape(line)}</p>')
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(t.locale)}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{html.escape(t(N_('link.page.title'), heading=heading))}</title>\n"
        f"<style>{_STYLE}</style>\n"
        f"</head>\n<body>\n<main>\n<h1>{html.escape(heading)}</h1>\n"
        + "\n".join(paragraphs)
        + "\n</main>\n</body>\n</html>\n"
    )


def page_locale(accept_language: str | None) -> str:
    """The language of the page: the browser's most preferred one that we speak, else Dutch.

    Accept-Language is "en-GB,en;q=0.9,nl;q=0.8": tags with optional quality weights; q=0 means
    "not this one". Of equal weights the first listed wins. Anything unreadable is skipped.
    """
    best, best_weight = DEFAULT_LOCALE, 0.0
    for part in (accept_language or "").split(",")[:_MAX_LANGUAGES]:
        tag, _, parameters = part.partition(";")
        language = tag.strip().split("-", 1)[0].casefold()
        if language not in LOCALES:
            continue
        weight = _weight(parameters)
        if weight > best_weight:
            best, best_weight = language, weight
    return best


def _weight(parameters: str) -> float:
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().casefold() == "q":
            try:
                weight = float(value.strip())
            except ValueError:
                return 0.0
            return weight if 0.0 <= weight <= 1.0 else 0.0
    return 1.0


def content_disposition(filename: str) -> str:
    """`attachment` with a filename no header can be injected through (RFC 6266).

    Control characters (CR and LF among them) and path separators never reach the header. An
    ASCII fallback `filename=` always comes; a name that needs more gets `filename*` (RFC 8187,
    UTF-8, percent-encoded) as well, which browsers prefer.
    """
    name = "".join(
        "_" if c in "/\\" else c
        for c in unicodedata.normalize("NFC", filename)
        if unicodedata.category(c)[0] != "C"  # controls, format characters, surrogates
    ).strip(" .")
    if len(name) > _MAX_FILENAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: _MAX_FILENAME - len(extension) - 1] + "." + extension
        else:
            name = name[:_MAX_FILENAME]
    name = name or "download"
    fallback = "".join(c if c in _FALLBACK_SAFE else "_" for c in name)
    if fallback == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
