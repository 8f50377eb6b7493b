"""Which of the days a sentence says starts the period and which ends it ("van 9 tot 11
december", "tot vrijdag", "ik ga eind januari op pensioen, vanaf 1 januari ..."), by the word
before each day (bot/commands/delegation_words.py writes them for dialogs/post/text.py)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.commands.argument_words import STARTS
from bot.commands.day_spans import ENDS, PERIOD_WHICH, until_after
from bot.commands.lemmas import Token
from bot.commands.phrases import DAY_NAMES


def start_and_end(
    text: str, words: Sequence[Token], days: list[tuple[int, int, str]]
) -> tuple[str, str]:
    """The first and the last day as written ("" where none is said); a single day without a
    word before it is both."""
    starts = ends = ""
    if len(days) == 1:  # "ik ben morgen op opleiding": that day; "tot vrijdag": until then
        first, _, said = days[0]
        before = _word_before(words, first)
        if before not in ENDS and before not in STARTS and not _through(words, first):
            return said, said
    # "ik ga eind januari op pensioen, kan Yusuf vanaf 1 januari ...": a day said with "vanaf"
    # or "tot" is that; the others fill what is left, in their order ("van 15-19 dec": the
    # second day of a "van" is its end).
    marked = [_marked(words, first) for first, _, _ in days]
    if "start" in marked:
        first_start = marked.index("start")
        marked = [m if m != "start" or i == first_start else "" for i, m in enumerate(marked)]
    for (_, _, said), mark in zip(days, marked, strict=True):
        if mark == "start":
            starts = said
        elif mark == "end":
            ends = said
    for (_, _, said), mark in zip(days, marked, strict=True):
        if not mark and not starts and len(days) > 1:
            starts = said
        elif not mark:
            ends = ends or said
    return starts, ends


def _marked(words: Sequence[Token], first: int) -> str:
    before = _word_before(words, first)
    if before in STARTS:
        return "start"
    if before in ENDS or before == "met" or _through(words, first):  # "tot en met"
        return "end"
    return ""


_WEEK = frozenset({"week", "wk"})


def _word_before(words: Sequence[Token], first: int) -> str:
    """The word before a day, over a "next" ("until next Friday", "vanaf volgende maandag"),
    a "the" ("until the 23rd of December") or the day's name ("vanaf woensdag 9/12")."""
    before = first - 1
    said = [w.folded for w in words[: before + 1]]
    if before > 0 and (said[before] in ("the", "de") or until_after(said)):  # "tot na"
        before -= 1
    if before > 0 and (words[before].folded in PERIOD_WHICH | DAY_NAMES):
        before -= 1
    elif before > 1 and said[before] in _WEEK and said[before - 1] in PERIOD_WHICH:
        before -= 2  # "tot volgende week woensdag"
    return words[before].folded if before >= 0 else ""


def _through(words: Sequence[Token], first: int) -> bool:
    """ "tot en met 18/12", or written short: "t/m 18/12", "t.e.m. 18/12" (not "I'm")."""
    said = [w.folded for w in words[max(0, first - 3) : first]]
    return said[-3:] in (["tot", "en", "met"], ["t", "e", "m"]) or said[-2:] == ["t", "m"]
