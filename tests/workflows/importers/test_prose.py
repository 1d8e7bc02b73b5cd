"""Prose plans: numbered tasks that end in an inline attribution of their units.

Every document is built here, as text or as a Word file in memory.
"""
from __future__ import annotations

import datetime as dt

from docx import Document

from tests.workflows.importers.documents import docx_bytes
from workflows.importers import parse_plan_file, parse_plan_text

# The rule "排在第一位的部门为牵头部门，下同" is stated once, inside the first attribution.
RULE_PLAN = """\
苏州市人民政府关于印发2018年法治政府建设工作要点的通知
苏府〔2018〕5号
各市、区人民政府，市各委办局：
一、总体要求
1．指导思想。深入贯彻党的十九大精神（全文见附件）。
2．基本原则。坚持依法行政，坚持问题导向。
二、主要任务
（一）依法全面履行政府职能
1．深化行政审批制度改革，2018年底前行政审批事项精简20%以上（市编办、市政务办负责，排在第一位的部门为牵头部门，下同）。
2．全面推行权力清单制度，
做到清单之外无权力（市法制办、市政府各部门负责）。
（二）完善依法行政制度体系
3．加强重点领域立法，年内完成立法项目不少于5件（市法制办负责）。
（4）到2020年，规范性文件备案审查率达到100%（市法制办、各区人民政府负责）。
三、保障措施
1．加强组织领导。各地各部门要高度重视。
2．强化督查考核。
苏州市人民政府
2018年2月1日
"""

# The numbered items under "三、保障措施" are prose: skipped, and said so.
SKIPPED_SECTION_WARNING = {"line": 16, "message": "“保障措施”中的编号条目均未注明责任单位，未作为任务导入"}

LABELLED_PLAN = """\
XX区2018年重点工作任务
一、优化营商环境
1．推进“放管服”改革，2018年6月底前实现“不见面审批”（牵头单位：区政务办，配合单位：区发改委、区财政局，各街道）。
2．优化企业开办服务（牵头单位：区市场监管局、区税务局）
二、改善城市环境
3、推进老旧小区改造不少于10个（牵头单位：区住建局；责任单位：各街道）；
"""


def summary(plan) -> list[tuple]:
    """(section numeral, section title, task number, leads, responsible, cooperating) per task."""
    return [
        (s.numeral, s.title, t.number, t.lead_units, t.responsible_terms, t.cooperating_units)
        for s in plan.sections
        for t in s.tasks
    ]


# --- "（A、B负责）" with the rule stated once ---------------------------------------------------


def test_rule_stated_once_makes_the_first_unit_lead_in_every_later_attribution():
    plan = parse_plan_text(RULE_PLAN)

    assert summary(plan) == [
        ("（一）", "依法全面履行政府职能", 1, ["市编办"], ["市编办", "市政务办"], []),
        ("（一）", "依法全面履行政府职能", 2, ["市法制办"], ["市法制办", "市政府各部门"], []),
        ("（二）", "完善依法行政制度体系", 3, ["市法制办"], ["市法制办"], []),
        ("（二）", "完善依法行政制度体系", 4, ["市法制办"], ["市法制办", "各区人民政府"], []),
    ]
    assert [w.to_dict() for w in plan.warnings] == [SKIPPED_SECTION_WARNING]


def test_prose_metadata_comes_from_the_title_number_signature_and_date():
    plan = parse_plan_text(RULE_PLAN)

    assert (plan.title, plan.doc_number, plan.issuer, plan.issued_on) == (
        "苏州市人民政府关于印发2018年法治政府建设工作要点的通知",
        "苏府〔2018〕5号",
        "苏州市人民政府",
        dt.date(2018, 2, 1),
    )


def test_the_attribution_and_the_number_are_cut_from_the_task_text_and_figures_are_read():
    tasks = parse_plan_text(RULE_PLAN).to_dict()["sections"][0]["tasks"]

    assert tasks[0] == {
        "number": 1,
        "text": "深化行政审批制度改革，2018年底前行政审批事项精简20%以上",
        "lead_units": ["市编办"],
        "responsible_terms": ["市编办", "市政务办"],
        "cooperating_units": [],
        "deadlines": [{"date": "2018-12-31", "phrase": "2018年底前"}],
        "targets": [{"value": "20%", "phrase": "2018年底前行政审批事项精简20%以上"}],
        # No 完成时限 column or label: the date in the text is the due date, as dispatch reads it.
        "deadline_text": "",
        "due": "2018-12-31",
        "cadence": "",
    }


def test_a_task_wrapped_over_two_lines_is_one_task_joined_without_the_break():
    plan = parse_plan_text(RULE_PLAN)

    assert plan.tasks[1].text == "全面推行权力清单制度，做到清单之外无权力"
    assert plan.tasks[1].line == 10


def test_a_task_numbered_in_brackets_loses_its_number_and_keeps_its_target():
    fourth = parse_plan_text(RULE_PLAN).tasks[3]

    assert (fourth.number, fourth.text) == (4, "到2020年，规范性文件备案审查率达到100%")
    assert [t.to_dict() for t in fourth.targets] == [
        {"value": "100%", "phrase": "规范性文件备案审查率达到100%"}
    ]


def test_numbered_preamble_items_before_the_first_task_are_not_tasks():
    plan = parse_plan_text(RULE_PLAN)

    assert all("指导思想" not in t.text and "基本原则" not in t.text for t in plan.tasks)
    # Task 1 is the first attributed item, although the preamble used the number 1 as well.
    assert plan.tasks[0].line == 9


def test_a_section_whose_numbered_items_carry_no_attribution_is_not_a_task_section():
    plan = parse_plan_text(RULE_PLAN)

    assert all("组织领导" not in t.text for t in plan.tasks)
    assert [s.numeral for s in plan.sections] == ["（一）", "（二）"]


def test_section_headings_of_both_styles_are_read_and_empty_parent_headings_are_dropped():
    plan = parse_plan_text(RULE_PLAN)

    assert [(s.numeral, s.title) for s in plan.sections] == [
        ("（一）", "依法全面履行政府职能"),
        ("（二）", "完善依法行政制度体系"),
    ]
    text = "一、依法行政\n1．推进依法决策（市法制办负责）\n二、阳光政务\n2．推进政务公开（市政府办负责）\n"
    assert [(s.numeral, s.title) for s in parse_plan_text(text).sections] == [
        ("一", "依法行政"),
        ("二", "阳光政务"),
    ]


def test_a_rule_stated_in_the_preamble_applies_to_every_attribution():
    text = (
        "XX市2018年重点工作\n"
        "各项任务中排在第一位的单位为牵头单位。\n"
        "1．推进依法决策（市法制办、市政府办负责）。\n"
    )

    plan = parse_plan_text(text)

    assert summary(plan) == [("", "", 1, ["市法制办"], ["市法制办", "市政府办"], [])]
    assert plan.warnings == []


def test_several_units_without_a_stated_rule_give_a_warning_and_the_first_leads():
    text = RULE_PLAN.replace("，排在第一位的部门为牵头部门，下同", "")

    plan = parse_plan_text(text)

    assert [t.lead_units for t in plan.tasks] == [["市编办"], ["市法制办"], ["市法制办"], ["市法制办"]]
    message = "文件未说明牵头部门的排序规则，按排在第一位的部门为牵头部门处理"
    # Task 3 names one unit only: nothing to warn about.
    assert [w.to_dict() for w in plan.warnings] == [
        {"line": 9, "message": message},
        {"line": 10, "message": message},
        {"line": 14, "message": message},
        SKIPPED_SECTION_WARNING,
    ]


# --- "（牵头单位：A，配合单位：B、C，各区）" ---------------------------------------------------------


def test_labelled_attributions_name_lead_cooperating_and_responsible_units():
    plan = parse_plan_text(LABELLED_PLAN)

    assert summary(plan) == [
        ("一", "优化营商环境", 1, ["区政务办"], ["各街道"], ["区发改委", "区财政局"]),
        ("一", "优化营商环境", 2, ["区市场监管局", "区税务局"], ["区市场监管局", "区税务局"], []),
        ("二", "改善城市环境", 3, ["区住建局"], ["各街道"], []),
    ]
    assert [t.text for t in plan.tasks] == [
        "推进“放管服”改革，2018年6月底前实现“不见面审批”",
        "优化企业开办服务",
        "推进老旧小区改造不少于10个",
    ]
    assert [d.to_dict() for d in plan.tasks[0].deadlines] == [
        {"date": "2018-06-30", "phrase": "2018年6月底前"}
    ]
    assert [t.value for t in plan.tasks[2].targets] == ["10个"]
    assert plan.warnings == []


def test_a_prose_plan_without_a_title_line_takes_its_first_line_and_no_issuer():
    plan = parse_plan_text(LABELLED_PLAN)

    assert (plan.title, plan.doc_number, plan.issuer, plan.issued_on) == (
        "XX区2018年重点工作任务", None, None, None
    )


# --- Word -----------------------------------------------------------------------------------


def test_the_same_prose_as_docx_paragraphs_parses_the_same():
    lines = [line for line in RULE_PLAN.split("\n") if line]
    from_text = parse_plan_text("\n".join(lines))

    from_docx = parse_plan_file(docx_of_paragraphs(lines), "要点.docx")

    assert from_docx.source_format == "docx"
    assert from_docx.to_dict() == from_text.to_dict()
    assert summary(from_docx)[0] == ("（一）", "依法全面履行政府职能", 1, ["市编办"], ["市编办", "市政务办"], [])


def test_labelled_prose_as_docx_paragraphs_parses_the_same():
    lines = [line for line in LABELLED_PLAN.split("\n") if line]

    plan = parse_plan_file(docx_of_paragraphs(lines), "plan.docx")

    assert plan.to_dict() == parse_plan_text(LABELLED_PLAN).to_dict()


def docx_of_paragraphs(lines: list[str]) -> bytes:
    document = Document()
    for line in lines:
        document.add_paragraph(line)
    return docx_bytes(document)


def test_a_deadline_inside_an_attribution_is_a_deadline_not_a_unit():
    plan = parse_plan_text(
        "1．完成政务服务平台升级。（市政务办负责，2018年底前完成）\n"
        "2．推进信用体系建设。（市信用办牵头，市发改委配合，长期坚持）\n"
    )
    first, second = plan.tasks
    assert first.responsible_terms == ["市政务办"]
    assert [(d.date, d.phrase) for d in first.deadlines] == [(dt.date(2018, 12, 31), "2018年底前")]
    assert (second.lead_units, second.cooperating_units) == (["市信用办"], ["市发改委"])
    assert second.responsible_terms == ["市信用办"] and second.deadlines == []
