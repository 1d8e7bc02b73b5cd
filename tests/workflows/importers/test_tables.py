"""Tables other than the reference notice's: columns are found by their names, in any layout.

Every document is built here, as text or as a Word / Excel file in memory.
"""
from __future__ import annotations

import datetime as dt

import pytest
from docx import Document
from openpyxl import Workbook

from tests.workflows.importers.documents import docx_bytes, xlsx_bytes
from workflows.importers import PlanParseError, parse_plan_file, parse_plan_text

TITLE = "苏州市人民政府办公室关于印发2018年重点工作任务分解方案的通知"
ISSUER = "苏州市人民政府办公室"
DOC_NUMBER = "苏府办〔2018〕12号"

# Columns deliberately out of the usual order: the parser must go by the header names.
TSV_PLAN = "\n".join(
    [
        TITLE,
        DOC_NUMBER,
        "序号\t完成时限\t主要任务\t配合单位\t牵头单位\t责任单位",
        "一、优化营商环境方面（共2项）\t\t\t\t\t",
        "1\t2018年12月底前\t1．深化“放管服”改革，不见面审批事项达到90%以上\t"
        "市财政局、市商务局\t市政务办、市发改委\t各区、各县级市",
        "2\t2018年6月底前\t推进企业开办便利化，开办时间不超过3个工作日\t\t市市场监管局\t各区",
        "二、加强生态环境保护方面（共1项）\t\t\t\t\t",
        "3\t2018年12月底前\t3．推进大气污染防治\t市公安局\t市环保局\t市政府各部门",
        "",
    ]
)


def task(number, text, leads, responsible, cooperating=(), deadlines=(), targets=(), *,
         deadline_text=None, due=None, cadence=""):
    """The to_dict() form of one task; deadlines are (iso date, phrase), targets (value, phrase).

    In these tables every deadline is a whole 完成时限 cell: unless given, the text kept as
    written is those cells joined by "；" and the due date is their latest.
    """
    if deadline_text is None:
        deadline_text = "；".join(phrase for _date, phrase in deadlines)
        due = due or max((date for date, _phrase in deadlines), default=None)
    return {
        "number": number,
        "text": text,
        "lead_units": list(leads),
        "responsible_terms": list(responsible),
        "cooperating_units": list(cooperating),
        "deadlines": [{"date": date, "phrase": phrase} for date, phrase in deadlines],
        "targets": [{"value": value, "phrase": phrase} for value, phrase in targets],
        "deadline_text": deadline_text,
        "due": due,
        "cadence": cadence,
    }


def summary(plan) -> list[tuple]:
    """(section numeral, section title, task number, leads, responsible, cooperating) per task."""
    return [
        (s.numeral, s.title, t.number, t.lead_units, t.responsible_terms, t.cooperating_units)
        for s in plan.sections
        for t in s.tasks
    ]


# --- tab-separated text ---------------------------------------------------------------------


def test_tab_separated_table_is_read_by_column_names_in_any_order_with_section_rows():
    plan = parse_plan_text(TSV_PLAN)

    assert plan.to_dict() == {
        "title": TITLE,
        "doc_number": DOC_NUMBER,
        "issuer": ISSUER,
        "issued_on": None,
        "sections": [
            {
                "numeral": "一",
                "title": "优化营商环境方面",
                "tasks": [
                    task(
                        1,
                        "深化“放管服”改革，不见面审批事项达到90%以上",
                        ["市政务办", "市发改委"],
                        ["各区", "各县级市"],
                        ["市财政局", "市商务局"],
                        deadlines=[("2018-12-31", "2018年12月底前")],
                        targets=[("90%", "不见面审批事项达到90%以上")],
                    ),
                    task(
                        2,
                        "推进企业开办便利化，开办时间不超过3个工作日",
                        ["市市场监管局"],
                        ["各区"],
                        deadlines=[("2018-06-30", "2018年6月底前")],
                        targets=[("3个工作日", "开办时间不超过3个工作日")],
                    ),
                ],
            },
            {
                "numeral": "二",
                "title": "加强生态环境保护方面",
                "tasks": [
                    task(
                        3,
                        "推进大气污染防治",
                        ["市环保局"],
                        ["市政府各部门"],
                        ["市公安局"],
                        deadlines=[("2018-12-31", "2018年12月底前")],
                    ),
                ],
            },
        ],
        "warnings": [],
    }
    assert plan.source_format == "text"


def test_section_rows_typed_without_their_empty_cells_still_open_sections():
    text = "\n".join(line.rstrip("\t") for line in TSV_PLAN.split("\n"))

    plan = parse_plan_text(text)

    assert [(s.numeral, s.title, [t.number for t in s.tasks]) for s in plan.sections] == [
        ("一", "优化营商环境方面", [1, 2]),
        ("二", "加强生态环境保护方面", [3]),
    ]
    assert plan.warnings == []


def test_an_announced_count_that_differs_from_the_rows_gives_a_warning_on_the_section_row():
    plan = parse_plan_text(TSV_PLAN.replace("（共2项）", "（共5项）"))

    assert plan.sections[0].title == "优化营商环境方面"
    assert [w.to_dict() for w in plan.warnings] == [
        {"line": 4, "message": "第一部分“优化营商环境方面”注明共 5 项，实际识别到 2 项"}
    ]


def test_a_numeric_serial_number_wins_over_the_number_written_in_the_task_text():
    plan = parse_plan_text(TSV_PLAN.replace("3\t2018年12月底前\t3．", "3\t2018年12月底前\t7．"))

    assert [t.number for t in plan.tasks] == [1, 2, 3]
    assert plan.tasks[2].text == "推进大气污染防治"
    assert [w.to_dict() for w in plan.warnings] == [
        {"line": 8, "message": "序号 3 与任务内容中的编号 7 不一致，按序号处理"}
    ]


def test_a_deadline_cell_in_digits_is_read_as_a_date():
    plan = parse_plan_text(TSV_PLAN.replace("2\t2018年6月底前", "2\t2018-06-30"))

    assert [d.to_dict() for d in plan.tasks[1].deadlines] == [
        {"date": "2018-06-30", "phrase": "2018-06-30"}
    ]
    assert plan.warnings == []


def test_an_unreadable_deadline_cell_is_kept_out_and_warned_about():
    plan = parse_plan_text(TSV_PLAN.replace("2\t2018年6月底前", "2\t尽快"))

    assert plan.tasks[1].deadlines == []
    assert plan.tasks[1].deadline_text == "尽快"
    assert [w.to_dict() for w in plan.warnings] == [
        {"line": 6, "message": "第 2 项任务的完成时限“尽快”无法识别为日期"}
    ]


def test_a_standing_task_or_a_cadence_in_the_deadline_cell_is_kept_as_written_without_a_date():
    standing = parse_plan_text(TSV_PLAN.replace("2\t2018年6月底前", "2\t长期坚持")).tasks[1]
    quarterly = parse_plan_text(TSV_PLAN.replace("2\t2018年6月底前", "2\t每季度末前报送进展")).tasks[1]
    monthly = parse_plan_text(TSV_PLAN.replace("2\t2018年6月底前", "2\t每月10日前")).tasks[1]

    assert (standing.deadline_text, standing.cadence, standing.due) == ("长期坚持", "ongoing", None)
    assert (quarterly.cadence, quarterly.due) == ("quarterly", None)
    assert (monthly.cadence, monthly.due) == ("monthly:10", None)


def test_a_table_without_a_responsible_column_makes_the_leads_responsible():
    text = "\n".join(
        [
            "2018年重点工作任务清单",
            "编号\t工作任务\t牵头部门\t完成时间",
            "1\t建设智慧城市\t市大数据局、市工信局\t2018年底",
        ]
    )

    plan = parse_plan_text(text)

    assert summary(plan) == [("", "", 1, ["市大数据局", "市工信局"], ["市大数据局", "市工信局"], [])]
    assert [d.to_dict() for d in plan.tasks[0].deadlines] == [
        {"date": "2018-12-31", "phrase": "2018年底"}
    ]


def test_a_section_numeral_in_the_serial_column_with_its_title_in_the_task_column():
    text = "\n".join(
        [
            "序号\t工作任务\t牵头单位\t责任单位",
            "一\t优化营商环境方面（共1项）\t\t",
            "1\t深化“放管服”改革\t市政务办\t各区",
        ]
    )

    plan = parse_plan_text(text)

    assert summary(plan) == [("一", "优化营商环境方面", 1, ["市政务办"], ["各区"], [])]
    assert plan.title == "未命名计划"


# --- the reference's cell-per-line layout with other column names ------------------------------


CELL_PER_LINE_PLAN = (
    "XX县人民政府办公室关于印发2018年法治政府建设任务分解的通知\n"
    "\n"
    "\t序号\n\t内容\n\t具体内容\n\t牵头部门\n\t责任部门\n"
    "\n"
    "\t（一）\n\t依法全面履行政府职能\n"
    "\t1．依法界定政府职责边界，2018年底前完成清理\n"
    "\t县编办\n县法制办  \n"
    "\t县政府各部门\n各乡镇、各街道\n"
    "\n"
    "\t\n\t\n\t2．推进政府职能转变，审批时限压缩30%以上\n\t县发改委\n\t县政府相关部门\n"
    "\n"
    # A page break: the header row and the section cells come again.
    "\t序号\n\t内容\n\t具体内容\n\t牵头部门\n\t责任部门\n"
    "\n"
    "\t（一）\n\t依法全面履行政府职能\n\t3．加强行政执法监督\n\t县法制办\n\t县政府各部门\n"
    "\n"
    "\t（二）\n\t完善制度体系\n\t4．加强重点领域立法\n\t县法制办\n\t县政府各部门\n"
    "\n"
    "\t\n\t\n\t5．全面清理规范性文件，\n\t县法制办\n\t县政府各部门\n"
    "\n"
    # The page break split task 5: its text goes on in a row of its own.
    "\t\n\t\n\t清理结果向社会公布\n\t\n\t\n"
    "\n"
    "  \n\n"
)


def test_cell_per_line_table_with_other_column_names_is_read_like_the_reference():
    plan = parse_plan_text(CELL_PER_LINE_PLAN)

    assert summary(plan) == [
        ("（一）", "依法全面履行政府职能", 1, ["县编办", "县法制办"], ["县政府各部门", "各乡镇", "各街道"], []),
        ("（一）", "依法全面履行政府职能", 2, ["县发改委"], ["县政府相关部门"], []),
        ("（一）", "依法全面履行政府职能", 3, ["县法制办"], ["县政府各部门"], []),
        ("（二）", "完善制度体系", 4, ["县法制办"], ["县政府各部门"], []),
        ("（二）", "完善制度体系", 5, ["县法制办"], ["县政府各部门"], []),
    ]
    assert plan.title == "XX县人民政府办公室关于印发2018年法治政府建设任务分解的通知"
    assert plan.issuer == "XX县人民政府办公室"
    assert plan.warnings == []


def test_cell_per_line_tasks_keep_their_figures_and_lose_their_numbers():
    first, second, *_, fifth = parse_plan_text(CELL_PER_LINE_PLAN).tasks

    assert first.to_dict()["text"] == "依法界定政府职责边界，2018年底前完成清理"
    assert [d.to_dict() for d in first.deadlines] == [{"date": "2018-12-31", "phrase": "2018年底前"}]
    assert [t.to_dict() for t in second.targets] == [{"value": "30%", "phrase": "审批时限压缩30%以上"}]
    assert fifth.text == "全面清理规范性文件，清理结果向社会公布"


def test_the_header_repeated_after_a_page_break_is_not_read_as_a_task():
    plan = parse_plan_text(CELL_PER_LINE_PLAN)

    assert all("牵头部门" not in t.text and "具体内容" not in t.text for t in plan.tasks)
    assert [s.numeral for s in plan.sections] == ["（一）", "（二）"]


def test_a_repeated_header_in_a_tab_separated_table_is_skipped_too():
    lines = TSV_PLAN.split("\n")
    text = "\n".join(lines[:6] + [lines[2]] + lines[6:])

    plan = parse_plan_text(text)

    assert [t.number for t in plan.tasks] == [1, 2, 3]
    assert plan.warnings == []


# --- CSV ------------------------------------------------------------------------------------


CSV_PLAN = (
    "XX市2018年重点工作任务分解表\n"
    "序号,工作任务,牵头单位,责任单位,配合单位,完成时限\n"
    "\"一、优化营商环境方面（共2项）\",,,,,\n"
    "1,\"1．深化“放管服”改革，\n不见面审批事项达到90%以上\",\"市政务办\n市发改委\","
    "\"各区、各县级市\",\"市财政局,市商务局\",2018年12月底前\n"
    "2,推进企业开办便利化,市市场监管局,,,\"2018年6月底前\"\n"
    "二、加强生态环境保护方面（共1项）\n"
    "3,推进大气污染防治,市环保局,市政府各部门,\"市公安局；市交通局\",2018年12月底前\n"
)


def test_csv_with_quoted_multi_line_cells_is_read_row_by_row():
    plan = parse_plan_file(CSV_PLAN.encode("utf-8"), "任务分解表.csv")

    assert plan.source_format == "csv"
    assert plan.title == "XX市2018年重点工作任务分解表"
    assert summary(plan) == [
        ("一", "优化营商环境方面", 1, ["市政务办", "市发改委"], ["各区", "各县级市"], ["市财政局", "市商务局"]),
        ("一", "优化营商环境方面", 2, ["市市场监管局"], ["市市场监管局"], []),
        ("二", "加强生态环境保护方面", 3, ["市环保局"], ["市政府各部门"], ["市公安局", "市交通局"]),
    ]
    # A line break inside a cell is the typist's: it stays in the task text.
    assert plan.tasks[0].text == "深化“放管服”改革，\n不见面审批事项达到90%以上"
    assert [t.value for t in plan.tasks[0].targets] == ["90%"]
    assert [d.date for d in plan.tasks[1].deadlines] == [dt.date(2018, 6, 30)]
    assert plan.warnings == []


def test_csv_rows_are_numbered_by_the_line_they_start_on():
    data = CSV_PLAN.replace("2,推进企业开办便利化,市市场监管局", "2,推进企业开办便利化,").encode()

    with pytest.raises(PlanParseError) as caught:
        parse_plan_file(data, "plan.csv", strict=True)

    # Task 1's record spans lines 4-6, so task 2's row starts on line 7.
    assert caught.value.line == 7
    assert caught.value.message == "第 2 项任务没有牵头部门"


# --- Word -----------------------------------------------------------------------------------


def plan_docx() -> bytes:
    document = Document()
    document.add_paragraph(TITLE)
    document.add_paragraph(DOC_NUMBER)
    document.add_paragraph("2018年3月1日")
    table = document.add_table(rows=7, cols=6)
    for cell, name in zip(
        table.rows[0].cells, ("序号", "主要任务", "牵头单位", "责任单位", "配合单位", "完成时限"), strict=True
    ):
        cell.text = name
    table.cell(1, 0).merge(table.cell(1, 5)).text = "一、优化营商环境方面（共2项）"
    # Task 1 has two parts, each with its own units, under one vertically merged 序号 cell.
    table.cell(2, 0).merge(table.cell(3, 0)).text = "1"
    rows = {
        2: ("深化“放管服”改革", "市政务办、市发改委", "各区\n各县级市", "市财政局", "2018年12月底前"),
        3: ("推行“一网通办”", "市政务办", "市大数据局", "", "2018年9月底前"),
        4: ("推进企业开办便利化，开办时间不超过3个工作日", "市市场监管局", "各区", "", "2018年6月底前"),
        6: ("3．推进大气污染防治", "市环保局", "市政府各部门", "市公安局", "2018年12月底前"),
    }
    for row, texts in rows.items():
        for column, text in enumerate(texts, start=1):
            table.cell(row, column).text = text
    table.cell(4, 0).text = "2"
    table.cell(5, 0).merge(table.cell(5, 5)).text = "二、加强生态环境保护方面（共1项）"
    table.cell(6, 0).text = "3"
    return docx_bytes(document)


def test_docx_table_with_merged_section_rows_and_a_merged_serial_cell():
    plan = parse_plan_file(plan_docx(), "任务分解.docx")

    assert plan.source_format == "docx"
    assert plan.to_dict() == {
        "title": TITLE,
        "doc_number": DOC_NUMBER,
        "issuer": ISSUER,
        "issued_on": "2018-03-01",
        "sections": [
            {
                "numeral": "一",
                "title": "优化营商环境方面",
                "tasks": [
                    task(
                        1,
                        "深化“放管服”改革\n推行“一网通办”",
                        ["市政务办", "市发改委"],
                        ["各区", "各县级市", "市大数据局"],
                        ["市财政局"],
                        deadlines=[("2018-12-31", "2018年12月底前"), ("2018-09-30", "2018年9月底前")],
                    ),
                    task(
                        2,
                        "推进企业开办便利化，开办时间不超过3个工作日",
                        ["市市场监管局"],
                        ["各区"],
                        deadlines=[("2018-06-30", "2018年6月底前")],
                        targets=[("3个工作日", "开办时间不超过3个工作日")],
                    ),
                ],
            },
            {
                "numeral": "二",
                "title": "加强生态环境保护方面",
                "tasks": [
                    task(
                        3,
                        "推进大气污染防治",
                        ["市环保局"],
                        ["市政府各部门"],
                        ["市公安局"],
                        deadlines=[("2018-12-31", "2018年12月底前")],
                    ),
                ],
            },
        ],
        "warnings": [],
    }


def test_docx_signature_and_date_after_the_table_are_the_notice_metadata():
    document = Document()
    document.add_paragraph("2018年生态环境保护重点工作任务清单")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ("工作任务", "责任单位", "时间节点"), strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ("推进大气污染防治", "市环保局", "2018年底前"), strict=True):
        cell.text = text
    document.add_paragraph("XX市环境保护局")
    document.add_paragraph("2018年1月5日")

    plan = parse_plan_file(docx_bytes(document), "清单.docx")

    assert (plan.title, plan.issuer, plan.issued_on) == (
        "2018年生态环境保护重点工作任务清单",
        "XX市环境保护局",
        dt.date(2018, 1, 5),
    )
    # The task column comes first and there is no 序号: the task is numbered with a warning.
    assert summary(plan) == [("", "", 1, ["市环保局"], ["市环保局"], [])]
    assert [w.to_dict() for w in plan.warnings] == [{"line": 3, "message": "任务未编号，按顺序编为第 1 项"}]


# --- Excel ----------------------------------------------------------------------------------


def plan_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "任务分解"
    sheet["A1"] = "XX市2018年重点工作任务分解表"
    sheet.merge_cells("A1:F1")
    sheet.append(["序号", "工作任务", "牵头单位", "责任单位", "配合单位", "完成时限"])
    sheet.append(["一、优化营商环境方面（共2项）"])
    sheet.merge_cells("A3:F3")
    sheet.append([1, "深化“放管服”改革", "市政务办\n市发改委", "各区、各县级市", "市财政局", dt.datetime(2018, 12, 31)])
    sheet.append([2, "推进企业开办便利化", "市市场监管局", "各区", None, "2018年6月底前"])
    sheet.append(["二、加强生态环境保护方面（共1项）"])
    sheet.merge_cells("A6:F6")
    sheet.append([3, "推进大气污染防治，PM2.5平均浓度下降5%", "市环保局", "市政府各部门", "市公安局、市交通局", "2018年12月底前"])
    return xlsx_bytes(workbook)


def test_xlsx_table_with_a_merged_title_row_merged_section_rows_and_integer_serials():
    plan = parse_plan_file(plan_xlsx(), "任务分解.xlsx")

    assert plan.source_format == "xlsx"
    assert plan.to_dict() == {
        "title": "XX市2018年重点工作任务分解表",
        "doc_number": None,
        "issuer": None,
        "issued_on": None,
        "sections": [
            {
                "numeral": "一",
                "title": "优化营商环境方面",
                "tasks": [
                    task(
                        1,
                        "深化“放管服”改革",
                        ["市政务办", "市发改委"],
                        ["各区", "各县级市"],
                        ["市财政局"],
                        # A date cell reads as 2018-12-31.
                        deadlines=[("2018-12-31", "2018-12-31")],
                    ),
                    task(2, "推进企业开办便利化", ["市市场监管局"], ["各区"],
                         deadlines=[("2018-06-30", "2018年6月底前")]),
                ],
            },
            {
                "numeral": "二",
                "title": "加强生态环境保护方面",
                "tasks": [
                    task(
                        3,
                        "推进大气污染防治，PM2.5平均浓度下降5%",
                        ["市环保局"],
                        ["市政府各部门"],
                        ["市公安局", "市交通局"],
                        deadlines=[("2018-12-31", "2018年12月底前")],
                        targets=[("5%", "PM2.5平均浓度下降5%")],
                    ),
                ],
            },
        ],
        "warnings": [],
    }


def test_xlsx_tasks_are_found_whatever_the_file_is_called():
    by_name = parse_plan_file(plan_xlsx(), "plan.xlsx").to_dict()

    assert parse_plan_file(plan_xlsx(), "upload.bin").to_dict() == by_name


def test_xlsx_sub_rows_under_a_merged_serial_cell_belong_to_that_task():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["序号", "工作任务", "牵头单位", "责任单位", "完成时限"])
    sheet.append([1, "深化“放管服”改革", "市政务办", "市发改委\n市财政局", "2018年12月底前"])
    sheet.append([None, "推行“一网通办”", "市政务办", "市大数据局", "2018年9月底前"])
    sheet.merge_cells("A2:A3")
    sheet.append([2.0, "压减企业开办时间", "市市场监管局", None, "2018年6月底前"])

    plan = parse_plan_file(xlsx_bytes(workbook), "plan.xlsx")

    assert summary(plan) == [
        ("", "", 1, ["市政务办"], ["市发改委", "市财政局", "市大数据局"], []),
        ("", "", 2, ["市市场监管局"], ["市市场监管局"], []),
    ]
    assert plan.tasks[0].text == "深化“放管服”改革\n推行“一网通办”"
    assert [d.date for d in plan.tasks[0].deadlines] == [dt.date(2018, 12, 31), dt.date(2018, 9, 30)]


def test_unnumbered_rows_of_an_unnumbered_table_are_numbered_in_order_with_warnings():
    text = "\n".join(
        [
            "序号\t工作任务\t牵头单位\t责任单位",
            "\t深化“放管服”改革\t市政务办\t各区",
            "\t推进企业开办便利化\t市市场监管局\t各区",
        ]
    )

    plan = parse_plan_text(text)

    assert [(t.number, t.text) for t in plan.tasks] == [(1, "深化“放管服”改革"), (2, "推进企业开办便利化")]
    assert [w.message for w in plan.warnings[1:]] == [
        "任务未编号，按顺序编为第 1 项",
        "任务未编号，按顺序编为第 2 项",
    ]


def test_serial_numbers_written_with_a_stop_or_in_brackets_are_numbers():
    text = "\n".join(
        [
            "序号\t工作任务\t牵头单位\t责任单位",
            "1.\t深化“放管服”改革\t市政务办\t各区",
            "2、\t推进企业开办便利化\t市市场监管局\t各区",
            "（3）\t推进大气污染防治\t市环保局\t各区",
        ]
    )

    plan = parse_plan_text(text)

    assert [(t.number, t.lead_units) for t in plan.tasks] == [
        (1, ["市政务办"]),
        (2, ["市市场监管局"]),
        (3, ["市环保局"]),
    ]


def test_without_a_lead_column_the_first_responsible_unit_leads_with_a_warning_if_several():
    text = "\n".join(
        [
            "序号\t工作任务\t责任单位",
            "1\t深化“放管服”改革\t市政务办、市发改委",
            "2\t推进企业开办便利化\t市市场监管局",
        ]
    )

    plan = parse_plan_text(text)

    assert [(t.lead_units, t.responsible_terms) for t in plan.tasks] == [
        (["市政务办"], ["市政务办", "市发改委"]),
        (["市市场监管局"], ["市市场监管局"]),
    ]
    assert [w.to_dict() for w in plan.warnings[1:]] == [
        {"line": 2, "message": "文件未说明牵头部门的排序规则，按排在第一位的部门为牵头部门处理"}
    ]


# Columns read by what they hold, when the header does not say it.

def _tsv(*rows):
    return "\n".join([TITLE, *("\t".join(r) for r in rows), ""])


def test_a_column_of_office_names_is_a_unit_column_whatever_its_header_says():
    plan = parse_plan_text(_tsv(
        ("序号", "重点任务", "抓总部门", "责任单位"),
        ("1", "推进企业开办便利化，开办时间压缩到1个工作日", "市市场监管局", "各区、市政务办"),
        ("2", "完善社会信用体系建设，建立失信联合惩戒机制", "市发改委", "市政府各部门"),
    ))

    assert [(t.lead_units, t.responsible_terms) for t in plan.tasks] == [
        (["市市场监管局"], ["各区", "市政务办"]),
        (["市发改委"], ["市政府各部门"]),
    ]
    assert any("第 3 列（表头“抓总部门”）按其内容读作“牵头单位”列" in w.message for w in plan.warnings)


def test_a_unit_column_right_of_the_responsible_column_cooperates():
    plan = parse_plan_text(_tsv(
        ("序号", "重点任务", "责任单位", "协同部门"),
        ("1", "推进企业开办便利化，开办时间压缩到1个工作日", "市市场监管局", "市公安局、市税务局"),
        ("2", "完善社会信用体系建设，建立失信联合惩戒机制", "市发改委", "市财政局"),
    ))

    assert [t.cooperating_units for t in plan.tasks] == [["市公安局", "市税务局"], ["市财政局"]]
    assert [t.lead_units for t in plan.tasks] == [["市市场监管局"], ["市发改委"]]


def test_a_table_whose_header_names_no_column_is_read_from_its_cells():
    plan = parse_plan_text(_tsv(
        ("编码", "事项", "抓总", "时段"),
        ("1", "推进企业开办便利化，开办时间压缩到1个工作日", "市市场监管局、市政务办", "2023年6月底前"),
        ("2", "完善社会信用体系建设，建立失信联合惩戒机制", "市发改委", "长期坚持"),
        ("3", "开展城市更新行动，改造老旧小区不少于30个", "市住房城乡建设局（人防办）", "2023年底"),
    ))

    assert [t.number for t in plan.tasks] == [1, 2, 3]
    assert [t.lead_units for t in plan.tasks] == [["市市场监管局"], ["市发改委"], ["市住房城乡建设局（人防办）"]]
    assert [t.due for t in plan.tasks] == [dt.date(2023, 6, 30), None, dt.date(2023, 12, 31)]
    assert plan.tasks[1].cadence == "ongoing"


def test_of_two_task_columns_the_left_groups_the_rows_and_a_blank_header_over_numbers_is_the_serial():
    plan = parse_plan_text(_tsv(
        ("工作任务", "", "具体要求", "责任科室", "时限要求"),
        ("强化规范性文件公开", "1", "对行政规范性文件进行全面清理", "办公室", "年底前"),
        ("做好主动公开基础工作", "2", "严格规范政府信息公开专栏", "各科室", "持续推进"),
        ("", "3", "规范做好年度报告编制发布工作", "办公室", "持续推进"),
    ))

    assert [(s.title, [t.number for t in s.tasks]) for s in plan.sections] == [
        ("强化规范性文件公开", [1]), ("做好主动公开基础工作", [2, 3])]
    assert plan.tasks[0].text == "对行政规范性文件进行全面清理"


def test_a_star_marks_the_lead_inside_the_unit_cell():
    plan = parse_plan_text(_tsv(
        ("序号", "重点工作目标任务", "牵头领导", "责任单位"),
        ("1", "地区生产总值增长5%以上", "钱 宇", "★区发改委、统计局"),
        ("2", "一般公共预算收入同口径增长6%以上", "", "区税务局、★区财政局"),
    ))

    assert [(t.lead_units, t.responsible_terms) for t in plan.tasks] == [
        (["区发改委"], ["区发改委", "统计局"]), (["区财政局"], ["区税务局", "区财政局"])]
    assert not any("排序规则" in w.message for w in plan.warnings)


def test_one_unit_column_not_called_lead_gives_the_first_listed_the_lead():
    plan = parse_plan_text(_tsv(
        ("序号", "工作任务", "主要责任单位"),
        ("1", "地区生产总值增长12%", "市发改委、统计局"),
    ))

    assert (plan.tasks[0].lead_units, plan.tasks[0].responsible_terms) == (["市发改委"], ["市发改委", "统计局"])


def test_headers_and_unit_names_in_traditional_characters_are_recognised_and_kept_as_written():
    plan = parse_plan_text(_tsv(
        ("序號", "任務內容", "完成時限", "責任單位"),
        ("1", "做好政策解讀", "全年", "區發改局、各街道辦事處"),
    ))

    assert plan.tasks[0].text == "做好政策解讀"
    assert plan.tasks[0].responsible_terms == ["區發改局", "各街道辦事處"]
    assert plan.tasks[0].deadline_text == "全年"


# --- headers written over two rows ---------------------------------------------------------


def test_a_header_over_two_rows_takes_the_lower_names_under_a_spanning_cell():
    text = ("某市2026年重点工作任务分解表\n"
            "序号,重点任务,责任单位,,完成时限\n"
            ",,牵头单位,配合单位,\n"
            "1,推进政务服务一网通办,市财政局,市编办,2026年6月底前\n"
            "2,完成社会信用平台建设,市民政局,市财政局,2026年底\n")
    plan = parse_plan_file(text.encode(), "分解表.csv")
    assert [(t.number, t.lead_units, t.cooperating_units, t.deadline_text) for s in plan.sections for t in s.tasks] == [
        (1, ["市财政局"], ["市编办"], "2026年6月底前"), (2, ["市民政局"], ["市财政局"], "2026年底")]
    assert plan.warnings == []


def test_a_docx_header_over_two_rows_with_merged_cells_and_its_repeat_after_a_page_break():
    document = Document()
    document.add_paragraph("某区2026年民生实事项目责任分工")
    table = document.add_table(rows=6, cols=6)
    for top in (0, 3):  # the two-row header, and the same header again after a page break
        table.cell(top, 0).merge(table.cell(top + 1, 0)).text = "序号"
        table.cell(top, 1).merge(table.cell(top, 2)).text = "工作内容"
        table.cell(top, 3).merge(table.cell(top, 4)).text = "责任分工"
        table.cell(top, 5).merge(table.cell(top + 1, 5)).text = "完成时限"
        for column, name in ((1, "类别"), (2, "具体任务"), (3, "牵头单位"), (4, "责任单位")):
            table.cell(top + 1, column).text = name
    for row, texts in ((2, ("1", "教育", "新建幼儿园3所", "区教育局", "各街道办事处", "2026年9月底前")),
                       (5, ("2", "养老", "建成社区养老服务站10个", "区民政局", "区卫健局、各街道办事处", "每季度"))):
        for column, text in enumerate(texts):
            table.cell(row, column).text = text
    plan = parse_plan_file(docx_bytes(document), "民生实事.docx")
    assert [(s.title, t.number, t.text, t.lead_units, t.responsible_terms, t.deadline_text)
            for s in plan.sections for t in s.tasks] == [
        ("教育", 1, "新建幼儿园3所", ["区教育局"], ["各街道办事处"], "2026年9月底前"),
        ("养老", 2, "建成社区养老服务站10个", ["区民政局"], ["区卫健局", "各街道办事处"], "每季度")]


def test_an_xlsx_header_over_two_rows_and_a_data_row_of_short_text_is_not_taken_for_a_header():
    book = Workbook()
    sheet = book.active
    sheet.append(("某县2026年重点任务清单",))
    sheet.append(("序号", "目标任务", "责任单位", None, "时间要求"))
    sheet.append((None, None, "牵头单位", "协办单位", None))
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B2:B3")
    sheet.merge_cells("C2:D2")
    sheet.merge_cells("E2:E3")
    sheet.append((1, "工作任务", "县财政局", "县审计局", "年内"))  # short, but a task: its units are no header names
    sheet.append((2, "完成农村公路改造20公里", "县交通局", None, "2026年10月底前"))
    plan = parse_plan_file(xlsx_bytes(book), "清单.xlsx")
    assert [(t.number, t.text, t.lead_units, t.cooperating_units, t.deadline_text) for s in plan.sections
            for t in s.tasks] == [(1, "工作任务", ["县财政局"], ["县审计局"], "年内"),
                                  (2, "完成农村公路改造20公里", ["县交通局"], [], "2026年10月底前")]


def test_the_mapping_step_shows_a_header_over_two_rows_as_one_row_of_names():
    from workflows.importers import read_blocks
    from workflows.importers.layout import read_layout

    text = ("某市2026年重点工作任务分解表\n序号,重点任务,责任单位,,完成时限\n,,牵头单位,配合单位,\n"
            "1,推进政务服务一网通办,市财政局,市编办,2026年6月底前\n")
    layout = read_layout(read_blocks(text.encode(), "分解表.csv")[0])
    assert [(c.header, c.role) for c in layout.columns] == [
        ("序号", "seq"), ("重点任务", "task"), ("牵头单位", "lead"), ("配合单位", "cooperating"), ("完成时限", "deadline")]
    assert layout.columns[2].samples == ("市财政局",)
