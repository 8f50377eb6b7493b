"""Numbers by key in flat arrays: read back as a dict of the same runs would be."""

from __future__ import annotations

from array import array

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commands.keyed_runs import KeyedRuns

_KEYS = st.integers(min_value=0, max_value=2**64 - 1)
_RUNS = st.dictionaries(_KEYS, st.lists(st.integers(0, 255), max_size=8))


@given(_RUNS, st.lists(_KEYS, max_size=20))
def test_every_key_reads_its_own_run_and_no_other_key_one(
    runs: dict[int, list[int]], others: list[int]
) -> None:
    kept = KeyedRuns(runs.items(), "B")
    assert len(kept) == len(runs)
    for key, run in runs.items():
        found = kept.get(key)
        assert found is not None and list(found) == run
    for key in others:
        if key not in runs:
            assert kept.get(key) is None


def test_nothing_kept_reads_nothing() -> None:
    assert KeyedRuns([], "I").get(0) is None


@given(_RUNS)
def test_runs_restored_from_their_arrays_read_as_the_originals(runs: dict[int, list[int]]) -> None:
    restored = KeyedRuns.restored(*KeyedRuns(runs.items(), "B").arrays())
    for key, run in runs.items():
        found = restored.get(key)
        assert found is not None and list(found) == run


def test_arrays_that_would_misread_a_key_are_refused() -> None:
    keys, starts, values = KeyedRuns({1: [5], 2: [6, 7], 9: [8]}.items(), "B").arrays()
    unsorted = array("Q", [2, 1, 9])
    backwards = array("I", [0, 2, 1, 4])
    too_short = array("I", [0, 1, 3])
    for arrays in [
        (unsorted, starts, values),
        (keys, backwards, values),
        (keys, too_short, values),
    ]:
        with pytest.raises(ValueError):
            KeyedRuns.restored(*arrays)
