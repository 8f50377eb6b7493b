"""A workbook's zip checked before openpyxl opens it, and the limits of reading its cells.

An .xlsx is a zip of XML parts, and what openpyxl does with them scales with what the file
says, not with the bytes uploaded: a shared string table or a style sheet is parsed whole, every
sheet is parsed once just to open the workbook, a whitespace-padded part of 200 MiB zips to
200 KiB, and one entity declaration can expand to a gigabyte. A 5 MB upload (the chat limit)
can so cost gigabytes and minutes. `inspect_package` therefore reads only the zip's directory,
the first bytes of each XML part and the three small parts that name the sheets, and refuses a
file that would cost more than a real catalogue or rule set ever does: too many parts, a part
or the whole too large once unzipped, a part compressed like a zip bomb, a part no spreadsheet
has, a document type declaration (entities), too many sheets, or two sheets over one part.

Decisions (and why):
- The sizes a zip states are what zipfile enforces while reading (it stops at the stated size
  and fails the checksum), so the stated sizes are a bound, not a claim to verify.
- The workbook part is found as openpyxl finds it (the content types, not `_rels/.rels`), so
  the sheets counted here are the sheets openpyxl opens.
- Limits are constants, not settings: they sit far above what an import of the catalogue or
  the routing rules needs (hundreds of rows), and an admin has no reason to move them.
- A refusal is a WorkbookRefused with a `workbook.refused.*` message key and its `{value}`;
  the importers turn it into one problem of their usual row-by-row report.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError, XMLParser

# The largest file read at all (the chat caps uploads lower: WERKPLEK_MAX_UPLOAD_MB).
MAX_FILE_BYTES = 20 * 1024 * 1024
# Excel writes a dozen parts plus a few per sheet; images and comments add some.
MAX_PARTS = 500
# Any one part unzipped: a sheet of 5,000 full rows is about 3 MiB of XML.
MAX_PART_BYTES = 12 * 1024 * 1024
# Parts openpyxl parses whole into objects (styles, workbook, relationships, properties) cost
# about 15 times their size in memory; a bloated style sheet of 60,000 formats is 4 MiB.
MAX_TREE_PART_BYTES = 4 * 1024 * 1024
# All parts unzipped together.
MAX_TOTAL_BYTES = 40 * 1024 * 1024
# Spreadsheet XML deflates about ten to one; padding meant to explode deflates a thousand to
# one. Small parts are left alone (a short run of empty rows compresses well and costs nothing).
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
# Our workbooks have two to six sheets; every sheet is parsed once when the workbook opens.
MAX_SHEETS = 50
# How far into an XML part its root element must start (the prolog is where a document type
# declaration would be).
PROLOG_BYTES = 64 * 1024
# Rows below the header an import reads: a catalogue or rule set has hundreds.
MAX_ROWS = 5000
# Columns searched for headers: an admin may add columns of their own next to ours.
MAX_HEADER_COLUMNS = 100
# Excel's own limit for one cell: anything longer was not written by Excel.
MAX_CELL_CHARACTERS = 32_767
# Text handed to the row checks, all cells together: one shared string can fill every cell, so
# cells are counted by what they say, not by what they cost in the file.
MAX_TEXT_CHARACTERS = 16_000_000
# The largest Excel row number; openpyxl pads skipped rows, so nothing is read past it.
EXCEL_ROWS = 1_048_576

# Where an Office Open XML spreadsheet keeps its parts (customXml: SharePoint's metadata).
_ROOTS = (
    "[Content_Types].xml",
    "_rels/",
    "docProps/",
    "xl/",
    "customXml/",
    "docMetadata/",  # sensitivity labels (Microsoft Purview)
    "_xmlsignatures/",  # a signed workbook
)
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_WORKSHEET_PARTS = re.compile(r"^xl/(worksheets|chartsheets|dialogsheets|macrosheets)/")
_SHARED_STRINGS = "sharedStrings.xml"
_CONTENT_TYPES = "[Content_Types].xml"
_DEFAULT_WORKBOOK = "xl/workbook.xml"
# The workbook part's content types, in the order openpyxl looks for them.
_WORKBOOK_TYPES = tuple(
    f"application/vnd.{kind}"
    for kind in (
        "ms-excel.template.macroEnabled.main+xml",
        "openxmlformats-officedocument.spreadsheetml.template.main+xml",
        "ms-excel.sheet.macroEnabled.main+xml",
        "openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    )
)
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


class WorkbookRefused(Exception):
    """A file refused by a limit before or while its cells are read. `message_key` is a
    workbook.refused.* message whose {value} is `value`; `sheet` (a layout key, set by the
    importer), `row` and `column` (a field key) place it when known."""

    def __init__(
        self, message_key: str, value: object = "", *, row: int | None = None, column: str = ""
    ) -> None:
        super().__init__(message_key)
        self.message_key = message_key
        self.value = str(value)
        self.sheet = ""
        self.row = row
        self.column = column

    def on_sheet(self, sheet: str) -> WorkbookRefused:
        self.sheet = sheet
        return self


class UnreadableWorkbook(Exception):
    """The bytes are not an .xlsx workbook (the importers' own not_a_workbook problem)."""


@dataclass(frozen=True, slots=True)
class Package:
    """What the inspection learnt: the sheets' titles in workbook order."""

    sheet_titles: tuple[str, ...]


def inspect_package(data: bytes) -> Package:
    """Check the zip before any XML is parsed for its content. Raises UnreadableWorkbook or
    WorkbookRefused."""
    with _opened(data) as archive:
        members = archive.infolist()
        if len(members) > MAX_PARTS:
            raise WorkbookRefused("workbook.refused.too_many_parts", MAX_PARTS)
        names = [member.filename for member in members]
        if len(set(names)) != len(names):  # two parts of one name: which one is read is luck
            raise UnreadableWorkbook("duplicate part")
        for member in members:
            _check_part(archive, member)
        if sum(member.file_size for member in members) > MAX_TOTAL_BYTES:
            raise WorkbookRefused("workbook.refused.too_large", _mib(MAX_TOTAL_BYTES))
        return Package(_sheet_titles(archive, set(names)))


def sheet_titles(data: bytes) -> tuple[str, ...]:
    """The sheets' titles, having checked only the parts that name them: what a file is for
    can be told even when the rest of it is refused."""
    with _opened(data) as archive:
        return _sheet_titles(archive, set(archive.namelist()), check=True)


def _opened(data: bytes) -> zipfile.ZipFile:
    if len(data) > MAX_FILE_BYTES:
        raise WorkbookRefused("workbook.refused.file_too_large", _mib(MAX_FILE_BYTES))
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        raise UnreadableWorkbook(type(error).__name__) from None


def _check_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    name = member.filename
    if not name.startswith(_ROOTS) or ".." in name.split("/") or "\\" in name:
        raise WorkbookRefused("workbook.refused.not_excel")
    size = member.file_size
    if size > _part_limit(name):
        raise WorkbookRefused("workbook.refused.too_large", _mib(_part_limit(name)))
    if size > RATIO_FROM_BYTES and size > MAX_RATIO * max(1, member.compress_size):
        raise WorkbookRefused("workbook.refused.compressed", MAX_RATIO)
    if name.endswith(_XML_SUFFIXES):
        _check_prolog(archive, member)


def _part_limit(name: str) -> int:
    """Sheets and the shared strings are streamed; every other part is parsed whole."""
    streamed = _WORKSHEET_PARTS.match(name) or name.endswith(_SHARED_STRINGS)
    if streamed or not name.endswith(_XML_SUFFIXES):
        return MAX_PART_BYTES
    return MAX_TREE_PART_BYTES


def _check_prolog(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """No document type declaration (entities expand while parsing); the root element starts
    within PROLOG_BYTES. Only the start of the part is unzipped."""
    try:
        with archive.open(member) as part:
            head = part.read(PROLOG_BYTES)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as error:
        # RuntimeError: an encrypted part (a password-protected workbook)
        raise UnreadableWorkbook(type(error).__name__) from None
    text = _decoded(head)
    root = _first_element(text)
    if "<!DOCTYPE" in (text if root < 0 else text[:root]):
        raise WorkbookRefused("workbook.refused.entities")
    if root < 0 and len(head) >= PROLOG_BYTES:
        raise WorkbookRefused("workbook.refused.not_excel")


def _decoded(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    return head.decode("latin-1")  # markup is ASCII in every encoding expat reads besides


def _first_element(text: str) -> int:
    """Where the first start tag is (not "<?" nor "<!"), or -1."""
    found = re.search(r"<[^?!]", text)
    return found.start() if found else -1


# --- the sheets, found as openpyxl finds them -----------------------------------------------------
def _sheet_titles(
    archive: zipfile.ZipFile, names: set[str], *, check: bool = False
) -> tuple[str, ...]:
    """The titles of the workbook part's sheets; `check`: check the parts read first (done
    already when the whole package was checked)."""
    types = _parse(archive, _CONTENT_TYPES, names, check)
    workbook_part = _workbook_part(types)
    folder, file = posixpath.split(workbook_part)
    rels_name = posixpath.join(folder, "_rels", f"{file}.rels")
    targets: dict[str, str] = {}
    if rels_name in names:
        for relation in _parse(archive, rels_name, names, check):
            if relation.get("TargetMode") != "External":
                targets[relation.get("Id", "")] = _resolve(folder, relation.get("Target", ""))
    workbook = _parse(archive, workbook_part, names, check)
    sheets = [
        sheet
        for group in workbook
        if _local(group) == "sheets"
        for sheet in group
        if _local(sheet) == "sheet"
    ]
    if len(sheets) > MAX_SHEETS:
        raise WorkbookRefused("workbook.refused.too_many_sheets", MAX_SHEETS)
    parts = [targets.get(sheet.get(_R, ""), "") for sheet in sheets]
    opened = [part for part in parts if part in names]
    if len(set(opened)) != len(opened):  # each title would parse the same part again
        raise UnreadableWorkbook("shared sheet part")
    return tuple(sheet.get("name", "") for sheet in sheets)


def _workbook_part(types: Element) -> str:
    overrides = {
        element.get("ContentType", ""): element.get("PartName", "")
        for element in reversed(list(types))
        if _local(element) == "Override"
    }
    for kind in _WORKBOOK_TYPES:
        if overrides.get(kind):
            return overrides[kind][1:]  # "/xl/workbook.xml", read as openpyxl reads it
    defaults = {e.get("ContentType", "") for e in types if _local(e) == "Default"}
    if defaults & set(_WORKBOOK_TYPES):
        return _DEFAULT_WORKBOOK
    raise UnreadableWorkbook("no workbook part")


def _resolve(folder: str, target: str) -> str:
    """A relationship's target as a part name (openpyxl's get_dependents does the same)."""
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(folder, target))


def _parse(archive: zipfile.ZipFile, name: str, names: set[str], check: bool) -> Element:
    """A small part (checked: size, no entities) as a tree."""
    if name not in names:
        raise UnreadableWorkbook("missing part")
    member = archive.getinfo(name)
    if check:
        _check_part(archive, member)
    if member.file_size > MAX_TREE_PART_BYTES:
        raise WorkbookRefused("workbook.refused.too_large", _mib(MAX_TREE_PART_BYTES))
    parser = XMLParser()
    try:
        with archive.open(member) as part:
            while chunk := part.read(64 * 1024):
                parser.feed(chunk)
        return parser.close()
    except (ParseError, zipfile.BadZipFile, RuntimeError, OSError, EOFError) as error:
        raise UnreadableWorkbook(type(error).__name__) from None


def _local(element: Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _mib(size: int) -> int:
    return size // (1024 * 1024)
