"""The arguments a recognised command gets, cut from the caller's own words.

A command's handler parses the text it is given (dialogs/post/text.py, dialogs/access/status.py,
dialogs/licences/admin.py); when the command was recognised in a whole sentence, that text is
rebuilt here in the form the handler reads, from the words the sentence holds:

- `post`: the filters and a search ("aangetekend deze week zoek Fluvius"); "all" takes in the
  handled items ("al mijn post, ook de oude", "handled ones too" is all of it)
- `post_delegation`: "[stop] [naar <name>] [van <day>] [tot <day>] [<period>]", each part
  only when said: "stop" first when the caller asks to stop one ("stop naar Bart"), a period
  that gives both days as typed ("volgende week", "next week"), a single day as both ("van
  morgen tot morgen"); "" to list one's delegations (dialogs/post/text.py reads it)
- `status`: the colleague's name or e-mail address an agent asked about (also as the
  sentence's first words: "Fatima Ouali kan niet aanmelden"), else ""
- `licence_report`, `ticket_report`: the days and an entity code
- a command that takes the whole text (`whole_text=True`, the licence form) gets it all
The words an argument takes are "explained" for that command: "post van Fluvius" is all post,
"nieuwe aankondiging: <what it says>" all the announcement.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.commands.argument_words import (
    capital_inside,
    content,
    span,
    written_days,
)
from bot.commands.asides import asides
from bot.commands.day_spans import dashed, two_days
from bot.commands.delegation_words import delegation
from bot.commands.lemmas import MENTION, Token
from bot.commands.phrases import STOPWORDS
from bot.commands.post_search import searched
from bot.commands.status_words import colleague

_OLD = "oud"  # "de oude" are the handled ones too, unless the handled ones alone are asked for
# fmt: off
# "ook wat al verwerkt is", "handled ones too": the handled ones besides the rest.
_TOO = frozenset({
    "ook", "too", "also", "zowel", "both", "including", "incl", "inclusief", "included", "erbij",
    "inbegrepen", "meegerekend",
})
_JUSTIFIES = frozenset({"om", "omdat", "zodat", "voor", "for", "to", "because", "so"})
# "niet" as spoken ("nog ni behandeld") and in English ("not handled", "hasn't been dealt with").
_NOT = frozenset({"ni", "nie", "not", "hasn", "haven", "isn", "aren", "wasn", "weren", "didn"})
# "afgehandeld of niet", "handled or not": either, so all of it.
_EITHER = (("of", "niet"), ("or", "not"), ("al", "dan", "niet"))
_THE = frozenset({"de", "het", "the", "die", "those"})
_FILTERS = (
    (("niet", "afgehandeld"), "open"), (("niet", "afgehandelde"), "open"),
    (("niet", "behandeld"), "open"), (("onbehandeld",), "open"), (("onbehandelde",), "open"),
    (("onafgehandeld",), "open"), (("onafgehandelde",), "open"), (("unhandled",), "open"),
    (("niet", "handled"), "open"), (("niet", "yet", "handled"), "open"),
    (("niet", "verwerkt"), "open"), (("niet", "processed"), "open"), (("open",), "open"),
    (("openstaande",), "open"), (("processed",), "afgehandeld"),
    (("afgehandeld",), "afgehandeld"), (("afgehandelde",), "afgehandeld"),
    (("handled",), "afgehandeld"), (("verwerkt",), "afgehandeld"), (("afgewerkt",), "afgehandeld"),
    (("behandeld",), "afgehandeld"), (("behandelde",), "afgehandeld"),
    (("closed",), "afgehandeld"), (("gesloten",), "afgehandeld"),
    (("dealt", "with"), "afgehandeld"), (("marked", "as", "done"), "afgehandeld"),
    (("aangetekend",), "aangetekend"), (("aangetekende",), "aangetekend"),
    (("aangetekends",), "aangetekend"), (("aangetekent",), "aangetekend"),
    (("registered",), "aangetekend"),
    (("deze", "week"), "deze week"), (("this", "week"), "deze week"),
    (("alle",), "alles"), (("alles",), "alles"), (("all",), "alles"), (("al", "mijn"), "alles"),
    (("oude",), _OLD), (("old",), _OLD), (("older",), _OLD),
)
# fmt: on
_MAX_CODE = 6
# Small words a report's period is said in: "sinds", "tussen ... en", "vorige maand", "de
# laatste 30 dagen", "this quarter".
# fmt: off
_PERIOD_WORDS = frozenset({
    "sinds", "since", "vanaf", "van", "from", "tussen", "between", "en", "and", "tot", "to",
    "vorige", "vorig", "afgelopen", "laatste", "last", "past", "deze", "dit", "this",
    "maand", "month", "jaar", "year", "week", "weken", "dag", "dagen", "nu", "now", "heden",
})
# fmt: on


@dataclass(frozen=True, slots=True)
class Extracted:
    args: str
    consumed: frozenset[int]  # token positions the arguments took


NOTHING = Extracted("", frozenset())


def extract(
    name: str, whole_text: bool, text: str, words: Sequence[Token], known: frozenset[int]
) -> Extracted:
    """Arguments of command `name` in the message; known: positions of that command's own
    words (a word of another command may well be a name or a search: "van De Post")."""
    if whole_text:
        return _whole(text, words, known)
    if name == "post":
        return _post(text, words, known | asides(words, text))
    if name == "post_delegation":
        return Extracted(*delegation(text, words, known))
    if name == "status":
        return _status(text, words, known | asides(words, text))
    if name in ("licence_report", "ticket_report"):
        return _report(text, words, known | asides(words, text))
    if name == "announce":
        return Extracted("", frozenset(_after_colon(text, words, known)))
    return NOTHING


def _whole(text: str, words: Sequence[Token], known: frozenset[int]) -> Extracted:
    """All of it (the handler reads it); a reason, a workspace's name and what follows a colon
    after the command's own words ("maak een ticket aan: mijn scherm geeft geen beeld") are
    its arguments."""
    consumed = set(_after_marker(words, _JUSTIFIES, known)) | set(_after_colon(text, words, known))
    consumed |= {i for i, w in enumerate(words) if i > 0 and w.capitalised and i not in known}
    return Extracted(" ".join(MENTION.sub(" ", text).split()), frozenset(consumed))


def _post(text: str, words: Sequence[Token], known: frozenset[int]) -> Extracted:
    filters, used = _filters(words)
    if _OLD in filters:
        filters.remove(_OLD)
        if "afgehandeld" not in filters and "alles" not in filters:
            filters.append("alles")
    if "afgehandeld" in filters and _either(words):  # "handled or not"
        filters.append("open")
    if "open" in filters and "afgehandeld" in filters:  # "zowel open als afgehandeld"
        filters = [f for f in filters if f not in ("open", "afgehandeld", "alles")] + ["alles"]
    if "alles" in filters and "afgehandeld" in filters:
        # "handled ones too", "alles, ook wat verwerkt is" is all of it; "alles wat ik al
        # afgehandeld heb" the handled ones
        too = any(w.folded in _TOO for w in words)
        filters.remove("afgehandeld" if too else "alles")
    elif "afgehandeld" in filters and any(w.folded in _TOO for w in words):
        filters[filters.index("afgehandeld")] = "alles"  # "ook de afgehandelde": all of it
    days = frozenset(
        i for first, last, _ in written_days(words, text) for i in range(first, last + 1)
    )
    search = searched(text, words, known, frozenset(used) | days)
    said = filters + (["zoek", span(text, words, search)] if search else [])
    return Extracted(" ".join(said), frozenset(search) | used)


def _status(text: str, words: Sequence[Token], known: frozenset[int]) -> Extracted:
    person = colleague(text, words, known)
    return NOTHING if person is None else Extracted(span(text, words, person), frozenset(person))


def _report(text: str, words: Sequence[Token], known: frozenset[int]) -> Extracted:
    """Days and codes, and the words a period or an entity's name is said in ("sinds 15
    oktober", "vorige maand", "het Departement Omgeving"): the report's parser reads them and
    passes over the rest; a dash between days says "tot" ("1-15 november", "1/10 - 30/11").
    Only days, codes and capitalised names count as explained."""
    taken = [
        i
        for i, w in enumerate(words)
        if w.kind == "day"
        or (
            (w.text.isupper() and w.text.isalpha() and 1 < len(w.text) <= _MAX_CODE)
            and w.folded not in STOPWORDS
        )
    ]
    said = [
        i
        for i, w in enumerate(words)
        if i in taken
        or (
            i not in known
            and w.kind == "word"
            and (content(w) or w.folded in _PERIOD_WORDS)
            and not (w.text.isupper() and len(w.text) > 1 and w.folded in STOPWORDS)
        )
    ]
    # An entity's name is capitalised ("voor Digitaal Vlaanderen"): the report's parser knows it.
    named = {i for i in said if i > 0 and words[i].capitalised}
    return Extracted(_period_words(text, words, said), frozenset(taken) | named)


def _period_words(text: str, words: Sequence[Token], said: Sequence[int]) -> str:
    """The said words as the report's parser reads them, a dash between days as "tot": "1-15
    november" is "1 november tot 15 november"."""
    out: list[str] = []
    dash = dashed(text, words)
    skip = -1
    for i in said:
        if i == skip:
            continue
        if both := two_days(words, i):
            out.append(f"{both[0][2]} tot {both[1][2]}")
            skip = both[1][1]
            continue
        if i in dash and out and i - 1 in said:
            out.append("tot")
        out.append(words[i].text)
    return " ".join(out)


# --- pieces -------------------------------------------------------------------------------------
def _filters(words: Sequence[Token]) -> tuple[list[str], set[int]]:
    found: list[str] = []
    used: set[int] = set()
    said = [{"niet"} if w.folded in _NOT else {w.folded, *w.forms} for w in words]  # "weke"
    for phrase, flag in _FILTERS:
        for start in range(len(said) - len(phrase) + 1):
            span = set(range(start, start + len(phrase)))
            if all(p in said[start + i] for i, p in enumerate(phrase)) and not span & used:
                used |= span
                # "die ik niet heb afgehandeld", "not the handled ones"; "niet de aangetekende"
                # asks for no filter
                read = "open" if flag == "afgehandeld" and _negated(said, start) else flag
                if flag == "aangetekend" and _not_these(said, start):
                    continue
                if read not in found:
                    found.append(read)
    return found, used


def _either(words: Sequence[Token]) -> bool:
    folded = [w.folded for w in words]
    return any(
        folded[i : i + len(phrase)] == list(phrase) for phrase in _EITHER for i in range(len(words))
    )


def _not_these(said: Sequence[set[str]], at: int) -> bool:
    """ "niet de aangetekende", "not registered": "niet" right before, or before an article."""
    if at > 0 and "niet" in said[at - 1]:
        return True
    return at > 1 and "niet" in said[at - 2] and bool(said[at - 1] & _THE)


def _negated(said: Sequence[set[str]], at: int) -> bool:
    """A "niet" (or "not") up to three words before: "niet heb afgehandeld", "hasn't been
    dealt with"; not "afgehandeld of niet" (either)."""
    return any("niet" in forms for forms in said[max(0, at - 3) : at])


def _after_colon(text: str, words: Sequence[Token], known: frozenset[int]) -> list[int]:
    """Content words after the first colon that follows one of the command's own words."""
    if not known:
        return []
    for i in range(min(known) + 1, len(words)):
        if ":" in text[words[i - 1].end : words[i].start]:
            return [j for j in range(i, len(words)) if j not in known and content(words[j])]
    return []


def _after_marker(
    words: Sequence[Token], markers: Collection[str], known: frozenset[int], *, last: bool = False
) -> list[int]:
    """Content words after the first (or last) marker word that no command uses."""
    places = [i for i, w in enumerate(words) if w.folded in markers]
    if not places:
        return []
    begin = places[-1] if last else places[0]
    return [
        i
        for i in range(begin + 1, len(words))
        if i not in known and (content(words[i]) or capital_inside(words, i))
    ]
