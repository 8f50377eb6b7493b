"""Which command a sentence asks for: every command the caller may run, scored on the whole text.

`understand(text, commands)` is pure: no I/O, no state but caches. Each command earns the weights
of its cues found in the message (its keywords and the phrases in bot/commands/phrases.py,
compared by Dutch and English lemma, typos repaired), then loses part of it for every word of
substance that it does not explain: "wat zijn de regels voor thuiswerk?" holds the mailroom's
keyword "regels", but "thuiswerk" is nothing that command knows, so the sentence is not its. The
verdict is one winner, a question between two that score alike (unless the labelled sentences
know which one) or that two parts joined by "en"/"and" each ask for ("toon mijn aanvragen en
mijn post"), a greeting, or nothing (which the service desk's knowledge base will take). A
how-to verb counts against every command but one whose own cues read it ("regels wijzigen" is
the rules' workbook).

Where the cues are not sure, or the message asks for instructions ("hoe stel ik MFA in?": the
cues know commands, not how-to questions, bot/commands/question_forms.py), the labelled
sentences decide (bot/commands/examples.py), with the cues' reading weighed in (not on a how-to
question): the cues are precise about what they know and blind to the rest, the examples carry
over to sentences nobody wrote a cue for (tests/understanding/test_corpus.py keeps figures).
The dispatcher asks it about every message that is not a card click.
"""

from __future__ import annotations

__all__ = ["Candidate", "Understanding", "Verdict", "understand"]

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from bot.commands.arguments import extract
from bot.commands.cues import (
    Book,
    Fired,
    Hits,
    compile_book,
    evidence,
    fired_cues,
    greeting_book,
    vocabulary_of,
)
from bot.commands.examples import SERVICEDESK, ExampleModel, Guess
from bot.commands.have_questions import have_or_get, opening_question
from bot.commands.leanings import form_of, prior, settled_by_form
from bot.commands.lemmas import Token, tokens
from bot.commands.person_asked import complaint_for_a_person, opens_with_a_ticket
from bot.commands.phrases import CLASSES, QUESTION_WORDS, STOPWORDS
from bot.commands.registry import CommandSpec
from bot.commands.two_requests import a_product_asked_alone, before_colon, named_apart, parts
from bot.commands.verdicts import Candidate, Understanding, Verdict

GREETING = "greeting"
# Below this nothing is understood; a keyword alone in a short message is above it.
MIN_SCORE = 1.8
_TICKET, _STATUS = "ticket", "status"
_HAVE_OR_GET = ("licence", "status")  # "heb ik Power BI al, of moet ik het aanvragen?"
# The runner-up is asked about too when it scores at least this share of the winner.
ASK_RATIO = 0.75
# How much an unexplained word costs: the score is multiplied by K / (K + unexplained words),
# with a larger K (a smaller cost) in a question (phrases.QUESTION_WORDS).
_COVERAGE_K = 2.0
_QUESTION_K = 3.0
# The cues decide alone when their winner is this clear (see _confidence), unless the examples
# read alone are EXAMPLES_OVERRULE sure of another (0.9 to 0.99 read 95.3% on the blind sets each
# left out in turn, never 95.1%); below it, and when they find nothing, the examples decide.
CUES_SURE = 0.7
EXAMPLES_OVERRULE = 0.99
# How sure the examples must be to pick one of two commands the cues scored alike: 0.6, 0.75,
# 0.9 and 0.97 read 95.1%, 95.1%, 95.0% and 95.0% on the blind sets each left out in turn.
SETTLES_A_TIE = 0.75
# How many words a part of a message (cut at "en", "and") needs to be read as a request of its
# own by the examples too, not only by the cues: 3 and 5 read 95.1% on the blind sets each left
# out in turn, the cues alone 94.9%.
_A_REQUEST = 3
# A score at which we are sure (for the confidence figure; the verdict does not use it).
_SURE = 5.0
# Words that greet or thank are never "unexplained": "hallo, toon mijn post" is about post.
_COURTESY = frozenset(CLASSES["greeting"].split()) | frozenset(CLASSES["thanks"].split())
# A one-word cue this strong names its command as a keyword does ("account", "brieven").
_ANCHOR = 2.5
# Cues this far against a command rule it out: the examples do not pick it either.
_RULED_OUT = -2.0


def understand(
    text: str,
    commands: Sequence[CommandSpec],
    extra_terms: Mapping[str, Iterable[str]] | None = None,
    examples: ExampleModel | None = None,
) -> Understanding:
    """Read the message against `commands` (those the caller may run).

    extra_terms: more words by command name, e.g. the licence catalogue's item names and
    synonyms for "licence"; each counts as a product the person names.
    examples: the labelled sentences' model (bot/commands/examples.py). The cues decide where
    they are sure (a clear winner) or see two commands named; elsewhere the sentence is read by
    the labelled ones it resembles, which carry over to sentences nobody wrote a cue for."""
    cues = _by_cues(text, commands, extra_terms, examples)
    opening = next((spec for spec in commands if spec.name == cues.opened_by), None)
    if opening and (cues.verdict is Verdict.NOTHING or opening.named_before_colon(text)):
        opened = _opened(opening, text, examples, _open_to(cues, commands))
        return _following(opened, cues, text, commands, extra_terms)
    if cues.two_asked and _ticket_first(cues, text):
        return _following(Guess(_TICKET, 1.0), cues, text, commands, extra_terms)
    if examples is None or cues.two_asked or _only_greets(cues, text):
        return cues
    words = tokens(text)
    form = form_of(words, cues, commands, CUES_SURE, text)
    if cues.verdict is Verdict.ASK and not form.own and not form.person:
        return _settled(cues, text, commands, extra_terms, examples)
    # A have-question of its own is not kept from the access card by what follows it ("heb ik
    # Power Automate premium? wil een flow bouwen": the want rules the access card out).
    allowed = _open_to(cues, commands, keep=_STATUS if form.have else "")
    sure = cues.confidence >= CUES_SURE and not form.own
    if cues.winner is not None and (
        (sure and not _overruled(cues.winner.name, words, allowed, examples))
        or cues.winner.name not in examples.labels  # no sentence of it learnt yet to judge by
    ):
        return cues
    # Whether one has a licence, asked in a question of its own: what follows is why one asks.
    read = opening_question(words, text) if form.have else words
    guess = examples.guess(read, allowed, prior(cues, form))
    if guess is None:
        return cues
    return _following(settled_by_form(guess, form, allowed), cues, text, commands, extra_terms)


def _ticket_first(cues: Understanding, text: str) -> bool:
    """ "graag een ticket, de authenticator blijft ...": of two asks, a ticket asked for first
    and then what it is about is one ticket; so is a person asked about a complaint in the
    access card's words ("kan iemand mijn MFA resetten? ik geraak nergens meer in")."""
    asked = {candidate.name for candidate in cues.choices}
    if _TICKET not in asked:
        return False
    words = tokens(text)
    complaint = asked == {_TICKET, _STATUS} and complaint_for_a_person(text, words)
    return complaint or opens_with_a_ticket(text, words)


def _settled(
    cues: Understanding,
    text: str,
    commands: Sequence[CommandSpec],
    extra_terms: Mapping[str, Iterable[str]] | None,
    examples: ExampleModel,
) -> Understanding:
    """Two commands the cues scored alike, one of which the labelled sentences read surely:
    "tot wanneer gaat mijn post naar Jan?" holds the post list's words and the delegation's,
    and every sentence like it asked about the delegation. Asked about otherwise. The cues'
    scores do not weigh in here: they are what could not decide."""
    pair = [candidate.name for candidate in cues.choices]
    guess = examples.guess(tokens(text), pair)
    if guess is None or guess.label not in pair or guess.probability < SETTLES_A_TIE:
        return cues
    return _following(guess, cues, text, commands, extra_terms)


def _open_to(cues: Understanding, commands: Sequence[CommandSpec], keep: str = "") -> list[str]:
    """The commands the examples may choose: not those the cues ruled out (but `keep`), and one
    that must be asked for only when the cues read it."""
    read = {candidate.name for candidate in cues.ranked}
    out = cues.ruled_out - {keep}
    return [
        spec.name
        for spec in commands
        if spec.name not in out and (spec.name in read or not spec.asked_for)
    ]


def _opened(
    spec: CommandSpec, text: str, examples: ExampleModel | None, allowed: list[str]
) -> Guess:
    """The command a message opens with ("winkel abc-123 domg"), unless the examples read it
    surely as none ("Power BI ververst niet meer") or all but certainly as another ("post an
    announcement to ...": the verb, not the post list); one that must be asked for, or named
    before a colon, is asked for ("ticket mijn scherm flikkert", "ticket: geen toegang")."""
    asked = spec.asked_for or spec.named_before_colon(text)
    judged = examples is not None and spec.name in examples.labels  # else no sentence to judge by
    if examples is None or not judged or asked:
        return Guess(spec.name, 1.0)
    words = tokens(text)
    other = examples.guess(words, allowed)
    if other is not None and other.label != spec.name and other.probability >= EXAMPLES_OVERRULE:
        return other
    guess = examples.guess(words, [spec.name])
    sure = guess is not None and guess.label != spec.name and guess.probability >= SETTLES_A_TIE
    return guess if guess is not None and sure else Guess(spec.name, 1.0)


def _overruled(
    winner: str, words: Sequence[Token], allowed: list[str], examples: ExampleModel
) -> bool:
    """The examples all but certain of another than the cues' winner: "which licences do I
    have? not sure I got Power BI" holds the licence form's words but asks for the access card."""
    guess = examples.guess(words, allowed)
    return guess is not None and guess.label != winner and guess.probability >= EXAMPLES_OVERRULE


def _only_greets(cues: Understanding, text: str) -> bool:
    """A greeting the cues read, no question mark anywhere, where no command reaches MIN_SCORE:
    "tot morgen!" says goodbye though a delegation's "tot morgen" resembles it; "eerste dag
    hier, wat doet dit ding?" and "Dag, hoe boek ik een zaal? Alvast bedankt" still ask."""
    return (
        cues.verdict is Verdict.GREETING
        and "?" not in text
        and all(c.score < MIN_SCORE for c in cues.ranked)
    )


def _following(
    guess: Guess,
    cues: Understanding,
    text: str,
    commands: Sequence[CommandSpec],
    extra_terms: Mapping[str, Iterable[str]] | None,
) -> Understanding:
    if guess.label == SERVICEDESK:
        return replace(cues, verdict=Verdict.NOTHING, confidence=guess.probability)
    if guess.label == GREETING:
        return replace(cues, verdict=Verdict.GREETING, confidence=guess.probability)
    spec = next(spec for spec in commands if spec.name == guess.label)
    read = next((c for c in cues.ranked if c.name == spec.name), None)
    winner = read or _unread(spec, text, extra_terms)
    rest = tuple(c for c in cues.ranked if c.name != spec.name)
    return replace(
        cues, verdict=Verdict.COMMAND, ranked=(winner, *rest), confidence=guess.probability
    )


def _unread(
    spec: CommandSpec, text: str, extra_terms: Mapping[str, Iterable[str]] | None
) -> Candidate:
    """A command the cues did not name, with what it reads in the message as if they had."""
    book = compile_book(spec, tuple(sorted((extra_terms or {}).get(spec.name, ()))))
    vocabulary, names = vocabulary_of([spec], [book])
    words = tokens(text, vocabulary, names)
    known = frozenset(i for i, word in enumerate(words) if word.forms & vocabulary)
    own = Hits(words, known).positions_of(book.positive)
    return Candidate(spec.name, 0.0, extract(spec.name, spec.whole_text, text, words, own).args)


def _by_cues(
    text: str,
    commands: Sequence[CommandSpec],
    extra_terms: Mapping[str, Iterable[str]] | None,
    examples: ExampleModel | None = None,
) -> Understanding:
    """Score every command against the message by its cues (keywords, phrases, extra terms)."""
    books = [
        compile_book(spec, tuple(sorted((extra_terms or {}).get(spec.name, ()))))
        for spec in commands
    ]
    greeting = greeting_book()
    vocabulary, names = vocabulary_of(commands, books)
    words = tokens(text, vocabulary, names)
    known = frozenset(i for i, word in enumerate(words) if word.forms & vocabulary)
    hits = Hits(words, known)
    content = frozenset(i for i, word in enumerate(words) if _of_substance(word))
    k = _QUESTION_K if _is_question(text, words) else _COVERAGE_K
    fired = {book.name: fired_cues(book, hits) for book in books}
    opened_by = _opened_by(fired)
    long_keywords = {
        name: [f.where for f in found if f.keyword and len(f.where) > 1]
        for name, found in fired.items()
    }
    readings: list[_Reading] = []
    ruled_out: set[str] = set()
    for spec, book in zip(commands, books, strict=True):
        foreign = [
            span for name, spans in long_keywords.items() if name != spec.name for span in spans
        ]
        weight = evidence(fired[spec.name], foreign)
        if weight <= 0:
            if weight <= _RULED_OUT:
                ruled_out.add(spec.name)
            continue
        own = hits.positions_of(book.positive)
        extracted = extract(spec.name, spec.whole_text, text, words, own)
        # A word another command knows is not explained by being this one's argument.
        unexplained = content - own - (extracted.consumed - known)
        score = round(weight * k / (k + len(unexplained)), 3)
        readings.append(
            _Reading(Candidate(spec.name, score, extracted.args), _anchors(fired[spec.name]))
        )
    readings.sort(key=lambda r: -r.candidate.score)
    ranked = tuple(r.candidate for r in readings)
    claimed = sum(any(f.weight > 0 for f in found) for found in fired.values())
    # "ik wil een ticket maken: <one problem, in as many parts as it takes>"
    told = readings and any(s.whole_text and s.name == ranked[0].name for s in commands)
    claimed = 1 if told and before_colon(readings[0].anchors, text, words) else claimed
    asked: Sequence[Candidate] | None = None
    either = have_or_get(words) or a_product_asked_alone(text, words)
    if either and set(_HAVE_OR_GET) <= {spec.name for spec in commands}:
        asked = [_unread(spec, text, extra_terms) for spec in commands if spec.name in _HAVE_OR_GET]
    elif claimed > 1:
        # The parts read alone know best which two ("vraag power bi aan en toon mijn meldingen")
        asked = _two_asked(text, words, commands, extra_terms, examples)
    # Named, and each read as a request: "status of my ticket" names the access card's keyword,
    # but its cues are against it.
    named = (
        len(readings) > 1
        and readings[1].candidate.score >= MIN_SCORE
        and named_apart(readings[0].anchors, readings[1].anchors, words, text)
    )
    if named and not asked:
        return Understanding(Verdict.ASK, ranked, 0.0, opened_by, two_asked=True)
    if asked:
        first = tuple(next((c for c in ranked if c.name == a.name), a) for a in asked)
        rest = tuple(c for c in ranked if c.name not in {a.name for a in asked})
        return Understanding(Verdict.ASK, first + rest, 0.0, opened_by, two_asked=True)
    verdict = _verdict(ranked, _greeting_score(greeting, hits, content, k))
    return replace(verdict, opened_by=opened_by, ruled_out=frozenset(ruled_out))


def _opened_by(fired: Mapping[str, list[Fired]]) -> str:
    """The command with the longest keyword that stands at the message's first word."""
    opening = [
        (len(found.where), name)
        for name, found_list in fired.items()
        for found in found_list
        if found.keyword and 0 in found.where
    ]
    return max(opening)[1] if opening else ""


@dataclass(frozen=True, slots=True)
class _Reading:
    candidate: Candidate
    anchors: frozenset[int]  # where its keywords and its strong one-word cues stand


def _of_substance(word: Token) -> bool:
    """A word that asks for something: not a small word (in any form: "sta" is "staan"), a
    greeting or a number."""
    return (
        word.kind == "word"
        and not word.forms & STOPWORDS
        and word.folded not in _COURTESY
        and not word.folded.isdigit()
    )


def _is_question(text: str, words: Sequence[Token]) -> bool:
    return text.rstrip().endswith("?") or bool(words and words[0].folded in QUESTION_WORDS)


def _anchors(fired: list[Fired]) -> frozenset[int]:
    strong = (f.where for f in fired if f.keyword or (len(f.where) == 1 and f.weight >= _ANCHOR))
    return frozenset().union(*strong)


def _two_asked(
    text: str,
    words: Sequence[Token],
    commands: Sequence[CommandSpec],
    extra_terms: Mapping[str, Iterable[str]] | None,
    examples: ExampleModel | None = None,
) -> Sequence[Candidate] | None:
    """Parts of the message that each ask a different command: the two first ones. Only
    asked when two commands have cues in the whole."""
    winners: list[Candidate] = []
    for part in parts(text, words):
        # A part as long as a request of its own is read as one, with the examples: "toon
        # mijn post en zet Karen als vervanger vanaf morgen" holds no delegation's cue.
        reader = examples if len(part.split()) >= _A_REQUEST else None
        winner = understand(part, commands, extra_terms, reader).winner
        if winner is not None and all(winner.name != w.name for w in winners):
            winners.append(winner)
    return (winners[0], winners[1]) if len(winners) > 1 else None


def _greeting_score(book: Book, hits: Hits, content: frozenset[int], k: float) -> float:
    weight = evidence(fired_cues(book, hits), [])
    if weight <= 0:
        return 0.0
    return weight * k / (k + len(content - hits.positions_of(book.positive)))


def _verdict(ranked: tuple[Candidate, ...], greeting: float) -> Understanding:
    best = ranked[0].score if ranked else 0.0
    second = ranked[1].score if len(ranked) > 1 else 0.0
    if greeting >= MIN_SCORE and greeting >= best:
        return Understanding(Verdict.GREETING, ranked, _confidence(greeting, best))
    if best < MIN_SCORE:
        return Understanding(Verdict.NOTHING, ranked, _confidence(MIN_SCORE, best))
    if second >= ASK_RATIO * best:
        return Understanding(Verdict.ASK, ranked, _confidence(best, second))
    return Understanding(Verdict.COMMAND, ranked, _confidence(best, second))


def _confidence(best: float, second: float) -> float:
    if best <= 0:
        return 0.0
    return round(min(1.0, best / _SURE) * (best - max(second, 0.0)) / best, 3)
