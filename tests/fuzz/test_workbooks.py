"""Random workbooks to both importers: the licence catalogue and the routing rules of post.

Workbooks start as the real exports (what an admin downloads, edits and sends back) and are then
changed the way people and attackers change them: cells of every type anywhere (in the known
sheets, far right and far down), real keys and ids moved to other cells, extra, removed and
renamed sheets; or they are not a workbook at all (random bytes, a cut-off file). They go to the
readers, and through the whole bot as a file an admin sends in the chat. Properties:

- never an unhandled exception (no ERROR in the log); a refusal is a list of problems, each one
  described in Dutch and English;
- in the chat, the sender gets an answer and nothing is stored from a refused workbook (the
  catalogue only from a workbook the reader accepts; the rules never before a confirmation).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

import pytest
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from bot.domain.post.items import Destination, DestinationKind
from bot.domain.post.routing import RoutingRule, RuleConditions
from bot.excel.licences.catalogue_files import ExcelCatalogueWorkbooks
from bot.excel.post.rules_files import ExcelRuleWorkbooks
from bot.i18n import Translator
from devtools.demo_catalogue import demo_catalogue
from tests.fuzz.conftest import TENANT, Bot, ErrorLog, count, fuzz, fuzz_settings
from tests.fuzz.strategies import HOSTILE_SNIPPETS, hostile_text
from tests.fuzz.world import GUARDED, JEF, foreign_changes, seed, snapshot

THOMAS = "8e31cd68-aab2-4cbf-b980-00e773e52b18"  # Werkplek admin: may import both
FILE_DOWNLOAD_INFO = "application/vnd.microsoft.teams.file.download.info"
CATALOGUES, RULES = ExcelCatalogueWorkbooks(), ExcelRuleWorkbooks()
SAMPLE_RULES = [
    RoutingRule(
        "R-001",
        1,
        Destination(DestinationKind.PERSON, JEF),
        RuleConditions(keywords=("fietsparking",), sender_contains="leuven"),
        entity="ADV",
        description="Mobiliteit",
    ),
    RoutingRule("R-002", 2, Destination(DestinationKind.TRIAGE, ""), entity="*"),
]
EXPORTS = {"catalogue": CATALOGUES.write(demo_catalogue()), "rules": RULES.write(SAMPLE_RULES)}
ENTITIES = ["ADV", "DOMG", "AWV"]
LANGUAGES = (Translator("nl"), Translator("en"))
SHEET_TITLES = st.text(
    st.characters(exclude_characters="[]:*?/\\", exclude_categories=("Cs", "Cc")), max_size=31
)
EXCEL_MAX_COLUMN = 16_384  # XFD
EXCEL_MAX_ROW = 1_048_576


def _legal(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:32_767]


def cell_values(kind: str) -> st.SearchStrategy[Any]:
    workbook = load_workbook(io.BytesIO(EXPORTS[kind]), read_only=True)
    known = sorted(
        {
            str(v)
            for ws in workbook.worksheets
            for row in ws.iter_rows(values_only=True)
            for v in row
            if v is not None
        }
    )
    workbook.close()
    return st.one_of(
        st.none(),
        st.sampled_from(known),
        st.sampled_from(known).map(str.upper),
        hostile_text(100).map(_legal),
        st.sampled_from(HOSTILE_SNIPPETS).map(_legal),
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.floats(allow_nan=False, allow_infinity=False),
        st.booleans(),
        st.dates(min_value=date(1900, 3, 1)),
        st.datetimes(min_value=datetime(1900, 3, 1)),
        st.sampled_from(["=1/0", "=A1", '=HYPERLINK("https://evil.example")', "#N/A"]),
    )


@st.composite
def workbooks(draw: st.DrawFn, kind: str) -> bytes:
    how = draw(st.sampled_from(["cells", "cells", "cells", "sheets", "bytes", "cut"]))
    if how == "bytes":
        return draw(st.binary(max_size=4000))
    if how == "cut":
        data = EXPORTS[kind]
        return data[: draw(st.integers(0, len(data) - 1))]
    workbook = load_workbook(io.BytesIO(EXPORTS[kind]))
    values = cell_values(kind)
    if how == "sheets":
        for _ in range(draw(st.integers(1, 3))):
            action = draw(st.sampled_from(["add", "remove", "rename"]))
            sheets = workbook.worksheets
            if action == "add" or len(sheets) == 1:
                sheet = workbook.create_sheet(_legal(draw(SHEET_TITLES)) or "X")
                sheet.cell(1, 1).value = draw(values)
            elif action == "remove":
                workbook.remove(draw(st.sampled_from(sheets)))
            else:
                name = draw(st.sampled_from(["Regels", "Rules", "Artikelen", "Items", "Blad1"]))
                if name not in workbook.sheetnames:
                    draw(st.sampled_from(sheets)).title = name
    for _ in range(draw(st.integers(1, 10))):
        sheet = draw(st.sampled_from(workbook.worksheets))
        far = draw(st.integers(0, 9)) == 0
        # near the filled area, but never past Excel's last row or column (a far write before
        # may have filled that already)
        row = draw(st.integers(1, EXCEL_MAX_ROW if far else min(sheet.max_row + 3, EXCEL_MAX_ROW)))
        near_column = min(sheet.max_column + 3, EXCEL_MAX_COLUMN)
        column = draw(st.integers(1, EXCEL_MAX_COLUMN if far else near_column))
        sheet.cell(row, column).value = draw(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(kind: str, data: bytes) -> tuple[object | None, list[str]]:
    """What the importer's reader makes of it, with every problem described in both languages."""
    if kind == "catalogue":
        value, problems = CATALOGUES.read(data)
        described = [CATALOGUES.describe(p, t) for p in problems for t in LANGUAGES]
    else:
        rules = RULES.read(data, ENTITIES)
        value, problems = rules.rules, rules.problems
        described = [RULES.describe(p, t) for p in problems for t in LANGUAGES]
    assert (value is None) == bool(problems), "either the result or the problems"
    assert all(isinstance(text, str) and text for text in described)
    return value, described


@fuzz_settings(100)
@given(data=workbooks("catalogue"))
def test_random_catalogue_workbooks_are_read_or_refused_with_problems(data: bytes) -> None:
    count("catalogue reader")
    read("catalogue", data)


@fuzz_settings(250)
@given(data=workbooks("rules"))
def test_random_rules_workbooks_are_read_or_refused_with_problems(data: bytes) -> None:
    count("rules reader")
    read("rules", data)


def test_the_exports_themselves_are_accepted() -> None:
    # Else every mutation above would start from a refusal, and prove little.
    assert read("catalogue", EXPORTS["catalogue"])[0] is not None
    assert read("rules", EXPORTS["rules"])[0] is not None


# --- through the bot ------------------------------------------------------------------------------
@pytest.fixture
async def files() -> AsyncIterator[tuple[str, dict[str, bytes]]]:
    """A stand-in for SharePoint's download URLs: (base URL, name -> bytes served)."""
    served: dict[str, bytes] = {}

    async def download(request: web.Request) -> web.Response:
        return web.Response(body=served.get(request.match_info["name"], b""))

    app = web.Application()
    app.router.add_get("/files/{name}", download)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}/files/", served
    await runner.cleanup()


def file_message(service_url: str, url: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": uuid.uuid4().hex,
        "locale": "nl-BE",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:{THOMAS}", "aadObjectId": THOMAS, "name": "Thomas Claes"},
        "recipient": {"id": "28:werkplek", "name": "Werkplek"},
        "conversation": {"id": "a:thomas-chat", "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
        "text": "",
        "attachments": [
            {
                "contentType": FILE_DOWNLOAD_INFO,
                "name": "werkplek.xlsx",
                "content": {"downloadUrl": url, "fileType": "xlsx", "uniqueId": "x"},
            }
        ],
    }


async def test_random_workbooks_sent_in_the_chat_are_answered_and_only_a_valid_one_kept(
    bot: Bot, error_log: ErrorLog, files: tuple[str, dict[str, bytes]]
) -> None:
    await seed(bot)
    base, served = files
    catalogue_tables = {table.name for table in GUARDED if table.name.startswith("catalogue")}
    last = {"state": await snapshot(bot.database)}

    async def check(kind: str, data: bytes) -> None:
        count("workbooks in chat")
        name = uuid.uuid4().hex
        served[name] = data
        message = file_message(bot.connector.service_url, base + name)
        response = await bot.client.post("/api/messages", json=message)
        await response.read()
        error_log.check(kind)
        assert response.status < 500
        answers = [
            r for r in bot.connector.activities if r.activity.get("replyToId") == message["id"]
        ]
        assert answers, "the sender is answered"
        before, after = last["state"], await snapshot(bot.database)
        last["state"] = after
        changed = {line.split()[0] for line in foreign_changes(before, after, ())}
        accepted = kind == "catalogue" and CATALOGUES.read(data)[0] is not None
        # A refused workbook changes nothing; an accepted catalogue replaces the catalogue.
        assert changed <= (catalogue_tables if accepted else set()), (kind, changed)

    await fuzz(
        check,
        fuzz_settings(40),
        kind=st.shared(st.sampled_from(["catalogue", "rules"]), key="kind"),
        data=st.shared(st.sampled_from(["catalogue", "rules"]), key="kind").flatmap(workbooks),
    )
