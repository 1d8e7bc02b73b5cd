"""Bad input is refused with a clear Chinese message and the line at fault; encodings are read.

Every document is built here, as bytes, text or a Word file in memory.
"""
from __future__ import annotations

import codecs
import re

import pytest
from docx import Document

from tests.workflows.importers.documents import docx_bytes
from workflows.importers import PlanParseError, parse_plan_file, parse_plan_text

CHINESE = re.compile(r"[\u4e00-\u9fff]")

TABLE_PLAN = "\n".join(
    [
        "XX市2018年重点工作任务分解表",
        "序号\t工作任务\t牵头单位\t责任单位\t完成时限",
        "一、优化营商环境方面（共2项）\t\t\t\t",
        "1\t深化“放管服”改革，审批时限压缩50%以上\t市政务办、市发改委\t各区\t2018年12月底前",
        "2\t推进企业开办便利化\t市市场监管局\t各区\t2018年6月底前",
        "",
    ]
)

PROSE_PLAN = "\n".join(
    [
        "XX市人民政府关于印发2018年法治政府建设工作要点的通知",
        "一、依法全面履行政府职能",
        "1．深化行政审批制度改革（市编办、市政务办负责，排在第一位的部门为牵头部门，下同）。",
        "2．全面推行权力清单制度（市法制办负责）。",
        "",
    ]
)


def refusal(data: bytes, filename: str = "plan.txt", *, strict: bool = False) -> PlanParseError:
    with pytest.raises(PlanParseError) as caught:
        parse_plan_file(data, filename, strict=strict)
    error = caught.value
    assert CHINESE.search(error.message), error.message
    return error


# --- empty and binary files -----------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", b"  \n\t\n\r\n", "\u3000\u3000\n \n".encode(), "\u3000\n".encode("gb18030"), codecs.BOM_UTF8],
    ids=["empty", "blanks", "ideographic-spaces", "gb18030-spaces", "bom-only"],
)
def test_an_empty_or_blank_file_is_refused_as_empty(data):
    error = refusal(data)

    assert (error.message, error.line) == ("文件为空，没有可导入的内容", None)


def test_blank_text_is_refused_as_empty_by_the_text_entry_point_too():
    with pytest.raises(PlanParseError, match="文件为空"):
        parse_plan_text(" \n\u3000\n")


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "plan.txt", "这是图片文件，不是计划文本"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n", "plan.pdf", "这是 PDF 文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "plan.doc", "这是旧版 Office 文件（.doc/.xls）"),
        (bytes(range(256)) * 8, "plan.txt", "这不是文本文件（含有二进制内容）"),
        ("1．任务（市发改委负责）\n".encode() + b"\x00\x01\x02\x00", "plan.txt", "这不是文本文件"),
    ],
    ids=["png", "pdf", "ole-doc", "random-bytes-with-nuls", "text-with-nuls"],
)
def test_a_binary_file_is_refused_saying_what_it_is(data, filename, message):
    error = refusal(data, filename)

    assert error.message.startswith(message)
    assert error.line is None


def test_a_file_full_of_control_characters_is_not_text():
    error = refusal(b"\x01\x02\x03\x04\x05\x06\x07\x08" * 20)

    assert error.message.startswith("这不是文本文件（含有大量控制字符）")


def test_a_truncated_docx_is_refused_as_a_damaged_word_file():
    document = Document()
    document.add_paragraph("1．推进政务公开。（市政府办负责）")
    data = docx_bytes(document)

    error = refusal(data[: len(data) // 2], "plan.docx")

    assert error.message == "无法读取该 Word 文件：文件已损坏或不是 .docx 格式"
    assert error.line is None


def test_a_truncated_xlsx_is_refused_as_a_damaged_excel_file():
    error = refusal(b"PK\x03\x04" + bytes(60), "plan.xlsx")

    assert error.message == "无法读取该 Excel 文件：文件已损坏或不是 .xlsx 格式"


def test_a_damaged_zip_under_another_name_is_refused_as_not_an_office_file():
    error = refusal(b"PK\x03\x04" + bytes(60), "plan.txt")

    assert "不是可读取的 .docx 或 .xlsx 文件" in error.message


# --- documents without tasks ----------------------------------------------------------------


def test_a_text_with_no_recognisable_tasks_is_refused():
    text = "关于开展安全生产大检查的通知\n各单位：\n请于下周开展检查，并报送检查情况。\n"

    error = refusal(text.encode())

    assert error.message == "没有识别到任何任务：文件中没有表格，也没有带编号的条目。请检查文件是否为任务分解表或带编号的任务清单"
    assert error.line is None


def test_numbered_items_without_any_attribution_are_not_tasks():
    text = "工作要点\n1．加强组织领导。\n2．强化督查考核。\n"

    assert refusal(text.encode()).message == (
        "没有识别到任何任务：识别到 2 个以“1．”编号的条目，其中 0 条带有单位署名。可在“列映射”中指定各列或各标签的用途后重新预览")


def test_a_table_with_a_header_and_no_task_rows_has_no_tasks():
    text = "序号\t工作任务\t牵头单位\t责任单位\n一、优化营商环境方面\t\t\t\n1\t深化放管服改革\t\t\n"

    assert refusal(text.encode()).message.startswith(
        "没有识别到任何任务：按第 1 行的表头（序号、工作任务、牵头单位、责任单位）读取，但其下没有一行同时写有任务内容和单位")


def test_a_header_without_a_unit_column_is_named_with_what_is_missing():
    text = "某市通知\n序号\t重点任务\t具体措施\t时间节点\n1\t优化营商环境\t深化放管服改革\t2023年底\n"

    assert refusal(text.encode()).message.startswith(
        "没有识别到任何任务：第 2 行像是表头（序号、重点任务、具体措施、时间节点），但没有识别出牵头单位或责任单位列")


# --- duplicate numbers and missing leads: refused in strict mode, warned about otherwise ----


def test_without_strict_mode_a_duplicate_number_is_renumbered_with_a_warning():
    text = TABLE_PLAN + "2\t推进企业注销便利化\t市市场监管局\t各区\t2018年9月底前\n"

    plan = parse_plan_file(text.encode(), "plan.txt")

    assert [t.number for t in plan.tasks] == [1, 2, 3]
    assert plan.tasks[2].text == "推进企业注销便利化"
    assert any("已按出现顺序统一编为第 1–3 项" in w.message for w in plan.warnings)


def test_without_strict_mode_a_task_without_a_lead_is_left_out_with_a_warning_at_its_line():
    text = PROSE_PLAN + "3．推进政务公开。\n4．加强行政执法监督（市法制办负责）。\n"

    plan = parse_plan_file(text.encode(), "plan.txt")

    assert [t.number for t in plan.tasks] == [1, 2, 4]
    warning = next(w for w in plan.warnings if "没有牵头部门" in w.message)
    assert (warning.line, warning.message) == (5, "第 3 项任务没有牵头部门，未导入：推进政务公开。")


def test_a_duplicate_task_number_in_a_table_names_the_number_at_its_second_line():
    text = TABLE_PLAN + "2\t推进企业注销便利化\t市市场监管局\t各区\t2018年9月底前\n"

    error = refusal(text.encode(), strict=True)

    assert error.line == 6
    assert error.message == "任务编号 2 重复（第 5 行已有第 2 项任务）"
    assert str(error) == "第 6 行：任务编号 2 重复（第 5 行已有第 2 项任务）"


def test_a_duplicate_task_number_in_prose_names_the_number_at_its_second_line():
    text = PROSE_PLAN + "2．推进政务公开（市政府办负责）。\n"

    error = refusal(text.encode(), strict=True)

    assert (error.line, error.message) == (5, "任务编号 2 重复（第 4 行已有第 2 项任务）")


def test_a_table_row_with_an_empty_lead_cell_is_refused_at_its_line():
    text = TABLE_PLAN.replace("2\t推进企业开办便利化\t市市场监管局\t", "2\t推进企业开办便利化\t\t")

    error = refusal(text.encode(), strict=True)

    assert (error.line, error.message) == (5, "第 2 项任务没有牵头部门")


def test_a_prose_item_without_attribution_after_tasks_started_is_refused_at_its_line():
    text = PROSE_PLAN + "3．推进政务公开。\n4．加强行政执法监督（市法制办负责）。\n"

    error = refusal(text.encode(), strict=True)

    assert (error.line, error.message) == (5, "第 3 项任务没有牵头部门")


def test_the_first_item_of_a_later_section_without_attribution_is_refused_at_its_line():
    text = PROSE_PLAN + "二、推进政务公开\n3．推进政务公开。\n4．加强政务服务（市政务办负责）。\n"

    error = refusal(text.encode(), strict=True)

    assert (error.line, error.message) == (6, "第 3 项任务没有牵头部门")


def test_a_table_row_with_units_but_no_task_text_is_refused_at_its_line():
    text = "序号\t工作任务\t牵头单位\t责任单位\n1\t\t市政务办\t各区\n"

    error = refusal(text.encode(), strict=True)

    assert (error.line, error.message) == (2, "该行有责任单位但没有任务内容")


# --- encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize("plan", [TABLE_PLAN, PROSE_PLAN], ids=["table", "prose"])
@pytest.mark.parametrize(
    "encode",
    [
        lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
        lambda text: text.encode("gb18030"),
        lambda text: text.encode("utf-16"),  # with its BOM, in the machine's byte order
        lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        lambda text: text.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf-8-bom", "gb18030", "utf-16-bom", "utf-16-be-bom", "crlf"],
)
def test_other_encodings_parse_the_same_as_utf_8(plan, encode):
    expected = parse_plan_file(plan.encode("utf-8"), "plan.txt").to_dict()

    assert parse_plan_file(encode(plan), "plan.txt").to_dict() == expected


def test_gb18030_with_characters_outside_gbk_is_read():
    text = PROSE_PLAN.replace("市编办", "市𠀀办")  # a CJK Extension B character: four bytes

    plan = parse_plan_file(text.encode("gb18030"), "plan.txt")

    assert plan.tasks[0].lead_units == ["市𠀀办"]


def test_bytes_in_neither_utf_8_nor_gb18030_are_refused_at_their_line():
    data = TABLE_PLAN.encode("utf-8") + b"3\t\x80\x80\xff\n"

    error = refusal(data)

    assert error.message == "无法识别文件编码：既不是 UTF-8 也不是 GB18030"
    assert error.line == 6


def test_a_gb18030_file_with_a_bad_byte_is_refused_at_the_bad_bytes_line_not_its_first():
    data = TABLE_PLAN.encode("gb18030") + b"3\t\x80\x80\xff\n"

    error = refusal(data)

    assert error.line == 6
