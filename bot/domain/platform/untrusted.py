"""Text that people or scanners wrote, made safe to show in an Adaptive Card.

Names, subjects and senders read from envelopes, justifications, notes, reasons, OCR text, file
names, item names from imported workbooks and echoed search words all end up in cards the bot
signs with its own name. Teams renders a Markdown subset in a TextBlock and in a FactSet's
titles and values (bold `**`, italic `_`, lists "- " and "1. ", links `[x](y)`), links bare
URLs and e-mail addresses by itself, and other Adaptive Card hosts also read `{{DATE(...)}}`,
HTML entities and `<at>` mentions. A letter must not be able to put a "Bevestig hier" link, a
heading or a fake list inside a card from the trusted bot.

Decisions (and why):
- `escape_text` is the one way untrusted text enters a card's TextBlock or Fact. Text that we
  write (catalog messages, our own links) is not escaped: it may use Markdown on purpose.
- Markdown metacharacters are backslash-escaped (CommonMark's own way: the reader sees the
  character, not the backslash), and only the ones that can start markup: `\\ * _ ~ ` [ ]`
  anywhere, `# > - + =` and "1." only at the start of a line. "Fam. Peeters", "Van den
  Broeck-Claes" and "3.5" read exactly as written.
- Auto-linking needs a real dot before the top-level domain or a `scheme:` with `//`. A dot that
  joins two words ("evil.example", "lotte@gemeente.be") becomes a one-dot leader (U+2024,
  drawn as a dot; the full-width and ideographic dots IDNA also reads keep their look and get
  a zero-width space), and `//` and `scheme:` get a zero-width space: a civil servant still reads
  the address, nobody can click it. `{{`, `${`, `<` and `&entity;` get the same invisible
  break, so no date function, template, tag, mention or entity survives.
- Control characters, bidi overrides and zero-width characters of the writer are removed (they
  reorder or hide what is read); only our own zero-width spaces remain.
- Everything is capped, output included: an absurd length ends in "…" (never inside an escape).
- TextBlocks stay TextBlocks: a RichTextBlock's TextRun renders no Markdown, but a FactSet has
  no TextRun and Teams links bare addresses anyway, so one escape for both is simpler. Older
  Teams mobile clients showed the backslash of an escape (msteams-docs#5793): an odd
  character on a rare name, never a live link.
- `clean_text` is for places that show text without Markdown (button titles, input values a
  person edits and sends back, notification previews): the same cleaning and cap, no escapes,
  so nothing is doubled when it comes back.
"""

from __future__ import annotations

import re
import unicodedata

# The longest untrusted text a card shows, unless the caller says less.
MAX_SHOWN = 2000
ELLIPSIS = "…"
# Invisible, and breaks every construct it is put into (no parser treats it as `/`, `{` or `.`).
_BREAK = "\u200b"
# Drawn as a full stop by every Teams font; no autolinker takes it for the dot of a domain.
_DOT = "\u2024"
# A hostile text of megabytes is cut before it is looked at (cleaning only ever removes).
_READ_FACTOR = 8

_ALWAYS = frozenset("\\*_~`[]")
_AT_LINE_START = re.compile(r"(?m)^[#>+=-]")
_ORDERED_ITEM = re.compile(r"(?m)^\d{1,9}([.)])(?=\s|$)")
# A URL scheme ("https:", "mailto:", "tel:") right before something: its colon gets a break.
# Schemes are ASCII letters, digits, "+", "." and "-"; a time ("12:30") has no letter.
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
_LONGEST_SCHEME = 32
_DOTS = frozenset(".\uff0e\u3002\uff61")  # and the full-width and ideographic ones IDNA maps
_TRIGGERS = re.compile(r"(?m)[\\*_~`\[\]#>+=\-<&{}$/:.\uff0e\u3002\uff61]|^\d")
_LINE_BREAKS = str.maketrans({"\r": "\n", "\v": "\n", "\f": "\n", "\x85": "\n", "\t": " "})
_PARAGRAPHS = re.compile(r"\n{3,}")
_SPACES = re.compile(r"[^\S\n]+")


def clean_text(value: str, *, limit: int = MAX_SHOWN, multiline: bool = False) -> str:
    """The text without control, bidi or zero-width characters, whitespace tidied, at most
    `limit` characters. For text shown without Markdown; cards use `escape_text`."""
    return _cut(_clean(value, limit, multiline), limit)


def escape_text(value: str, *, limit: int = MAX_SHOWN, multiline: bool = False) -> str:
    """The text as a TextBlock or Fact shows it literally: no link, image, formatting, list,
    heading, date function, mention or entity can come out of it; at most `limit` characters.

    `multiline`: keep the writer's line breaks (notes, justifications, OCR text); otherwise
    every run of whitespace is one space (names, subjects, file names)."""
    cleaned = _clean(value, limit, multiline)
    if not _TRIGGERS.search(cleaned):
        return _cut(cleaned, limit)
    return _cut_pieces(_escaped_pieces(cleaned), limit)


def _clean(value: str, limit: int, multiline: bool) -> str:
    read = value[: max(limit, 1) * _READ_FACTOR + 64]
    read = unicodedata.normalize("NFC", read.replace("\r\n", "\n"))
    kept = "".join(_cleaned_char(ch) for ch in read.translate(_LINE_BREAKS))
    if not multiline:
        return " ".join(kept.split())
    lines = (_SPACES.sub(" ", line).strip() for line in kept.split("\n"))
    return _PARAGRAPHS.sub("\n\n", "\n".join(lines)).strip()


def _cleaned_char(ch: str) -> str:
    if ch == "\n" or ch.isprintable():
        return ch
    category = unicodedata.category(ch)
    if category in ("Zl", "Zp"):
        return "\n"
    if category == "Zs":
        return " "
    # Cc (controls), Cf (bidi overrides, zero-width characters, soft hyphens), Cs (lone
    # surrogates, which no JSON encoder can send), Co/Cn: nothing a reader needs.
    return ""


def _escaped_pieces(text: str) -> list[str]:
    """One piece per character, so a cut never splits an escape from what it escapes."""
    escape_at = {m.start() for m in _AT_LINE_START.finditer(text)}
    escape_at |= {m.start(1) for m in _ORDERED_ITEM.finditer(text)}
    pieces: list[str] = []
    for i, ch in enumerate(text):
        after = text[i + 1] if i + 1 < len(text) else ""
        if ch in _ALWAYS or i in escape_at:
            pieces.append("\\" + ch)
        elif ch in _DOTS and after.isalpha() and i > 0 and not text[i - 1].isspace():
            # A full-width or ideographic dot keeps its look (CJK text puts letters right after
            # it); the break keeps it from joining a host name.
            pieces.append(_DOT if ch == "." else ch + _BREAK)
        elif (
            ch == "<"
            or (ch == ":" and after and not after.isspace() and _ends_a_scheme(text, i))
            or (ch == "&" and (after == "#" or after.isalnum()))
            or (ch == "/" and after == "/")
            or (ch in "{$" and after == "{")
            or (ch == "}" and after == "}")
        ):
            pieces.append(ch + _BREAK)
        else:
            pieces.append(ch)
    return pieces


def _ends_a_scheme(text: str, colon: int) -> bool:
    start = colon
    while start > 0 and colon - start < _LONGEST_SCHEME and text[start - 1] in _SCHEME_CHARS:
        start -= 1
    return any(ch.isalpha() for ch in text[start:colon])


def _cut(text: str, limit: int) -> str:
    limit = max(limit, 1)
    if len(text) <= limit:
        return text
    return text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def _cut_pieces(pieces: list[str], limit: int) -> str:
    """Whole pieces only: a cut never leaves a backslash that would escape the ellipsis."""
    limit = max(limit, 1)
    if sum(len(piece) for piece in pieces) <= limit:
        return "".join(pieces)
    room = limit - len(ELLIPSIS)
    kept: list[str] = []
    for piece in pieces:
        if len(piece) > room:
            break
        kept.append(piece)
        room -= len(piece)
    shown = "".join(kept).rstrip()
    if shown.endswith(":") and _ends_a_scheme(shown, len(shown) - 1):
        # "HTTP:…": the ellipsis would follow a scheme's colon, which nothing breaks any more.
        shown = shown[:-1].rstrip()
    return shown + ELLIPSIS
