"""Tests for extracting deadlines and quantitative targets from plan task text."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest

from workflows.importers.extract import (
    extract_deadlines,
    extract_targets,
    parse_chinese_date,
)
from workflows.importers.types import Deadline, Target

REFERENCE_PLAN = (
    Path(__file__).resolve().parents[3]
    / "workflows"
    / "data"
    / "reference_plan_kunzhengbanfa_2017_169.txt"
)

# Real task texts from 昆政办发〔2017〕169号, verbatim.
TASK_9 = "9．严格落实《苏州市重大行政决策程序规定》和《昆山市重大行政决策程序规定》，严格执行《苏州市重大行政决策目录管理办法（暂行）》，重大行政决策事项全部纳入目录化管理。决策目录和听证目录实行动态管理并对外公开。积极推行重大民生决策事项民意调查制度，完善重大行政决策听证制度。完善重大行政决策公众参与机制，对社会关注度高的决策事项，应当公开信息、解释说明，及时反馈意见采纳情况和理由。建立重大行政决策网上运行系统，对重大行政决策事项的提出、确定、调整、公布、论证、监督等程序环节进行节点管理、流程控制、规范运行，强化决策程序的刚性约束。2017年重大行政决策网上运行率达到100%。"
TASK_11 = "11．全面落实重大行政决策后评估制度，从2017年始，各地各部门每年开展重大行政决策实施情况后评估的数量不低于全年重大行政决策总量的20%。进一步完善行政决策的监督制度，强化重大行政决策的组织、协调、指导和管理，规范决策过程和决策事项的实施。明确决策主体和决策实施单位的职责，对决策实施情况、执行效果实施跟踪检查。定期对各区镇、城市管理办事处和政府各部门重大行政决策程序贯彻落实情况开展督查，督查结果直接应用于政府绩效考核。健全并落实重大决策终身责任追究制度及责任倒查机制，确保重大行政决策规范运行，对决策严重失误、未按程序执行以及依法应该及时作出决策但久拖不决造成重大损失、恶劣影响的，严格追究行政首长、负有责任的其他领导人员和相关责任人员的法律责任。"
TASK_14 = "14．坚持规范性文件实施效果评估，完善后评估工作机制，注重后评估结果运用，强化规范性文件动态管理。坚持规范性文件两年一清理，根据上位法调整或经济社会事业发展需要，及时清理规范性文件并公布清理结果。2017年，完成涉及“放管服”改革的规范性文件清理工作。2020年建成清理工作网上运行平台并实现清理结果网上公开。严格执行规范性文件公众监督机制和程序，公民、法人和其他组织对规范性文件提出异议的，制定机关应及时受理并依法处理。"
TASK_24 = "24．加强行政复议应诉机构和队伍建设，推进行政复议办案人员正规化、专业化、职业化建设，至2019年底，凡从事行政复议和应诉工作的人员均具有法律职业资格。进一步推进行政复议规范化建设，确保相关机构设置、人员配备与所承担的工作任务相适应，行政复议经费和办案场所等保障措施得到有效落实。推进行政复议受理环节下移，各区镇普遍设置行政复议受理窗口，配齐行政复议工作联络员。符合法定条件的行政复议申请按时受理率100%，按时办结率100%。完善行政复议体制机制，深入推进行政复议委员会试点工作。进一步推进行政复议决定书公开制度，逐步提高行政复议案件听证审理数量，加大行政复议对行政行为的纠错力度，提高行政复议公众认可度。到2020年，除涉密的外，行政复议决定的公开率达到90%。逐步提高行政机关负责人出庭应诉率，尊重并执行人民法院生效裁判。"
TASK_28 = "28．市政府每年举办一期领导干部法治专题培训班，市政府常务会议每月组织学法。完善各区镇、政府部门领导集体学法旁听制度，年度集体学法不少于4次。认真落实领导干部任前法律法规和依法行政知识考试制度，考试结果作为任职依据。建立领导干部庭审旁听制度，每年组织领导干部1次以上旁听与部门职责相关案件的庭审。实行公务员晋升依法行政考核制度。坚持行政机关工作人员法律知识学习和培训制度，公务员每年保证不少于40学时的法律知识学习。健全行政执法人员岗位培训制度，行政执法人员法律知识更新学习的时间每年不少于15天，每3年接受一次依法行政知识专门培训。"


def deadline_pairs(text: str) -> list[tuple[dt.date, str]]:
    return [(d.date, d.phrase) for d in extract_deadlines(text)]


def deadline_dates(text: str) -> list[dt.date]:
    return [d.date for d in extract_deadlines(text)]


def target_pairs(text: str) -> list[tuple[str, str]]:
    return [(t.value, t.phrase) for t in extract_targets(text)]


def target_values(text: str) -> list[str]:
    return [t.value for t in extract_targets(text)]


# --- The real reference tasks ---------------------------------------------------------


def test_task_24_gives_the_two_deadlines_with_their_marker_words():
    assert deadline_pairs(TASK_24) == [
        (dt.date(2019, 12, 31), "至2019年底"),
        (dt.date(2020, 12, 31), "到2020年"),
    ]


def test_task_24_gives_the_three_percentage_targets_with_their_clauses():
    assert target_pairs(TASK_24) == [
        ("100%", "符合法定条件的行政复议申请按时受理率100%"),
        ("100%", "按时办结率100%"),
        ("90%", "行政复议决定的公开率达到90%"),
    ]


def test_results_are_the_typed_dataclasses():
    assert extract_deadlines(TASK_24)[0] == Deadline(dt.date(2019, 12, 31), "至2019年底")
    assert extract_targets(TASK_24)[-1] == Target("90%", "行政复议决定的公开率达到90%")


def test_task_11_start_year_is_not_a_deadline_but_its_percentage_is_a_target():
    assert extract_deadlines(TASK_11) == []
    assert target_pairs(TASK_11) == [
        (
            "20%",
            "各地各部门每年开展重大行政决策实施情况后评估的数量不低于全年重大行政决策总量的20%",
        ),
    ]


def test_task_14_bare_years_followed_by_action_text_are_deadlines():
    assert deadline_pairs(TASK_14) == [
        (dt.date(2017, 12, 31), "2017年"),
        (dt.date(2020, 12, 31), "2020年"),
    ]
    assert extract_targets(TASK_14) == []


def test_task_9_year_before_a_rate_is_both_a_deadline_and_a_target():
    assert deadline_pairs(TASK_9) == [(dt.date(2017, 12, 31), "2017年")]
    assert target_pairs(TASK_9) == [("100%", "2017年重大行政决策网上运行率达到100%")]


def test_task_28_counted_quantities_with_comparators_are_targets():
    assert target_pairs(TASK_28) == [
        ("4次", "年度集体学法不少于4次"),
        ("1次", "每年组织领导干部1次以上旁听与部门职责相关案件的庭审"),
        ("40学时", "公务员每年保证不少于40学时的法律知识学习"),
        ("15天", "行政执法人员法律知识更新学习的时间每年不少于15天"),
    ]
    assert extract_deadlines(TASK_28) == []


# --- Deadline forms -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017年底", (dt.date(2017, 12, 31), "2017年底")),
        ("至2019年底", (dt.date(2019, 12, 31), "至2019年底")),
        ("到2020年", (dt.date(2020, 12, 31), "到2020年")),
        ("2012年10月底前完成", (dt.date(2012, 10, 31), "2012年10月底前")),
        ("2018年6月30日前", (dt.date(2018, 6, 30), "2018年6月30日前")),
        ("于2018年6月30日前报送", (dt.date(2018, 6, 30), "于2018年6月30日前")),
        ("2018年6月", (dt.date(2018, 6, 30), "2018年6月")),
        ("2018年6月底", (dt.date(2018, 6, 30), "2018年6月底")),
        ("2018年6月末", (dt.date(2018, 6, 30), "2018年6月末")),
        ("2018年上半年", (dt.date(2018, 6, 30), "2018年上半年")),
        ("2018年下半年", (dt.date(2018, 12, 31), "2018年下半年")),
        ("2018年一季度", (dt.date(2018, 3, 31), "2018年一季度")),
        ("2018年第一季度", (dt.date(2018, 3, 31), "2018年第一季度")),
        ("2018年二季度", (dt.date(2018, 6, 30), "2018年二季度")),
        ("2018年第三季度", (dt.date(2018, 9, 30), "2018年第三季度")),
        ("2018年四季度", (dt.date(2018, 12, 31), "2018年四季度")),
        ("2018年年底前", (dt.date(2018, 12, 31), "2018年年底前")),
        ("2018年前", (dt.date(2018, 12, 31), "2018年前")),
        ("2018年内", (dt.date(2018, 12, 31), "2018年内")),
        ("2018年末", (dt.date(2018, 12, 31), "2018年末")),
        ("2018年度", (dt.date(2018, 12, 31), "2018年度")),
        ("2018年以前", (dt.date(2018, 12, 31), "2018年以前")),
        ("2018年之前", (dt.date(2018, 12, 31), "2018年之前")),
        ("2018年前完成", (dt.date(2018, 12, 31), "2018年前")),
        ("截至2018年底", (dt.date(2018, 12, 31), "截至2018年底")),
    ],
)
def test_each_deadline_form_gives_its_last_day_and_phrase(text, expected):
    assert deadline_pairs(text) == [expected]


def test_year_end_with_zhi_prefix_gives_december_31():
    assert deadline_pairs("至2019年底，凡从事行政复议") == [(dt.date(2019, 12, 31), "至2019年底")]


def test_leap_year_february_end_is_the_29th():
    assert deadline_dates("2020年2月底前") == [dt.date(2020, 2, 29)]


def test_common_year_february_end_is_the_28th():
    assert deadline_dates("2019年2月底前") == [dt.date(2019, 2, 28)]


def test_full_width_digits_are_recognised_and_the_phrase_keeps_them():
    assert deadline_pairs("２０１９年底前完成") == [(dt.date(2019, 12, 31), "２０１９年底前")]


def test_invalid_day_is_not_a_deadline_and_does_not_crash():
    assert extract_deadlines("2019年2月30日前完成") == []


def test_invalid_month_is_not_a_deadline():
    assert extract_deadlines("2019年13月底前完成") == []


def test_repeated_deadline_with_the_same_phrase_is_reported_once():
    text = "2017年底完成清理。2018年6月底前完成评估。2017年底前公开。2017年底建成平台。"
    assert deadline_pairs(text) == [
        (dt.date(2017, 12, 31), "2017年底"),
        (dt.date(2018, 6, 30), "2018年6月底前"),
        (dt.date(2017, 12, 31), "2017年底前"),
    ]


@pytest.mark.parametrize(
    "text",
    ["从2017年始开展评估", "自2018年起施行", "2017年以来", "2018年起实行", "自2018年1月1日起施行"],
)
def test_start_of_a_period_is_not_a_deadline(text):
    assert extract_deadlines(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "2016—2020年",
        "2016-2020年",
        "2016至2020年",
        "2016年至2020年",
        "法治政府建设（2016—2020年规划）",
    ],
)
def test_neither_end_of_a_year_range_is_a_deadline(text):
    assert extract_deadlines(text) == []


def test_year_in_a_cited_title_is_not_a_deadline():
    assert extract_deadlines("贯彻落实《苏州市法治政府建设2016—2020年规划》各项工作任务") == []
    assert extract_deadlines("落实《2018年度工作要点》") == []


def test_year_in_a_document_number_is_not_a_deadline():
    assert extract_deadlines("根据苏委发〔2016〕14号和苏府办[2016]248号精神") == []


def test_deadline_outside_a_cited_title_is_still_found():
    text = "按照《法治政府建设2016—2020年规划》要求，2018年底前完成。"
    assert deadline_pairs(text) == [(dt.date(2018, 12, 31), "2018年底前")]


# --- Target forms ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("归并率达100%", "100%"),
        ("公开率达到90%", "90%"),
        ("按时受理率100%", "100%"),
        ("不低于总量的20%", "20%"),
        ("控制在0.5%以内", "0.5%"),
        ("不少于40学时", "40学时"),
        ("不少于4次", "4次"),
        ("1次以上", "1次"),
        ("不少于15天", "15天"),
        ("至少3个", "3个"),
        ("不超过5000万元", "5000万元"),
        ("控制在5个工作日以内", "5个工作日"),
        ("超过2亿元", "2亿元"),
        ("10人以上", "10人"),
    ],
)
def test_each_target_form_gives_its_normalised_value(text, value):
    assert target_values(text) == [value]


def test_full_width_percentage_normalises_to_ascii():
    assert target_pairs("覆盖率达到１００％") == [("100%", "覆盖率达到１００％")]


def test_phrase_is_the_clause_between_delimiters_of_the_original_text():
    text = "第一句话；办结率达到95%，其余略。"
    assert target_pairs(text) == [("95%", "办结率达到95%")]


def test_a_clause_with_two_targets_gives_two_targets_with_the_same_phrase():
    assert target_pairs("受理率和办结率分别达到95%和90%") == [
        ("95%", "受理率和办结率分别达到95%和90%"),
        ("90%", "受理率和办结率分别达到95%和90%"),
    ]


def test_decimal_point_is_not_taken_for_a_clause_delimiter():
    assert target_pairs("误差率低于0.5%.") == [("0.5%", "误差率低于0.5%")]


@pytest.mark.parametrize(
    "text",
    [
        "每3年接受一次依法行政知识专门培训",
        "围绕“3550”目标",
        "整合优化政府“12345”便民服务平台",
        "深入推进“三集中三到位”工作",
        "2017年完成清理",
        "24．加强行政复议应诉机构和队伍建设",
        "苏委发〔2016〕14号",
        "每年组织3次培训",
    ],
)
def test_numbers_without_a_comparator_are_not_targets(text):
    assert extract_targets(text) == []


# --- parse_chinese_date ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017年9月18日", dt.date(2017, 9, 18)),
        ("二〇一七年九月十八日", dt.date(2017, 9, 18)),
        ("二〇一七年十二月三十一日", dt.date(2017, 12, 31)),
        ("二〇二〇年二月二十九日", dt.date(2020, 2, 29)),
        ("二O一七年九月十八日", dt.date(2017, 9, 18)),
        ("二○一七年十月一日", dt.date(2017, 10, 1)),
        ("２０１７年９月１８日", dt.date(2017, 9, 18)),
        ("  2017年9月18日 ", dt.date(2017, 9, 18)),
    ],
)
def test_parse_chinese_date_reads_arabic_and_chinese_numerals(text, expected):
    assert parse_chinese_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["2017年13月1日", "二〇一九年二月二十九日", "hello", "", "2017年9月18日前", "2017年"],
)
def test_parse_chinese_date_returns_none_for_anything_but_a_whole_valid_date(text):
    assert parse_chinese_date(text) is None


# --- The whole reference document -----------------------------------------------------


def reference_tasks() -> list[str]:
    if not REFERENCE_PLAN.exists():
        pytest.skip(f"reference plan not found at {REFERENCE_PLAN}")
    lines = REFERENCE_PLAN.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if re.match(r"\s*\d+．", line)]


def test_reference_document_yields_the_expected_deadlines_and_targets_per_task():
    found = {
        int(task.split("．", 1)[0]): (deadline_dates(task), target_values(task))
        for task in reference_tasks()
    }
    assert len(found) == 31
    year_end = {year: dt.date(year, 12, 31) for year in (2017, 2019, 2020)}
    assert {number: result for number, result in found.items() if result != ([], [])} == {
        4: ([], ["100%"]),
        8: ([], ["100%"]),
        9: ([year_end[2017]], ["100%"]),
        11: ([], ["20%"]),
        14: ([year_end[2017], year_end[2020]], []),
        20: ([], ["100%"]),
        24: ([year_end[2019], year_end[2020]], ["100%", "100%", "90%"]),
        25: ([year_end[2017]], []),
        27: ([], ["20%"]),
        28: ([], ["4次", "1次", "40学时", "15天"]),
        29: ([year_end[2017]], ["90%"]),
    }


def test_whole_reference_document_is_extracted_in_under_50_ms():
    tasks = reference_tasks()
    started = time.perf_counter()
    for task in tasks:
        extract_deadlines(task)
        extract_targets(task)
    assert time.perf_counter() - started < 0.050
