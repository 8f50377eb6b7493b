"""What labelled sentences teach: a naive Bayes reading of a message, for what the cues miss.

The cues (bot/commands/phrases.py) name the words of each command; they miss the sentences
nobody wrote a cue for ("waarvoor kan ik bij u terecht?", "klopt mijn dienst nog?"). The
labelled corpus (bot/commands/corpus/) holds many such, each with what it asks for. A naive
Bayes model over their lemmas, word pairs and letter groups (which catch compounds and typos:
"begrotingswerkruimte", "licentieaanvraagje") reads a new sentence by the labelled ones it
resembles; an averaged perceptron over the same words adds what tells the labels it confuses
apart (bot/commands/perceptron.py). The understanding step follows the cues where they are sure
and the examples elsewhere (bot/commands/understanding.py).

On sets of sentences written blind (tests/understanding/test_corpus.py keeps the figures), the
cues alone read 64-75% right, with the examples 77-84% (command and arguments).

The model learns only the corpus's "tuning" sentences: the held-out ones stay unseen, so their
accuracy stays a fair measure. Adding a misunderstood sentence with its label to the corpus
teaches it, without code. Training takes about four seconds, in a process of its own and off
the event loop; the model is then kept until the corpus or the code changes
(bot/commands/shipped_model.py).
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.commands.cues import forms_of
from bot.commands.keyed_runs import KeyedRuns
from bot.commands.lemmas import Token, lemmas, tokens
from bot.commands.perceptron import BIAS, Perceptron
from bot.commands.person_asked import asks_person
from bot.commands.phrases import STOPWORDS
from bot.commands.question_forms import asks_either, asks_how, asks_rule, skeleton
from bot.commands.word_classes import CLASSES

CORPUS_DIR = Path(__file__).parent / "corpus"
# Labels that are no command: nothing of ours fits (the service desk's business), a greeting.
SERVICEDESK = "servicedesk"
GREETING = "greeting"
# The feature of a request for instructions (bot/commands/question_forms.py).
HOW_TO = "?how-to"
# The feature of a question on how a command's rules work (bot/commands/question_forms.py).
RULE = "?rule"
# The feature of a question that offers two ways things may be (question_forms.asks_either).
EITHER = "?either"
# The feature of a person of the desk asked for (bot/commands/person_asked.py).
PERSON = "?person"
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
# A label is kept in one byte (bot/commands/perceptron.py); there are some twenty.
_MOST_LABELS = 256
# What a point of the perceptron's score (bot/commands/perceptron.py) is worth beside naive
# Bayes's log odds. On the 22 blind sets each left out in turn, in a trial: 0 read 95.1%, 0.15
# to 0.3 95.5%, 0.4 95.3%, 0.7 95.0%; as built (a tie counts as a mistake), 95.3% at 0.3.
_APART_WEIGHT = 0.3


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str  # a command name, SERVICEDESK or GREETING


@dataclass(frozen=True, slots=True)
class Guess:
    label: str
    probability: float  # among the labels the caller may be given


class ExampleModel:
    """Per label: how many examples, and in how many of them each feature occurs; and the
    perceptron's weights.

    Kept compact, since it stays in memory for the process's life: a feature is kept by a
    number (_key; the strings would cost about 2 MB), and its counts as (label, count, ...) in
    flat arrays (bot/commands/keyed_runs.py)."""

    def __init__(self, examples: Iterable[Example]) -> None:
        index: dict[str, int] = {}
        sentences: list[int] = []
        counts: dict[int, dict[int, int]] = {}
        # The corpus's words through a cache of their own, dropped after training: the shared
        # one (`lemmas`) keeps the words of the messages people send, where a process trains a
        # model itself (the tests; the bot trains in a child, corpus_model).
        lemmatise = cache(lemmas.__wrapped__)
        taught: list[tuple[tuple[int, ...], int]] = []  # what the perceptron learns from
        for example in examples:
            label = index.setdefault(example.label, len(index))
            if label == _MOST_LABELS:
                raise ValueError(f"at most {_MOST_LABELS} labels")
            if label == len(sentences):
                sentences.append(0)
            sentences[label] += 1
            keyed = _keyed(features(tokens(example.text, lemmatise=lemmatise)))
            for key in keyed.values():
                by_label = counts.setdefault(key, {})
                by_label[label] = by_label.get(label, 0) + 1
            taught.append((_words_of(keyed), label))
        self._labels = tuple(index)
        self._sentences = tuple(sentences)
        self._total = sum(sentences)
        self._counts = KeyedRuns(
            ((feature, _flat(by_label)) for feature, by_label in counts.items()), "I"
        )
        self._apart = Perceptron(taught, len(index))

    @classmethod
    def restored(
        cls, labels: Sequence[str], sentences: Sequence[int], counts: KeyedRuns, apart: Perceptron
    ) -> ExampleModel:
        """A model trained before, from what `parts` gave (bot/commands/model_file.py)."""
        if len(labels) != len(sentences) or len(set(labels)) != len(labels):
            raise ValueError("one count of sentences per label, each label once")
        if len(labels) > _MOST_LABELS or min(sentences, default=1) < 1:
            raise ValueError("labels without sentences or too many labels")
        if counts.typecode != "I":
            raise ValueError("a feature's counts are kept as I")
        model = cls(())
        model._labels, model._sentences = tuple(labels), tuple(sentences)
        model._total = sum(sentences)
        model._counts, model._apart = counts, apart
        return model

    def parts(self) -> tuple[tuple[str, ...], tuple[int, ...], KeyedRuns, Perceptron]:
        """What the model holds: its labels, their sentences, the features' counts per label
        and the perceptron; `restored` takes them back."""
        return self._labels, self._sentences, self._counts, self._apart

    @property
    def labels(self) -> frozenset[str]:
        return frozenset(self._labels)

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
        candidates = sorted(i for i, label in enumerate(self._labels) if label in wanted)
        if not candidates:
            return None
        present = _keyed(features(words))
        logs = self._log_scores(present, candidates)
        apart = self._apart.scores(_words_of(present))
        prior = prior or {}
        scores = {
            self._labels[i]: logs[i] / _TEMPERATURE
            + _APART_WEIGHT * apart.get(i, 0.0)
            + prior.get(self._labels[i], 0.0)
            for i in candidates
        }
        best = max(scores, key=lambda label: scores[label])
        total = sum(math.exp(score - scores[best]) for score in scores.values())
        return Guess(best, 1.0 / total)

    def _log_scores(self, present: Mapping[str, int], candidates: list[int]) -> dict[int, float]:
        """Per candidate label: the log of its share of sentences and of each feature's smoothed
        share in its sentences (features no sentence holds say nothing), less what is the same
        for every label. A feature a label never saw weighs log(_PRIOR_WEIGHT * share) less
        log(sentences + _PRIOR_WEIGHT) for it; the first part is every label's, so only the
        labels that saw the feature are visited (one or two of some twenty)."""
        weights = 0.0
        seen_by: dict[int, float] = dict.fromkeys(candidates, 0.0)
        for feature, key in present.items():
            flat = self._counts.get(key)
            if flat is None:
                continue
            seen = dict(zip(flat[::2], flat[1::2], strict=True))
            weight = _GRAM_WEIGHT if feature[0] == "#" else 1.0
            weights += weight
            unseen = (
                _PRIOR_WEIGHT * (sum(seen.values()) + _SMOOTHING) / (self._total + 2 * _SMOOTHING)
            )
            for i, count in seen.items():
                if i in seen_by:
                    seen_by[i] += weight * math.log((count + unseen) / unseen)
        return {
            i: math.log(self._sentences[i])
            - weights * math.log(self._sentences[i] + _PRIOR_WEIGHT)
            + seen_by[i]
            for i in candidates
        }


def _keyed(found: Iterable[str]) -> dict[str, int]:
    """Each feature with its key, computed once for both models."""
    return {feature: _key(feature) for feature in found}


def _words_of(keyed: Mapping[str, int]) -> tuple[int, ...]:
    """The keys of the features the perceptron reads: all but the letter groups, and BIAS."""
    return (_BIAS_KEY, *(key for feature, key in keyed.items() if feature[0] != "#"))


def _key(feature: str) -> int:
    """A feature's key in the model: the same in every process, as the model is trained in a
    process of its own (corpus_model); str's own hash differs from one process to the next. Two
    of the some 150,000 features may share one, which costs nothing measurable."""
    return zlib.crc32(feature.encode())


_BIAS_KEY = _key(BIAS)


def _flat(by_label: dict[int, int]) -> list[int]:
    return [number for pair in sorted(by_label.items()) for number in pair]


def features(words: Iterable[Token]) -> frozenset[str]:
    """Every form of every word (its lemmas in both languages), a day or an address by its
    kind, pairs of neighbouring words of substance ("aanvraag_goedkeuren"), and the letter
    groups of the longer ones ("#<begro", "#groting", ...), the cues' word classes
    ("@hardware", bot/commands/word_classes.py), and the question's form ("?hoe__ik", HOW_TO,
    RULE, EITHER: bot/commands/question_forms.py; PERSON: bot/commands/person_asked.py)."""
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
    if asks_rule(sentence):
        found.add(RULE)
    if asks_either(sentence):
        found.add(EITHER)
    if asks_person(sentence):
        found.add(PERSON)
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


def read_examples(paths: Iterable[Path]) -> Iterator[Example]:
    """The labelled sentences under "tuning" in the corpus files (`{"tuning": [...],
    "held_out": [...]}`): the held-out ones are never learnt. One file at a time, so that
    training never holds the whole corpus's text at once."""
    for path in paths:
        data: Mapping[str, list[Mapping[str, object]]] = json.loads(
            path.read_text(encoding="utf-8")
        )
        for entry in data.get("tuning", ()):
            label = str(entry["expect"])
            if label != _AMBIGUOUS:
                yield Example(str(entry["text"]), label)


def trained(directory: Path) -> ExampleModel:
    """A model of the corpus files in `directory`."""
    return ExampleModel(read_examples(sorted(directory.glob("*.json"))))
