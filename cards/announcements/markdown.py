"""An announcement's summary: the Markdown subset Teams renders, kept where it is the point
(bold, italic, lists, https links), neutralised everywhere else.

The summary is written by a communication admin and shown in a card the bot signs: the same
care as any text from outside (bot.domain.platform.untrusted), with three things let through.

Decisions (and why):
- The text goes through `escape_text` like any other, and only the escapes of what we allow are
  taken back off: `*` and `_` (emphasis), "- " and "1. " at the start of a line (lists). Every
  other construct stays neutralised by the one helper that knows them all (headings, quotes,
  code, images, `{{DATE}}`, `${...}`, tags, mentions, entities, bare addresses, bidi tricks), so
  a new trick taught to `escape_text` is refused here too.
- A link survives only as `[text](https://...)`, its address checked like the content's own
  (`is_https_url`) and free of what could end or bend it; its text is escaped the same way.
  `[x](javascript:...)`, `![image](...)` and reference links read as the characters they are.
  A bare address is not made clickable: the author writes a link when one is meant.
- Reading the escaped text back is unambiguous: `escape_text` escapes every backslash, so a
  backslash in its output always starts a pair.
"""

from __future__ import annotations

import re

from bot.domain.announcements.content import SUMMARY_MAX, is_https_url
from bot.domain.platform.untrusted import clean_text, escape_text

# Longest link text kept as a link (a longer "[...]" reads as the characters it is).
_LINK_TEXT_MAX = 200
# `[text](https://address)`, not right after "!" (an image); the address without what would end
# the link early, start a title, or bend Teams' templates and tags.
_LINK = re.compile(
    r"(?<!!)\[([^\[\]\n]{1," + str(_LINK_TEXT_MAX) + r"})\]\((https://[^\s()<>{}\[\]\"'`\\]+)\)"
)
_EMPHASIS = frozenset("*_")
_ORDERED = frozenset(".)")


def summary_markdown(summary: str, *, limit: int = SUMMARY_MAX) -> str:
    """The summary as a TextBlock's text: emphasis, lists and https links as written, anything
    else shown literally; at most `limit` characters of the author's text (escapes come on
    top)."""
    cleaned = clean_text(summary, limit=limit, multiline=True)
    pieces: list[str] = []
    at = 0
    for link in _LINK.finditer(cleaned):
        if not is_https_url(link.group(2)):
            continue
        pieces.append(_shown(cleaned[at : link.start()], line_start=_starts_line(cleaned, at)))
        label = _shown(link.group(1), line_start=False)
        pieces.append(f"[{label}]({link.group(2)})")
        at = link.end()
    pieces.append(_shown(cleaned[at:], line_start=_starts_line(cleaned, at)))
    return "".join(pieces)


def _starts_line(text: str, at: int) -> bool:
    return at == 0 or text[at - 1] == "\n"


def _shown(part: str, *, line_start: bool) -> str:
    """One stretch of plain text, escaped, with its allowed markup given back. `escape_text`
    trims the stretch, so the spaces and line breaks at its ends are put back around it."""
    if not part:
        return ""
    body = part.strip()
    lead = part[: len(part) - len(part.lstrip())]
    trail = part[len(part.rstrip()) :]
    if not body:
        return part
    # Escapes at most double the text: the limit never cuts what was already bounded.
    escaped = escape_text(body, limit=2 * len(body) + 1, multiline=True)
    starts = line_start or lead.endswith("\n")
    return lead + _allowed_back(escaped, line_start=starts, then=trail[:1]) + trail


def _allowed_back(escaped: str, *, line_start: bool, then: str) -> str:
    """Drop the escapes of emphasis and of list markers at the start of a line (`then`: the
    character after the stretch, the space of "- " when a link follows the marker)."""
    out: list[str] = []
    # The current line as read so far, or None when it did not start in this stretch.
    line: str | None = "" if line_start else None
    i = 0
    while i < len(escaped):
        ch = escaped[i]
        if ch == "\\" and i + 1 < len(escaped):
            escaped_ch = escaped[i + 1]
            after = escaped[i + 2 : i + 3] or then
            is_item = (
                line is not None
                and after == " "
                and (
                    (escaped_ch == "-" and line == "")
                    or (escaped_ch in _ORDERED and line.isdigit())
                )
            )
            out.append(escaped_ch if escaped_ch in _EMPHASIS or is_item else ch + escaped_ch)
            if line is not None:
                line += escaped_ch
            i += 2
            continue
        out.append(ch)
        if ch == "\n":
            line = ""
        elif line is not None:
            line += ch
        i += 1
    return "".join(out)
