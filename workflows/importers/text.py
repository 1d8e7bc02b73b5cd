"""Turn the bytes of a plain-text plan into blocks (paragraphs and table rows).

Two text layouts carry tables:

* the *cell-per-line* layout of the reference notice (a document exported from Word):
  every cell starts with a TAB, a cell's further lines have no TAB, and rows are
  separated by blank lines;
* the *tab-separated* layout (one row per line, cells separated by TABs), as a
  spreadsheet saves it.

Everything else is a paragraph, one per line.
"""
from __future__ import annotations

import codecs
import csv
import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .types import Block, Paragraph, PlanParseError, TableRow

# Bytes that never occur in text: a file with them is binary whatever its name says.
_BINARY_MAGIC = {
    b"%PDF": gettext_lazy("这是 PDF 文件，暂不支持直接导入；请导入 .docx、.xlsx 或文本文件"),
    b"\x89PNG": gettext_lazy("这是图片文件，不是计划文本"),
    b"\xff\xd8\xff": gettext_lazy("这是图片文件，不是计划文本"),
    b"GIF8": gettext_lazy("这是图片文件，不是计划文本"),
}
_ALLOWED_CONTROLS = {"\t", "\n", "\r", "\f", "\v"}


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030; refuse binary data."""
    if not data.strip():
        raise PlanParseError(_("文件为空，没有可导入的内容"))
    for magic, message in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise PlanParseError(message)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise PlanParseError(_("文件声明为 UTF-16 编码，但内容无法解码")) from exc
    else:
        if b"\x00" in data[:65536]:
            raise PlanParseError(_("这不是文本文件（含有二进制内容），请导入 .txt、.docx 或 .xlsx 文件"))
        text = _decode_utf8_or_gb18030(data)
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in _ALLOWED_CONTROLS)
    if controls > max(3, len(text) // 200):
        raise PlanParseError(_("这不是文本文件（含有大量控制字符），请导入 .txt、.docx 或 .xlsx 文件"))
    if not text.strip():
        raise PlanParseError(_("文件为空，没有可导入的内容"))
    return text


def _decode_utf8_or_gb18030(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as gb_error:
            # The encoding that read further is the file's own: its failure is the bad spot
            # (a GB18030 file already fails as UTF-8 at its first Chinese character).
            position = max(utf8_error.start, gb_error.start)
            line = data[:position].count(b"\n") + 1
            raise PlanParseError(
                _("无法识别文件编码：既不是 UTF-8 也不是 GB18030"), line=line
            ) from utf8_error


def _is_blank(line: str) -> bool:
    # A line holding only a TAB is an *empty cell*, not a blank line.
    return "\t" not in line and not line.strip(" \u3000\xa0")


def _looks_tab_separated(lines: list[str]) -> bool:
    """Tell the tab-separated layout from the cell-per-line one by interior TABs."""
    interior = sum(1 for line in lines if "\t" in line.lstrip("\t").rstrip())
    leading = sum(1 for line in lines if line.startswith("\t"))
    return interior >= 2 and interior >= leading // 2


def text_to_blocks(text: str) -> list[Block]:
    """Split decoded text into paragraphs and table rows, keeping 1-based line numbers."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if _looks_tab_separated(lines):
        return _tab_separated_blocks(lines)
    return _cell_per_line_blocks(lines)


def _clean(cell: str) -> str:
    return "\n".join(part.strip(" \u3000\xa0\t") for part in cell.split("\n")).strip("\n")


def _cell_per_line_blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    cells: list[str] = []
    row_line = 0

    def close_row() -> None:
        nonlocal cells
        if cells:
            blocks.append(TableRow(tuple(_clean(c) for c in cells), row_line))
        cells = []

    for number, line in enumerate(lines, start=1):
        if _is_blank(line):
            close_row()
        elif line.startswith("\t"):
            if not cells:
                row_line = number
            # A TAB-started line may itself hold several cells (TABs inside it).
            cells.extend(line[1:].split("\t"))
        elif cells:
            # A cell's further lines carry no TAB: they continue the last cell.
            cells[-1] = f"{cells[-1]}\n{line}"
        else:
            blocks.append(Paragraph(line.strip(" \u3000\xa0"), number))
    close_row()
    return blocks


def _tab_separated_blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    for number, line in enumerate(lines, start=1):
        if _is_blank(line):
            continue
        # A TAB after the first cell makes a row, even when the other cells are empty
        # ("一、…方面（共5项）\t\t\t" is a section row); a leading TAB alone is an indent.
        if "\t" in line.lstrip("\t"):
            blocks.append(TableRow(tuple(_clean(c) for c in line.split("\t")), number))
        else:
            blocks.append(Paragraph(line.strip(" \u3000\xa0\t"), number))
    return blocks


def csv_to_blocks(text: str) -> list[Block]:
    """Read a CSV export of a table: each record is a row, a quoted cell may hold line breaks."""
    blocks: list[Block] = []
    reader = csv.reader(io.StringIO(text))
    # ``line_num`` is the record's *last* line; a quoted cell with line breaks makes a record
    # span several, and a message must point at the line where the record starts.
    line = 1
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            non_empty = [c for c in record if c.strip()]
            if len(non_empty) == 1 and record[0].strip() and len(record) == 1:
                blocks.append(Paragraph(record[0].strip(), start))
            else:
                blocks.append(TableRow(tuple(_clean(c) for c in record), start))
    except csv.Error as exc:
        raise PlanParseError(_("CSV 格式错误：%(error)s") % {"error": exc}, line=reader.line_num) from exc
    return blocks
