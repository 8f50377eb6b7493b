"""What tells the labels apart: an averaged perceptron over the examples' words.

Naive Bayes (bot/commands/examples.py) reads each word by how often each label's sentences hold
it, every word on its own: a word that two labels' sentences share pulls both, however well the
rest of the sentence tells them apart ("ik heb een probleem met MFA" against "heb ik MFA?").
A perceptron learns its weights from the sentences it misreads, so they go to the words that
decide between the labels it confuses. Its scores are added to naive Bayes's reading
(ExampleModel.guess). On the 22 blind sets each left out in turn (tests/understanding/crossval.py)
the two together read 95.3% on average, naive Bayes alone 95.1%; 13 sets read better, 5 worse.

Words and word pairs only: the letter groups that naive Bayes reads for compounds and typos
made no difference here, and would triple the weights kept.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence

from bot.commands.keyed_runs import KeyedRuns

# Passes over the examples: 4, 5 and 10 read alike on the blind sets each left out in turn.
_EPOCHS = 5
# A feature every sentence has: how much each label is asked for at all.
BIAS = "?bias"
# Each weight is kept as one byte, kept for the process's life: a step of the largest weight
# / _LEVELS, from -_LEVELS to _LEVELS.
_LEVELS = 127
_OFFSET = 128
# The order the examples are read in, the same in every process: the same corpus trains the
# same weights on every replica. Another order, or one sentence more, moves the blind sets'
# figures by a tenth of a point either way: smaller differences between changes are noise.
_SEED = 20261201


class Perceptron:
    """Weights per feature (by its key, a non-negative int below 2**64) and label (by its
    index), averaged over the training steps: they generalise much better than the last ones."""

    def __init__(self, sentences: Sequence[tuple[Sequence[int], int]], labels: int) -> None:
        """`sentences`: per example, its features' keys (BIAS's among them) and its label's
        index, below `labels` (at most 256)."""
        weights: dict[int, dict[int, float]] = {}
        # Per weight, the sum over steps of each change times the step it came at: the average
        # is then the last weight less this over the number of steps, computed once at the end.
        timed: dict[int, dict[int, float]] = {}
        order = list(range(len(sentences)))
        shuffle = random.Random(_SEED).shuffle
        step = 1
        for _ in range(_EPOCHS if labels > 1 else 0):  # one label: nothing to tell apart
            shuffle(order)
            for index in order:
                present, label = sentences[index]
                scores = _scores(weights, present, labels)
                # Another label as likely counts as a mistake: a tie is no reading.
                rival = max((i for i in range(labels) if i != label), key=scores.__getitem__)
                if scores[rival] >= scores[label]:
                    for feature in present:
                        _change(weights, timed, feature, label, 1.0, step)
                        _change(weights, timed, feature, rival, -1.0, step)
                step += 1
        averaged = {
            feature: {
                label: weight - timed[feature][label] / step
                for label, weight in by_label.items()
                if weight - timed[feature][label] / step
            }
            for feature, by_label in weights.items()
        }
        largest = max((abs(w) for by in averaged.values() for w in by.values()), default=1.0)
        self._step = largest / _LEVELS
        self._weights = KeyedRuns(
            (
                (feature, _packed(by_label, self._step))
                for feature, by_label in averaged.items()
                if by_label
            ),
            "B",
        )

    @classmethod
    def restored(cls, step: float, weights: KeyedRuns) -> Perceptron:
        """Weights trained before (`step` and `weights` as they were kept), from a file."""
        if not (math.isfinite(step) and step > 0) or weights.typecode != "B":
            raise ValueError("a perceptron's step is a positive number, its weights bytes")
        perceptron = cls((), 0)
        perceptron._step, perceptron._weights = step, weights
        return perceptron

    @property
    def step(self) -> float:
        return self._step

    @property
    def weights(self) -> KeyedRuns:
        return self._weights

    def scores(self, present: Iterable[int]) -> dict[int, float]:
        """Per label index that any present feature weighs for or against: its score."""
        scores: dict[int, float] = {}
        for feature in present:
            packed = self._weights.get(feature)
            if packed is None:
                continue
            for i in range(0, len(packed), 2):
                label = packed[i]
                scores[label] = scores.get(label, 0.0) + (packed[i + 1] - _OFFSET) * self._step
        return scores


def _scores(
    weights: dict[int, dict[int, float]], present: Sequence[int], labels: int
) -> list[float]:
    scores = [0.0] * labels
    for feature in present:
        for label, weight in weights.get(feature, {}).items():
            scores[label] += weight
    return scores


def _change(
    weights: dict[int, dict[int, float]],
    timed: dict[int, dict[int, float]],
    feature: int,
    label: int,
    by: float,
    step: int,
) -> None:
    by_label = weights.setdefault(feature, {})
    by_label[label] = by_label.get(label, 0.0) + by
    at = timed.setdefault(feature, {})
    at[label] = at.get(label, 0.0) + by * step


def _packed(by_label: dict[int, float], step: float) -> bytes:
    """(label, weight in steps + _OFFSET) for each label, one byte each."""
    return bytes(
        value
        for label, weight in sorted(by_label.items())
        for value in (label, _OFFSET + max(-_LEVELS, min(_LEVELS, round(weight / step))))
    )
