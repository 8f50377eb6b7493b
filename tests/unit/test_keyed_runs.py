"""Numbers by key in flat arrays: read back as a dict of the same runs would be."""

from __future__ import annotations

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
