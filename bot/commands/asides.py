"""Words of a message that are no command's argument, whatever their shape: a salutation and a
signature after a closing ("Geachte, ... Met vriendelijke groeten, K. Desmet"), wishes
("Gelukkig nieuwjaar!") and what the writer comes back from ("ik ben terug van opleiding",
"back from sick leave"). A look-up of "K. Desmet" or a search of the post for "opleiding" would
answer a question nobody asked. Also whether a message speaks of the writer's own (`of_oneself`):
then a capitalised place or team in it is nobody to look up.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from bot.commands.delegation_words import PERSON_NOUNS
from bot.commands.lemmas import Token
from bot.commands.phrases import CLASSES

# fmt: off
_CLOSINGS = frozenset({
    "groeten", "groet", "groetjes", "mvg", "vg", "regards", "greetings", "cheers", "thanks",
    "bedankt", "dank", "dankjewel", "dankuwel", "merci", "thx", "best", "sincerely",
    "hoogachtend",
})
# Words that lead into a closing: "Alvast bedankt, Rita", "Met vriendelijke groeten, Wim".
_INTO_CLOSING = frozenset({
    "alvast", "bij", "voorbaat", "met", "vriendelijke", "hartelijke", "beste", "veel", "kind",
    "many", "warm", "best",
})
# A salutation opening a letter-like message: "Geachte, ...", "Beste, ...", "Dear ...".
_SALUTATIONS = frozenset({"geachte", "beste", "dear"})
# fmt: on
# A signature is a name or two after the closing: "groeten, Jan", "mvg K. De Smet".
_SIGNATURE = 4
# ... or, after a closing that ends its line, a few short lines: a name, a role, a team
# ("Hoogachtend,\nR. Verhaegen\nAWV district Brugge"); a sentence is no signature line.
_SIGNATURE_LINES = 4
_SIGNATURE_LINE = 5
# Wishes around a question: "Gelukkig nieuwjaar! Heb ik nog post?" searches no "Gelukkig".
_WISHES = (
    ("gelukkig", "nieuwjaar"), ("happy", "new", "year"), ("prettige", "feestdagen"),
    ("fijne", "feestdagen"), ("zalig", "kerstfeest"), ("vrolijk", "kerstfeest"),
    ("merry", "christmas"), ("happy", "holidays"), ("beste", "wensen"), ("best", "wishes"),
)  # fmt: skip
_BACK = frozenset({"terug", "back", "returned", "returning"})
_MY = frozenset(CLASSES["my"].split())
# "mijn collega Sarah Peeters" speaks of someone else.
_SOMEONE = PERSON_NOUNS | {"colleagues", "medewerker", "medewerkers", "teamlid"}
_FROM = frozenset({"van", "uit", "from", "of"})
# What one comes back from: a word or two ("terug van ziekteverlof", "back from training").
_RETURNED = 2


def asides(words: Sequence[Token], text: str = "") -> frozenset[int]:
    """Positions of the signature, the wishes and what the writer comes back from (`text`:
    the message the words are of, which says where its lines end)."""
    found: set[int] = set()
    closing = [i for i, w in enumerate(words) if w.folded in _CLOSINGS]
    if closing and _signed_after(closing[-1], words, text):  # "Dank bij voorbaat."
        first = closing[-1]
        while first > 0 and words[first - 1].folded in _INTO_CLOSING and first > closing[-1] - 3:
            first -= 1
        found.update(range(first, len(words)))
    if words and words[0].folded in _SALUTATIONS:
        found.add(0)
    folded = [word.folded for word in words]
    for wish in _WISHES:
        for i in range(len(folded) - len(wish) + 1):
            if tuple(folded[i : i + len(wish)]) == wish:
                found.update(range(i, i + len(wish)))
    for i, word in enumerate(words):
        # "terug van", "terug ben van", "back from"
        after = [j for j in (i + 1, i + 2) if j < len(words) and words[j].folded in _FROM]
        if word.folded in _BACK and after:
            found.update(range(after[0] + 1, min(after[0] + 1 + _RETURNED, len(words))))
    return frozenset(found)


def _signed_after(closing: int, words: Sequence[Token], text: str) -> bool:
    """Whether what follows the closing is its signature: a few words, or a few short lines
    after the closing's line ("Dank u,")."""
    if len(words) - 1 - closing <= _SIGNATURE:
        return True
    ends = [
        i for i in range(closing + 1, len(words)) if "\n" in text[words[i - 1].end : words[i].start]
    ]
    if not ends or ends[0] > closing + 2:  # the closing's line goes on: "bedankt voor ..."
        return False
    lines = [*ends, len(words)]
    return len(lines) - 1 <= _SIGNATURE_LINES and all(
        end - start <= _SIGNATURE_LINE for start, end in pairwise(lines)
    )


def of_oneself(words: Sequence[Token]) -> bool:
    """Whether the writer speaks of their own ("mijn account", "my laptop"), not of someone of
    theirs ("mijn collega Sarah Peeters"): a capitalised name there is a place or a team."""
    return any(
        word.folded in _MY and (i + 1 == len(words) or words[i + 1].folded not in _SOMEONE)
        for i, word in enumerate(words)
    )
