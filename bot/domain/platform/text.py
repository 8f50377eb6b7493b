"""How Werkplek compares what people type: case and accents ignored, words as units."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Casefold and strip accents, so "Toegang" == "toegang" and "financiën" == "financien"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def folded_words(text: str) -> list[str]:
    """The words of a text, folded as keywords are (case and accents ignored)."""
    return [fold(m.group()) for m in _WORD.finditer(text)]
