"""Rebuild document.docx: 苏府〔2011〕57号 and its table, as recovered (see SOURCE.md).

Only the document's own wording is kept here as data (punctuation as stored).
Run with the project's venv python:
    .venv/bin/python tests/workflows/importers/corpus/a_suzhou_2011_work_tasks/build.py
"""
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

TITLE = "苏州市人民政府关于下达2011年政府工作任务的通知"
DOC_NUMBER = "(苏府〔2011〕57号)"
ADDRESSEE = "各市、区人民政府,苏州工业园区、苏州高新区、太仓港口管委会;市各委办局,各直属单位:"
BODY = [
    "根据市十四届人大四次会议确定的经济社会发展目标任务,市政府将2011年政府工作任务分解为15项工作目标和35项工作任务,现下达给你们,请认真组织实施。",
    "市政府将对各项工作目标任务实施动态管理,具体工作由市发改委牵头负责。各地、各部门应于年中和年末分别组织一次自查活动,并将结果报市发改委,由市发改委将完成情况汇总上报市政府。各地、各部门主要负责人作为承担工作任务的第一责任人,要切实加强组织和领导;对涉及多个部门共同承担的任务,要加强协调,紧密合作,确保今年政府的各项工作任务圆满完成。",
]
SIGNATURE = "苏州市人民政府"
DATE = "二○一一年三月十七日"
TABLE_TITLE = "苏州市2011年政府工作任务分解表"
HEADER = ["序号", "名称", "工作任务", "主要责任单位"]
# A str row is a section row spanning the whole table; a list row is one table row.
ROWS = [
    "经济社会发展主要预期目标分解(15项)",
    ["1", "地区生产总值", "地区生产总值增长12%", "市发改委、统计局"],
    ["2", "财政收入", "地方财政一般预算收入增长12%以上", "市财政局、国税局、地税局"],
    ["3", "服务业", "服务业增加值占地区生产总值的比重提高1.5个百分点", "市发改委、统计局"],
    ["4", "新兴产业", "新兴产业产值占规模以上工业总产值的比重提高5个百分点", "市经信委、发改委、统计局"],
    ["5", "投资", "全社会固定资产投资增长18%", "市发改委、统计局"],
    ["6", "消费", "社会消费品零售总额增长17%", "市商务局、统计局"],
    ["7", "外贸", "进出口总额增长10%", "市商务局、苏州海关"],
    ["8", "引进外资", "实际利用外资与上年持平", "市商务局"],
]


def build(path: Path) -> None:
    document = Document()
    document.add_paragraph(TITLE).alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(DOC_NUMBER).alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(ADDRESSEE)
    for text in BODY:
        document.add_paragraph(text)
    for text in (SIGNATURE, DATE):
        document.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph(TABLE_TITLE).alignment = WD_ALIGN_PARAGRAPH.CENTER

    table = document.add_table(rows=1 + len(ROWS), cols=len(HEADER))
    table.style = "Table Grid"
    for column, text in enumerate(HEADER):
        table.cell(0, column).text = text
    for row_index, row in enumerate(ROWS, start=1):
        if isinstance(row, str):
            merged = table.cell(row_index, 0).merge(table.cell(row_index, len(HEADER) - 1))
            merged.text = row
            continue
        for column, value in enumerate(row):
            table.cell(row_index, column).text = value
    document.save(path)


if __name__ == "__main__":
    build(Path(__file__).with_name("document.docx"))
