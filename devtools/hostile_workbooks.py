"""Hostile .xlsx files, built part by part with zipfile, for the tests and the bench of the
workbook imports (bot/excel/package.py says what each one attacks and how it is refused).

Every file is a well-formed package that Excel's own structure would allow (content types,
relationships, a workbook naming its sheets), so a reader that trusts it goes all the way into
the trap; only the one property under attack is out of proportion. Sizes are parameters so a
test builds small instances and the bench the large ones.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CATALOGUE_HEADERS = ("Sleutel", "Soort", "Naam (nl)", "Toekenning", "Groep-id")
RULES_HEADERS = ("Volgorde", "Id", "Bestemming", "Doel")

Part = bytes | str | Iterable[bytes]  # an iterable is streamed into the zip (the large ones)


def package(
    sheets: Mapping[str, Part],
    *,
    shared_strings: Part | None = None,
    styles: Part | None = None,
    extra: Mapping[str, Part] | None = None,
    workbook_sheets: Sequence[tuple[str, int]] | None = None,
) -> bytes:
    """An .xlsx with these sheets (title -> sheet XML), in order. `workbook_sheets` lists the
    workbook's <sheet> entries as (title, index of the part it points to) when they must not be
    one per part (many titles over one part)."""
    titles = list(sheets)
    entries = workbook_sheets or [(title, index) for index, title in enumerate(titles, start=1)]
    overrides = [
        ("/xl/workbook.xml", f"{_TYPE}.sheet.main+xml"),
        *(
            (f"/xl/worksheets/sheet{n}.xml", f"{_TYPE}.worksheet+xml")
            for n in range(1, len(titles) + 1)
        ),
    ]
    relations = [
        (f"rId{n}", "worksheet", f"worksheets/sheet{n}.xml") for n in range(1, len(titles) + 1)
    ]
    if shared_strings is not None:
        overrides.append(("/xl/sharedStrings.xml", f"{_TYPE}.sharedStrings+xml"))
        relations.append(("rIdS", "sharedStrings", "sharedStrings.xml"))
    if styles is not None:
        overrides.append(("/xl/styles.xml", f"{_TYPE}.styles+xml"))
        relations.append(("rIdY", "styles", "styles.xml"))
    parts: dict[str, Part] = {
        "[Content_Types].xml": _content_types(overrides),
        "_rels/.rels": _relationships([("rId1", "officeDocument", "xl/workbook.xml")]),
        "xl/workbook.xml": _workbook(entries),
        "xl/_rels/workbook.xml.rels": _relationships(relations),
    }
    for number, title in enumerate(titles, start=1):
        parts[f"xl/worksheets/sheet{number}.xml"] = sheets[title]
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    if styles is not None:
        parts["xl/styles.xml"] = styles
    parts.update(extra or {})
    return zipped(parts)


def zipped(parts: Mapping[str, Part], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression, compresslevel=9) as archive:
        for name, content in parts.items():
            if isinstance(content, str):
                content = content.encode()
            if isinstance(content, bytes):
                archive.writestr(name, content)
                continue
            with archive.open(name, "w", force_zip64=True) as member:
                for chunk in content:
                    member.write(chunk)
    return buffer.getvalue()


def sheet(rows: Iterable[str], *, dimension: str = "") -> Iterator[bytes]:
    """A worksheet part from <row> XML strings, streamed."""
    head = f'<worksheet xmlns="{MAIN}">'
    if dimension:
        head += f'<dimension ref="{dimension}"/>'
    yield (head + "<sheetData>").encode()
    batch: list[str] = []
    size = 0
    for row in rows:
        batch.append(row)
        size += len(row)
        if size >= 1024 * 1024:  # streamed in pieces of about a MiB, whatever the rows
            yield "".join(batch).encode()
            batch.clear()
            size = 0
    yield ("".join(batch) + "</sheetData></worksheet>").encode()


def text_row(number: int, values: Sequence[str]) -> str:
    """A row of inline strings from column A on."""
    cells = "".join(
        f'<c r="{_column(index)}{number}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
        for index, value in enumerate(values, start=1)
    )
    return f'<row r="{number}">{cells}</row>'


def header(headers: Sequence[str] | str = CATALOGUE_HEADERS) -> str:
    """The header row: these headers, or those of the importer that reads a sheet so titled."""
    if isinstance(headers, str):
        headers = RULES_HEADERS if headers in ("Regels", "Rules") else CATALOGUE_HEADERS
    return text_row(1, headers)


# --- the attacks ---------------------------------------------------------------------------------
def far_column(rows: int, title: str = "Artikelen") -> bytes:
    """One number per row, in column XFD (the last): a reader that sizes rows by their last
    cell builds 16,384 values for each. 68 KiB carries about 20,000 such rows."""
    body = (f'<row r="{n}"><c r="XFD{n}"><v>1</v></c></row>' for n in range(2, rows + 2))
    return package({title: sheet([header(title), *body])})


def stated_dimension(title: str = "Artikelen") -> bytes:
    """A small sheet that says it spans every cell Excel has: A1:XFD1048576."""
    rows = [header(title), text_row(2, ("K1", "licence", "Naam", "group", ""))]
    return package({title: sheet(rows, dimension="A1:XFD1048576")})


def many_rows(rows: int, title: str = "Artikelen") -> bytes:
    """Rows of data, each a few cells: more than an import ever needs."""
    body = (text_row(n, (f"K{n}", "licence", "Naam", "group")) for n in range(2, rows + 2))
    return package({title: sheet([header(title), *body])})


def row_far_below(row: int, title: str = "Artikelen") -> bytes:
    """A header and one data row numbered `row`: all the rows between are empty."""
    data = text_row(row, ("K1", "licence", "Naam", "group"))
    return package({title: sheet([header(title), data])})


def empty_rows(rows: int, title: str = "Artikelen") -> bytes:
    """Row elements without cells, by the million: nothing to read, all of it parsed."""
    body = (f'<row r="{n}"/>' for n in range(2, rows + 2))
    return package({title: sheet([header(title), *body])})


def padded_part(megabytes: int, title: str = "Artikelen") -> bytes:
    """A sheet whose XML is padded with whitespace to `megabytes` MiB: a few KiB zipped (the
    classic zip bomb, at a compression ratio of about a thousand)."""

    def rows() -> Iterator[str]:
        yield header(title)
        chunk = " " * (1024 * 1024)
        for _ in range(megabytes):
            yield chunk

    return package({title: sheet(rows())})


def shared_string_bomb(characters: int, cells: int, title: str = "Artikelen") -> bytes:
    """One shared string of `characters` characters, used by `cells` cells (every column of the
    importer's header, row after row): a few bytes per cell in the sheet, the whole string for
    each cell a reader copies or checks."""

    def strings() -> Iterator[bytes]:
        yield f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode()
        for _ in range(characters // 65536):
            yield b"A" * 65536
        yield b"A" * (characters % 65536) + b"</t></si></sst>"

    def rows() -> Iterator[str]:
        yield header(title)
        per_row = len(RULES_HEADERS if title in ("Regels", "Rules") else CATALOGUE_HEADERS)
        for n in range(2, -(-cells // per_row) + 2):
            refs = "".join(
                f'<c r="{_column(c)}{n}" t="s"><v>0</v></c>' for c in range(1, per_row + 1)
            )
            yield f'<row r="{n}">{refs}</row>'

    return package({title: sheet(rows())}, shared_strings=strings())


def many_shared_strings(count: int, title: str = "Artikelen") -> bytes:
    """A shared string table of `count` short distinct strings (each a Python object when
    read), none of them used."""

    def strings() -> Iterator[bytes]:
        yield f'<sst xmlns="{MAIN}">'.encode()
        for start in range(0, count, 4096):
            yield "".join(
                f"<si><t>{n}</t></si>" for n in range(start, min(count, start + 4096))
            ).encode()
        yield b"</sst>"

    return package({title: sheet([header(title)])}, shared_strings=strings())


def many_sheets(count: int) -> bytes:
    """`count` sheet titles in the workbook, all over one small sheet part."""
    entries = [("Artikelen", 1), *((f"Blad{n}", 1) for n in range(2, count + 1))]
    return package({"Artikelen": sheet([header()])}, workbook_sheets=entries)


def many_members(count: int) -> bytes:
    """A normal sheet and `count` tiny extra parts in the zip."""
    extra = {f"xl/media/image{n}.png": b"\x89PNG" for n in range(count)}
    return package({"Artikelen": sheet([header()])}, extra=extra)


def style_bomb(formats: int) -> bytes:
    """A style sheet of `formats` cell formats (each becomes objects when styles are read)."""
    xf = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'

    def styles() -> Iterator[bytes]:
        yield (
            f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font/></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders>'
            f'<cellStyleXfs count="1">{xf}</cellStyleXfs><cellXfs count="{formats}">'
        ).encode()
        for start in range(0, formats, 4096):
            yield (xf * min(4096, formats - start)).encode()
        yield b"</cellXfs></styleSheet>"

    return package({"Artikelen": sheet([header()])}, styles=styles())


def entity_expansion() -> bytes:
    """A shared string table that declares entities ("billion laughs")."""
    laughs = '<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(8)
    )
    strings = f'{laughs}]><sst xmlns="{MAIN}"><si><t>&i;</t></si></sst>'
    return package({"Artikelen": sheet([header()])}, shared_strings=strings)


def foreign_member(name: str = "payload/run.exe") -> bytes:
    """A normal workbook with a part no spreadsheet has."""
    return package({"Artikelen": sheet([header()])}, extra={name: b"MZ"})


# --- parts ---------------------------------------------------------------------------------------
def _content_types(overrides: Iterable[tuple[str, str]]) -> str:
    items = "".join(
        f"<Override PartName={quoteattr(name)} ContentType={quoteattr(kind)}/>"
        for name, kind in overrides
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{items}</Types>'
    )


def _relationships(items: Iterable[tuple[str, str, str]]) -> str:
    body = "".join(
        f'<Relationship Id="{rid}" Type="{DOC_RELS}/{kind}" Target={quoteattr(target)}/>'
        for rid, kind, target in items
    )
    return f'<Relationships xmlns="{RELS}">{body}</Relationships>'


def _workbook(entries: Sequence[tuple[str, int]]) -> str:
    sheets = "".join(
        f'<sheet name={quoteattr(title)} sheetId={quoteattr(str(n))} r:id="rId{part}"/>'
        for n, (title, part) in enumerate(entries, start=1)
    )
    return f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>{sheets}</sheets></workbook>'


def _column(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
