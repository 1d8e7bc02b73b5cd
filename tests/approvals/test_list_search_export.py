"""承办件: keyword search, 只看我的待办, plans known by their 文号, and the filtered list as XLSX."""
from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.world import build_world, signed_in
from workflows.models import Assignment
from workflows.services.assignments import assignment_start
from workflows.services.dispatch import plan_dispatch
from workflows.supervision import exports

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    plan_dispatch(actor=world.supervisor, plan_id=world.plan.pk)  # the whole plan, for the supervisor
    return world


def listed(client, **query) -> list[int]:
    response = client.get(reverse("approvals:assignment_list"), query)
    assert response.status_code == 200, response.content.decode()[:500]
    return [int(pk) for pk in re.findall(r'href="/assignments/(\d+)/"', response.content.decode())]


def test_keywords_match_task_text_unit_and_document_number_and_all_words_must_match(world):
    supervisor = signed_in(world.supervisor)
    visible = Assignment.objects.filter(task__plan=world.plan)
    finance = set(visible.filter(unit__short_name="市财政局").values_list("pk", flat=True))
    assert finance and set(listed(supervisor, q="市财政局")) == finance

    word_in_text = "权力清单"
    expected = set(visible.filter(task__text__contains=word_in_text).values_list("pk", flat=True))
    assert 0 < len(expected) < 50 and set(listed(supervisor, q=word_in_text)) == expected
    both = set(listed(supervisor, q=f"{word_in_text} 市财政局"))
    assert both == expected & finance

    assert world.plan.doc_number
    page = listed(supervisor, q=world.plan.doc_number)
    assert len(page) == 50  # every assignment of the plan carries its 文号: a full first page
    assert listed(supervisor, q="没有这样的任务") == []


def test_only_my_queue_keeps_what_waits_for_me_and_the_plan_is_chosen_by_its_document_number(world):
    a = world.assignment
    submitter = signed_in(world.submitter)
    mine_before = set(listed(submitter, mine="on"))
    assert a.pk in mine_before
    assignment_start(actor=world.submitter, assignment_id=a.pk)  # still waits for 报送
    assert a.pk in set(listed(submitter, mine="on"))
    waiting = set(Assignment.objects.filter(unit__short_name="市财政局", state__in=["assigned", "in_progress"])
                  .values_list("pk", flat=True))
    assert set(listed(submitter, mine="on")) == waiting

    html = submitter.get(reverse("approvals:assignment_list")).content.decode()
    assert f'<option value="{world.plan.pk}">{world.plan.doc_number} ' in html


def test_the_filtered_list_exports_every_row_to_xlsx_in_chinese(world):
    supervisor = signed_in(world.supervisor)
    response = supervisor.get(reverse("approvals:assignment_export"), {"q": "市财政局", "after": "2020-01-01_1"})
    assert response.status_code == 200 and response["Content-Type"] == exports.XLSX_TYPE
    assert "attachment;" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("任务编号", "工作任务", "责任单位") and rows[0][-1] == "剩余或超期工作日"
    finance = Assignment.objects.filter(task__plan=world.plan, unit__short_name="市财政局")
    assert len(rows) - 1 == finance.count()  # "after" (a page position) does not cut the export
    assert {r[2] for r in rows[1:]} == {"市财政局"}
    assert {r[8] for r in rows[1:]} <= {"已交办", "办理中"} and {r[7] for r in rows[1:]} <= {"绿灯", "黄灯", "红灯"}
    assert all(re.fullmatch(r"(剩余 \d+ 个工作日|超期 \d+ 个工作日|今日到期)", r[9]) for r in rows[1:])
    assert all(r[4] == world.plan.doc_number for r in rows[1:])


def test_an_export_larger_than_the_limit_is_refused_with_the_reason_and_a_bad_filter_is_400(world, monkeypatch):
    supervisor = signed_in(world.supervisor)
    monkeypatch.setattr(exports, "LIST_EXPORT_LIMIT", 3)
    response = supervisor.get(reverse("approvals:assignment_export"))
    assert response.status_code == 400 and "请缩小筛选范围后再导出" in response.content.decode()
    response = supervisor.get(reverse("approvals:assignment_export"), {"q": "字" * 101})
    assert response.status_code == 400 and "关键词不超过 100 个字" in response.content.decode()


def test_the_inbox_offers_a_search_in_my_queue(world):
    html = signed_in(world.submitter).get(reverse("approvals:inbox")).content.decode()
    form = html[html.index("data-inbox-search"):html.index("</form>", html.index("data-inbox-search"))]
    assert 'name="mine" value="on"' in form and 'name="q"' in form
