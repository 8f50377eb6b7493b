"""Which of Werkplek's workbooks a file is, from its sheet names: what an upload in chat is for.

Admins send edited workbooks in the chat without saying what they are; the sheets tell. The
routing rules have a "Regels" sheet ("Rules"), the licence catalogue an "Artikelen" sheet
("Items"); names are compared as headers are (case, accents and punctuation ignored). A file
that is not a workbook, has neither sheet, or has both is UNKNOWN: the caller decides.

Only the package's index is read (bot/excel/package.py), never a cell: sniffing a hostile
file costs no more than inspecting it, and a file the importers would refuse for its size is
still recognised, so the right importer says why.
"""

from __future__ import annotations

from enum import StrEnum

# openpyxl loads on the first workbook, not at start-up (a tenth of a second nobody waits for).


class WorkbookKind(StrEnum):
    CATALOGUE = "catalogue"  # the licence catalogue (bot/excel/licences/catalogue.py)
    POST_RULES = "post-rules"  # the routing rules of incoming post (bot/excel/post/rules.py)
    UNKNOWN = ""


def workbook_kind(data: bytes) -> WorkbookKind:
    """The kind of workbook `data` is, from its sheet names; UNKNOWN when unsure."""
    from bot.excel.licences.catalogue_layout import ITEMS
    from bot.excel.package import UnreadableWorkbook, WorkbookRefused, sheet_titles
    from bot.excel.post.rules_layout import RULES
    from bot.excel.workbook import header_name

    try:
        titles = sheet_titles(data)
    except (UnreadableWorkbook, WorkbookRefused):
        return WorkbookKind.UNKNOWN
    sheets = {header_name(name) for name in titles}
    found = [
        kind
        for kind, layout in ((WorkbookKind.POST_RULES, RULES), (WorkbookKind.CATALOGUE, ITEMS))
        if sheets & {header_name(name) for name in layout.names}
    ]
    return found[0] if len(found) == 1 else WorkbookKind.UNKNOWN
