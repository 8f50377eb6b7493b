"""What an uploaded workbook is, from its sheets."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from bot.excel.licences.catalogue import write_catalogue
from bot.excel.post.rules import write_rules
from bot.excel.workbook_kind import WorkbookKind, workbook_kind
from tests.unit.licences.fakes import demo_catalogue
from tests.unit.post_rules_admin.world import current_rules


def rename_sheets(data: bytes, names: dict[str, str]) -> bytes:
    workbook = load_workbook(io.BytesIO(data))
    for old, new in names.items():
        workbook[old].title = new
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def sheets(*titles: str) -> bytes:
    workbook = Workbook()
    workbook.active.title = titles[0]
    for title in titles[1:]:
        workbook.create_sheet(title)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_exports_are_told_apart() -> None:
    assert workbook_kind(write_rules(current_rules())) is WorkbookKind.POST_RULES
    assert workbook_kind(write_rules([])) is WorkbookKind.POST_RULES
    assert workbook_kind(write_catalogue(demo_catalogue())) is WorkbookKind.CATALOGUE


@pytest.mark.parametrize(
    ("titles", "kind"),
    [
        (("Rules",), WorkbookKind.POST_RULES),
        (("REGELS ",), WorkbookKind.POST_RULES),
        (("Read me", "Items"), WorkbookKind.CATALOGUE),
        (("artikelen", "Entiteiten"), WorkbookKind.CATALOGUE),
        (("Blad1",), WorkbookKind.UNKNOWN),
        (("Regels", "Artikelen"), WorkbookKind.UNKNOWN),  # both: the file does not say
    ],
)
def test_sheet_names_are_compared_as_headers_are(
    titles: tuple[str, ...], kind: WorkbookKind
) -> None:
    assert workbook_kind(sheets(*titles)) is kind


def test_a_renamed_rules_sheet_is_no_longer_recognised() -> None:
    data = rename_sheets(write_rules(current_rules()), {"Regels": "Blad1"})
    assert workbook_kind(data) is WorkbookKind.UNKNOWN


@pytest.mark.parametrize("data", [b"", b"no zip", b"PK\x03\x04 broken"])
def test_what_is_no_workbook_is_unknown(data: bytes) -> None:
    assert workbook_kind(data) is WorkbookKind.UNKNOWN
