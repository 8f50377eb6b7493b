"""Hypothesis strategies shared by the fuzz targets: hostile text, JSON junk, and values that
sit near what the bot expects (real ids, real keywords and verbs, almost-valid shapes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from cards.verbs import Verb
from dialogs import command_specs

# Text people, scanners and attackers write: markup meant for a card, Teams' mention markup,
# right-to-left and zero-width characters, control characters, very long words.
HOSTILE_SNIPPETS = (
    "[Bevestig hier](https://evil.example/login)",
    "![x](https://evil.example/pixel.png)",
    "**vet** _schuin_ ~~weg~~ `code` # Kop",
    "<at>Werkplek</at>",
    "<at id='0'>Werkplek</at>&nbsp;",
    "<at>Jef Peeters</at>",
    "<script>alert(1)</script>",
    "{{DATE(2026-01-01T00:00:00Z)}}",
    "${user.name}",
    '=HYPERLINK("https://evil.example","klik")',
    "\u202egnp.exe",
    "\u200b\u200d\ufeff",
    "\x00\x01\x1b[31m",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%s%s%n",
    "😀👍🏽",
    "ǅ ß ẞ İ ı ﬁ",
)


def _keywords() -> list[str]:
    return sorted({word for spec in command_specs() for _, word in spec.all_keywords()})


KEYWORDS = _keywords()
VERBS = [verb.value for verb in Verb]


def hostile_text(max_size: int = 300) -> st.SearchStrategy[str]:
    """Short and long strings mixing keywords of real commands with markup and odd unicode."""
    piece = st.one_of(
        st.sampled_from(KEYWORDS),
        st.sampled_from(HOSTILE_SNIPPETS),
        st.text(max_size=40),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    )
    sentence = st.lists(piece, max_size=8).map(" ".join)
    huge = st.builds(
        lambda word, n: word * n,
        st.sampled_from(["a", "é", "<at>", "x " * 5]),
        st.integers(1_000, 40_000),
    )
    return st.one_of(
        sentence.filter(lambda s: len(s) <= max_size * 10), st.text(max_size=max_size), huge
    )


def json_scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=30),
        st.sampled_from(HOSTILE_SNIPPETS),
    )


def json_junk(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Any JSON value, nested a few levels."""
    return st.recursive(
        json_scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.text(max_size=12), inner, max_size=4),
        ),
        max_leaves=max_leaves,
    )


def near(values: Sequence[Any]) -> st.SearchStrategy[Any]:
    """One of `values`, or one of them in another type or spelling, or junk."""
    exact = st.sampled_from(list(values))
    return st.one_of(
        exact,
        exact,
        exact.map(str),
        exact.map(lambda v: [v]),
        exact.map(lambda v: {"id": v}),
        exact.map(lambda v: str(v).upper()),
        exact.map(lambda v: f" {v} "),
        exact.map(lambda v: -v if isinstance(v, int) and not isinstance(v, bool) else v),
        json_scalars(),
    )
