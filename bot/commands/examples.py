"""What labelled sentences teach: a naive Bayes reading of a message, for what the cues miss.

The cues (bot/commands/phrases.py) name the words of each command; they miss the sentences
nobody wrote a cue for ("waarvoor kan ik bij u terecht?", "klopt mijn dienst nog?"). The
labelled corpus (bot/commands/corpus/) holds many such, each with what it asks for. A naive
Bayes model over their lemmas, word pairs and letter groups (which catch compounds and typos:
"begrotingswerkruimte", "licentieaanvraagje") reads a new sentence by the labelled ones it
resembles. The understanding step follows the cues where they are sure and the examples
elsewhere (bot/commands/understanding.py).

On sets of sentences written blind (tests/understanding/test_corpus.py keeps the figures), the
cues alone read 64-75% right, with the examples 77-84% (command and arguments).

The model learns only the corpus's "tuning" sentences: the held-out ones stay unseen, so their
accuracy stays a fair measure. Adding a misunderstood sentence with its label to the corpus
teaches it, without code. Training takes a tenth of a second, once per process.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.commands.cues import forms_of
from bot.commands.lemmas import Token, tokens
from bot.commands.phrases import STOPWORDS
from bot.commands.question_forms import asks_how, skeleton
from bot.commands.word_classes import CLASSES

CORPUS_DIR = Path(__file__).parent / "corpus"
# Labels that are no command: nothing of ours fits (the service desk's business), a greeting.
SERVICEDESK = "servicedesk"
GREETING = "greeting"
# The feature of a request for instructions (bot/commands/question_forms.py).
HOW_TO = "?how-to"
# Sentences that ask between two commands teach neither.
_AMBIGUOUS = "ambiguous"
# How a feature's share in a label's sentences is smoothed: towards its share in all sentences,
# as if the label had _PRIOR_WEIGHT more sentences of the usual kind (Dirichlet smoothing).
# A fixed additive constant would make a word a small label never saw cost it less than a big
# label that saw it once: a command with twenty sentences then pulls every unusual sentence.
# 2, 4 and 8 read 94.7%, 95.1% and 95.0% on the blind sets each left out in turn.
_PRIOR_WEIGHT = 4.0
_SMOOTHING = 0.1
# Letter groups of this length, of words at least this long (short words are whole features).
_GRAM = 6
_GRAM_WORD = 5
# What a letter group counts for against a whole word: a word's groups are not independent (a
# ten-letter word has seven), and counted in full they outvoted the words and the question's
# form. Chosen on the blind sets each left out in turn (tests/understanding/crossval.py): 0.2,
# 0.3, 0.5 and 1 read 91.7%, 92.1%, 91.9% and 91.3% on average (92.7% at 0.3 once the
# question's form was read too).
_GRAM_WEIGHT = 0.3
# Naive Bayes adds every feature's evidence as if each were news, but a word, its lemmas, its
# pairs and its letter groups say one thing several times: its log odds are far too sure (a
# probability of 0.999 for a guess that is wrong one time in ten). Dividing them by this makes
# them comparable with other evidence (the cues', see guess). 2, 3, 4 and 6 read 94.8%, 95.0%,
# 95.1% and 94.9% on the blind sets each left out in turn.
_TEMPERATURE = 4.0


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str  # a command name, SERVICEDESK or GREETING


@dataclass(frozen=True, slots=True)
class Guess:
    label: str
    probability: float  # among the labels the caller may be given


class ExampleModel:
    """Per label: how many examples, and in how many of them each feature occurs."""

    def __init__(self, examples: Iterable[Example]) -> None:
        self._examples: Counter[str] = Counter()
        self._features: dict[str, Counter[str]] = {}
        for example in examples:
            self._examples[example.label] += 1
            self._features.setdefault(example.label, Counter()).update(
                features(tokens(example.text))
            )
        # Every feature seen, with how many sentences hold it; its keys are also the features
        # known (a separate set of them would cost about 2 MB for some 20,000 features).
        self._everywhere: Counter[str] = Counter()
        for counts in self._features.values():
            self._everywhere.update(counts)
        self._total = sum(self._examples.values())

    @property
    def labels(self) -> frozenset[str]:
        return frozenset(self._examples)

    def guess(
        self,
        words: Iterable[Token],
        allowed: Iterable[str],
        prior: Mapping[str, float] | None = None,
    ) -> Guess | None:
        """The likeliest label among `allowed` (commands the caller may run; SERVICEDESK and
        GREETING are always allowed), with its probability among those; None without one.
        `words`: the message read without a vocabulary (`tokens(text)`), as the examples were.
        `prior`: more evidence per label, as log odds (what the cues read, by the caller)."""
        wanted = {*allowed, SERVICEDESK, GREETING}
        candidates = sorted(label for label in wanted if label in self._examples)
        if not candidates:
            return None
        present = features(words) & self._everywhere.keys()
        prior = prior or {}
        scores = {
            label: self._log_score(label, present) / _TEMPERATURE + prior.get(label, 0.0)
            for label in candidates
        }
        best = max(candidates, key=lambda label: scores[label])
        total = sum(math.exp(score - scores[best]) for score in scores.values())
        return Guess(best, 1.0 / total)

    def _log_score(self, label: str, present: AbstractSet[str]) -> float:
        seen = self._examples[label]
        counts = self._features[label]
        denominator = seen + _PRIOR_WEIGHT
        return math.log(seen) + sum(
            (_GRAM_WEIGHT if feature[0] == "#" else 1.0)
            * math.log((counts[feature] + _PRIOR_WEIGHT * self._share(feature)) / denominator)
            for feature in present
        )

    def _share(self, feature: str) -> float:
        """In how many of all sentences the feature occurs, smoothed."""
        return (self._everywhere[feature] + _SMOOTHING) / (self._total + 2 * _SMOOTHING)


def features(words: Iterable[Token]) -> frozenset[str]:
    """Every form of every word (its lemmas in both languages), a day or an address by its
    kind, pairs of neighbouring words of substance ("aanvraag_goedkeuren"), and the letter
    groups of the longer ones ("#<begro", "#groting", ...), the cues' word classes
    ("@hardware", bot/commands/word_classes.py), and the question's form ("?hoe__ik", HOW_TO:
    bot/commands/question_forms.py)."""
    sentence = list(words)
    found: set[str] = set()
    previous: frozenset[str] = frozenset()
    for word in sentence:
        forms = word.forms if word.kind == "word" else frozenset({word.kind})
        found |= forms
        if word.kind == "word" and forms & STOPWORDS:
            continue
        # A pair of lemmas stands for every inflection's pair: the word as typed adds only
        # copies ("aanvraag_goedgekeurd" beside "aanvraag_goedkeuren"). A fifth fewer
        # features, the same accuracy on the blind sets each left out in turn.
        paired = forms - {word.folded} if len(forms) > 1 else forms
        found.update(f"{a}_{b}" for a in previous for b in paired)
        previous = paired
        if word.kind == "word" and len(word.folded) >= _GRAM_WORD:
            marked = f"<{word.folded}>"
            found.update("#" + marked[i : i + _GRAM] for i in range(len(marked) - _GRAM + 1))
    found |= skeleton(sentence)
    if asks_how(sentence):
        found.add(HOW_TO)
    return frozenset(found | _classes(sentence))


def _classes(words: Iterable[Token]) -> set[str]:
    """The cues' word classes the message's words belong to ("@own" for "heb ik",
    "@hardware" for "stoel"): what a class of words says carries over to a word of it that no
    labelled sentence holds yet."""
    sentence = [word.forms if word.kind == "word" else frozenset() for word in words]
    found: set[str] = set()
    for i, forms in enumerate(sentence):
        for form in forms:
            for name, rest in _CLASS_INDEX.get(form, ()):
                if name not in found and all(
                    i + j < len(sentence) and sentence[i + j] & later
                    for j, later in enumerate(rest, 1)
                ):
                    found.add(name)
    return found


def _class_index() -> dict[str, list[tuple[str, tuple[frozenset[str], ...]]]]:
    """Each form of a class entry's first word: the class, and the forms of the entry's next
    words ("heb+ik": "heb" and "hebben" lead to @own if "ik" follows)."""
    index: dict[str, list[tuple[str, tuple[frozenset[str], ...]]]] = {}
    for name, text in CLASSES.items():
        for entry in text.split():
            first, *rest = (forms_of(word) for word in entry.split("+"))
            for form in first:
                index.setdefault(form, []).append(("@" + name, tuple(rest)))
    return index


_CLASS_INDEX = _class_index()


def read_examples(paths: Iterable[Path]) -> list[Example]:
    """The labelled sentences under "tuning" in the corpus files (`{"tuning": [...],
    "held_out": [...]}`): the held-out ones are never learnt."""
    examples = []
    for path in paths:
        data: Mapping[str, list[Mapping[str, object]]] = json.loads(
            path.read_text(encoding="utf-8")
        )
        for entry in data.get("tuning", ()):
            label = str(entry["expect"])
            if label != _AMBIGUOUS:
                examples.append(Example(str(entry["text"]), label))
    return examples


@cache
def corpus_model() -> ExampleModel:
    """The model of the corpus shipped with the code, trained on first use (start-up makes it
    ready off the event loop, see app.py)."""
    return ExampleModel(read_examples(sorted(CORPUS_DIR.glob("*.json"))))
