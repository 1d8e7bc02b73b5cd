"""Rebuild document.xlsx: the table of 区政府2024年重点工作目标任务分解落实方案 (苏州市吴江区), as recovered.

Only the document's own wording is kept here as data (punctuation as stored); see SOURCE.md for what was left out.
Run with the project's venv python:
    PYTHONPATH=. .venv/bin/python tests/workflows/importers/corpus/a_wujiang_2024_key_targets/build.py
"""
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from tests.workflows.importers.corpus.sheets import finish

TITLE = "区政府2024年重点工作目标任务分解落实方案"
SUBTITLE = "(共118项)"
HEADER = ["序号", "项目", "重点工作目标任务", "牵头领导", "责任单位"]
SECTION = "一、2024年全区经济社会发展主要预期目标"
GROUP_NUMBER = 1          # 序号 cell, merged over all rows of the group
GROUP_NAME = "主要预期目标"  # 项目 cell, merged over all rows of the group
# 重点工作目标任务, 牵头领导 ("" = empty cell, None = merged with the cell above), 责任单位
ROWS = [
    ["1.地区生产总值增长5%以上。", "钱 宇", "★区发改委、统计局"],
    ["2.一般公共预算收入同口径增长6%以上。", None, "★区财政局、税务局"],
    ["3.规上工业总产值增长5%左右。", "", "★区工信局、统计局"],
    ["4.全社会固定资产投资增长5%左右。", "钱 宇", "★区发改委、统计局"],
    ["5.工业投资增长10%以上。", "", "★区工信局、统计局"],
    ["6.进出口总额和实际使用外资量稳质升。", "方 勇", "★区商务局、吴江海关"],
    ["7.实现高新技术产业产值占规上工业产值比重达54%,全社会研发投入占地区生产总值比重达4.15%", "", "★区科技局、统计局"],
    ["8.居民人均可支配收入与经济增长保持同步。", "钱 宇", "★区发改委、人社局、农业农村局、统计局"],
    ["9.工业增加值率保持基本稳定。", "", "★区工信局、统计局"],
    ["10.主要污染物排放总量削减完成上级下达任务。", "王 嵘\n方 勇", "★生态环境局"],
    ["11.不发生重特大生产安全责任事故。", "钱 宇", "★区应急管理局"],
]


def build(path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    width = len(HEADER)

    sheet.cell(row=1, column=1, value=TITLE).font = Font(bold=True, size=16)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=2, column=1, value=SUBTITLE)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    for cell in (sheet["A1"], sheet["A2"]):
        cell.alignment = Alignment(horizontal="center", vertical="center")

    header_row = 3
    for column, text in enumerate(HEADER, start=1):
        sheet.cell(row=header_row, column=column, value=text).font = Font(bold=True)
    section_row = header_row + 1
    sheet.cell(row=section_row, column=1, value=SECTION).font = Font(bold=True)
    sheet.merge_cells(start_row=section_row, start_column=1, end_row=section_row, end_column=width)

    first = section_row + 1
    last = first + len(ROWS) - 1
    sheet.cell(row=first, column=1, value=GROUP_NUMBER)
    sheet.cell(row=first, column=2, value=GROUP_NAME)
    sheet.merge_cells(start_row=first, start_column=1, end_row=last, end_column=1)
    sheet.merge_cells(start_row=first, start_column=2, end_row=last, end_column=2)
    for offset, (text, leader, units) in enumerate(ROWS):
        row = first + offset
        sheet.cell(row=row, column=3, value=text)
        if leader:
            sheet.cell(row=row, column=4, value=leader)
        sheet.cell(row=row, column=5, value=units)
    for offset, (_, leader, _) in enumerate(ROWS):
        if leader is None:
            sheet.merge_cells(start_row=first + offset - 1, start_column=4, end_row=first + offset, end_column=4)

    finish(sheet, header_row, last, (6, 14, 60, 10, 30))
    workbook.save(path)


if __name__ == "__main__":
    build(Path(__file__).with_name("document.xlsx"))
