"""Numbers by key, kept in three flat arrays: what the examples' model holds for good.

A dict of some 40,000 int keys, each with a tuple or a byte string, costs some 4 MB of the
process's memory for its whole life (an object per key and per value); sorted keys, where each
key's run of numbers starts, and the runs one after the other cost a tenth of that. A look-up is
a binary search (bisect, in C): some twenty steps, a microsecond.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from itertools import pairwise


class KeyedRuns:
    """Runs of numbers (`typecode`: array's, e.g. "B" for bytes, "I" for counts) by key (a
    non-negative int below 2**64)."""

    def __init__(self, runs: Iterable[tuple[int, Sequence[int]]], typecode: str) -> None:
        ordered = sorted(runs)
        self._keys = array("Q", (key for key, _ in ordered))
        self._starts = array("I", [0])
        self._values = array(typecode)
        for _, run in ordered:
            self._values.extend(run)
            self._starts.append(len(self._values))

    @classmethod
    def restored(cls, keys: array[int], starts: array[int], values: array[int]) -> KeyedRuns:
        """Runs as `arrays` gave them, from a file (bot/commands/model_file.py): checked, as a
        file may be damaged, so that a look-up can never fail or find another key's run."""
        if keys.typecode != "Q" or starts.typecode != "I":
            raise ValueError("keys are Q, starts I")
        if len(starts) != len(keys) + 1 or starts[0] != 0 or starts[-1] != len(values):
            raise ValueError("starts do not fit the keys and values")
        if any(a >= b for a, b in pairwise(keys)) or any(a > b for a, b in pairwise(starts)):
            raise ValueError("keys or starts out of order")
        runs = cls((), values.typecode)
        runs._keys, runs._starts, runs._values = keys, starts, values
        return runs

    def arrays(self) -> tuple[array[int], array[int], array[int]]:
        """The keys, where each key's run starts, and the runs: what `restored` takes."""
        return self._keys, self._starts, self._values

    @property
    def typecode(self) -> str:
        return self._values.typecode

    def __len__(self) -> int:
        return len(self._keys)

    def get(self, key: int) -> Sequence[int] | None:
        """The key's run, None when the key has none."""
        at = bisect_left(self._keys, key)
        if at == len(self._keys) or self._keys[at] != key:
            return None
        return self._values[self._starts[at] : self._starts[at + 1]]
