"""Accessibility, checked on every card (issue #11, item 7).

Every public function in cards/**/*.py whose return annotation names `Card` (a card or a list of
cards) is found by reading the modules, and must have a sampler in tests/support/card_samples.py;
a new builder without one fails `test_every_card_builder_has_samples`. Each sample is built in
every language and its JSON is held to these rules (a screen reader, Teams' high-contrast themes
and people who do not tell red from green read the same cards):

1. Headings. A card's title is the first TextBlock that stands out from the text around it:
   bold or larger than normal, and not coloured. It must be a heading (`"style": "heading"`, as
   `cards.base.heading` writes it): a screen reader announces it and jumps from heading to
   heading, i.e. from card to card in a chat. A coloured line before it (a banner saying what
   just happened, a state) is a status, held to rule 3 instead. Text at size Large or
   ExtraLarge looks like a title, so it is a heading wherever it stands; a heading has words;
   and a card with more than one text has a title (one sentence alone needs none). Bold text
   after the title (a name in a list, a state, the label over a quoted justification) is
   emphasis, not a title.
2. Every Input.* has a `label` with words (a placeholder disappears as one types and is not read
   by every screen reader); every choice of a ChoiceSet has a title.
3. No state by colour alone: a TextBlock or TextRun with a colour, and a Container or Column with
   a state style (good, warning, attention, accent), carries words (not only "●" or "!"). And
   across all cards of a language, one text never appears in two state colours: then the colour
   alone would tell them apart.
4. Every Image has `altText`.
5. Every action has a title with words (buttons, selectActions, ShowCards); the invisible
   `refresh` action of an approval card is no button and is not checked.
6. Every fact of a FactSet has a title and a value with letters or digits (not "" nor "-"), and
   every column of a ColumnSet that holds something holds something readable.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

import cards
from bot.i18n import LOCALES, Translator
from devtools.card_inspection import card_text
from tests.support.card_samples import sample_cards

# Public functions that return a Card but add nothing a reader sees on their own.
NOT_BUILDERS = {
    "cards.base.card": "the envelope every builder puts its body in",
    "cards.platform.workbooks.problem_cards": "what each import_problem_cards is made of, "
    "sampled through them (the catalogue's, the knowledge base's)",
}
# Colours and container styles that mean something (in order, a warning, a problem, waiting).
STATES = {"good", "warning", "attention", "accent"}
_EMPHASIS_SIZES = {"medium", "large", "extralarge"}
_TITLE_SIZES = {"large", "extralarge"}
_WORD = re.compile(r"[^\W\d_]{2,}")  # two letters in a row, in any script
_READABLE = re.compile(r"[^\W_]")  # a letter or a digit
# A message key that reached a card instead of its text ("licence.form.title").
_RAW_KEY = re.compile(r"\b[a-z_]+\.[a-z_]+\.[a-z_.]*[a-z]\b")
# Addresses in a text (an article's links) hold dots too, and no message key.
_URL = re.compile(r"https?://[^\s)\]]+")

Node = dict[str, Any]


# --- finding the builders ----------------------------------------------------------------------
def _names_a_card(annotation: ast.expr | None) -> bool:
    if annotation is None:
        return False
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        annotation = ast.parse(annotation.value, mode="eval").body
    return any(isinstance(n, ast.Name) and n.id == "Card" for n in ast.walk(annotation))


def card_builders() -> list[str]:
    """Dotted names of every public module-level function in cards/ that returns Card(s)."""
    found = []
    for info in pkgutil.walk_packages(cards.__path__, "cards."):
        module = importlib.import_module(info.name)
        tree = ast.parse(inspect.getsource(module))
        for node in tree.body:
            if (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and not node.name.startswith("_")
                and _names_a_card(node.returns)
            ):
                found.append(f"{info.name}.{node.name}")
    return sorted(found)


# --- reading a card ----------------------------------------------------------------------------
def _walk(node: Any, path: str = "$", *, sub_cards: bool = True) -> Iterator[tuple[str, Node]]:
    """Every JSON object with its path, depth first in reading order; never the refresh block,
    and without what ShowCards open unless `sub_cards`."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            opens = key == "card" and node.get("type") == "Action.ShowCard"
            if key != "refresh" and (sub_cards or not opens):
                yield from _walk(value, f"{path}.{key}", sub_cards=sub_cards)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}[{index}]", sub_cards=sub_cards)


def _lower(node: Node, key: str) -> str:
    value = node.get(key)
    return value.lower() if isinstance(value, str) else ""


def _has(pattern: re.Pattern[str], value: object) -> bool:
    return isinstance(value, str) and bool(pattern.search(value))


def _readable(node: Any) -> bool:
    """Something in `node` a screen reader reads out: text, a fact, a title, a label, alt text."""
    for _, part in _walk(node):
        kind = str(part.get("type", ""))
        if kind in ("TextBlock", "TextRun") and _has(_READABLE, part.get("text")):
            return True
        if kind.startswith("Action.") and _has(_READABLE, part.get("title")):
            return True
        if kind == "Image" and _has(_READABLE, part.get("altText")):
            return True
        if kind.startswith("Input.") and _has(_READABLE, part.get("label")):
            return True
        if kind == "FactSet" and any(_has(_READABLE, f.get("value")) for f in part["facts"]):
            return True
    return False


def _is_heading(node: Node) -> bool:
    return _lower(node, "style") == "heading"


def _stands_out(node: Node) -> bool:
    emphasised = _lower(node, "weight") == "bolder" or _lower(node, "size") in _EMPHASIS_SIZES
    return emphasised and _lower(node, "color") in ("", "default")


# --- the rules ---------------------------------------------------------------------------------
def heading_problems(card: Node) -> list[str]:
    problems = []
    # A ShowCard opens a card of its own under the button that names it: not this card's title.
    body = _walk(card.get("body", []), "$.body", sub_cards=False)
    texts = [(path, node) for path, node in body if node.get("type") == "TextBlock"]
    title = next(((p, n) for p, n in texts if _is_heading(n) or _stands_out(n)), None)
    if title is not None and not _is_heading(title[1]):
        problems.append(f"{title[0]}: the card's title {title[1]['text']!r} is not a heading")
    if title is None and len(texts) > 1:
        problems.append("$.body: a card with several texts has no title (heading)")
    for path, node in texts:
        if _lower(node, "size") in _TITLE_SIZES and not _is_heading(node):
            problems.append(f"{path}: large text {node['text']!r} is not a heading")
        if _is_heading(node) and not _has(_WORD, node.get("text")):
            problems.append(f"{path}: a heading without words")
    return problems


def input_problems(card: Node) -> list[str]:
    problems = []
    for path, node in _walk(card):
        if not str(node.get("type", "")).startswith("Input."):
            continue
        if not _has(_WORD, node.get("label")):
            problems.append(f"{path}: {node['type']} {node.get('id')!r} has no label")
        for index, choice in enumerate(node.get("choices", [])):
            if not _has(_READABLE, choice.get("title")):
                problems.append(f"{path}.choices[{index}]: a choice without a title")
    return problems


def colour_problems(card: Node) -> list[str]:
    problems = []
    for path, node in _walk(card):
        kind = node.get("type")
        coloured = kind in ("TextBlock", "TextRun") and _lower(node, "color") not in ("", "default")
        if coloured and not _has(_WORD, node.get("text")):
            problems.append(f"{path}: {node.get('text')!r} says its state by colour alone")
        styled = kind in ("Container", "Column") and _lower(node, "style") in STATES
        if styled and not any(
            _has(_WORD, part.get("text")) for _, part in _walk(node) if part is not node
        ):
            problems.append(f"{path}: a {node['style']} {kind} without words in it")
    return problems


def image_problems(card: Node) -> list[str]:
    return [
        f"{path}: image without altText"
        for path, node in _walk(card)
        if node.get("type") == "Image" and not _has(_WORD, node.get("altText"))
    ]


def action_problems(card: Node) -> list[str]:
    return [
        f"{path}: {node['type']} without a title"
        for path, node in _walk(card)
        if str(node.get("type", "")).startswith("Action.") and not _has(_WORD, node.get("title"))
    ]


def layout_problems(card: Node) -> list[str]:
    problems = []
    for path, node in _walk(card):
        if node.get("type") == "FactSet":
            for index, fact in enumerate(node.get("facts", [])):
                for part in ("title", "value"):
                    if not _has(_READABLE, fact.get(part)):
                        problems.append(f"{path}.facts[{index}].{part}: {fact.get(part)!r}")
        if node.get("type") == "ColumnSet":
            for index, column in enumerate(node.get("columns", [])):
                if column.get("items") and not _readable(column):
                    problems.append(f"{path}.columns[{index}]: nothing readable in the column")
    return problems


def coloured_texts(cards_: list[Node]) -> dict[str, set[str]]:
    """Each coloured text of the cards, with the colours it is shown in."""
    colours: dict[str, set[str]] = defaultdict(set)
    for card in cards_:
        for _, node in _walk(card):
            colour = _lower(node, "color")
            if node.get("type") in ("TextBlock", "TextRun") and colour not in ("", "default"):
                colours[node["text"]].add(colour)
    return colours


def colour_clashes(cards_: list[Node]) -> dict[str, list[str]]:
    """Texts shown in two state colours: there the colour alone tells the states apart."""
    return {
        text: sorted(found)
        for text, found in coloured_texts(cards_).items()
        if len(found & STATES) > 1
    }


RULES = (
    heading_problems,
    input_problems,
    colour_problems,
    image_problems,
    action_problems,
    layout_problems,
)


def problems(card: Node) -> list[str]:
    return [problem for rule in RULES for problem in rule(card)]


# --- the builders and their samples ------------------------------------------------------------
CASES = [
    (locale, builder, shape, card)
    for locale in LOCALES
    for builder, shape, card in sample_cards(Translator(locale))
]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_card_builder_has_samples(locale: str) -> None:
    builders = set(card_builders()) - set(NOT_BUILDERS)
    sampled = {builder for at, builder, _, _ in CASES if at == locale}
    missing = sorted(builders - sampled)
    assert not missing, f"card builders without samples in tests/support/card_samples.py: {missing}"
    assert sampled <= builders, sorted(sampled - builders)


def test_the_discovery_finds_builders_of_one_card_and_of_several() -> None:
    found = card_builders()
    assert "cards.post.item.item_card" in found  # -> Card
    assert "cards.post.rules.rejected_cards" in found  # -> list[Card]
    assert "cards.base.heading" not in found  # -> Element
    assert "cards.post.item._show_card" not in found  # private
    assert set(NOT_BUILDERS) <= set(found)


@pytest.mark.parametrize(
    ("locale", "builder", "shape", "card"),
    CASES,
    ids=[f"{c[0]}-{c[1].removeprefix('cards.')}-{c[2]}" for c in CASES],
)
def test_card_is_accessible(locale: str, builder: str, shape: str, card: Node) -> None:
    found = problems(card)
    assert not found, "\n".join([f"{builder} ({shape}, {locale}):", *found])


def test_no_sample_shows_a_message_key() -> None:
    """A message id that is not in the catalogues comes back as itself: a sample (or a card)
    that names one shows "licence.pick.gone" instead of a sentence."""
    shown = [
        (locale, builder, shape, key)
        for locale, builder, shape, card in CASES
        for key in _RAW_KEY.findall(_URL.sub("", card_text(card)))
    ]
    assert not shown


@pytest.mark.parametrize("locale", LOCALES)
def test_no_text_tells_two_states_apart_by_colour_alone(locale: str) -> None:
    cards_in = [card for at, _, _, card in CASES if at == locale]
    assert coloured_texts(cards_in), "no coloured text in any sample: the walk reads nothing"
    assert colour_clashes(cards_in) == {}


# --- the rules catch what they are for ---------------------------------------------------------
def _card(*body: Node, actions: list[Node] | None = None) -> Node:
    built: Node = {"type": "AdaptiveCard", "version": "1.5", "body": list(body)}
    if actions is not None:
        built["actions"] = actions
    return built


TITLE = {"type": "TextBlock", "text": "Jouw aanvragen", "style": "heading", "weight": "Bolder"}
LINE = {"type": "TextBlock", "text": "Er is niets veranderd."}
BOLD = {"type": "TextBlock", "text": "Jouw aanvragen", "weight": "Bolder"}
GO = {"type": "Action.Execute", "title": "Afhandelen", "verb": "post.handle"}
FACTS = {"type": "FactSet", "facts": [{"title": "Referentie", "value": "LIC-2026-000007"}]}
BAD_CARDS = {
    "bold title, not a heading": (heading_problems, _card(BOLD, LINE)),
    "large text, not a heading": (
        heading_problems,
        _card(TITLE, {"type": "TextBlock", "text": "Let op", "size": "Large"}),
    ),
    "no title at all": (heading_problems, _card(LINE, LINE)),
    "empty heading": (heading_problems, _card({**TITLE, "text": " "}, LINE)),
    "placeholder only": (
        input_problems,
        _card(TITLE, {"type": "Input.Text", "id": "note", "placeholder": "Een notitie"}),
    ),
    "choice without title": (
        input_problems,
        _card(
            TITLE,
            {
                "type": "Input.ChoiceSet",
                "id": "who",
                "label": "Naar wie?",
                "choices": [{"title": "", "value": "u1"}],
            },
        ),
    ),
    "a red dot": (
        colour_problems,
        _card(TITLE, {"type": "TextBlock", "text": "●", "color": "Attention"}),
    ),
    "a green tick in a run": (
        colour_problems,
        _card(
            TITLE,
            {
                "type": "RichTextBlock",
                "inlines": [{"type": "TextRun", "text": "✔", "color": "Good"}],
            },
        ),
    ),
    "a warning container with a symbol": (
        colour_problems,
        _card(
            TITLE,
            {
                "type": "Container",
                "style": "warning",
                "items": [{"type": "TextBlock", "text": "!"}],
            },
        ),
    ),
    "image without alt": (
        image_problems,
        _card(TITLE, {"type": "Image", "url": "https://werkplek.example/logo.png"}),
    ),
    "action without title": (
        action_problems,
        _card(TITLE, actions=[{"type": "Action.Execute", "verb": "post.handle"}]),
    ),
    "selectAction without title": (
        action_problems,
        _card(
            TITLE,
            {"type": "Container", "items": [LINE], "selectAction": {**GO, "title": ""}},
        ),
    ),
    "fact without value": (
        layout_problems,
        _card(TITLE, {"type": "FactSet", "facts": [{"title": "Onderwerp", "value": "-"}]}),
    ),
    "column with only a dot": (
        layout_problems,
        _card(
            TITLE,
            {
                "type": "ColumnSet",
                "columns": [
                    {"type": "Column", "items": [LINE]},
                    {"type": "Column", "items": [{"type": "TextBlock", "text": "·"}]},
                ],
            },
        ),
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_CARDS))
def test_each_rule_finds_what_it_is_for(name: str) -> None:
    rule, bad = BAD_CARDS[name]
    assert rule(bad), name
    assert problems(bad), name


def test_one_text_in_two_state_colours_is_found() -> None:
    done = {"type": "TextBlock", "text": "Aanvraag LIC-2026-000007", "color": "Good"}
    failed = {**done, "color": "Attention"}
    assert colour_clashes([_card(TITLE, done), _card(TITLE, failed)]) == {
        "Aanvraag LIC-2026-000007": ["attention", "good"]
    }
    assert colour_clashes([_card(TITLE, done), _card(TITLE, {**failed, "text": "Mislukt"})]) == {}


def test_a_card_that_keeps_the_rules_passes() -> None:
    good = _card(
        {
            "type": "TextBlock",
            "text": "Doorgestuurd naar Jef.",
            "color": "Good",
            "weight": "Bolder",
        },
        TITLE,
        LINE,
        FACTS,
        {"type": "Input.Text", "id": "note", "label": "Notitie", "placeholder": "Graag..."},
        {"type": "Image", "url": "https://werkplek.example/logo.png", "altText": "Werkplek"},
        {
            "type": "ColumnSet",
            "columns": [
                {"type": "Column", "items": [BOLD]},
                {"type": "Column", "items": [{**LINE, "text": "In orde", "color": "Good"}]},
            ],
        },
        actions=[GO],
    )
    good["refresh"] = {"action": {"type": "Action.Execute", "verb": "licence.view"}}
    assert problems(good) == []
    assert problems(_card(LINE)) == []  # one sentence needs no title
