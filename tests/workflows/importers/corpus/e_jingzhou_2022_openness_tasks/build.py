"""Rebuild document.xlsx: 荆州市 2022年政务公开任务分解责任清单, first rows as recovered (see SOURCE.md).

Only the document's own wording is kept here as data (punctuation as stored).
Run with the project's venv python:
    PYTHONPATH=. .venv/bin/python tests/workflows/importers/corpus/e_jingzhou_2022_openness_tasks/build.py
"""
from pathlib import Path

from tests.workflows.importers.corpus.sheets import table

# The header's first cell 工作任务 covers three columns: the section, the sub-section and the item number.
HEADER = ["工作任务", None, None, "具体要求", "责任单位", "时限要求"]
SECTION_1 = "一、以公开助力经济平稳健康发展。"
SUB_1 = "(一)加强涉及市场主体的信息公开。"
UNITS = "市政府各有关部门,各县市区人民政府、功能区管委会负责落实"
# section, sub-section (None = merged with the cell above), number, 具体要求, 责任单位, 时限要求
ROWS = [
    [SECTION_1, SUB_1, 1,
     "进一步增强政策文件制定实施的透明度与可预期性,更好地提振市场主体信心、持续打造更优营商环境,"
     "切实公开涉及市场主体政策文件的决策、解读、执行落实情况。", UNITS, "持续推进"],
    [None, None, 2,
     "开设行业帮扶政策公开专题,加大受疫情影响重的餐饮、住宿、零售、文化、旅游、客运等行业帮扶政策与解读的公开力度,"
     "切实促进行业发展和消费恢复。", UNITS, "持续推进"],
]



def build(path: Path) -> None:
    table(HEADER, ROWS, widths=(16, 16, 5, 60, 24, 10), merge_down=(0, 1)).save(path)


if __name__ == "__main__":
    build(Path(__file__).with_name("document.xlsx"))
