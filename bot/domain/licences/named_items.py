"""Which catalogue items a person's words name, best first (Catalogue.match): by an item's own
name, a synonym, a part of its name no other item's holds or its edition alone ("een pro");
where only a product's family is named, or nothing, by the items' descriptions
(bot/domain/licences/described.py)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.domain.licences.described import best_described
from bot.domain.licences.item_kinds import ItemKind
from bot.domain.platform.text import fold, folded_words

if TYPE_CHECKING:
    from bot.domain.licences.catalogue import CatalogueItem


def named_items(
    text: str, visible: list[CatalogueItem], forms: Callable[[str], Iterable[str]] | None
) -> list[CatalogueItem]:
    """The items of `visible` that `text` names, best first (see Catalogue.match)."""
    read = forms or _itself
    words = {form for word in folded_words(text) for form in (word, *read(word))}
    scored: list[_Named] = []
    for position, item in enumerate(visible):
        names = (
            item.name_nl,
            item.name_en,
            item.key.replace("-", " "),
            *_own_name_parts(item, visible),
        )
        by_name = max((_phrase_score(phrase, words, read) for phrase in names), default=0)
        edition = not by_name and _edition_said(item, visible, text)
        by_name = by_name or int(edition)
        synonym = max(((_phrase_score(s, words, read), s) for s in item.synonyms), default=(0, ""))
        if by_name or synonym[0]:
            said = frozenset(folded_words(synonym[1])) if synonym[0] > by_name else frozenset()
            need = bool(said) and _in_description(said, item, read)
            family = bool(said) and any(
                said <= _name_words(other) for other in visible if other.key != item.key
            )
            score = max(by_name, synonym[0])
            only = edition and not synonym[0]
            scored.append(_Named(item, position, score, by_name > 0, said, need, family, only))
    if not scored:
        return [found] if (found := best_described(visible, words, read)) else []
    ranked = sorted(scored, key=lambda named: named.rank(scored))
    better = _better_described(ranked[0], visible, words, read)
    rest = [named.item for named in ranked if better is None or named.item.key != better.key]
    return [better, *rest] if better else rest


def _itself(word: str) -> tuple[str, ...]:
    return ()


# Compound parts at least this long; what a part leaves over at least this long.
_PART = 5
_SHORT = 4
# A word as typed, its capital kept (folded_words folds it away).
_TYPED = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class _Named:
    """An item a text names: how (by its own name or by a synonym, whose words are `said`)."""

    item: CatalogueItem
    position: int
    score: int
    by_name: bool
    said: frozenset[str]
    # The synonym only repeats what the item's description says it is for ("dashboard"): of
    # two items named alike, the one named by a word of its own wins ("PPU licentie voor mijn
    # dashboards" is Premium per user, though dashboards are what Pro's description names).
    need: bool = False
    # The words said are in another item's name too ("power bi" in Premium per user's).
    family: bool = False
    # Named by its edition alone ("een pro"): after any item named otherwise ("PPU, want mijn
    # dataset is te groot voor pro").
    edition: bool = False

    def rank(self, others: Iterable[_Named]) -> tuple[bool, bool, bool, bool, int, int]:
        """Longest phrase first, but an item named only by a word that says where another one
        lives comes after it: "de begrotingsopvolging in power bi" asks for the workspace,
        "power bi ppu" for Premium per user (whose name holds "power bi"), not for Pro. A
        product named by a word of its own ("ppu", "power bi pro") is what is asked for, and a
        workspace beside it where it is used: "PPU voor de rapporten van de begroting"."""
        workspace = ItemKind.WORKSPACE_ROLE
        rivals = [other for other in others if other.item.key != self.item.key]
        where = not self.by_name and any(
            (other.item.kind is workspace and self.item.kind is not workspace and self.family)
            or self.said <= _name_words(other.item)
            for other in rivals
        )
        beside = self.item.kind is workspace and any(
            other.item.kind is not workspace and not (other.family or other.need)
            for other in rivals
        )
        return self.edition, where, beside, self.need, -self.score, self.position


def _name_words(item: CatalogueItem) -> set[str]:
    return {*folded_words(item.name_nl), *folded_words(item.name_en)}


def _better_described(
    top: _Named,
    visible: Iterable[CatalogueItem],
    words: set[str],
    forms: Callable[[str], Iterable[str]],
) -> CatalogueItem | None:
    """Another item of the family only named ("power bi": Power BI Pro's synonym, words of
    "Power BI Premium per gebruiker" too), or beside the edition named ("wat de gewone Pro
    niet toelaat"), that the text describes better."""
    if top.by_name and not top.edition:
        return None
    said = top.said or _name_words(top.item) - {_edition(top.item, visible)}
    family = [item for item in visible if item.key != top.item.key and said <= _name_words(item)]
    best = best_described([top.item, *family], words, forms) if family else None
    return best if best is not None and best.key != top.item.key else None


def _phrase_score(phrase: str, words: set[str], forms: Callable[[str], Iterable[str]]) -> int:
    wanted = folded_words(phrase)
    if wanted and all(_occurs(word, words, forms) for word in wanted):
        return sum(len(word) for word in wanted)
    return 0


def _occurs(word: str, words: set[str], forms: Callable[[str], Iterable[str]]) -> bool:
    if word in words or any(form in words for form in forms(word)):
        return True
    return len(word) >= _PART and any(
        other.startswith(word) and len(other) >= len(word) + _SHORT for other in words
    )


def _in_description(
    said: frozenset[str], item: CatalogueItem, forms: Callable[[str], Iterable[str]]
) -> bool:
    """Whether the item's own descriptions hold all these words (in any of their forms)."""
    texts = (item.description_nl, item.description_en)
    theirs = {f for text in texts for w in folded_words(text) for f in (w, *forms(w))}
    return all({word, *forms(word)} & theirs for word in said)


def _edition_said(item: CatalogueItem, visible: Iterable[CatalogueItem], text: str) -> bool:
    """Whether the text says the item's edition alone: "ik wil graag een pro" for Power BI
    Pro, whose name is its family's ("Power BI", shared with Premium per user) and one word
    of its own. Not after a capitalised word, another maker's product: "Adobe Acrobat Pro"."""
    edition = _edition(item, visible)
    typed = _TYPED.findall(text) if edition else []
    return any(
        fold(word) == edition and (i == 0 or not typed[i - 1][:1].isupper())
        for i, word in enumerate(typed)
    )


def _edition(item: CatalogueItem, visible: Iterable[CatalogueItem]) -> str:
    """The last word of the item's names after a family it shares with another item's name,
    when no other name holds it ("pro"); "" when there is none."""
    others = [_name_words(other) for other in visible if other.key != item.key]
    for name in (item.name_nl, item.name_en):
        words = folded_words(name)
        shares = len(words) > 1 and any(set(words[:-1]) <= other for other in others)
        if shares and not any(words[-1] in other for other in others):
            return words[-1]
    return ""


def _own_name_parts(item: CatalogueItem, visible: Iterable[CatalogueItem]) -> list[str]:
    """Runs of two or more words of the item's names that no other item's name holds."""
    others = [
        " ".join(folded_words(name))
        for other in visible
        if other.key != item.key
        for name in (other.name_nl, other.name_en)
    ]
    parts = []
    for name in (item.name_nl, item.name_en):
        names = folded_words(name)
        for size in range(2, len(names)):
            for start in range(len(names) - size + 1):
                part = " ".join(names[start : start + size])
                if not any(f" {part} " in f" {other} " for other in others):
                    parts.append(part)
    return parts
