"""Read Word (.docx) and Excel (.xlsx) plan documents into a flat list of blocks.

Pure module: no database, no Django models (only Django's translations, for the messages). Both
readers return ``Paragraph`` / ``TableRow`` blocks in document order and leave every decision about
what the blocks *mean* (title, section, task) to the caller, so the same plan parser can run over
text, Word and Excel input alike.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from io import BytesIO

import openpyxl
from django.utils.translation import gettext_lazy as _
from docx import Document
from docx.oxml.ns import qn
from openpyxl.worksheet.worksheet import Worksheet

from ..filetypes import FileRejected, check_zip_contents
from .types import Block, Paragraph, PlanParseError, TableRow

__all__ = ["read_docx", "read_xlsx", "sniff_office_format"]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DOCX_MAIN_PART = "word/document.xml"
XLSX_MAIN_PART = "xl/workbook.xml"

# A plan is a few hundred kilobytes; anything that inflates past this is a zip bomb or not a plan.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024

DOCX_CORRUPT = _("无法读取该 Word 文件：文件已损坏或不是 .docx 格式")
XLSX_CORRUPT = _("无法读取该 Excel 文件：文件已损坏或不是 .xlsx 格式")
LEGACY_OFFICE = _("这是旧版 Office 文件（.doc/.xls），请另存为 .docx 或 .xlsx 后再导入")
TOO_LARGE = _("文件解压后过大，拒绝导入")

# In an Excel sheet, the first row with this many filled cells is taken as the table header;
# single-cell rows above it are the document's title and subtitle, not table content.
HEADER_MIN_FILLED_CELLS = 3

# Excel stores a carriage return inside a cell as the OOXML escape "_x000D_" and openpyxl does
# not decode it; only the whitespace escapes matter for plan text.
_OOXML_WHITESPACE_ESCAPE = re.compile(r"_x(000[dDaA9])_")


def sniff_office_format(data: bytes) -> str | None:
    """Return "docx", "xlsx" or "ole" for an Office file, or None for anything else.

    Never raise: this runs on arbitrary uploads before any reader is chosen.
    """
    if data.startswith(OLE_MAGIC):
        return "ole"
    # Every OOXML package starts with a local file header; skip the zip parser for plain text.
    if not data.startswith(b"PK"):
        return None
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = set(archive.namelist())
    except Exception:  # zipfile raises many exception types on garbage; sniffing must not
        return None
    return _kind_from_members(names)


def read_docx(data: bytes) -> list[Block]:
    """Read a .docx body into paragraphs and table rows in document order.

    ``line`` counts the emitted blocks from 1, so "第 N 行" means the Nth paragraph or row.
    """
    _check_package(data, expected="docx", corrupt_message=DOCX_CORRUPT)
    try:
        body = Document(BytesIO(data)).element.body
    except Exception as exc:  # python-docx, lxml and zipfile each fail their own way on bad parts
        raise PlanParseError(DOCX_CORRUPT) from exc

    blocks: list[Block] = []
    for element in _iter_block_elements(body):
        if element.tag == qn("w:p"):
            text = _paragraph_text(element).rstrip()
            if text.strip():
                blocks.append(Paragraph(text=text, line=len(blocks) + 1))
        else:
            for cells in _table_rows(element):
                # Blank rows (spare rows left at the end of a form) carry nothing to import.
                if any(cells):
                    blocks.append(TableRow(cells=cells, line=len(blocks) + 1))
    return blocks


def read_xlsx(data: bytes) -> list[Block]:
    """Read every visible worksheet into table rows; title rows above the header become paragraphs.

    ``line`` is the Excel row number and restarts on each sheet. When more than one visible sheet
    has content, each sheet's rows are preceded by ``Paragraph(sheet title, line=0)``.
    """
    _check_package(data, expected="xlsx", corrupt_message=XLSX_CORRUPT)
    try:
        # read_only=False because read-only worksheets carry no merged-cell information.
        workbook = openpyxl.load_workbook(BytesIO(data), read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises KeyError, lxml errors, InvalidFileException...
        raise PlanParseError(XLSX_CORRUPT) from exc

    sheets = [
        (sheet.title, rows)
        for sheet in workbook.worksheets
        if sheet.sheet_state == "visible" and (rows := _sheet_rows(sheet))
    ]
    blocks: list[Block] = []
    for title, rows in sheets:
        # Empty default sheets ("Sheet2", "Sheet3") do not count: a single-table workbook
        # should read the same whether or not they were deleted.
        if len(sheets) > 1:
            blocks.append(Paragraph(text=title, line=0))
        blocks.extend(_sheet_blocks(rows))
    return blocks


# --- package checks -------------------------------------------------------------------------


def _kind_from_members(names: set[str]) -> str | None:
    if DOCX_MAIN_PART in names:
        return "docx"
    if XLSX_MAIN_PART in names:
        return "xlsx"
    return None


def _check_package(data: bytes, *, expected: str, corrupt_message: str) -> None:
    """Refuse legacy, corrupt, oversized or wrong-kind packages before a library parses them."""
    if data.startswith(OLE_MAGIC):
        raise PlanParseError(LEGACY_OFFICE)
    # The uploads' own check: every member really inflated and counted, nested zips examined,
    # only stored and deflated members (zipfile inflates bzip2 and lzma reads without a bound).
    try:
        names = check_zip_contents(BytesIO(data), max_total_bytes=MAX_UNCOMPRESSED_BYTES)
    except FileRejected as exc:
        raise PlanParseError(TOO_LARGE if exc.code in ("too_large", "ratio") else corrupt_message) from exc
    if _kind_from_members(names) != expected:
        raise PlanParseError(corrupt_message)


# --- Word -----------------------------------------------------------------------------------

_CONTAINER_TAGS = frozenset({qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")})
_BLOCK_TAGS = frozenset({qn("w:p"), qn("w:tbl")})


def _iter_block_elements(container) -> Iterator:
    """Yield the ``w:p`` and ``w:tbl`` children of a body or cell, in order.

    Content controls and custom-XML wrappers are opened, because templated government documents
    often put the whole body inside one and its text would otherwise vanish.
    """
    for child in container.iterchildren():
        if child.tag in _BLOCK_TAGS:
            yield child
        elif child.tag in _CONTAINER_TAGS:
            yield from _iter_block_elements(child)


def _paragraph_text(p) -> str:
    """Return a paragraph's visible text, tracked insertions included and deletions excluded.

    python-docx's ``Paragraph.text`` only reads direct ``w:r``/``w:hyperlink`` children, which
    drops runs wrapped in ``w:ins``, smart tags or inline content controls. Text boxes are left
    out: they float beside the flow and their text is stored twice (drawing and VML fallback).
    """
    runs = p.xpath(
        ".//w:r[not(ancestor::w:del) and not(ancestor::w:moveFrom)"
        " and not(ancestor::w:txbxContent)]"
    )
    return "".join(run.text for run in runs)


def _table_rows(tbl) -> Iterator[tuple[str, ...]]:
    """Yield each row of a table as one string per layout-grid column."""
    # Rows and cells may sit inside a content control: templates use them for repeating rows.
    for tr in tbl.xpath("./w:tr | ./w:sdt/w:sdtContent/w:tr | ./w:customXml/w:tr"):
        # Rows may start late or end early (gridBefore/gridAfter); pad so columns stay aligned.
        cells = [""] * tr.grid_before
        for tc in tr.xpath("./w:tc | ./w:sdt/w:sdtContent/w:tc | ./w:customXml/w:tc"):
            # A vertical-merge continuation repeats nothing: the text belongs to the top cell
            # only, as in the plain-text layout where continuation rows leave the column blank.
            cells.append("" if tc.vMerge == "continue" else _cell_text(tc))
            # A horizontal span is one cell; its extra grid columns read as empty.
            cells.extend([""] * (tc.grid_span - 1))
        cells.extend([""] * tr.grid_after)
        yield tuple(cells)


def _cell_text(tc) -> str:
    """Return a cell's paragraphs one per line, with any nested table flattened into lines."""
    lines: list[str] = []
    for element in _iter_block_elements(tc):
        if element.tag == qn("w:p"):
            lines.append(_paragraph_text(element))
        else:
            # One line per filled nested cell: nested tables usually list units or sub-items.
            lines.extend(cell for row in _table_rows(element) for cell in row if cell)
    return _tidy("\n".join(lines))


# --- Excel ----------------------------------------------------------------------------------


def _sheet_rows(sheet: Worksheet) -> list[tuple[int, tuple[str, ...]]]:
    """Return ``(row number, cells)`` for each non-empty row.

    Cells run from column A to the row's last filled column.
    """
    # Walk only the cells present in the file. ``iter_rows`` materialises every coordinate of
    # the used range, and one stray formatted cell at XFD1048576 makes that billions of cells.
    filled: dict[int, dict[int, str]] = {}
    for (row, column), cell in sheet._cells.items():
        # Merged ranges: openpyxl keeps the value on the top-left cell only and the others are
        # empty MergedCells, which we leave empty rather than copy the value into.
        text = _excel_value_text(cell.value, cell.number_format)
        if text:
            filled.setdefault(row, {})[column] = text
    return [
        (row, tuple(by_column.get(column, "") for column in range(1, max(by_column) + 1)))
        for row, by_column in sorted(filled.items())
    ]


def _sheet_blocks(rows: list[tuple[int, tuple[str, ...]]]) -> Iterator[Block]:
    """Turn a sheet's rows into blocks: rows above the header row are the title, so paragraphs.

    Without any header-like row nothing is guessed and every row stays a ``TableRow``.
    """
    header_index = next(
        (
            index
            for index, (_, cells) in enumerate(rows)
            if sum(1 for cell in cells if cell) >= HEADER_MIN_FILLED_CELLS
        ),
        0,
    )
    for index, (row, cells) in enumerate(rows):
        if index < header_index:
            yield Paragraph(text=" ".join(cell for cell in cells if cell), line=row)
        else:
            yield TableRow(cells=cells, line=row)


def _excel_value_text(value: object, number_format: str) -> str:
    """Return a cell value as the text a reader sees, without float noise."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, int | float):
        if "%" in number_format:
            return f"{_number_text(value * 100)}%"
        return _number_text(value)
    return _tidy(_OOXML_WHITESPACE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), str(value)))


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    # Excel shows at most 15 significant digits, which hides binary noise like 0.30000000000000004.
    return f"{value:.15g}" if isinstance(value, float) else str(value)


# --- shared ---------------------------------------------------------------------------------


def _tidy(text: str) -> str:
    """Normalise line breaks, trim every line and drop blank ones."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())
