"""Hostile workbooks (devtools/hostile_workbooks.py) sent as the knowledge base are refused with
one problem that says why, before their rows are checked: never an exception, never a
knowledge base."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.domain.servicedesk.articles import ArticleProblem
from bot.excel.package import MAX_CELL_CHARACTERS, MAX_FILE_BYTES, MAX_ROWS
from bot.excel.servicedesk.articles import describe_problem, read_articles
from bot.i18n import Translator
from devtools import hostile_workbooks as hostile

TITLE = "Artikels"

# name: (the file, the problem: row, column, message id)
REFUSED: dict[str, tuple[Callable[[], bytes], tuple[int | None, str, str]]] = {
    "not a zip": (lambda: b"not a zip at all", (None, "", "articles.problem.not_a_workbook")),
    "no workbook part": (
        lambda: hostile.zipped({"[Content_Types].xml": "<Types/>"}),
        (None, "", "articles.problem.not_a_workbook"),
    ),
    "file too large": (
        lambda: b"PK" + bytes(MAX_FILE_BYTES),
        (None, "", "workbook.refused.file_too_large"),
    ),
    "zip bomb part": (
        lambda: hostile.padded_part(2, TITLE),
        (None, "", "workbook.refused.compressed"),
    ),
    "entities": (hostile.entity_expansion, (None, "", "workbook.refused.entities")),
    "too many rows": (
        lambda: hostile.many_rows(MAX_ROWS + 1, TITLE),
        (MAX_ROWS + 2, "", "workbook.refused.too_many_rows"),
    ),
    "data in the last row": (
        lambda: hostile.row_far_below(1_048_576, TITLE),
        (1_048_576, "", "workbook.refused.too_many_rows"),
    ),
    "a cell longer than Excel allows": (
        lambda: hostile.shared_string_bomb(MAX_CELL_CHARACTERS + 1, 5, TITLE),
        (2, "key", "workbook.refused.cell_too_long"),
    ),
    "one long string in every row": (
        # 16 million characters in 30,000-character keys (the one column of the five this
        # sheet knows): the 534th row of data
        lambda: hostile.shared_string_bomb(30_000, 5 * 600, TITLE),
        (535, "", "workbook.refused.too_much_text"),
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_hostile_file_is_one_problem_and_no_knowledge_base(name: str) -> None:
    build, (row, column, key) = REFUSED[name]

    knowledge, problems = read_articles(build())

    assert knowledge is None
    [problem] = problems
    assert (problem.row, problem.column, problem.message_key) == (row, column, key)
    for locale in ("nl", "en"):
        text = describe_problem(problem, Translator(locale))
        assert text and key not in text, "explained, not an id"


def test_a_refusal_is_explained_where_it_is() -> None:
    _, [rows] = read_articles(hostile.many_rows(MAX_ROWS + 1, TITLE))
    _, [cell] = read_articles(hostile.shared_string_bomb(MAX_CELL_CHARACTERS + 1, 5, TITLE))
    _, [package] = read_articles(hostile.padded_part(2, TITLE))

    assert describe_problem(rows, Translator("nl")).startswith(
        f"blad Artikels: Dit blad heeft te veel rijen onder de kopregel: het maximum is {MAX_ROWS}."
    )
    assert describe_problem(cell, Translator("en")).startswith(
        "sheet Articles, row 2, column Key: This cell holds more characters than Excel allows"
    )
    assert describe_problem(package, Translator("nl")).startswith("Een deel van dit werkboek")


def test_columns_far_to_the_right_are_not_read() -> None:
    """A number in column XFD on every row: only the known columns are read, so the rows are
    blank and the knowledge base empty (and the required columns missing, once each)."""
    knowledge, problems = read_articles(hostile.far_column(20_000, TITLE))

    assert knowledge is None
    assert {p.message_key for p in problems} == {"articles.problem.missing_column"}
    assert {p.row for p in problems} == {1}
    assert ArticleProblem(1, "category", "articles.problem.missing_column", "Categorie") in problems
