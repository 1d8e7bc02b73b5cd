"""Rebuild document.docx: 平湖市人民政府办公室's 2024 责任分解 notice and attachment 1, as recovered (see SOURCE.md).

Only the document's own wording is kept here as data (punctuation and the spaces inside header cells as stored).
Run with the project's venv python:
    .venv/bin/python tests/workflows/importers/corpus/a_pinghu_2024_key_work/build.py
"""
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

TITLE = "平湖市人民政府办公室关于印发2024年政府工作报告重点工作和政府重点民生实事项目责任分解的通知"
ADDRESSEE = "各镇人民政府、街道办事处,平湖经济技术开发区管委会、独山港经济开发区管委会,市政府各部门,市属各单位:"
BODY = [
    "《2024年政府工作报告重点工作责任分解》和《2024年政府重点民生实事项目责任分解》已经市政府同意,现印发给你们,请认真贯彻执行。",
    "2024年是实施“十四五”规划关键一年,各镇街道、各部门要坚持以习近平新时代中国特色社会主义思想为指导,全面贯彻党的二十大精神和中央经济工作会议精神,深入贯彻习近平总书记考察浙江重要讲话精神,围绕“创新攻坚”主题主线,奋力打造共同富裕和中国式现代化示范引领的县域样板,在勇当先行者、谱写新篇章中彰显璀璨明珠新担当。",
    "各牵头单位要切实承担牵头抓总责任,对标先进、拉高标杆,细化工作举措,把工作做成特色、做出亮点,确保重点任务高质量完成、走在前列。各相关单位要树牢“一盘棋”意识,主动作为、协同推进,形成齐抓共管、实干争先的浓厚氛围。",
]
ATTACHMENTS = [
    "附件:1.2024年政府工作报告重点工作责任分解",
    "          2.2024年政府重点民生实事项目责任分解",
]
SIGNATURE = "平湖市人民政府办公室"
DATE = "2024年2月19日"
ANNEX_LABEL = "附件1"
TABLE_TITLE = "2024年政府工作报告重点工作责任分解"
HEADER = ["序号", "主  要  工  作  任  务", "责 任 单 位"]
ROWS = [
    ["1", "生产总值增长6%左右。", "发改局"],
    ["2", "一般公共预算收入增长6%。", "财政局"],
    ["3", "固定资产投资增长6%以上。", "发改局"],
    ["4", "规上工业增加值增长7%。", "经信局"],
    ["5", "服务业增加值增长5.5%。", "发改局(服务业发展局)"],
    ["6", "社会消费品零售总额增长6%。", "商务局"],
]


def build(path: Path) -> None:
    document = Document()
    document.add_paragraph(TITLE).alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(ADDRESSEE)
    for text in BODY + ATTACHMENTS:
        document.add_paragraph(text)
    for text in (SIGNATURE, DATE):
        document.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph(ANNEX_LABEL)
    document.add_paragraph(TABLE_TITLE).alignment = WD_ALIGN_PARAGRAPH.CENTER

    table = document.add_table(rows=1 + len(ROWS), cols=len(HEADER))
    table.style = "Table Grid"
    for column, text in enumerate(HEADER):
        table.cell(0, column).text = text
    for row_index, row in enumerate(ROWS, start=1):
        for column, value in enumerate(row):
            table.cell(row_index, column).text = value
    document.save(path)


if __name__ == "__main__":
    build(Path(__file__).with_name("document.docx"))
