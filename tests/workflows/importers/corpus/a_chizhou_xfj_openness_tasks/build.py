"""Rebuild document.xlsx: the 政务公开 task list of 池州市信访局, as recovered (see SOURCE.md).

Only the document's own wording is kept here as data (punctuation as stored).
Run with the project's venv python:
    PYTHONPATH=. .venv/bin/python tests/workflows/importers/corpus/a_chizhou_xfj_openness_tasks/build.py
"""
from pathlib import Path

from tests.workflows.importers.corpus.sheets import table

# The header's first cell 工作任务 covers two columns: the task group and the item number.
HEADER = ["工作任务", None, "具体要求", "责任科室", "时限要求"]
# group (None = merged with the group cell above), number, 具体要求, 责任科室, 时限要求
ROWS = [
    ["强化行政规范性文件集中规范公开", 1, "对行政规范性文件进行全面清理,并向社会公布现行有效行政规范性文件目录。", "办公室", "年底前"],
    ["深化政策解读形式", 2, "积极做好政策解读工作,持续提升政策解读质量,丰富解读形式。", "各科室", "持续推进"],
    ["做好主动公开基础工作", 3, "严格规范政府信息公开专栏,及时、集中、规范发布法定主动公开内容。严格执行政府信息公开制度,完善政府信息公开保密审查,增强保密意识,防范泄密风险。", "各科室", "持续推进"],
    [None, 4, "规范做好政府信息公开工作年度报告编制发布工作,将年度重点工作任务落实情况纳入年报,确保体例规范、数据准确,接受社会监督。", "办公室", "持续推进"],
    ["规范办理依申请公开", 5, "依法依规办理政府信息公开申请,做行政复议答复和行政诉讼答辩工作,防范法律风险。", "各科室", "持续推进"],
    ["认真抓好工作落实", 6, "制定并公开本部门政务公开重点任务清单,明确具体要求、责任科室及完成时限,逐项推动工作落实", "办公室", "持续推进"],
    ["加强宣传", 7, "积极参加“政务公开交流”约稿活动,认真总结报送优秀稿件。", "各科室", "持续推进"],
    ["做好指导监督", 8, "积极参加政务公开工作培训和研讨交流,不断提升业务能力。", "办公室", "持续推进"],
]



def build(path: Path) -> None:
    table(HEADER, ROWS, widths=(24, 6, 60, 10, 10), merge_down=(0,)).save(path)


if __name__ == "__main__":
    build(Path(__file__).with_name("document.xlsx"))
