"""Rebuild document.docx: 国办函〔2016〕38号 as recovered (see SOURCE.md).

The text below is the document's own wording as the stored copy gave it
(punctuation kept as stored); run with the project's venv python:
    .venv/bin/python tests/workflows/importers/corpus/c_gov_2016_quantitative_targets/build.py
"""
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

TITLE = "国务院办公厅关于印发2016年《政府工作报告》量化指标任务分工的通知"
DOC_NUMBER = "国办函[2016]38号"
ADDRESSEE = "国务院有关部门:"
BODY = [
    "为切实抓好2016年《政府工作报告》的贯彻落实,经国务院领导同志同意,现将《2016年量化指标任务分工》印发给你们,并就有关事项通知如下:",
    "一、各有关部门要高度重视量化指标任务,按照分工抓紧研究制定工作方案,健全工作机制,层层落实责任,抓好督促检查。涉及多部门工作的,牵头部门要加大协调力度。需要分省落实的,要及时下达分省任务,加强指导和调度,推动各地按时完成工作任务。",
    "二、各有关部门要按照办理要求和时间节点,及时将量化指标任务进展情况(包括具体数额、完成比例和分省数据)报送国办督查室和有关秘书局。对分省上报的数据,要统一报送口径和标准,做好核查比对,确保数据真实可靠、准确无误。",
    "三、国办将加强跟踪督办,定期梳理汇总落实情况。对完成指标进展缓慢的,将适时通报和启动专项督查;对工作不力、懒政怠政、弄虚作假的,依法依规严肃问责。",
]
SIGNATURE = "国务院办公厅"
DATE = "2016年4月6日"
TABLE_TITLE = "2016年《政府工作报告》量化指标任务分工"
HEADER = ["序号", "工 作 任 务", "牵头负责部门"]
ROWS = [
    ["1", "居民消费价格涨幅3%左右", "发展改革委"],
    ["2", "城镇新增就业1000万人以上", "人力资源社会保障部"],
    ["3", "安排财政赤字2.18万亿元,赤字率提高到3%", "财政部"],
    ["4", "安排地方专项债券4000亿元", "财政部"],
    ["5", "中央财政安排1000亿元专项奖补资金,重点用于职工分流安置,2016年安排500亿元", "财政部"],
    ["6", "推进5万个行政村通光纤", "工业和信息化部"],
    ["7", "铁路投资8000亿元以上", "发展改革委"],
    ["8", "公路投资1.65万亿元", "交通运输部"],
    ["9", "再开工20项重大水利工程", "水利部"],
]


def build(path: Path) -> None:
    document = Document()
    title = document.add_paragraph(TITLE)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number = document.add_paragraph(DOC_NUMBER)
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(ADDRESSEE)
    for text in BODY:
        document.add_paragraph(text)
    for text in (SIGNATURE, DATE):
        document.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    table_title = document.add_paragraph(TABLE_TITLE)
    table_title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    table = document.add_table(rows=1 + len(ROWS), cols=len(HEADER))
    table.style = "Table Grid"
    for column, text in enumerate(HEADER):
        table.cell(0, column).text = text
    for row_index, row in enumerate(ROWS, start=1):
        for column, text in enumerate(row):
            table.cell(row_index, column).text = text
    document.save(path)


if __name__ == "__main__":
    build(Path(__file__).with_name("document.docx"))
