"""The knowledge base workbook: export and import round-trip; an import reports every bad cell
with its row and column, and returns nothing unless every row is valid."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.domain.servicedesk.articles import (
    MAX_ANSWER,
    MAX_LINKS,
    MAX_QUESTIONS,
    MAX_TITLE,
    Article,
    ArticleLink,
    ArticleProblem,
    Category,
    KnowledgeBase,
)
from bot.excel.servicedesk.articles import describe_problem, read_articles, write_articles
from bot.excel.servicedesk.articles_files import ExcelArticleWorkbooks
from bot.i18n import Translator
from devtools.demo_articles import demo_knowledge
from tests.unit.excel.builders import Rows, sheets_of, workbook

HEADER = [
    "Sleutel", "Categorie", "Titel (nl)", "Titel (en)", "Vragen (nl)", "Vragen (en)",
    "Antwoord (nl)", "Antwoord (en)", "Links", "Eigenaar", "Laatst nagekeken",
]  # fmt: skip
MFA = Article(
    key="mfa-registreren",
    category=Category.ACCESS,
    title_nl="Tweestapsverificatie (MFA) instellen",
    title_en="Set up two-step verification (MFA)",
    questions_nl=("Hoe stel ik MFA in?", "Ik krijg geen code meer, wat nu?", "MFA; app, sms"),
    questions_en=("How do I set up MFA?",),
    answer_nl="Open **Mijn aanmeldmethodes**.\n\n1. Kies *Methode toevoegen*.\n2. Volg de stappen."
    "\n\nMeer: [uitleg](https://aka.ms/mfasetup)",
    answer_en="Open **My sign-ins**.\n\n- Add a method\n- Follow the steps",
    links=(
        ArticleLink(
            "Mijn aanmeldmethodes", "My sign-in methods", "https://mysignins.microsoft.com"
        ),
        ArticleLink("Handleiding (pdf)", "", "https://example.org/mfa.pdf?taal=nl&x=1"),
    ),
    owner="servicedesk@vlaanderen.be",
    last_reviewed=date(2025, 3, 14),
)
PRO = Article(
    key="power-bi-pro",
    category=Category.POWER_PLATFORM,
    title_nl="Een Power BI Pro-licentie aanvragen",
    answer_nl="=Typ *licentie aanvragen* in Werkplek.",  # "=" stays text, never a formula
)
KNOWLEDGE = KnowledgeBase((MFA, PRO))


def _valid_row() -> list[object]:
    return [
        "wachtwoord",
        "access",
        "Wachtwoord vergeten",
        "",
        "Ik ben mijn wachtwoord vergeten",
        "",
        "Ga naar https://passwordreset.microsoftonline.com.",
        "",
        "Wachtwoord herstellen | https://passwordreset.microsoftonline.com",
        "",
        date(2025, 1, 31),
    ]


def _read(rows: Rows, title: str = "Artikels") -> tuple[KnowledgeBase | None, list[ArticleProblem]]:
    return read_articles(workbook({title: rows}))


def _problems(rows: Rows) -> list[ArticleProblem]:
    knowledge, problems = _read([HEADER, *rows])
    assert knowledge is None, "nothing is valid unless every row is"
    return problems


def _places(problems: list[ArticleProblem]) -> set[tuple[int | None, str, str]]:
    return {(p.row, p.column, p.message_key.rsplit(".", 1)[1]) for p in problems}


# --- round trip ----------------------------------------------------------------------------------
def test_every_field_survives_export_and_import() -> None:
    assert read_articles(write_articles(KNOWLEDGE)) == (KNOWLEDGE, [])


def test_the_demo_knowledge_base_survives_export_and_import() -> None:
    knowledge = demo_knowledge()

    assert read_articles(write_articles(knowledge)) == (knowledge, [])


def test_every_category_survives_export_and_import() -> None:
    knowledge = KnowledgeBase(
        tuple(
            Article(f"artikel-{n}", category, f"Titel {n}", f"Antwoord {n}")
            for n, category in enumerate(Category)
        )
    )

    assert read_articles(write_articles(knowledge)) == (knowledge, [])


def test_an_empty_knowledge_base_exports_as_a_template_that_imports_empty() -> None:
    assert read_articles(write_articles(KnowledgeBase())) == (KnowledgeBase(), [])


def test_the_files_adapter_reads_describes_and_writes() -> None:
    files = ExcelArticleWorkbooks()

    assert files.read(files.write(KNOWLEDGE)) == (KNOWLEDGE, [])
    _, problems = files.read(b"nope")
    assert files.describe(problems[0], Translator("en")).startswith("This file is not an Excel")


# --- what the export looks like ------------------------------------------------------------------
def test_the_export_opens_on_the_articles_and_explains_every_column_in_dutch() -> None:
    data = write_articles(KNOWLEDGE)
    sheets = sheets_of(data)

    assert list(sheets) == ["Toelichting", "Artikels"]
    assert sheets["Artikels"][0] == HEADER
    explained = {(row[0], row[1]) for row in sheets["Toelichting"][1:]}
    assert all(("Artikels", header) in explained for header in HEADER)
    assert load_workbook(io.BytesIO(data)).active.title == "Artikels"


def test_the_articles_sheet_is_formatted_for_editing_and_filtering() -> None:
    sheet = load_workbook(io.BytesIO(write_articles(KNOWLEDGE)))["Artikels"]

    header = sheet[1]
    assert all(cell.font.bold and cell.fill.fill_type == "solid" for cell in header)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:K3"
    assert all(sheet.column_dimensions[cell.column_letter].width > 10 for cell in header)
    reviewed = sheet["K2"]
    assert reviewed.value == datetime(2025, 3, 14) and reviewed.number_format == "dd/mm/yyyy"
    assert (
        sheet["E2"].value == "Hoe stel ik MFA in?\nIk krijg geen code meer, wat nu?\nMFA; app, sms"
    )
    assert sheet["E2"].alignment.wrap_text, "one question per line, every line shown"
    assert sheet["I2"].value == (
        "Mijn aanmeldmethodes | My sign-in methods | https://mysignins.microsoft.com\n"
        "Handleiding (pdf) | https://example.org/mfa.pdf?taal=nl&x=1"
    )
    assert sheet["A2"].number_format == "@", "a key like 1-2 stays text"
    assert sheet["G3"].data_type == "s", "an answer starting with = is text, not a formula"
    [dropdown] = sheet.data_validations.dataValidation
    assert "B2" in dropdown.sqref and "power_platform" in str(dropdown.formula1)


# --- what an admin may type ----------------------------------------------------------------------
def test_english_names_words_for_categories_and_dates_as_text_are_read() -> None:
    rows: list[list[object]] = [
        ["KEY", "category", "Title NL", "Title EN", "Questions (NL)", "Answer NL", "Answer (en)",
         "links", "Owner", "Last reviewed"],
        ["a", "Toegang", "A", "A", "Eén?\r\n\r\n  Twee?  \r\n", "Antwoord\r\nregel 2", "Answer",
         "Site|https://a.be", "", "14/03/2025"],
        ["b", "Power BI", "B", "", None, "B", "", None, None, "2025-03-14"],
        ["c", "LICENTIES", "C", "", None, "C", "", None, None, datetime(2025, 3, 14, 9, 30)],
        ["d", " andere ", "D", "", None, "D", "", None, None, "1.2.2024"],
    ]  # fmt: skip

    knowledge, problems = _read(rows, "Articles")

    assert problems == []
    assert knowledge is not None
    a, b, c, d = knowledge.articles
    assert a.questions_nl == ("Eén?", "Twee?") and a.questions_en == ()
    assert a.answer_nl == "Antwoord\nregel 2"
    assert a.links == (ArticleLink("Site", "", "https://a.be"),)
    assert [x.category for x in knowledge.articles] == [
        Category.ACCESS, Category.POWER_PLATFORM, Category.LICENCES, Category.OTHER,
    ]  # fmt: skip
    assert a.last_reviewed == b.last_reviewed == c.last_reviewed == date(2025, 3, 14)
    assert d.last_reviewed == date(2024, 2, 1), "day first, as in Flanders"


def test_blank_rows_are_skipped_and_rows_keep_their_excel_numbers() -> None:
    bad = _valid_row()
    bad[0], bad[1] = "kapot", "printer"
    problems = _problems([_valid_row(), [None] * 11, ["", " "] + [None] * 9, bad])

    assert _places(problems) == {(5, "category", "unknown_category")}
    assert problems[0].value == "printer"


# --- every problem, with its row and column -----------------------------------------------------
def test_every_bad_cell_is_reported_with_its_row_and_column() -> None:
    def row(**cells: object) -> list[object]:
        values = dict(zip(HEADER, _valid_row(), strict=True))
        names = dict(zip(
            ("key", "category", "title_nl", "title_en", "questions_nl", "questions_en",
             "answer_nl", "answer_en", "links", "owner", "last_reviewed"),
            HEADER, strict=True,
        ))  # fmt: skip
        values |= {names[column]: value for column, value in cells.items()}
        return list(values.values())

    rows = [
        row(key="goed"),  # 2: fine
        row(key="", category="", title_nl=" ", answer_nl=None),  # 3: required cells
        row(key="Geen Sleutel!", category="printers"),  # 4
        row(key="goed", last_reviewed="gisteren"),  # 5: a key twice, no date
        row(key="datum", last_reviewed="31/02/2025"),  # 6: no such day
        row(key="getal", last_reviewed=45678),  # 7: a number is no date
        row(key="te-lang", title_nl="x" * (MAX_TITLE + 1), answer_en="y" * (MAX_ANSWER + 1)),
        row(key="vragen", questions_nl="\n".join(f"v{n}?" for n in range(MAX_QUESTIONS + 1)),
            questions_en="q" * 301),  # 9
        row(key="links", links="\n".join(f"L{n} | https://a.be/{n}" for n in range(6))),  # 10
        row(key="http", links="Oud | http://intranet.local"),  # 11: not https
        row(key="opmaak", links="alleen tekst\nhttps://zonder-titel.be\n | https://x.be"),  # 12
        row(key="md", answer_nl="Zie [hier](http://onveilig.be)."),  # 13: Markdown link
        row(key="linktitel", links=f"{'t' * (MAX_TITLE + 1)} | https://a.be"),  # 14
    ]  # fmt: skip
    assert MAX_LINKS < 6

    problems = _problems(rows)

    assert _places(problems) == {
        (3, "key", "required"),
        (3, "category", "required"),
        (3, "title_nl", "required"),
        (3, "answer_nl", "required"),
        (4, "key", "key"),
        (4, "category", "unknown_category"),
        (5, "key", "duplicate"),
        (5, "last_reviewed", "bad_date"),
        (6, "last_reviewed", "bad_date"),
        (7, "last_reviewed", "bad_date"),
        (8, "title_nl", "too_long"),
        (8, "answer_en", "too_long"),
        (9, "questions_nl", "questions"),
        (9, "questions_en", "questions"),
        (10, "links", "links"),
        (11, "links", "link"),
        (12, "links", "bad_link"),
        (13, "answer_nl", "link"),
        (14, "links", "too_long"),
    }
    assert len(problems) == len(_places(problems)) + 2, "each once; row 12 has 3 bad lines"
    by_place = {(p.row, p.column, p.message_key): p.value for p in problems}
    assert by_place[(4, "key", "articles.problem.key")] == "Geen Sleutel!"
    assert by_place[(5, "key", "articles.problem.duplicate")] == "goed"
    assert by_place[(8, "title_nl", "articles.problem.too_long")] == str(MAX_TITLE)
    assert by_place[(11, "links", "articles.problem.link")] == "http://intranet.local"
    assert by_place[(13, "answer_nl", "articles.problem.link")] == "http://onveilig.be"


def test_each_bad_link_line_is_reported() -> None:
    bad = _valid_row()
    bad[8] = "alleen tekst\nhttps://zonder-titel.be\n | https://x.be\na | b | c | https://d.be"

    problems = _problems([bad])

    assert [p.value for p in problems] == [
        "alleen tekst", "https://zonder-titel.be", "| https://x.be", "a | b | c | https://d.be",
    ]  # fmt: skip
    assert _places(problems) == {(2, "links", "bad_link")}


def test_a_huge_but_legal_cell_is_one_problem_quoted_short() -> None:
    bad = _valid_row()
    bad[6] = "woord " * 5000  # 30,000 characters: Excel allows it, the knowledge base does not

    [problem] = _problems([bad])

    assert (problem.row, problem.column, problem.value) == (2, "answer_nl", str(MAX_ANSWER))


def test_a_missing_sheet_or_column_is_reported_once_not_on_every_row() -> None:
    without_answer = [h for h in HEADER if h != "Antwoord (nl)"]
    rows: list[list[Any]] = [without_answer]
    for key in ("een", "twee", "drie"):
        values = dict(zip(HEADER, _valid_row(), strict=True)) | {"Sleutel": key}
        rows.append([value for header, value in values.items() if header != "Antwoord (nl)"])

    assert _read(rows)[1] == [
        ArticleProblem(1, "answer_nl", "articles.problem.missing_column", "Antwoord (nl)")
    ]
    assert _read([HEADER], "Blad1") == (
        None,
        [ArticleProblem(None, "", "articles.problem.missing_sheet", "Artikels")],
    )


# --- in words -----------------------------------------------------------------------------------
def test_problems_read_as_places_in_the_workbook() -> None:
    bad = _valid_row()
    bad[1] = "printers"
    [problem] = _problems([bad])

    assert describe_problem(problem, Translator("nl")) == (
        "blad Artikels, rij 2, kolom Categorie: Onbekende categorie „printers”: gebruik access, "
        "licences, power_platform, post of other."
    )
    assert describe_problem(problem, Translator("en")).startswith(
        "sheet Articles, row 2, column Category: Unknown category “printers”"
    )


def test_problems_of_the_file_and_of_the_whole_knowledge_base_read_without_a_row() -> None:
    _, [not_a_workbook] = read_articles(b"PK\x03\x04 not really a zip")
    _, [missing] = _read([HEADER], "Blad1")
    [duplicate] = KnowledgeBase((PRO, PRO)).problems()  # as the service reports it

    assert describe_problem(not_a_workbook, Translator("nl")).startswith(
        "Dit bestand is geen Excel-werkboek (.xlsx)."
    )
    assert describe_problem(missing, Translator("nl")) == "Het blad „Artikels” ontbreekt."
    assert describe_problem(duplicate, Translator("nl")) == (
        "blad Artikels, kolom Sleutel: De sleutel „power-bi-pro” komt meer dan eens voor: elk "
        "artikel heeft een eigen sleutel."
    )


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_every_problem_the_reader_or_the_domain_reports_has_a_text(locale: str) -> None:
    t = Translator(locale)
    for name in (
        "not_a_workbook", "missing_sheet", "missing_column", "required", "key", "duplicate",
        "too_long", "too_many", "unknown_category", "questions", "links", "bad_link", "link",
        "bad_date",
    ):  # fmt: skip
        key = f"articles.problem.{name}"
        assert t(key, value="x") != key
