"""Reading Word and Excel plans into blocks; every document is built in memory here."""
from __future__ import annotations

import datetime as dt
import zipfile
from io import BytesIO

import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from openpyxl import Workbook

from tests.workflows.importers.documents import docx_bytes, xlsx_bytes
from workflows.importers import office
from workflows.importers.office import read_docx, read_xlsx, sniff_office_format
from workflows.importers.types import Paragraph, PlanParseError, TableRow

HEADER = ("序号", "工作任务", "牵头单位", "责任单位", "完成时限")
SECTION = "一、优化营商环境方面（共2项）"
WORD_CORRUPT = "无法读取该 Word 文件：文件已损坏或不是 .docx 格式"
EXCEL_CORRUPT = "无法读取该 Excel 文件：文件已损坏或不是 .xlsx 格式"
OLE_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def fill(cell, *paragraphs: str) -> None:
    """Write one paragraph per argument into a Word table cell."""
    cell.text = paragraphs[0]
    for text in paragraphs[1:]:
        cell.add_paragraph(text)


def rewrite_member(data: bytes, name: str, old: str, new: str) -> bytes:
    """Return a copy of a zip package with one text replaced inside one member."""
    buffer = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == name:
                assert old.encode() in content
                content = content.replace(old.encode(), new.encode())
            target.writestr(info, content)
    return buffer.getvalue()


def plan_docx() -> bytes:
    document = Document()
    document.add_paragraph("XX市人民政府办公室关于印发2018年重点工作任务分解方案的通知  ")
    document.add_paragraph("")  # a blank spacer paragraph is not a block
    document.add_paragraph("X政办发〔2018〕12号")
    table = document.add_table(rows=4, cols=5)
    for cell, text in zip(table.rows[0].cells, HEADER, strict=True):
        cell.text = text
    table.cell(1, 0).merge(table.cell(1, 4)).text = SECTION
    table.cell(2, 0).merge(table.cell(3, 0)).text = "1"
    fill(table.cell(2, 1), "深化“放管服”改革", "推行“一网通办”")
    fill(table.cell(2, 2), "市政务服务局")
    fill(table.cell(2, 3), "市发改委", "市财政局")
    fill(table.cell(2, 4), "2018年12月底前")
    fill(table.cell(3, 1), "压减企业开办时间至3个工作日以内")
    fill(table.cell(3, 2), "市市场监管局")
    fill(table.cell(3, 3), "各县（市、区）政府", "市税务局")
    fill(table.cell(3, 4), "2018年6月底前")
    return docx_bytes(document)


def plan_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "任务分解"
    sheet["A1"] = "XX市2018年重点工作任务分解表"
    sheet.merge_cells("A1:E1")
    sheet.append(["（2018年3月）"])
    sheet.append(list(HEADER))
    sheet.append([SECTION])
    sheet.merge_cells("A4:E4")
    sheet.append([1, "深化“放管服”改革", "市政务服务局", "市发改委\r\n市财政局", dt.datetime(2018, 12, 31)])
    sheet.append([None, "推行“一网通办”", "市政务服务局", "市数据局", "2018年9月底前"])
    sheet.merge_cells("A5:A6")
    sheet.append([2.0, "压减企业开办时间", "市市场监管局", None, "2018年6月底前"])
    return xlsx_bytes(workbook)


# --- Word -----------------------------------------------------------------------------------


def test_docx_reads_paragraphs_and_table_rows_with_merged_cells_as_in_the_text_layout():
    assert read_docx(plan_docx()) == [
        Paragraph("XX市人民政府办公室关于印发2018年重点工作任务分解方案的通知", line=1),
        Paragraph("X政办发〔2018〕12号", line=2),
        TableRow(HEADER, line=3),
        TableRow((SECTION, "", "", "", ""), line=4),
        TableRow(
            ("1", "深化“放管服”改革\n推行“一网通办”", "市政务服务局", "市发改委\n市财政局", "2018年12月底前"),
            line=5,
        ),
        TableRow(
            ("", "压减企业开办时间至3个工作日以内", "市市场监管局", "各县（市、区）政府\n市税务局", "2018年6月底前"),
            line=6,
        ),
    ]


def test_docx_paragraphs_after_a_table_keep_their_place_in_the_document():
    document = Document()
    document.add_paragraph("一、总体要求")
    table = document.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ("1", "任务", "市发改委"), strict=True):
        cell.text = text
    document.add_paragraph("二、保障措施")

    assert read_docx(docx_bytes(document)) == [
        Paragraph("一、总体要求", line=1),
        TableRow(("1", "任务", "市发改委"), line=2),
        Paragraph("二、保障措施", line=3),
    ]


def test_docx_nested_table_is_flattened_into_its_cell_text_one_filled_cell_per_line():
    document = Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "1"
    outer = table.cell(0, 1)
    outer.text = "责任单位："
    nested = outer.add_table(rows=2, cols=2)
    nested.cell(0, 0).text = "市发改委"
    nested.cell(1, 0).text = "市财政局"
    nested.cell(1, 1).text = "市税务局"

    assert read_docx(docx_bytes(document)) == [
        TableRow(("1", "责任单位：\n市发改委\n市财政局\n市税务局"), line=1),
    ]


def test_docx_tracked_insertions_are_read_and_tracked_deletions_are_not():
    document = Document()
    paragraph = document.add_paragraph("完成时限：")
    revision = f'{nsdecls("w")} w:author="审核人"'
    paragraph._p.append(
        parse_xml(f"<w:ins {revision} w:id='1'><w:r><w:t>2018年6月底前</w:t></w:r></w:ins>")
    )
    paragraph._p.append(
        parse_xml(f"<w:del {revision} w:id='2'><w:r><w:delText>年底前</w:delText></w:r></w:del>")
    )

    assert read_docx(docx_bytes(document)) == [Paragraph("完成时限：2018年6月底前", line=1)]


# --- Excel ----------------------------------------------------------------------------------


def test_xlsx_reads_title_rows_as_paragraphs_and_the_rest_as_rows_without_copying_merged_values():
    assert read_xlsx(plan_xlsx()) == [
        Paragraph("XX市2018年重点工作任务分解表", line=1),
        Paragraph("（2018年3月）", line=2),
        TableRow(HEADER, line=3),
        TableRow((SECTION,), line=4),
        TableRow(("1", "深化“放管服”改革", "市政务服务局", "市发改委\n市财政局", "2018-12-31"), line=5),
        TableRow(("", "推行“一网通办”", "市政务服务局", "市数据局", "2018年9月底前"), line=6),
        TableRow(("2", "压减企业开办时间", "市市场监管局", "", "2018年6月底前"), line=7),
    ]


def test_xlsx_numbers_read_as_excel_shows_them():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([3, 0.1 + 0.2, 0.15, 1.5])
    sheet["C1"].number_format = "0%"
    # Java exporters (Apache POI) write whole numbers as "3.0", which openpyxl reads as a float.
    sheet_xml = "xl/worksheets/sheet1.xml"
    data = rewrite_member(xlsx_bytes(workbook), sheet_xml, "<v>3</v>", "<v>3.0</v>")

    assert read_xlsx(data) == [TableRow(("3", "0.3", "15%", "1.5"), line=1)]


def test_xlsx_escaped_carriage_returns_become_line_breaks():
    workbook = Workbook()
    workbook.active.append(["1", "市发改委_x000D_\n市财政局", "2018年"])

    assert read_xlsx(xlsx_bytes(workbook)) == [TableRow(("1", "市发改委\n市财政局", "2018年"), line=1)]


def test_xlsx_hidden_sheets_are_ignored_and_each_visible_sheet_is_introduced_by_its_title():
    workbook = Workbook()
    notes = workbook.active
    notes.title = "填表说明"
    notes.append(["说明", "请勿修改", "本表"])
    notes.sheet_state = "hidden"
    city = workbook.create_sheet("市直部门")
    city.append(list(HEADER))
    city.append([1, "任务甲", "市发改委", "市财政局", "2018年底前"])
    county = workbook.create_sheet("县区")
    county.append(list(HEADER))
    county.append([1, "任务乙", "各县区政府", "", "2018年6月底前"])
    workbook.active = 1

    assert read_xlsx(xlsx_bytes(workbook)) == [
        Paragraph("市直部门", line=0),
        TableRow(HEADER, line=1),
        TableRow(("1", "任务甲", "市发改委", "市财政局", "2018年底前"), line=2),
        Paragraph("县区", line=0),
        TableRow(HEADER, line=1),
        TableRow(("1", "任务乙", "各县区政府", "", "2018年6月底前"), line=2),
    ]


def test_xlsx_empty_extra_sheets_do_not_add_sheet_titles():
    workbook = Workbook()
    workbook.active.append(list(HEADER))
    workbook.create_sheet("Sheet2")

    assert read_xlsx(xlsx_bytes(workbook)) == [TableRow(HEADER, line=1)]


def test_xlsx_without_a_header_like_row_keeps_every_row_as_a_table_row():
    workbook = Workbook()
    workbook.active.append(["工作任务", "牵头单位"])

    assert read_xlsx(xlsx_bytes(workbook)) == [TableRow(("工作任务", "牵头单位"), line=1)]


# --- format sniffing and errors -------------------------------------------------------------


def zip_bytes(*names: str) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (plan_docx(), "docx"),
        (plan_xlsx(), "xlsx"),
        (OLE_BYTES, "ole"),
        ("一、优化营商环境方面".encode(), None),
        (b"", None),
        (zip_bytes("readme.txt"), None),
        (plan_docx()[:200], None),
    ],
    ids=["docx", "xlsx", "ole", "plain-text", "empty", "other-zip", "truncated-docx"],
)
def test_sniff_tells_office_formats_apart_without_raising(data, expected):
    assert sniff_office_format(data) == expected


@pytest.mark.parametrize(
    ("reader", "data", "message"),
    [
        (read_docx, plan_docx()[:-100], WORD_CORRUPT),
        (read_docx, plan_xlsx(), WORD_CORRUPT),
        (read_docx, zip_bytes("word/document.xml", "[Content_Types].xml"), WORD_CORRUPT),
        (read_xlsx, plan_xlsx()[:-100], EXCEL_CORRUPT),
        (read_xlsx, plan_docx(), EXCEL_CORRUPT),
        (read_xlsx, b"not a spreadsheet", EXCEL_CORRUPT),
    ],
    ids=["truncated-docx", "xlsx-as-docx", "broken-docx", "truncated-xlsx", "docx-as-xlsx", "text"],
)
def test_unreadable_files_are_refused_with_a_whole_file_message(reader, data, message):
    with pytest.raises(PlanParseError) as caught:
        reader(data)

    assert caught.value.message == message
    assert caught.value.line is None


@pytest.mark.parametrize("reader", [read_docx, read_xlsx])
def test_legacy_office_files_are_refused_with_a_save_as_hint(reader):
    with pytest.raises(PlanParseError) as caught:
        reader(OLE_BYTES)

    assert caught.value.message == "这是旧版 Office 文件（.doc/.xls），请另存为 .docx 或 .xlsx 后再导入"
    assert caught.value.line is None


@pytest.mark.parametrize("reader, data", [(read_docx, plan_docx()), (read_xlsx, plan_xlsx())])
def test_files_that_inflate_past_the_limit_are_refused(monkeypatch, reader, data):
    monkeypatch.setattr(office, "MAX_UNCOMPRESSED_BYTES", 1000)

    with pytest.raises(PlanParseError) as caught:
        reader(data)

    assert caught.value.message == "文件解压后过大，拒绝导入"
