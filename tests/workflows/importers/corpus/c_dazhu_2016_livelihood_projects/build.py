"""Rebuild document.docx: 竹府办〔2016〕20号 and its attached table, as recovered (see SOURCE.md).

The text below is the document's own wording as the stored copy gave it
(punctuation kept as stored); run with the project's venv python:
    .venv/bin/python tests/workflows/importers/corpus/c_dazhu_2016_livelihood_projects/build.py
"""
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

TITLE = "大竹县人民政府办公室关于对2016年民生实事进行重点督办的通知"
DOC_NUMBER = "竹府办〔2016〕20号"
ADDRESSEE = "各乡镇人民政府、街道办事处,县级各部门:"
BODY = [
    "为让人民群众生活得更有保障、更加幸福,根据《2016年政府工作报告》安排部署,现将2016年“民生实事”目标任务分解下达。请各责任领导、责任单位认真研究、强化责任、细化措施,确保全年目标任务顺利完成。县政府督查室将常年跟踪,适时开展督查。请各责任单位于每季度末月20日前将“民生实事”完成情况书面报县政府督查室420室(联系电话:6239325)。",
    "附件:2016年民生实事目标任务分解表",
]
SIGNATURE = "大竹县人民政府办公室"
DATE = "2016年2月26日"
ANNEX_LABEL = "附件"
TABLE_TITLE = "2016年民生实事目标任务分解表"
HEADER = ["序号", "民生实事", "责任单位", "完成时限"]
# One entry per table row: number, task, responsible units (one paragraph each), deadline.
# None in a column means "this cell is merged with the cell above" (item 5 has two rows).
ROWS = [
    ["1", "启动建设东柳河城区段综合治理工程和东湖湿地公园。", ["县水务局", "县住建局", "县护城河指挥部"], "12月底前"],
    ["2", "新建2座人行天桥。", ["县住建局"], "9月投入使用"],
    ["3", "启动县图书馆新馆建设。", ["县文体广新局", "县代建中心"], "12月底前"],
    ["4", "建成县残疾人综合服务中心。", ["县残联"], "5月底前动工"],
    ["5", "开工建设县老年养护楼。", ["县民政局"], "5月底前动工"],
    [None, "开工建设老年大学。", None, "12月底前"],
    ["6", "迁建县政务服务中心。", ["县政务服务中心", "县代建中心"], "12月底前"],
    ["7", "加快推进土地滩水库建设。", ["县水务局"], "12月底前"],
    ["8", "启动大竹县第十二小学建设,新建中心幼儿园2所。", ["县教科局", "县代建中心"], "12月底前"],
    ["9", "完成棚户区改造2836户。", ["县住建局"], "12月底前"],
    ["10", "城区再新建1个农贸市场。", ["县商务局"], "12月底前"],
]


def _fill(cell, value) -> None:
    lines = value if isinstance(value, list) else [value]
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def build(path: Path) -> None:
    document = Document()
    title = document.add_paragraph(TITLE)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(DOC_NUMBER).alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(ADDRESSEE)
    for text in BODY:
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
            if value is not None:
                _fill(table.cell(row_index, column), value)
    # vertical merges where a value is None (keep the text of the upper cell)
    for row_index, row in enumerate(ROWS, start=1):
        for column, value in enumerate(row):
            if value is None:
                upper = table.cell(row_index - 1, column)
                upper.merge(table.cell(row_index, column))
    document.save(path)


if __name__ == "__main__":
    build(Path(__file__).with_name("document.docx"))
