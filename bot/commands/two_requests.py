"""Two requests in one message, which the understanding step asks about rather than pick one.

"mijn toegang en mijn aanvragen" names two commands in their own words; "ik wil power bi
aanvragen en ook weten hoe ver mijn vorige aanvraag staat" holds two parts that each ask a
command clearly. Both are read here by where the message's joining words stand; which command a
word or a part asks for is bot/commands/understanding.py's business.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from bot.commands.lemmas import Token

# Words that join two requests in one message.
JOINERS = frozenset({"en", "and", "of", "or", "plus"})
# Words a message is cut at to read its parts alone: not "of", which is also "whether" ("kijk
# of mijn account in orde is") and the English "of".
_SPLITTERS = JOINERS - {"of"}


def named_apart(first: frozenset[int], second: frozenset[int], words: Sequence[Token]) -> bool:
    """Two commands' anchors (where their keywords and strong cues stand) that do not overlap,
    with a joining word between them: "mijn toegang en mijn aanvragen"."""
    if not first or not second or first & second:
        return False
    low = min(max(first), max(second))
    high = max(min(first), min(second))
    return any(words[i].folded in JOINERS for i in range(low + 1, high))


def before_colon(anchors: frozenset[int], text: str, words: Sequence[Token]) -> bool:
    """A command's words, then a colon and what it is about: "ik wil een ticket maken: mijn
    collega start maandag en heeft nog geen laptop" asks one thing."""
    colon = text.find(":")
    return bool(anchors) and colon >= 0 and words[max(anchors)].end <= colon


def parts(text: str, words: Sequence[Token]) -> list[str]:
    """The message cut at its joining words ("en", "and", "plus"), parts of two words or more;
    none when it holds no such word. A part holds no joiner, so reading it does not cut again."""
    cuts = [i for i, word in enumerate(words) if word.folded in _SPLITTERS]
    if not cuts:
        return []
    return [
        text[words[before + 1].start : words[after - 1].end]
        for before, after in itertools.pairwise([-1, *cuts, len(words)])
        if after - before >= 2
    ]
