"""Understanding free text: accuracy on the labelled corpus, and CPU per message.

Accuracy is the corpus runner's own verdict (tests/understanding: the right command, question,
greeting or nothing, and the arguments as the command's parser reads them), on everything
labelled and on the held-out sentences alone. CPU per message is the understanding step over
the whole corpus against the keyword matcher it replaced (`Registry.match`), timed in the same
process, each the best of a few rounds so a busy neighbour does not count.

    python -m bench.understanding [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

from bench.common import BenchResult, Row, ratio, verdict
from bot.commands.registry import CommandSpec, Registry
from bot.commands.shipped_model import corpus_model
from bot.commands.understanding import understand

ACCURACY_MIN = 0.95


def _keyword_registry(specs: Sequence[CommandSpec]) -> Registry:
    """Today's keyword matcher over the same commands (handlers are never called)."""
    holder = type("Commands", (), {spec.name: _never_run(spec) for spec in specs})
    registry = Registry()
    registry.add_dialog(holder())
    return registry


def _never_run(spec: CommandSpec) -> Callable[..., Any]:
    async def handler(self: object, turn: object, args: str) -> None:
        raise AssertionError("the bench never runs a command")

    handler.__werkplek_command__ = spec  # type: ignore[attr-defined]
    return handler


def _best_seconds(work: Callable[[], object], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def measure(quick: bool = False) -> dict[str, Any]:
    # The runner lives with the corpus; the bench only reports it.
    from tests.understanding.test_corpus import _EXTRA, _SPECS, HELD_OUT, TUNING, judge

    everything = [*TUNING, *HELD_OUT]
    right = sum(judge(u).right for u in everything)
    held_right = sum(judge(u).right for u in HELD_OUT)
    registry = _keyword_registry(_SPECS)
    scored = [(u.text, [s for s in _SPECS if s.allows(u.roles)]) for u in everything]
    rounds = 2 if quick else 5
    model = corpus_model()
    understood = _best_seconds(lambda: [understand(t, a, _EXTRA, model) for t, a in scored], rounds)
    matched = _best_seconds(lambda: [registry.match(t) for t, _ in scored], rounds)
    return {
        "utterances": len(everything),
        "accuracy": right / len(everything),
        "held_out": len(HELD_OUT),
        "held_out_accuracy": held_right / len(HELD_OUT) if HELD_OUT else None,
        "understanding_us_per_message": understood / len(scored) * 1e6,
        "keyword_us_per_message": matched / len(scored) * 1e6,
    }


def rows(outcome: dict[str, Any]) -> list[Row]:
    accuracy, held_out = outcome["accuracy"], outcome["held_out_accuracy"]
    understood, matched = (
        outcome["understanding_us_per_message"],
        outcome["keyword_us_per_message"],
    )
    return [
        Row(
            f"understanding accuracy ({outcome['utterances']} labelled)",
            round(accuracy * 100, 1),
            None,
            "%",
            f">= {ACCURACY_MIN:.0%}",
            verdict(accuracy >= ACCURACY_MIN),
        ),
        Row(
            f"understanding accuracy, held-out only ({outcome['held_out']})",
            None if held_out is None else round(held_out * 100, 1),
            None,
            "%",
            "reported",
            "info",
        ),
        Row(
            "understanding CPU per message vs keyword match",
            round(understood, 1),
            round(matched, 1),
            "µs",
            "reported",
            "info",
            ratio(understood, matched),
        ),
    ]


async def run_understanding_bench(quick: bool = False) -> BenchResult:
    outcome = await asyncio.to_thread(measure, quick)
    return BenchResult("understanding", rows(outcome), outcome)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    result = asyncio.run(run_understanding_bench(parser.parse_args().quick))
    for row in result.rows:
        print(row)


if __name__ == "__main__":
    main()
