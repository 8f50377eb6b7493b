"""Which catalogue item a text describes, by the words of the items' descriptions.

People name a need, not a product: "ik wil een klein appke bouwen voor onze verlofplanning",
"datasets van meer dan 1 GB en gepagineerde rapporten". The admin's description of each item
says what it is for; the item whose description shares the most words with the text is meant,
when one clearly does. Two uses (bot/domain/licences/catalogue.py, `Catalogue.match`):

- nothing in the text names an item: the best described one, if it shares enough words;
- only the product's family is named ("power bi", which Power BI Pro lists as a synonym and
  whose words the name "Power BI Premium per gebruiker" holds too): the family member whose
  description shares more words than the named one's ("welke power bi heb ik nodig voor
  datasets van 10 GB en gepagineerde rapporten" is Premium per user).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from bot.domain.platform.text import folded_words

if TYPE_CHECKING:
    from bot.domain.licences.catalogue import CatalogueItem

# Words of a description that say nothing about the item.
_FILLERS = frozenset({
    "with", "from", "into", "also", "plus", "voor", "zijn", "naar", "bijvoorbeeld", "example",
    "everything", "alles", "more", "meer", "than", "dan", "your", "jouw", "over", "door", "that",
    "this", "deze", "naast", "heel", "extra", "zoals", "such",
})  # fmt: skip
# Description words shorter than this are small words.
_SHORT = 4
# A description names its item when it shares this many words with the text.
_DESCRIBED = 2


def _shared_words(
    item: CatalogueItem, words: set[str], forms: Callable[[str], Iterable[str]]
) -> int:
    """How many words of the item's descriptions (either language) the text holds."""
    described = {
        word
        for word in folded_words(f"{item.description_nl} {item.description_en}")
        if len(word) >= _SHORT and word not in _FILLERS
    }
    return sum(word in words or any(f in words for f in forms(word)) for word in described)


def best_described(
    items: Sequence[CatalogueItem], words: set[str], forms: Callable[[str], Iterable[str]]
) -> CatalogueItem | None:
    """The one item whose description shares the most words with the text, at least
    _DESCRIBED; None on a tie."""
    shared = [(_shared_words(item, words, forms), item) for item in items]
    top = max((found for found, _ in shared), default=0)
    best = [item for found, item in shared if found == top]
    return best[0] if top >= _DESCRIBED and len(best) == 1 else None
