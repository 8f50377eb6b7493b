"""Two requests in one message, which the understanding step asks about rather than pick one.

"mijn toegang en mijn aanvragen" names two commands in their own words; "ik wil power bi
aanvragen en ook weten hoe ver mijn vorige aanvraag staat" holds two parts that each ask a
command clearly. Both are read here by where the message's joining words stand ("en", "and",
"+"); which command a word or a part asks for is bot/commands/understanding.py's business. So
is a product named alone with a question mark ("power bi pro?"): one's access, or a request.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.commands.have_questions import HELD
from bot.commands.lemmas import Token

# Words that join two requests in one message.
JOINERS = frozenset({"en", "and", "of", "or", "plus"})
# Words a message is cut at to read its parts alone: not "of", which is also "whether" ("kijk
# of mijn account in orde is") and the English "of".
_SPLITTERS = JOINERS - {"of"}


def named_apart(
    first: frozenset[int], second: frozenset[int], words: Sequence[Token], text: str
) -> bool:
    """Two commands' anchors (where their keywords and strong cues stand) that do not overlap,
    with a joining word or a "+" between them: "mijn toegang en mijn aanvragen"."""
    if not first or not second or first & second:
        return False
    low = min(max(first), max(second))
    high = max(min(first), min(second))
    if high > low and _plus_between(text, words[low], words[high]):
        return True
    return any(words[i].folded in JOINERS for i in range(low + 1, high))


# Words beside a product's name that ask nothing more: "Power BI for me?", "power bi pro??".
_BARE = frozenset({"power", "per", "user", "for", "me", "voor", "mij"})
_NOT_OURS = frozenset({
    "licentie", "licenties", "license", "licence", "licenses", "licences", "toegang", "access",
    "visio", "project", "abonnement", "subscription",
})  # fmt: skip


def a_product_asked_alone(text: str, words: Sequence[Token]) -> bool:
    """A product of ours with a question mark and nothing else ("power bi pro?", "pbi??"):
    whether one has it, or wants it; not one's own ("mijn licenties?" asks for the card)."""
    plain = [word.folded for word in words if word.kind == "word"]
    product = HELD.intersection(plain) - _NOT_OURS
    bare = all(word in HELD | _BARE for word in plain)
    return text.rstrip().endswith("?") and bool(product) and bare


def before_colon(anchors: frozenset[int], text: str, words: Sequence[Token]) -> bool:
    """A command's words, then a colon and what it is about: "ik wil een ticket maken: mijn
    collega start maandag en heeft nog geen laptop" asks one thing."""
    colon = text.find(":")
    return bool(anchors) and colon >= 0 and words[max(anchors)].end <= colon


def parts(text: str, words: Sequence[Token]) -> list[str]:
    """The message cut at its joining words ("en", "and", "plus") and at a "+" between words;
    none when it holds neither. A part holds no joiner, so reading it does not cut again."""
    found: list[list[Token]] = [[]]
    for i, word in enumerate(words):
        if i and _plus_between(text, words[i - 1], word):
            found.append([])
        if word.folded in _SPLITTERS:
            found.append([])
        else:
            found[-1].append(word)
    if len(found) == 1:
        return []
    return [text[part[0].start : part[-1].end] for part in found if part]


def _plus_between(text: str, before: Token, after: Token) -> bool:
    """ "power automate premium aanvragen + mijn tickets tonen": a "+" joins two requests."""
    return "+" in text[before.end : after.start]
