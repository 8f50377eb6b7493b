"""The perceptron: weights that tell labels apart, learnt from the sentences it misread."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.commands.perceptron import Perceptron

# Features 1 and 2 are in every sentence of both labels; 3 and 4 tell them apart.
SENTENCES = [((0, 1, 2, 3), 0), ((0, 1, 3), 0), ((0, 2, 3), 0)] * 3 + [
    ((0, 1, 2, 4), 1),
    ((0, 1, 4), 1),
    ((0, 2, 4), 1),
]


def _best(model: Perceptron, present: tuple[int, ...]) -> int:
    scores = model.scores(present)
    return max((0, 1), key=lambda label: scores.get(label, 0.0))


def test_the_words_that_tell_two_labels_apart_decide() -> None:
    model = Perceptron(SENTENCES, labels=2)
    assert all(_best(model, present) == label for present, label in SENTENCES)
    assert _best(model, (1, 2, 4)) == 1  # the smaller label, by the one word of its own
    assert _best(model, (1, 2, 3)) == 0


def test_one_label_alone_has_nothing_to_tell_apart() -> None:
    assert Perceptron([((0, 1), 0), ((1, 2), 0)], labels=1).scores((0, 1, 2)) == {}


def test_a_feature_no_sentence_held_weighs_nothing() -> None:
    model = Perceptron(SENTENCES, labels=2)
    assert model.scores((99,)) == {}
    assert model.scores((3, 99)) == model.scores((3,))


def test_the_same_sentences_train_the_same_weights() -> None:
    """Every replica trains on the same corpus: they must read alike."""
    first, second = Perceptron(SENTENCES, labels=2), Perceptron(SENTENCES, labels=2)
    assert all(first.scores((f,)) == second.scores((f,)) for f in range(5))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.integers(0, 30), min_size=1, max_size=6, unique=True), st.integers(0, 3)
        ),
        min_size=1,
        max_size=40,
    )
)
def test_any_sentences_train_weights_that_fit_their_bytes(
    drawn: list[tuple[list[int], int]],
) -> None:
    """Each weight is kept in one byte, with the largest at the end of the range: whatever the
    sentences, the model trains, and a feature scores only labels that were taught."""
    model = Perceptron([(tuple(present), label) for present, label in drawn], labels=4)
    for feature in range(31):
        assert set(model.scores((feature,))) <= {0, 1, 2, 3}
