"""How the understanding step does on sentences it never learnt: each blind set left out in turn.

Every blind set (split "held_out_<n>") is read by a model trained on all the other tuning
sentences, as if it were new. The figure per set and their mean estimate what a new blind set
will read, without spending one; use it to choose between changes to the model or the cues
(a change that only helps the sentences it was made for does not move it).

    .venv/bin/python -m tests.understanding.crossval [--details]
"""

from __future__ import annotations

import sys
from statistics import mean

from bot.commands.examples import Example, ExampleModel
from tests.understanding.corpus import AMBIGUOUS, Utterance
from tests.understanding.test_corpus import TUNING, judge, report


def _examples(utterances: list[Utterance]) -> list[Example]:
    return [Example(u.text, u.expect) for u in utterances if u.expect != AMBIGUOUS]


def left_out(split: str, *, details: bool = False) -> float:
    """The accuracy on `split` of a model that learnt every other tuning sentence."""
    model = ExampleModel(_examples([u for u in TUNING if u.split != split]))
    outcomes = [judge(u, model) for u in TUNING if u.split == split]
    return report(f"{split} left out", outcomes, details=details)


def main(argv: list[str]) -> None:
    splits = sorted({u.split for u in TUNING if u.split.startswith("held_out_")})
    figures = [left_out(split, details="--details" in argv) for split in splits]
    print(f"\nmean over {len(figures)} blind sets: {mean(figures):.1%}")


if __name__ == "__main__":
    main(sys.argv[1:])
