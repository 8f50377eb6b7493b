"""The arguments a recognised command gets, cut from the caller's own words.

A command's handler parses the text it is given (dialogs/post/text.py, dialogs/access/status.py,
dialogs/licences/admin.py); when the command was recognised in a whole sentence, that text is
rebuilt here in the form the handler reads, from the words the sentence holds:

- `post`: the filters and a search ("aangetekend deze week zoek Fluvius"); "all" takes in the
  handled items ("al mijn post, ook de oude", "handled ones too" is all of it)
- `post_delegation`: "naar <name> van <day> tot <day>", or "" to list one's delegations
- `status`: the colleague's name or e-mail address an agent asked about (also as the
  sentence's first words: "Fatima Ouali kan niet aanmelden"), else ""
- `licence_report`: the days and an entity code
- a command that takes the whole text (`whole_text=True`, the licence form) gets it all

The words an argument takes are "explained" for that command: "post van Fluvius" is all post.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.commands.lemmas import MENTION, Token
from bot.commands.phrases import CLASSES, DAY_NAMES, MONTHS, STOPWORDS

# "de oude" are the handled ones too, unless the handled ones alone are asked for.
_OLD = "oud"
# fmt: off
_STARTS = frozenset({"van", "vanaf", "from", "starting"})
_ENDS = frozenset({"tot", "until", "till", "through", "to", "tem"})
_TO_SOMEONE = frozenset({"naar", "aan", "to", "bij"})
_ABOUT_SOMEONE = frozenset({"van", "voor", "of", "for"})
_SEARCHES = frozenset(
    {"van", "from", "zoek", "zoeken", "search", "vind", "find", "afzender", "sender", "op"}
)
_JUSTIFIES = frozenset({"om", "omdat", "zodat", "voor", "for", "to", "because", "so"})
# Words between "naar" and the name: "naar mijn collega Els Maes".
_BEFORE_NAMES = frozenset({
    "mijn", "my", "de", "the", "collega", "collegas", "colleague", "vervanger", "backup",
    "mevrouw", "meneer", "dhr", "mevr", "mr", "mrs", "ms",
})
# Small words inside names: "Lotte De Smet", "Ahmed El Amrani", "Jan Van den Broeck".
_NAME_PARTICLES = frozenset({"de", "van", "der", "den", "el", "le", "la", "ter", "ten", "vanden"})
_FILTERS = (
    (("niet", "afgehandeld"), "open"), (("niet", "afgehandelde"), "open"),
    (("onafgehandeld",), "open"), (("onafgehandelde",), "open"), (("unhandled",), "open"),
    (("open",), "open"), (("openstaande",), "open"),
    (("afgehandeld",), "afgehandeld"), (("afgehandelde",), "afgehandeld"),
    (("handled",), "afgehandeld"),
    (("aangetekend",), "aangetekend"), (("aangetekende",), "aangetekend"),
    (("registered",), "aangetekend"),
    (("deze", "week"), "deze week"), (("this", "week"), "deze week"),
    (("alle",), "alles"), (("alles",), "alles"), (("all",), "alles"), (("al", "mijn"), "alles"),
    (("oude",), _OLD), (("old",), _OLD), (("older",), _OLD),
)
# fmt: on
# Papers one searches the post for, though they are the post's own words: "zoek facturen".
_SEARCHABLE = frozenset(CLASSES["paperwork"].split())
# Words that open a greeting, never a name: "Dag Els, ...".
_COURTESY = frozenset(CLASSES["greeting"].split()) | frozenset(CLASSES["thanks"].split())
_BREAKS = frozenset(",;:?!()")
_MAX_CODE = 6


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
        return _post(text, words, known)
    if name == "post_delegation":
        return _delegation(text, words, known)
    if name == "status":
        return _status(text, words, known)
    if name == "licence_report":
        return _report(words)
    return NOTHING


def _whole(text: str, words: Sequence[Token], known: frozenset[int]) -> Extracted:
    """All of it (the handler reads it); a reason and a workspace's name are its arguments."""
    consumed = set(_after_marker(words, _JUSTIFIES, known))
    consumed |= {i for i, w in enumerate(words) if i > 0 and w.capitalised and i not in known}
    return Extracted(" ".join(MENTION.sub(" ", text).split()), frozenset(consumed))


def _post(text: str, words: Sequence[Token], known: frozenset[int]) -> Extracted:
    filters, used = _filters(words)
    if _OLD in filters:
        filters.remove(_OLD)
        if "afgehandeld" not in filters and "alles" not in filters:
            filters.append("alles")
    if "alles" in filters and "afgehandeld" in filters:  # "handled ones too": all of it
        filters.remove("afgehandeld")
    days = frozenset(i for first, last, _ in _days(words) for i in range(first, last + 1))
    searchable = frozenset(i for i in known if words[i].folded in _SEARCHABLE)
    search = list(_after_marker(words, _SEARCHES, (known - searchable) | used | days, last=True))
    if not search:
        search = [
            i
            for i, w in enumerate(words)
            if i > 0 and w.capitalised and i not in known | used | days and _content(w)
        ]
    said = filters + (["zoek", _span(text, words, search)] if search else [])
    return Extracted(" ".join(said), frozenset(search) | used)


def _delegation(text: str, words: Sequence[Token], known: frozenset[int]) -> Extracted:
    days = _days(words)
    taken = {i for first, last, _ in days for i in range(first, last + 1)}
    person = _email(words) or _name_after(text, words, _TO_SOMEONE, known | taken)
    if person is None and days:  # "tijdens mijn verlof mag Tom Wouters mijn post krijgen"
        person = _capitalised_run(text, words, frozenset(known | taken))
    if person is None and not days:
        return NOTHING
    starts, ends = _start_and_end(text, words, days)
    said = ["naar", _span(text, words, person)] if person else []
    if starts:
        said += ["van", starts]
    if ends:
        said += ["tot", ends]
    consumed = taken | set(person or ()) | {first - 1 for first, _, _ in days if first > 0}
    return Extracted(" ".join(said), frozenset(consumed))


def _status(text: str, words: Sequence[Token], known: frozenset[int]) -> Extracted:
    person = _email(words) or _name_after(text, words, _ABOUT_SOMEONE, known, lead=False)
    if person is None and _leading_name(words, known):
        person = _name_run(text, words, 0, known) or None
    if person is None:
        person = _capitalised_run(text, words, known)
    if person is None:
        return NOTHING
    person = _with_particle(words, person)
    return Extracted(_span(text, words, person), frozenset(person))


def _with_particle(words: Sequence[Token], person: list[int]) -> list[int]:
    """ "status Van den Broeck": the "van" read as "about" is the name's own first word when
    it is written with a capital or another particle follows it ("van der Veken")."""
    first = min(person)
    before = first - 1
    if before < 0 or words[before].folded not in _NAME_PARTICLES:
        return person
    if words[before].capitalised or words[first].folded in _NAME_PARTICLES:
        return [before, *person]
    return person


def _report(words: Sequence[Token]) -> Extracted:
    taken = [
        i
        for i, w in enumerate(words)
        if w.kind == "day"
        or (
            (w.text.isupper() and w.text.isalpha() and 1 < len(w.text) <= _MAX_CODE)
            and w.folded not in STOPWORDS
        )
    ]
    return Extracted(" ".join(words[i].text for i in taken), frozenset(taken))


# --- pieces -------------------------------------------------------------------------------------
def _filters(words: Sequence[Token]) -> tuple[list[str], set[int]]:
    found: list[str] = []
    used: set[int] = set()
    folded = [w.folded for w in words]
    for phrase, flag in _FILTERS:
        for start in range(len(folded) - len(phrase) + 1):
            span = set(range(start, start + len(phrase)))
            if tuple(folded[start : start + len(phrase)]) == phrase and not span & used:
                used |= span
                if flag not in found:
                    found.append(flag)
    return found, used


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
        if i not in known and (_content(words[i]) or _capital_inside(words, i))
    ]


def _email(words: Sequence[Token]) -> list[int] | None:
    return next(([i] for i, w in enumerate(words) if w.kind == "email"), None)


def _name_after(
    text: str,
    words: Sequence[Token],
    markers: Collection[str],
    known: frozenset[int],
    *,
    lead: bool = True,
) -> list[int] | None:
    """A name right after one of the markers: "naar Els Maes", "van jan peeters"; with lead,
    also after "mijn collega" and the like ("naar mijn collega Els Maes")."""
    for i, word in enumerate(words):
        if word.folded in markers and i + 1 < len(words):
            first = i + 1
            while lead and first < len(words) - 1 and words[first].folded in _BEFORE_NAMES:
                first += 1
            run = _name_run(text, words, first, known)
            if run:
                return run
    return None


def _leading_name(words: Sequence[Token], known: frozenset[int]) -> bool:
    """The sentence opens with a name of two capitalised words: "Fatima Ouali kan niet..."."""
    return (
        len(words) > 2
        and words[0].folded not in _COURTESY
        and all(words[i].capitalised and _name_like(words[i], i, known) for i in (0, 1))
    )


def _capitalised_run(text: str, words: Sequence[Token], known: frozenset[int]) -> list[int] | None:
    """A name written with capitals anywhere but first: "check toegang Ahmed El Amrani"."""
    for i in range(1, len(words)):
        if words[i].capitalised and _content(words[i]) and i not in known:
            return _name_run(text, words, i, known) or None
    return None


def _name_run(text: str, words: Sequence[Token], first: int, known: frozenset[int]) -> list[int]:
    run: list[int] = []
    for i in range(first, len(words)):
        word = words[i]
        if run and _broken(text, words[i - 1], word):
            break
        if _name_like(word, i, known):
            run.append(i)
        elif word.folded in _NAME_PARTICLES and i + 1 < len(words):
            if not (word.capitalised or run) or not _name_like(words[i + 1], i + 1, known):
                break
            run.append(i)
        else:
            break
    while run and words[run[-1]].folded in _NAME_PARTICLES:
        run.pop()
    return run


def _name_like(word: Token, index: int, known: frozenset[int]) -> bool:
    if word.kind != "word" or index in known:
        return False
    return word.folded not in STOPWORDS or (word.capitalised and len(word.folded) > 1)


def _days(words: Sequence[Token]) -> list[tuple[int, int, str]]:
    """Days as written ("14/12", "8 januari", "January 8", "vrijdag"): first, last, text."""
    found: list[tuple[int, int, str]] = []
    i = 0
    while i < len(words):
        word = words[i]
        after = words[i + 1].folded if i + 1 < len(words) else ""
        if word.kind == "day" or word.folded in DAY_NAMES:
            found.append((i, i, word.text))
        elif (word.folded.isdigit() and after in MONTHS) or (
            word.folded in MONTHS and after.isdigit()
        ):
            found.append((i, i + 1, f"{word.text} {words[i + 1].text}"))
            i += 1
        i += 1
    return found


def _start_and_end(
    text: str, words: Sequence[Token], days: list[tuple[int, int, str]]
) -> tuple[str, str]:
    starts = ends = ""
    for first, _, said in days:
        before = words[first - 1].folded if first > 0 else ""
        if before in _STARTS and not starts:
            starts = said
        elif before in _ENDS or before == "met" or _through(words, first):  # "tot en met"
            ends = said
        elif not starts and len(days) > 1:
            starts = said
        else:
            ends = ends or said
    return starts, ends


def _through(words: Sequence[Token], first: int) -> bool:
    """ "t/m 18/12": tot en met, written short."""
    return first > 1 and words[first - 1].folded == "m" and words[first - 2].folded == "t"


def _capital_inside(words: Sequence[Token], index: int) -> bool:
    """ "De" in "van De Lijn": a capitalised small word before another capitalised word."""
    following = words[index + 1] if index + 1 < len(words) else None
    return words[index].capitalised and following is not None and following.capitalised


def _content(word: Token) -> bool:
    return word.kind != "word" or word.folded not in STOPWORDS


def _broken(text: str, before: Token, word: Token) -> bool:
    return any(ch in _BREAKS for ch in text[before.end : word.start])


def _span(text: str, words: Sequence[Token], positions: Sequence[int]) -> str:
    """The caller's own words from the first to the last position, as typed."""
    first, last = min(positions), max(positions)
    if last - first + 1 == len(positions):
        return text[words[first].start : words[last].end]
    return " ".join(words[i].text for i in sorted(positions))
