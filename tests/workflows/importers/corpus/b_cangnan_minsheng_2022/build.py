"""Rebuild document.docx: 苍南县 2022年度市县民生实事未完成项目进度表 (截至10月31日), as recovered (see SOURCE.md).

The text below is the document's own wording as the stored copy gave it (punctuation kept as stored);
run with the project's venv python:
    .venv/bin/python tests/workflows/importers/corpus/b_cangnan_minsheng_2022/build.py
"""
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

TITLE = "2022年度市县民生实事未完成项目进度表(截至10月31日)"
HEADER = ["序号", "项目内容", "当前进度", "牵头单位", "备注"]
ROWS = [
    ["1", "新(改、扩)建公办园5所,新增公办幼儿学位1000个。", "80%(新区实验幼儿园进度滞后)", "县教育局", "市民生实事"],
    ["2", "建设四好农村路55公里。", "95%", "县交通局", "县民生实事"],
    ["3", "完成农村公路大中修70公里。", "90%", "县交通局", "县民生实事"],
    ["4", "建成投用沿浦、宜山、莒溪、炎亭、望里、赤溪、岱岭、灵溪浦亭等8家卫生院", "98%", "县卫健局", "县民生实事"],
    ["5", "打通县城人民大道(苍南大道至山海大道)等12条断头路。", "88%(灵溪镇园区六路、金乡镇四好农村路推进缓慢)", "县住建局", "县民生实事"],
    ["6", "建成投用桥墩镇、赤溪镇、灵溪镇观美等3家中心敬老院。", "57%(赤溪、灵溪偏慢)", "县民政局", "县民生实事"],
    ["7", "开工建设矾山镇、马站镇等2家中心敬老院。", "50%(马站未开工", "县民政局", "县民生实事"],
    ["8", "推进县职业中专扩容提升。", "22%(严重滞后)", "县教育局", "县民生实事"],
    ["9", "建成投用中小学3所,新增学位3800位。", "95%", "县教育局", "县民生实事"],
    ["10", "完成上横河泵站和萧江水闸主体工程,开工建设萧江塘河控制闸。", "95%", "县水利局", "县民生实事"],
    ["11", "开工建设海塘安澜(南片海塘4.65公里)。", "70%", "县水利局", "县民生实事"],
    ["12", "完成县应急广播指挥中心、18个乡镇应急广播分控中心、376个村居广播室和752只可控IP化高音喇叭建设,实现县级应急广播平台与省、市互联互通。", "98%", "县文广旅体局", "县民生实事"],
    ["13", "新增16个“文化驿站”。", "98.4%", "县文广旅体局", "县民生实事"],
]


def build(path: Path) -> None:
    document = Document()
    document.add_paragraph(TITLE).alignment = WD_ALIGN_PARAGRAPH.CENTER
    table = document.add_table(rows=1, cols=len(HEADER))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, HEADER, strict=True):
        cell.text = text
    for row in ROWS:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    document.save(path)


if __name__ == "__main__":
    build(Path(__file__).with_name("document.docx"))
