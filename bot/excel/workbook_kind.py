"""Which of Werkplek's workbooks a file is, from its sheet names: what an upload in chat is for.

Admins send edited workbooks in the chat without saying what they are; the sheets tell. The
routing rules have a "Regels" sheet ("Rules"), the licence catalogue an "Artikelen" sheet
("Items"), the service desk's knowledge base an "Artikels" sheet ("Articles"); names are
compared as headers are (case, accents and punctuation ignored), whole: "Artikels" is not
"Artikelen", nor is either a form of the other. A file that is not a workbook, has none of these
sheets, or more than one kind's is UNKNOWN: the caller decides.

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
    ARTICLES = "articles"  # the service desk's knowledge base (bot/excel/servicedesk/articles.py)
    UNKNOWN = ""


def workbook_kind(data: bytes) -> WorkbookKind:
    """The kind of workbook `data` is, from its sheet names; UNKNOWN when unsure."""
    from bot.excel.licences.catalogue_layout import ITEMS
    from bot.excel.package import UnreadableWorkbook, WorkbookRefused, sheet_titles
    from bot.excel.post.rules_layout import RULES
    from bot.excel.servicedesk.articles_layout import ARTICLES
    from bot.excel.workbook import header_name

    try:
        titles = sheet_titles(data)
    except (UnreadableWorkbook, WorkbookRefused):
        return WorkbookKind.UNKNOWN
    sheets = {header_name(name) for name in titles}
    kinds = (
        (WorkbookKind.POST_RULES, RULES),
        (WorkbookKind.CATALOGUE, ITEMS),
        (WorkbookKind.ARTICLES, ARTICLES),
    )
    found = [
        kind for kind, layout in kinds if sheets & {header_name(name) for name in layout.names}
    ]
    return found[0] if len(found) == 1 else WorkbookKind.UNKNOWN
