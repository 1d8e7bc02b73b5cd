"""Parse a plan document (text, CSV, .docx or .xlsx) into a typed result. Pure: no database.

Entry points: :func:`parse_plan_file` for uploaded bytes, :func:`parse_plan_text` for text.
"""
from __future__ import annotations

from pathlib import PurePath

from django.utils.translation import gettext as _

from .builder import PlanBuilder
from .common import parse_section_heading
from .deadlines import plan_year
from .diagnose import no_tasks_message
from .entry import split_names, typed_task
from .mapping import ROLE_NAMES, LayoutMapping
from .metadata import read_metadata
from .office import (
    DOCX_CORRUPT,
    LEGACY_OFFICE,
    XLSX_CORRUPT,
    read_docx,
    read_xlsx,
    sniff_office_format,
)
from .prose import FIRST_IS_LEAD_RULE, interpret_prose
from .tables import find_header, interpret_table, join_header_rows, refine_columns
from .text import csv_to_blocks, decode_text, text_to_blocks
from .types import (
    Block,
    Deadline,
    Paragraph,
    ParsedPlan,
    ParsedSection,
    ParsedTask,
    ParseWarning,
    PlanParseError,
    TableRow,
    Target,
)

__all__ = [
    "Deadline",
    "LayoutMapping",
    "ParseWarning",
    "ParsedPlan",
    "ParsedSection",
    "ParsedTask",
    "PlanParseError",
    "Target",
    "parse_blocks",
    "read_blocks",
    "parse_plan_file",
    "parse_plan_text",
    "plan_year",
    "split_names",
    "typed_task",
]


def read_blocks(data: bytes, filename: str = "") -> tuple[list[Block], str]:
    """The document's paragraphs and table rows, and its format, chosen by content, not by name."""
    office = sniff_office_format(data)
    if office == "docx":
        return read_docx(data), "docx"
    if office == "xlsx":
        return read_xlsx(data), "xlsx"
    if office == "ole":
        raise PlanParseError(LEGACY_OFFICE)
    if data[:2] == b"PK":
        # A truncated upload still starts like a zip: name the format the user meant to send.
        suffix = PurePath(filename).suffix.lower()
        if suffix in (".docx", ".xlsx"):
            raise PlanParseError(DOCX_CORRUPT if suffix == ".docx" else XLSX_CORRUPT)
        raise PlanParseError(_("这是压缩文件（或已损坏的 Office 文件），但不是可读取的 .docx 或 .xlsx 文件"))
    text = decode_text(data)
    if PurePath(filename).suffix.lower() == ".csv":
        return csv_to_blocks(text), "csv"
    if not text.strip():
        raise PlanParseError(_("文件为空，没有可导入的内容"))
    return text_to_blocks(text), "text"


def parse_plan_file(data: bytes, filename: str = "", *, mapping: LayoutMapping | None = None,
                    strict: bool = False, known_units: frozenset[str] = frozenset()) -> ParsedPlan:
    """Parse an uploaded plan.

    ``mapping`` says what columns or labels mean where detection falls short; ``strict`` refuses
    the document over one bad item instead of warning about it; ``known_units`` (the directory's
    names) help tell a column of unit names whatever its header says.
    """
    blocks, source_format = read_blocks(data, filename)
    return parse_blocks(blocks, source_format=source_format, filename=filename, mapping=mapping, strict=strict,
                        known_units=known_units)


def parse_plan_text(text: str, filename: str = "", *, mapping: LayoutMapping | None = None,
                    strict: bool = False, known_units: frozenset[str] = frozenset()) -> ParsedPlan:
    """Parse a plan already decoded to text."""
    if not text.strip():
        raise PlanParseError(_("文件为空，没有可导入的内容"))
    return parse_blocks(text_to_blocks(text), source_format="text", filename=filename, mapping=mapping,
                        strict=strict, known_units=known_units)


def parse_blocks(blocks: list[Block], *, source_format: str, filename: str = "",
                 mapping: LayoutMapping | None = None, strict: bool = False,
                 known_units: frozenset[str] = frozenset()) -> ParsedPlan:
    """Interpret blocks: as a table when a header row names the columns, else as prose."""
    blocks = join_header_rows(blocks, mapping)
    first_is_lead = any(
        FIRST_IS_LEAD_RULE.search(b.text if isinstance(b, Paragraph) else "".join(b.cells))
        for b in blocks
    )
    if mapping is not None and mapping.first_is_lead is not None:
        first_is_lead = mapping.first_is_lead
    year = plan_year([b.text if isinstance(b, Paragraph) else " ".join(b.cells) for b in blocks] + [filename])
    header_index, columns = find_header(blocks, mapping, known_units)
    if columns is not None:
        builder = PlanBuilder(strict=strict, year=year)
        paragraphs, rows = _split_table(blocks, header_index)
        columns, by_content = refine_columns(columns, rows[0], rows[1:], known_units)
        for index, role in by_content:
            header = rows[0].cells[index].strip() if index < len(rows[0].cells) else ""
            builder.warn(_("第 %(n)s 列（表头“%(header)s”）按其内容读作“%(role)s”列，如有误请在列映射中更正")
                         % {"n": index + 1, "header": header or _("空"), "role": ROLE_NAMES[role]},
                         rows[0].line)
        interpret_table(rows, columns, builder, first_is_lead=first_is_lead)
        items = []
    else:
        builder = PlanBuilder(warn_empty_sections=False, strict=strict, year=year)
        paragraphs = [_as_paragraph(b) for b in blocks]
        items = interpret_prose(paragraphs, builder, first_is_lead=first_is_lead,
                                labels=mapping.labels if mapping is not None else None)
    if not builder.found_tasks:
        raise PlanParseError(no_tasks_message(blocks, items, header=rows[0] if columns is not None else None))
    sections, warnings = builder.finish()
    meta = read_metadata(paragraphs)
    title = meta.title
    if not title:
        title = PurePath(filename).stem if filename else _("未命名计划")
        warnings.insert(0, ParseWarning(line=None, message=_("未找到文件标题，暂以“%(title)s”为标题") % {"title": title}))
    return ParsedPlan(
        title=title,
        doc_number=meta.doc_number,
        issuer=meta.issuer,
        issued_on=meta.issued_on,
        sections=sections,
        warnings=warnings,
        source_format=source_format,
    )


def _split_table(blocks: list[Block], header_index: int) -> tuple[list[Paragraph], list[TableRow]]:
    """Return the free-text paragraphs (for the metadata) and the table's rows from the header on.

    A section heading on a line of its own between table rows is a section row whose empty
    cells were dropped (a tab-separated or CSV export does that); text after the table (the
    signature and date of a notice) is free text.
    """
    paragraphs = [b for b in blocks[:header_index] if isinstance(b, Paragraph)]
    rows: list[TableRow] = []
    last_row = max(i for i, b in enumerate(blocks) if isinstance(b, TableRow))
    for index in range(header_index, len(blocks)):
        block = blocks[index]
        if isinstance(block, TableRow):
            rows.append(block)
        elif index < last_row and parse_section_heading(block.text):
            rows.append(TableRow((block.text,), block.line))
        elif index > last_row:
            paragraphs.append(block)
    return paragraphs, rows


def _as_paragraph(block: Block) -> Paragraph:
    if isinstance(block, Paragraph):
        return block
    return Paragraph(" ".join(c for c in block.cells if c.strip()), block.line)
