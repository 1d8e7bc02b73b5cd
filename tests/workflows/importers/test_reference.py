"""The reference notice 昆政办发〔2017〕169号 parses exactly as the document says."""
import datetime as dt
import json

import pytest

from workflows.importers import parse_plan_file, parse_plan_text

ALL_DEPTS = "市政府各部门"
REL_DEPTS = "市政府相关部门"
DISTRICTS = "各区镇"
REL_DISTRICTS = "有关区镇"
URBAN = "各城市管理办事处"

# number: (section numeral, lead units in document order, responsible terms in document order)
EXPECTED = {
    1: ("（一）", ["市编办", "市政府法制办"], [ALL_DEPTS]),
    2: ("（一）", ["市编办", "市财政局", "市物价局", "市国税局", "市地税局"], [ALL_DEPTS, DISTRICTS, URBAN]),
    3: ("（一）", ["市编办", "市政府法制办"], [ALL_DEPTS, DISTRICTS, URBAN]),
    4: ("（一）", ["市编办", "市城管局", "市政务办", "市政府法制办"], [ALL_DEPTS, DISTRICTS]),
    5: ("（一）", ["市编办", "市政务办", "市政府法制办"], [ALL_DEPTS, DISTRICTS]),
    6: ("（一）", ["市发改委", "市市场监管局", "市科技局", "市商务局", "市财政局", "市物价局", "市信用办"],
        [ALL_DEPTS, DISTRICTS]),
    7: ("（一）", ["市民政局", "市财政局", "市人社局", "市政府法制办"], [REL_DEPTS, DISTRICTS, URBAN]),
    8: ("（一）", ["市政府办", "市监察局", "市财政局", "市审计局"], [REL_DEPTS, DISTRICTS, URBAN]),
    9: ("（二）", ["市政府办", "市监察局", "市财政局", "市政府法制办"], [ALL_DEPTS, DISTRICTS, URBAN]),
    10: ("（二）", ["市政府办", "市政府法制办", "市维稳办"], [ALL_DEPTS, DISTRICTS, URBAN]),
    11: ("（二）", ["市政府办", "市政府法制办", "市监察局"], [ALL_DEPTS, DISTRICTS, URBAN]),
    12: ("（三）", ["市政府法制办"], [ALL_DEPTS, DISTRICTS, URBAN]),
    13: ("（三）", ["市政府办", "市政府法制办"], [ALL_DEPTS, DISTRICTS, URBAN]),
    14: ("（三）", ["市政府法制办"], [ALL_DEPTS, DISTRICTS, URBAN]),
    15: ("（四）", ["市编办", "市政府法制办", "市城管局"], [ALL_DEPTS, REL_DISTRICTS]),
    16: ("（四）", ["市编办", "市政府法制办", "市财政局"], [REL_DEPTS, REL_DISTRICTS]),
    17: ("（四）", ["市政府法制办", "市人社局"], [ALL_DEPTS, DISTRICTS, URBAN]),
    18: ("（四）", ["市政府法制办", "市信用办", "市检察院", "市监察局"], [ALL_DEPTS, REL_DISTRICTS]),
    19: ("（四）", ["市政府法制办", "市司法局"], [ALL_DEPTS, REL_DISTRICTS]),
    20: ("（五）", ["市政府办", "市监察局", "市人社局", "市信用办"], [ALL_DEPTS, DISTRICTS, URBAN]),
    21: ("（五）", ["市政府办", "市监察局", "市编办", "市审计局"], [REL_DEPTS, DISTRICTS, URBAN]),
    22: ("（五）", ["市监察局"], [ALL_DEPTS, DISTRICTS, URBAN]),
    23: ("（六）", ["市政府法制办", "市维稳办", "市司法局", "市信访局"], [ALL_DEPTS, DISTRICTS, URBAN]),
    24: ("（六）", ["市政府法制办"], [ALL_DEPTS, DISTRICTS, URBAN]),
    25: ("（六）", ["市政府法制办", "市司法局", "市信访局"], [ALL_DEPTS, DISTRICTS, URBAN]),
    26: ("（七）", ["市政府办", "市政府法制办"], [ALL_DEPTS, DISTRICTS]),
    27: ("（七）", ["市政府办", "市编办", "市政府法制办"], [ALL_DEPTS, DISTRICTS]),
    28: ("（七）", ["市政府办", "市政府法制办", "市人社局"], [ALL_DEPTS, DISTRICTS]),
    29: ("（七）", ["市政府办", "市编办", "市政府法制办", "市财政局", "市人社局"], [ALL_DEPTS, DISTRICTS]),
    30: ("（七）", ["市政府办", "市政府法制办", "市财政局"], [ALL_DEPTS, DISTRICTS, URBAN]),
    31: ("（七）", ["市政府办", "市司法局", "市政府法制办"], [ALL_DEPTS, DISTRICTS, URBAN]),
}
SECTIONS = [
    ("（一）", "依法全面履行政府职能"),
    ("（二）", "健全完善依法科学民主的行政决策机制"),
    ("（三）", "进一步加强和规范政府制度建设"),
    ("（四）", "完善行政执法体制和规范行政执法行为"),
    ("（五）", "强化对行政权力的制约和监督"),
    ("（六）", "创新依法维权和多元化矛盾纠纷解决机制"),
    ("（七）", "保障措施和落实机制"),
]


@pytest.fixture(scope="module")
def plan(reference_bytes):
    return parse_plan_file(reference_bytes, "reference.txt")


def test_reference_has_31_tasks_in_7_sections_in_document_order(plan):
    assert [(s.numeral, s.title) for s in plan.sections] == SECTIONS
    assert [t.number for t in plan.tasks] == list(range(1, 32))


def test_sections_repeated_after_page_breaks_do_not_open_new_sections(plan):
    by_section = {s.numeral: [t.number for t in s.tasks] for s in plan.sections}
    assert by_section["（一）"] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert by_section["（六）"] == [23, 24, 25]


def test_every_lead_and_responsible_list_is_as_in_the_document(plan):
    actual = {}
    for section in plan.sections:
        for task in section.tasks:
            actual[task.number] = (section.numeral, task.lead_units, task.responsible_terms)
    assert actual == EXPECTED


def test_reference_tasks_name_no_cooperating_units(plan):
    assert all(t.cooperating_units == [] for t in plan.tasks)


def test_notice_metadata_is_extracted(plan):
    assert plan.title == "市政府办公室关于印发昆山市落实苏州市法治政府建设（2016—2020年规划）任务分解的通知"
    assert plan.doc_number == "昆政办发〔2017〕169号"
    assert plan.issuer == "昆山市人民政府办公室"
    assert plan.issued_on == dt.date(2017, 9, 18)


def test_task_text_is_the_cell_without_its_number_and_without_trailing_blanks(plan):
    first = plan.tasks[0]
    assert first.text.startswith("依法界定政府职责边界，按照规定时限")
    assert first.text.endswith("统一发布和动态维护。")
    last = plan.tasks[-1]
    assert last.text == last.text.strip()
    assert not any("\t" in t.text for t in plan.tasks)


def test_task_24_has_its_deadlines_and_targets(plan):
    task = next(t for t in plan.tasks if t.number == 24)
    assert [(d.date, d.phrase) for d in task.deadlines] == [
        (dt.date(2019, 12, 31), "至2019年底"),
        (dt.date(2020, 12, 31), "到2020年"),
    ]
    assert min(d.date for d in task.deadlines) == dt.date(2019, 12, 31)
    assert [(t.value, t.phrase) for t in task.targets] == [
        ("100%", "符合法定条件的行政复议申请按时受理率100%"),
        ("100%", "按时办结率100%"),
        ("90%", "行政复议决定的公开率达到90%"),
    ]


def test_other_deadlines_of_the_reference(plan):
    deadlines = {t.number: [d.date.isoformat() for d in t.deadlines] for t in plan.tasks if t.deadlines}
    assert deadlines == {
        9: ["2017-12-31"],
        14: ["2017-12-31", "2020-12-31"],
        24: ["2019-12-31", "2020-12-31"],
        25: ["2017-12-31"],
        29: ["2017-12-31"],
    }


def test_task_11_start_year_is_not_a_deadline_but_its_share_is_a_target(plan):
    task = next(t for t in plan.tasks if t.number == 11)
    assert task.deadlines == []
    assert [t.value for t in task.targets] == ["20%"]


def test_reference_parses_without_warnings(plan):
    assert plan.warnings == []


def test_json_shape_is_exactly_the_documented_one(plan):
    data = json.loads(json.dumps(plan.to_dict(), ensure_ascii=False))
    assert set(data) == {"title", "doc_number", "issuer", "issued_on", "sections", "warnings"}
    section = data["sections"][0]
    assert set(section) == {"numeral", "title", "tasks"}
    task = section["tasks"][0]
    assert set(task) == {
        "number", "text", "lead_units", "responsible_terms", "cooperating_units", "deadlines", "targets",
        "deadline_text", "due", "cadence",
    }
    task24 = data["sections"][5]["tasks"][1]
    assert task24["deadlines"][0] == {"date": "2019-12-31", "phrase": "至2019年底"}
    assert task24["targets"][2] == {"value": "90%", "phrase": "行政复议决定的公开率达到90%"}


def test_same_notice_in_gb18030_and_with_bom_parses_identically(plan, reference_bytes):
    text = reference_bytes.decode("utf-8")
    assert parse_plan_file(text.encode("gb18030"), "ref.txt").to_dict() == plan.to_dict()
    assert parse_plan_file(b"\xef\xbb\xbf" + reference_bytes, "ref.txt").to_dict() == plan.to_dict()
    assert parse_plan_text(text.replace("\n", "\r\n")).to_dict() == plan.to_dict()
