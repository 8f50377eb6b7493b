"""The form of a question, apart from what it is about: "hoe stel ik ... in", "is mijn ...".

Two questions about the same thing ask for different answers: "is mijn MFA in orde?" asks for
the access card, "hoe stel ik MFA in op mijn nieuwe gsm?" for the knowledge base's how-to. The
words that tell them apart ("hoe", "ik", "is", "mijn") are small words that say nothing on
their own; what they say is in their order at the start of the question. This module reads
that order, in Dutch and English:

- `skeleton(words)`: the opening question word with the word or two after it ("?hoe_stel",
  "?hoe__ik", "?is_mijn"), as features for the labelled examples (bot/commands/examples.py),
  which learn what each form asks for;
- `asks_how(words)`: a request for instructions ("hoe ... ik", "how do I", "wat moet ik doen",
  "waar kan ik"). The cues know commands, not forms: where they see a command in such a
  question, the examples decide (bot/commands/understanding.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from bot.commands.lemmas import Token
from bot.commands.phrases import QUESTION_WORDS

# Where a question's form may start: after a greeting, "@Werkplek", "sorry", "vraagje:".
LEAD = 4
# The person who would follow the instructions.
_ACTORS = frozenset({"ik", "we", "wij", "je", "jij", "ge", "gij", "u", "men", "i", "you", "k"})
# "hoe" asks for a state, not instructions, with these: "hoe ver staat", "hoe lang nog".
# fmt: off
_NOT_HOW_TO = frozenset({
    "ver", "staat", "staan", "zit", "lang", "laat", "vaak", "veel", "gaat", "is", "komt", "far",
    "long", "many", "much", "are", "does", "did", "come",
})
# fmt: on
_HOW = frozenset({"hoe", "how"})
# Openings that ask what to do or where to go, word by word.
_ASKS_WHAT_TO_DO = (
    ("wat", "moet", "ik", "doen"),
    ("wat", "doe", "ik"),
    ("wat", "kan", "ik", "doen"),
    ("wat", "is", "de", "procedure"),
    ("waar", "kan", "ik"),
    ("waar", "moet", "ik"),
    ("waar", "vind", "ik"),
    ("bij", "wie", "moet", "ik"),
    ("what", "should", "i", "do"),
    ("what", "do", "i", "do"),
    ("what", "is", "the", "procedure"),
    ("where", "can", "i"),
    ("where", "do", "i"),
    ("who", "do", "i"),
    # How a command's rules work, not a request to use it: "wat gebeurt er met mijn post als
    # ...", "wie moet mijn aanvraag goedkeuren?", "what happens to my delegation if ...".
    ("wat", "gebeurt"),
    ("wat", "als"),
    ("wie", "moet"),
    ("wie", "betaalt"),
    ("what", "happens"),
    ("what", "if"),
    ("who", "approves"),
    ("who", "pays"),
)


def skeleton(words: Sequence[Token]) -> frozenset[str]:
    """The question word that opens the message (within its first words) with the next word
    and the one after it."""
    plain = [word.folded for word in words if word.kind == "word"]
    for i, word in enumerate(plain[:LEAD]):
        if word in QUESTION_WORDS:
            found = {f"?{word}"}
            if i + 1 < len(plain):
                found.add(f"?{word}_{plain[i + 1]}")
            if i + 2 < len(plain):
                found.add(f"?{word}__{plain[i + 2]}")
            return frozenset(found)
    return frozenset()


def asks_how(words: Sequence[Token]) -> bool:
    """Whether the message asks for instructions: "hoe" (or "how") near its start, followed
    within three words by who would follow them ("hoe zet ik", "how can we", "hoe moet ge"),
    or an opening that asks what to do or where to go."""
    plain = [word.folded for word in words if word.kind == "word"]
    for i, word in enumerate(plain[:LEAD]):
        if word in _HOW:
            after = plain[i + 1 : i + 4]
            if after[:1] and after[0] in _NOT_HOW_TO:
                return False
            return bool(_ACTORS.intersection(after)) or after[:1] == ["to"]
    return any(
        tuple(plain[i : i + len(opening)]) == opening
        for opening in _ASKS_WHAT_TO_DO
        for i in range(min(LEAD, len(plain)))
    )


# "hoe krijg ik Power BI?", "how do I request Power Apps?": instructions to get a thing, which
# is a request for it when the thing is one of ours (the caller reads that).
_GET_VERBS = frozenset({
    "krijg", "krijgen", "kom", "bekom", "bekomen", "vraag", "aanvragen", "get", "request",
    "obtain", "apply",
})  # fmt: skip


def asks_to_get(words: Sequence[Token]) -> bool:
    """Whether a how-to question asks how to get something: "hoe krijg ik", "how can I get"."""
    plain = [word.folded for word in words if word.kind == "word"]
    return any(
        word in _HOW and _GET_VERBS.intersection(plain[i + 1 : i + 4])
        for i, word in enumerate(plain[:LEAD])
    )


# Questions on how a command's rules work, not requests to use it: "worden pakjes ook
# gescand?", "wie keurt een aanvraag goed als mijn baas met verlof is?", "stopt het doorsturen
# automatisch op de einddatum?". A passive that opens the question, unless about one's own
# ("wordt mijn ticket nog behandeld?" asks after it); an opening that asks who decides, why,
# how long or how often; a word of rules; or a condition ("als ik ...", "if my ...").
_PASSIVE = frozenset({"wordt", "worden", "werd", "werden"})
OWN = frozenset({"mijn", "mn", "m'n", "my", "mijne"})
_RULE_OPENINGS = (
    ("wie", "keurt"),
    ("wie", "beslist"),
    ("wie", "krijgt"),
    ("wie", "ziet"),
    ("waarom",),
    ("why",),
    ("hoe", "lang"),
    ("hoelang",),
    ("hoe", "vaak"),
    ("how", "long"),
    ("how", "often"),
    ("who", "decides"),
    ("is", "het", "mogelijk"),
    ("is", "it", "possible"),
    ("tot", "wanneer"),
    ("vanaf", "wanneer"),
    ("hoe", "werkt"),
    ("how", "does"),
    ("wie", "mag"),
    ("wie", "mogen"),
    ("wie", "heeft", "recht"),
    ("who", "may"),
    ("who", "is", "allowed"),
    ("who", "is", "eligible"),
)
# fmt: off
_RULE_WORDS = frozenset({
    "automatisch", "automatically", "mogelijk", "possible", "verschil", "difference", "maximum",
    "maximaal", "tegelijk", "tegelijkertijd", "eigenlijk", "actually", "altijd", "always",
    "hetzelfde", "same", "standaard", "toegestaan", "allowed", "verplicht", "mandatory",
})
# fmt: on
_IF = frozenset({"als", "if"})
# Verbs that open a yes-no question beside QUESTION_WORDS': "krijg ik ...", "stopt het ...".
# fmt: off
_ASKING_VERBS = frozenset({
    "krijg", "krijgt", "stopt", "gaat", "gaan", "komt", "komen", "blijft", "blijven", "loopt",
    "vervalt", "volgt", "will", "would", "should", "kunnen", "mogen", "moeten",
})
# fmt: on
_SUBJECTS = frozenset({"ik", "mijn", "er", "iemand", "i", "my", "someone", "de", "een", "je", "ge"})
# "mogen stagiairs Power BI krijgen?", "can interns get Pro?": what a group of people may do
# is a rule, asked of others; "mag ik ..." asks it for oneself, and often asks for it.
# fmt: off
_MAY = frozenset({"mag", "mogen", "kan", "kunnen", "can", "may", "could"})
_GROUPS = frozenset({
    "stagiair", "stagiairs", "jobstudent", "jobstudenten", "studenten", "externen", "externe",
    "consultant", "consultants", "interimmers", "vrijwilligers", "interns", "intern",
    "trainees", "contractors", "freelancers", "students", "externals", "volunteers",
})
# What one may do in a role (not get: "kan ik als stagiair Power BI krijgen?" asks for it):
# "mag ik als teamleider mijn eigen aanvraag goedkeuren?"; how many one may have: "hoeveel
# licenties mag een team hebben?".
_AS = frozenset({"als", "as"})
_HOW_MANY = frozenset({"hoeveel", "many"})
_PERMITS = frozenset({"mag", "mogen", "may", "allowed", "toegestaan", "limiet", "limit"})
# "mag ik een Power BI-rapport publiceren naar het web?", "may I use Dataverse for personal
# data?": whether one may use a thing in some way is a rule; "mag ik Power BI Pro (aanvragen)?"
# and "mag ik een licentie om te delen?" ask for the thing.
_MAY_I = (
    ("mag", "ik"), ("mogen", "we"), ("mogen", "wij"), ("mag", "je"), ("mag", "men"),
    ("may", "i"), ("may", "we"), ("am", "i", "allowed"), ("are", "we", "allowed"),
    ("is", "it", "allowed"),
)
_USE_VERBS = frozenset({
    "gebruiken", "publiceren", "delen", "installeren", "zetten", "opslaan", "bewaren", "koppelen",
    "plaatsen", "uploaden", "use", "publish", "share", "install", "store", "save", "connect",
    "upload", "put", "embed",
})
_ASKS_FOR_IT = frozenset({
    "licentie", "licenties", "licence", "licences", "license", "licenses", "toegang", "access",
    "aanvragen", "aanvraag", "request", "krijgen", "get", "hebben", "have", "lid", "member",
})
# fmt: on


# "Heb ik een Pro-licentie nodig om een rapport te bekijken?", "Do viewers need a Pro
# licence?": whether something is needed, asked with the verb first; not "ik heb ... nodig"
# (a need) nor "alles wat ik nodig heb" (what one has).
_NEED_OPENINGS = (
    ("heb", "ik"), ("hebt", "ge"), ("heb", "je"), ("hebben", "we"), ("moet", "ik"),
    ("do", "i"), ("do", "we"), ("do", "you"), ("does",), ("is", "a"), ("is", "an"),
    ("is", "een"), ("zijn", "er"), ("do", "viewers"), ("do", "users"),
)  # fmt: skip
_NEEDS = frozenset({"nodig", "need", "needed", "vereist", "required"})
_WHICH = frozenset({"die", "dat", "wat", "that", "what", "which", "welke"})
# "voor een nieuwe collega aanvragen", "on behalf of a new team member": for someone else.
_ON_BEHALF = (("in", "naam", "van"), ("on", "behalf", "of"), ("namens",))
# What it costs: "wat kost een Pro-licentie?", "what does Premium cost our department?".
_COSTS = frozenset({"kost", "kosten", "cost", "costs", "prijs", "price"})


def asks_rule(words: Sequence[Token]) -> bool:
    """Whether the message asks how a command's rules work rather than to use it: a question
    (an opening question word) with a passive, a rule's opening or word, or a condition;
    whether something is needed, asked verb first; a request on someone's behalf; a price."""
    plain = [word.folded for word in words if word.kind == "word"]
    lead = plain[:LEAD]
    if _asks_need(plain) or said_within(plain, _ON_BEHALF, len(plain)) or _asks_leave(plain):
        return True
    if _COSTS.intersection(plain) and QUESTION_WORDS.intersection(lead):
        return True
    if lead[:1] and lead[0] in _PASSIVE:
        return not OWN.intersection(plain[1:3])
    if _asks_what_may(plain, lead):
        return True
    if any(
        tuple(plain[i : i + len(opening)]) == opening
        for opening in _RULE_OPENINGS
        for i in range(min(LEAD, len(plain)))
    ):
        return True
    conditional = any(word in _IF and after in _SUBJECTS for word, after in pairwise(plain))
    asking = QUESTION_WORDS | _ASKING_VERBS
    # "Als ik van dienst verander, volgt mijn post dan mee?": the question after the condition.
    opened_by_if = lead[:1] == ["als"] and bool(asking.intersection(plain[3:]))
    if not asking.intersection(lead) and not opened_by_if:
        return False
    return conditional or bool(_RULE_WORDS.intersection(plain))


def _asks_what_may(plain: Sequence[str], lead: Sequence[str]) -> bool:
    """What a group or someone in a role may do, and how many one may have."""
    after_may = [plain[i + 1 : i + 4] for i, word in enumerate(lead) if word in _MAY]
    if any(_GROUPS.intersection(after) for after in after_may):
        return True
    in_a_role = any(_AS.intersection(after[1:]) for after in after_may)
    if in_a_role and not _GET_VERBS.intersection(plain):
        return True
    return bool(_HOW_MANY.intersection(lead) and _PERMITS.intersection(plain))


# Asking for it, not a request already made ("is mijn aanvraag al goedgekeurd of niet?").
REQUEST_VERBS = frozenset({"aanvragen", "request", "krijgen", "apply", "get"})


def _asks_need(plain: Sequence[str]) -> bool:
    opens = said_within(plain, _NEED_OPENINGS, 2) or plain[:1] in (["welke"], ["which"])
    needs = [i for i, word in enumerate(plain) if word in _NEEDS]
    if REQUEST_VERBS.intersection(plain):  # "do I need to request it?" asks for it
        return False
    return opens and any(not _WHICH.intersection(plain[max(0, i - 2) : i]) for i in needs)


def _asks_leave(plain: Sequence[str]) -> bool:
    return (
        said_within(plain, _MAY_I, LEAD)
        and bool(_USE_VERBS.intersection(plain))
        and not _ASKS_FOR_IT.intersection(plain)
    )


def said_within(plain: Sequence[str], openings: Sequence[tuple[str, ...]], within: int) -> bool:
    return any(
        tuple(plain[i : i + len(opening)]) == opening
        for opening in openings
        for i in range(min(within, len(plain)))
    )


# "Moet ik dat elk jaar opnieuw aanvragen of blijft die gewoon staan?", "is het enkel voor
# vaste medewerkers of ook voor stagiairs?": a question that offers two ways things may be.
# A feature for the examples, which learn what it asks for beside the rest of the sentence
# ("heb ik al Pro of moet ik die aanvragen?" is about one's own licences).
_EITHER = frozenset({"of", "or"})
# What opens the second way: a verb, or "ook", "enkel", "iemand" ("of ook voor stagiairs").
# fmt: off
_SECOND_WAY = frozenset({
    "moet", "mag", "kan", "kun", "kunt", "is", "zit", "blijft", "heb", "hebt", "zijn", "moeten",
    "mogen", "kunnen", "gaat", "wordt", "krijg", "do", "does", "can", "should", "must", "are",
    "will", "would", "need", "ook", "also", "enkel", "alleen", "only", "someone", "iemand",
})
# fmt: on


def asks_either(words: Sequence[Token]) -> bool:
    """Whether the message, past its first words, offers an alternative: "of moet ik",
    "or should I", "of ook", "or someone in ICT"."""
    plain = [word.folded for word in words if word.kind == "word"]
    return any(
        word in _EITHER and after in _SECOND_WAY
        for i, (word, after) in enumerate(pairwise(plain))
        if i >= 2
    )
