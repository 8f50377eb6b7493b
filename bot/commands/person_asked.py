"""Whether a message asks a person of the desk to act: what only a ticket does.

"de scanner is vastgelopen, kan er iemand komen?", "kunnen jullie mijn tweede scherm nog
leveren?", "can IT send a new charger?", "stuur iemand aub", "graag een ticket, ...". A plain
complaint goes to the knowledge base, whose answer offers a person; once the message asks for
the person, it is a ticket, however long the complaint before it. The complaint's words are
what the labelled examples read (they resemble the knowledge base's questions), so the form is
read here, apart from what the message is about, as question_forms.py reads a question's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.commands.lemmas import Token, tokens

# Who is asked: someone, the desk, "jullie" (the bot's people). "IT" only as written in
# capitals: "can it be fixed" asks no one.
# fmt: off
_ACTORS = frozenset({
    "iemand", "someone", "somebody", "anyone", "anybody", "jullie", "ict", "helpdesk",
    "servicedesk", "technieker", "technician", "support", "ict'er", "informatica",
})
_ASKING = frozenset({
    "kan", "kunt", "kun", "kunnen", "wil", "wilt", "willen", "zou", "zoudt", "zouden", "could",
    "can", "would", "will", "graag",
})
# A person sent or needed: "stuur iemand", "I need someone to ...", "iemand nodig".
_SEND = frozenset({"stuur", "sturen", "send", "need", "needs", "nodig", "langs"})
# What someone who is asked "wie kan ..." does: "wie kan da doen", "who can help me".
_DOES = frozenset({
    "doen", "helpen", "regelen", "oplossen", "bekijken", "fixen", "herstellen", "resetten",
    "help", "fix", "do", "reset", "sort", "look", "maken", "repareren", "vervangen", "kijken",
    "komen", "repair", "replace", "come",
})
# Someone who must act, or who can: "iemand moet naar de printer kijken", "iemand die kan
# helpen met mijn laptop?".
_MUST = frozenset({"moet", "moeten", "must", "should"})
_WHO_CAN = frozenset({
    ("wie", "kan"), ("who", "can"), ("iemand", "die"), ("someone", "who"), ("somebody", "who"),
})
# A ticket asked for, not one's own asked after ("graag een ticket", not "mijn ticket").
_TICKET_ASKED = frozenset({
    "graag", "please", "maak", "maken", "open", "openen", "aanmaken", "create", "log", "wil",
    "want", "need", "nodig", "raise",
})
# What a ticket is also called: "open an incident", "graag een interventie".
_TICKETS = frozenset({"ticket", "incident", "interventie", "intervention"})
# Someone else for one's post ("kan iemand anders mijn post ontvangen"), or someone to
# explain ("kan iemand mij uitleggen hoe ..."): no ticket.
_NOT_THE_DESK = frozenset({
    "anders", "else", "uitleggen", "explain", "zeggen", "tell", "vertellen", "post", "brief",
    "brieven", "mail", "letter", "letters", "briefwisseling",
})
# fmt: on
_OWN = frozenset({"mijn", "mn", "my", "mijne"})
_ASKERS = frozenset({"ik", "i", "we", "wij", "k"})
_HOW = frozenset({"hoe", "how", "waar", "where"})
_NEAR = 3  # words between the asking word and whom it asks ("kan er eens iemand")


def asks_person(words: Sequence[Token]) -> bool:
    """Whether the message asks someone of the desk to act, or asks for a ticket."""
    plain = [_as_written(word) for word in words if word.kind == "word"]
    if _NOT_THE_DESK.intersection(plain):
        return False
    return any(
        _asked_at(plain, i) or _sent_at(plain, i) or _ticket_at(plain, i) for i in range(len(plain))
    )


def _as_written(word: Token) -> str:
    return "ict" if word.text == "IT" else word.folded


def _asked_at(plain: Sequence[str], i: int) -> bool:
    """ "kan er iemand", "could someone", "kunnen jullie", "is er iemand die", "wie kan da
    doen", "iemand moet ... kijken", "iemand die kan helpen"."""
    if plain[i] in _ASKING:  # not "kan ik bij ICT terecht?"
        near = list(plain[i + 1 : i + 1 + _NEAR])
        actor = next((j for j, word in enumerate(near) if word in _ACTORS), None)
        return actor is not None and not _ASKERS.intersection(near[:actor])
    if plain[i : i + 3] in (["is", "er", "iemand"], ["is", "there", "someone"]):
        return True
    if plain[i] in _ACTORS and _MUST.intersection(plain[i + 1 : i + 2]):
        return True
    if tuple(plain[i : i + 2]) in _WHO_CAN:
        return bool(_DOES.intersection(plain[i + 2 : i + 2 + _NEAR]))
    return False


def _sent_at(plain: Sequence[str], i: int) -> bool:
    """ "stuur iemand", "need someone", "iemand nodig", "kan er iemand langs"."""
    if plain[i] not in _ACTORS:
        return False
    around = [*plain[max(0, i - 2) : i], *plain[i + 1 : i + 1 + _NEAR]]
    return bool(_SEND.intersection(around))


def _ticket_at(plain: Sequence[str], i: int) -> bool:
    """ "graag een ticket", "maak een ticket aan", "open a ticket" (not "mijn ticket", nor "hoe
    open ik een ticket?")."""
    if plain[i] not in _TICKETS or _OWN.intersection(plain[max(0, i - 2) : i]):
        return False
    if _HOW.intersection(plain[:i]):
        return False
    around = [*plain[max(0, i - _NEAR) : i], *plain[i + 1 : i + 1 + _NEAR]]
    return bool(_TICKET_ASKED.intersection(around))


# "graag een ticket, de authenticator blijft ...", "maak een ticket aan: ...": a ticket asked
# for first, then what it is about, whatever else the rest names.
_OPENING = 4
_BREAKS = ",:;-–"
_AFTER_TICKET = frozenset({"aan", "maken", "openen", "aanmaken", "please", "aub", "pls", "graag"})


def opens_with_a_ticket(text: str, words: Sequence[Token]) -> bool:
    """Whether the message opens by asking for a ticket, a break right after the ask."""
    plain = [_as_written(word) for word in words]
    for i in range(min(_OPENING, len(plain))):
        if _ticket_at(plain, i):
            j = i + 1 if i + 1 < len(plain) and plain[i + 1] in _AFTER_TICKET else i
            gap = text[words[j].end : words[j + 1].start] if j + 1 < len(words) else ""
            return any(mark in gap for mark in _BREAKS)
    return False


# A state asked after beside the person: "check mijn account en maak een ticket", "is mijn
# laptop ok?" ask two things.
# fmt: off
_STATE = frozenset({
    "check", "checken", "nakijken", "controleer", "controleren", "nagaan", "verify", "orde",
    "ok", "oke", "okay", "compliant", "status",
})
# fmt: on
_SENTENCE = re.compile(r"[^?!.\n]+[?!.\n]*")


def complaint_for_a_person(text: str, words: Sequence[Token]) -> bool:
    """Whether the message asks a person of the desk about what it complains of, and asks
    nothing else: "kan iemand mijn MFA resetten? nieuwe gsm en ik geraak nergens meer in" is one
    ticket, though its complaint holds the access card's words. Every question in it asks for
    the person, and it asks after no state."""
    if not asks_person(words) or _STATE.intersection(word.folded for word in words):
        return False
    questions = [s for s in _SENTENCE.findall(text) if s.rstrip().endswith("?")]
    return all(asks_person(tokens(question)) for question in questions)
