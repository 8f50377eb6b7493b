"""The knowledge base's workbook told from the others by its sheets: "Artikels" ("Articles") is
the knowledge base's, "Artikelen" ("Items") the licence catalogue's, "Regels" the routing
rules'. The two Dutch plurals of "artikel" are compared whole, never as forms of one word."""

from __future__ import annotations

import pytest

from bot.domain.servicedesk.articles import KnowledgeBase
from bot.excel.licences.catalogue import write_catalogue
from bot.excel.licences.catalogue_layout import ITEMS
from bot.excel.post.rules import write_rules
from bot.excel.servicedesk.articles import write_articles
from bot.excel.servicedesk.articles_layout import ARTICLES
from bot.excel.workbook import header_name
from bot.excel.workbook_kind import WorkbookKind, workbook_kind
from devtools.demo_articles import demo_knowledge
from tests.unit.licences.fakes import demo_catalogue
from tests.unit.post_rules_admin.test_workbook_kind import rename_sheets, sheets
from tests.unit.post_rules_admin.world import current_rules


def test_each_export_is_told_apart() -> None:
    assert workbook_kind(write_articles(demo_knowledge())) is WorkbookKind.ARTICLES
    assert workbook_kind(write_articles(KnowledgeBase())) is WorkbookKind.ARTICLES
    assert workbook_kind(write_catalogue(demo_catalogue())) is WorkbookKind.CATALOGUE
    assert workbook_kind(write_rules(current_rules())) is WorkbookKind.POST_RULES


def test_the_two_plurals_of_artikel_stay_two_sheet_names() -> None:
    articles = {header_name(name) for name in ARTICLES.names}
    items = {header_name(name) for name in ITEMS.names}
    assert not articles & items
    assert header_name("Artikels") != header_name("Artikelen")


@pytest.mark.parametrize(
    ("titles", "kind"),
    [
        (("Artikels",), WorkbookKind.ARTICLES),
        (("Toelichting", "Artikels"), WorkbookKind.ARTICLES),
        (("ARTIKELS ",), WorkbookKind.ARTICLES),
        (("Read me", "Articles"), WorkbookKind.ARTICLES),
        (("artikelen",), WorkbookKind.CATALOGUE),
        (("Toelichting", "Artikelen", "Vragen"), WorkbookKind.CATALOGUE),
        (("Artikel",), WorkbookKind.UNKNOWN),  # neither plural
        (("Artikels", "Artikelen"), WorkbookKind.UNKNOWN),  # both: the file does not say
        (("Artikels", "Regels"), WorkbookKind.UNKNOWN),
        (("Toelichting",), WorkbookKind.UNKNOWN),  # every workbook explains itself so
    ],
)
def test_sheet_names_are_compared_whole(titles: tuple[str, ...], kind: WorkbookKind) -> None:
    assert workbook_kind(sheets(*titles)) is kind


def test_an_articles_sheet_renamed_to_the_catalogues_name_is_read_as_the_catalogue() -> None:
    """Its reader then says what the workbook lacks: the kind follows the sheet, nothing else."""
    data = rename_sheets(write_articles(demo_knowledge()), {"Artikels": "Artikelen"})
    assert workbook_kind(data) is WorkbookKind.CATALOGUE
    renamed = rename_sheets(write_articles(demo_knowledge()), {"Artikels": "Blad1"})
    assert workbook_kind(renamed) is WorkbookKind.UNKNOWN
