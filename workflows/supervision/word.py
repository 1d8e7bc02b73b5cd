"""What the printable Word files (the 催办通知单 and 督办单, the period's 通报) share: an A4 page with the
official document margins (天头 37 mm, 订口 28 mm), Chinese fonts set for East Asian text too, and
the grid table of an attachment (附件)."""
from __future__ import annotations

import io

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def a4_document():
    """A new python-docx document on A4 with the margins of GB/T 9704 (37 / 35 / 28 / 26 mm)."""
    from docx import Document
    from docx.shared import Cm

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    return document


def set_font(run, name: str, size: float, *, bold: bool = False, colour=None):
    """``run`` in font ``name`` (Latin and East Asian text alike) at ``size`` points; returns it."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    run.font.size = Pt(size)
    run.font.bold = bold
    if colour is not None:
        run.font.color.rgb = colour
    return run


def add_grid(document, columns, rows, size: float = 12) -> None:
    """A bordered table: the header row in 黑体, the rows in 仿宋, all at ``size`` points."""
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, columns, strict=True):
        set_font(cell.paragraphs[0].add_run(name), "黑体", size)
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            set_font(cell.paragraphs[0].add_run(value), "仿宋_GB2312", size)


def docx_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
