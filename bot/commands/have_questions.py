"""Whether one has a licence or a product, asked as a question: the access card's, not the
licence form's (bot/commands/leanings.py leans to what it asks; bot/commands/understanding.py
asks which where one asks whether one has it or else asks for it).

"Heb ik Power BI Premium per user?", "ben ik lid van Begrotingsopvolging?", "is mijn
Pro-licentie nog actief?", "ik wil weten of mijn Power BI licentie nog loopt": a question about
what one holds, however much of it is in the licence form's words.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.commands.lemmas import Token
from bot.commands.question_forms import LEAD, OWN, REQUEST_VERBS, said_within

# "Heb ik Power BI Premium per user?", "heeft Thomas al een licentie voor Power BI?": whether
# one has it (the access card), not a request for it: a question opened by "have" about a
# licence or a product, that says no need for it.
# "hebbek ik", "hebde gij": as Flemish speaks it.
_HAVE_OPENINGS = frozenset({"heb", "hebt", "heeft", "have", "has", "hebbek", "hebbik", "hebde"})
# fmt: off
HELD = frozenset({
    "licentie", "licenties", "license", "licence", "licenses", "licences", "pro", "premium",
    "ppu", "powerbi", "pbi", "bi", "automate", "apps", "powerapps", "workspace", "werkruimte",
    "toegang", "access", "visio", "project", "abonnement", "subscription", "workspaces",
    "werkruimtes", "werkruimten",
})
_NEEDED = frozenset({
    "nodig", "need", "needed", "needs", "aanvragen", "aanvraag", "request", "requested", "vragen",
    "krijgen", "get", "aangevraagd", "graag", "wil", "want", "would", "like", "apply", "vraag",
    "nood",  # "ik heb nood aan Power BI"
})
# Who wants, in English: "I want", "do you want", "we really want".
_WANTERS = frozenset({"i", "we", "you", "they", "really", "still", "also"})
# Whether one has it, asked otherwise: "ben ik lid van Begrotingsopvolging?", "am I a member
# of ...", "is mijn Pro-licentie nog actief?".
_MEMBER_OPENINGS = (
    ("ben", "ik", "lid"), ("ben", "ik", "al", "lid"), ("ben", "ik", "nog", "lid"),
    ("am", "i", "a", "member"), ("am", "i", "member"), ("am", "i", "still", "a", "member"),
)  # fmt: skip
_STILL_VALID = frozenset({"actief", "active", "geldig", "valid", "verlopen", "expired"})
# "staat mijn Power BI licentie er al op?", "weten of mijn licentie nog loopt".
_ON_ONES_NAME = frozenset({"er", "op"})
_WHETHER = frozenset({
    ("weten", "of"), ("kijken", "of"), ("nagaan", "of"), ("checken", "of"), ("know", "if"),
    ("know", "whether"), ("check", "if"), ("check", "whether"),
})
_SELF = frozenset({"mijn", "mn", "ik", "my", "i"})
_WHICH = frozenset({"welke", "which"})
_HOLDS = frozenset({"heb", "hebt", "zit", "have", "am", "member", "lid", "belong"})
# "can I have Power Automate?" asks for it.
_MODALS = frozenset({"can", "could", "may", "might", "kan", "kun", "kunt", "mag", "zou"})
# fmt: on


def opening_question(words: Sequence[Token], text: str) -> Sequence[Token]:
    """The words of the question that opens the message, when more follows it ("heb ik al
    Power BI Pro? ik wil een rapport delen"); else all of them."""
    asked = text.find("?")
    if asked > 0 and any(word.start > asked for word in words):
        return [word for word in words if word.end <= asked] or words
    return words


def asks_have(words: Sequence[Token], text: str = "") -> bool:
    """Whether the message asks whether someone has a licence or a product (not for one). A
    question of its own that opens the message is read alone: in "heb ik al Power BI Pro? ik
    wil een rapport delen", what follows is why one asks, not a request."""
    plain = [word.folded for word in opening_question(words, text) if word.kind == "word"]
    # "ik wil graag weten of mijn ...", "in welke workspaces zit ik?": the question read alone
    asked = max(_whether(plain), _which_one_holds(plain))
    plain = plain[asked:] if asked >= 0 else plain
    lead = plain[:LEAD]
    said = set(plain)
    opens = (
        asked >= 0
        or any(
            (
                word in _HAVE_OPENINGS
                and not _MODALS.intersection(lead[:i])
                and plain[i + 1 : i + 2] != ["to"]  # "I have to build flows": a need
            )
            or (word in ("do", "does") and "have" in plain[i + 1 : i + 4])
            for i, word in enumerate(lead)
        )
        or said_within(plain, _MEMBER_OPENINGS, LEAD)
        or (lead[:1] in (["is"], ["staat"]) and bool(said & OWN and said & _STILL_VALID))
        or (lead[:1] == ["staat"] and bool(said & OWN) and said >= _ON_ONES_NAME)
    )
    if "want" in said:  # Dutch "want" is because: "welke heb ik, want ik zie ..."
        at = plain.index("want")
        if not _WANTERS.intersection(plain[max(0, at - 2) : at]):
            said.discard("want")
    return opens and bool(said & HELD) and not said & _NEEDED


def _whether(plain: Sequence[str]) -> int:
    """Where the question starts after "weten of", "know if" ... about one's own ("ik wil
    graag weten of mijn Power BI licentie nog loopt"); -1 when none is asked so."""
    for i in range(len(plain) - 2):
        if (plain[i], plain[i + 1]) in _WHETHER and _SELF.intersection(plain[i + 2 : i + 4]):
            return i + 2
    return -1


def _which_one_holds(plain: Sequence[str]) -> int:
    """Where "welke" or "which" asks which of ours one holds ("tot welke werkruimtes heb ik
    toegang", "which workspaces am I a member of?"); -1 when none is asked so."""
    for i, word in enumerate(plain):
        rest = plain[i + 1 :]
        if word in _WHICH and HELD.intersection(rest[:3]):
            return i if _SELF.intersection(rest) and _HOLDS.intersection(rest) else -1
    return -1


# "Heb ik Power BI al, of moet ik het aanvragen?": whether one has it (the access card) or a
# request for it (the licence form); writers of the blind sets asked which, 11 times in 16.
_HAVE = _HAVE_OPENINGS | {"got", "zit", "bezit"}
_ALREADY = frozenset({"al", "reeds", "already", "nog"})  # "moet ik dat nog aanvragen?"
_OR_ELSE = frozenset({"of", "or", "anders", "otherwise", "niet", "nee", "not", "no"})


# "zo niet, vraag het aan", "if not, request it": the other question, whether "al" is said or not.
_IF_NOT = frozenset({("zo", "niet"), ("zo", "nee"), ("if", "not"), ("anders",), ("otherwise",)})


def have_or_get(words: Sequence[Token]) -> bool:
    """Whether the message asks whether one already has something or else asks for it."""
    plain = [word.folded for word in words if word.kind == "word"]
    said = set(plain)
    asks_for = bool(said & REQUEST_VERBS) or {"vraag", "aan"} <= said
    if_not = any(tuple(plain[i : i + len(p)]) == p for p in _IF_NOT for i in range(len(plain)))
    alternative = bool(said & _ALREADY and said & _OR_ELSE) or if_not
    made = "aanvraag" in said  # a request made already: "mijn aanvraag ... of opnieuw"
    return asks_for and bool(said & _HAVE) and alternative and not made
