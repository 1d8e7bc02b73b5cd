"""The auditors' screens: search, keyset pages, histories, state replay, exports."""
import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit import actions
from audit.services import record_event
from tests.factories import UserFactory
from workflows.models import Assignment, Membership, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor_client(client):
    auditor = UserFactory(username="shenji")
    Membership.objects.create(user=auditor, unit=Unit.objects.get(short_name="市审计局"), role="auditor")
    client.force_login(auditor)
    return client


@pytest.fixture
def assignment_actions(monkeypatch):
    monkeypatch.setitem(actions.ACTIONS, "assignment.submitted", "报送")
    monkeypatch.setitem(actions.ACTIONS, "assignment.accepted", "验收")


def seqs(response) -> list[int]:
    return [e.seq for e in response.context["page"].events]


def test_a_user_who_is_not_an_auditor_may_not_read_the_trail(client):
    client.force_login(UserFactory())
    assert client.get(reverse("audit:timeline")).status_code == 403
    assert client.get(reverse("audit:export", args=["csv"])).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("audit:timeline"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_timeline_pages_newest_first_with_a_keyset_cursor(auditor_client, settings):
    settings.AUDIT_PAGE_SIZE = 3
    for n in range(7):
        record_event(action="unit.changed", target_label=f"e{n + 1}")
    first = auditor_client.get(reverse("audit:timeline"))
    assert seqs(first) == [7, 6, 5]
    second = auditor_client.get(reverse("audit:timeline"), {"before": 5})
    assert seqs(second) == [4, 3, 2]
    last = auditor_client.get(reverse("audit:timeline"), {"before": 2})
    assert seqs(last) == [1] and last.context["page"].next_before is None


def test_filters_by_action_actor_unit_and_plan(auditor_client):
    user = UserFactory(username="li")
    unit = Unit.objects.get(short_name="市财政局")
    record_event(action="unit.changed", actor=user, unit=unit, plan_id=9)
    record_event(action="plan.imported", plan_id=9)
    record_event(action="unit.changed")
    url = reverse("audit:timeline")
    assert seqs(auditor_client.get(url, {"action": "unit.changed"})) == [3, 1]
    assert seqs(auditor_client.get(url, {"actor": "li"})) == [1]
    assert seqs(auditor_client.get(url, {"unit": "市财政局"})) == [1]
    assert seqs(auditor_client.get(url, {"plan": 9})) == [2, 1]
    assert seqs(auditor_client.get(url, {"actor": "nobody-by-that-name"})) == []


def test_a_time_range_filter_uses_local_dates(auditor_client):
    record_event(action="unit.changed")
    today = timezone.localdate()
    url = reverse("audit:timeline")
    assert seqs(auditor_client.get(url, {"since": today.isoformat(), "until": today.isoformat()})) == [1]
    assert seqs(auditor_client.get(url, {"until": (today - dt.timedelta(days=1)).isoformat()})) == []


def test_a_bad_filter_is_a_clear_error(auditor_client):
    response = auditor_client.get(reverse("audit:timeline"), {"since": "2026-02-01", "until": "2026-01-01"})
    assert response.status_code == 400 and "起始日期不能晚于截止日期" in response.content.decode()


def test_the_page_costs_the_same_number_of_queries_with_more_events(auditor_client):
    record_event(action="unit.changed")
    auditor_client.get(reverse("audit:timeline"))  # warm the session
    with CaptureQueriesContext(connection) as few:
        auditor_client.get(reverse("audit:timeline"))
    for _ in range(120):
        record_event(action="unit.changed", actor=UserFactory())
    with CaptureQueriesContext(connection) as many:
        auditor_client.get(reverse("audit:timeline"))
    assert len(many) == len(few)


def test_a_users_history_shows_what_they_did_and_what_was_done_to_them(auditor_client):
    user = UserFactory(username="li")
    record_event(action="unit.changed", actor=user)
    record_event(action="auth.user_changed", target=user)
    record_event(action="unit.changed")
    response = auditor_client.get(reverse("audit:history", args=["user", user.pk]))
    assert seqs(response) == [2, 1]


def _dispatch(plan, **kwargs):
    from workflows.services.dispatch import plan_dispatch
    from workflows.services.memberships import membership_grant

    supervisor = UserFactory(username="duban")
    membership_grant(actor=None, user=supervisor, unit=Unit.objects.get(short_name="市政府法制办"), role="supervisor")
    plan.supervising_unit = Unit.objects.get(short_name="市政府法制办")
    plan.save(update_fields=["supervising_unit"])
    return plan_dispatch(actor=supervisor, plan_id=plan.pk, **kwargs)


def _as_of(client, plan, moment=None):
    query = {"at": timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M:%S.%f")} if moment else {}
    return client.get(reverse("audit:plan_as_of", args=[plan.pk]), query)


def test_the_state_of_a_plan_at_a_moment_lists_every_assignment_that_existed_then(
        auditor_client, assignment_actions, reference_bytes):
    from workflows.models import Task
    from workflows.services import plan_import

    plan = plan_import(actor=None, data=reference_bytes, filename="169.txt")
    before_dispatch = timezone.now()
    _dispatch(plan, task_id=Task.objects.get(plan=plan, number=1).pk)
    assignments = list(plan.tasks.get(number=1).assignments.order_by("unit__short_name", "pk"))
    assert len(assignments) > 1
    moved = assignments[0]
    record_event(action="assignment.submitted", plan_id=plan.pk, assignment_id=moved.pk, target_label=str(moved),
                 from_state="in_progress", to_state="submitted")
    middle = timezone.now()
    record_event(action="assignment.accepted", plan_id=plan.pk, assignment_id=moved.pk, target_label=str(moved),
                 from_state="lead_reviewed", to_state="accepted")

    assert _as_of(auditor_client, plan, before_dispatch).context["states"] == []
    at_middle = _as_of(auditor_client, plan, middle)
    states = {s.assignment_id: s.state for s in at_middle.context["states"]}
    assert states == {a.pk: "submitted" if a == moved else "assigned" for a in assignments}
    now = _as_of(auditor_client, plan)
    assert {s.assignment_id: s.state for s in now.context["states"]}[moved.pk] == "accepted"
    # The auditor reads Chinese, with each assignment named by task and unit.
    body = now.content.decode()
    assert "已验收办结" in body and "已交办" in body and f"1．{moved.unit.short_name}" in body
    assert "accepted" not in body and "assigned" not in body
    assert f"共有 {len(assignments)} 件承办件" in body


def test_the_state_of_a_plan_at_a_moment_comes_in_pages(auditor_client, reference_bytes, monkeypatch):
    from approvals.views import audit as audit_views
    from workflows.services import plan_import

    plan = plan_import(actor=None, data=reference_bytes, filename="169.txt")
    _dispatch(plan)
    total = Assignment.objects.filter(task__plan=plan).count()
    monkeypatch.setattr(audit_views, "AS_OF_PAGE_SIZE", 50)
    first = _as_of(auditor_client, plan)
    pages = first.context["page"].paginator.num_pages
    last = auditor_client.get(reverse("audit:plan_as_of", args=[plan.pk]), {"page": pages})
    assert len(first.context["states"]) == 50 and first.context["page"].paginator.count == total
    assert len(last.context["states"]) == total - 50 * (pages - 1)
    seen = {s.assignment_id for s in first.context["states"]} | {s.assignment_id for s in last.context["states"]}
    assert len(seen) == 50 + len(last.context["states"])
    assert "下一页" in first.content.decode()


def test_csv_export_of_a_filtered_view_has_a_bom_chinese_headers_and_the_rows(auditor_client):
    record_event(action="unit.changed", target_label="甲")
    record_event(action="plan.imported", target_label="乙")
    response = auditor_client.get(reverse("audit:export", args=["csv"]), {"action": "plan.imported"})
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:3] == ["序号", "时间", "操作人"]
    assert [(r[0], r[5], r[8]) for r in rows[1:]] == [("2", "导入计划", "乙")]


def test_exports_and_the_page_read_states_roles_actions_and_object_types_in_chinese(auditor_client):
    caizheng = Unit.objects.get(short_name="市财政局")
    record_event(action="unit.changed", target=caizheng, role="supervisor",
                 from_state="lead_reviewed", to_state="accepted")
    csv_body = b"".join(auditor_client.get(reverse("audit:export", args=["csv"])).streaming_content).decode()
    row = list(csv.reader(io.StringIO(csv_body.lstrip("\ufeff"))))[1]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(
        auditor_client.get(reverse("audit:export", args=["xlsx"])).streaming_content)))
    xlsx = [c for c in next(book.active.iter_rows(min_row=2, values_only=True))]
    for values in (row, xlsx):
        assert (values[4], values[5], values[6], values[9], values[10]) == (
            "督办验收人", "修改单位", "单位", "牵头审核通过", "已验收办结"), values
    page = re.sub(r"<[^>]*>", " ", auditor_client.get(reverse("audit:timeline")).content.decode())  # the text read
    assert "牵头审核通过 → 已验收办结" in page
    for code in ("lead_reviewed", "accepted", "unit.changed", "supervisor"):
        assert code not in page


def test_xlsx_export_has_a_frozen_header_and_the_rows(auditor_client):
    for label in ("甲", "乙"):
        record_event(action="unit.changed", target_label=label)
    response = auditor_client.get(reverse("audit:export", args=["xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]][:2] == ["序号", "时间"]
    assert [row[8] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["甲", "乙"]


def test_the_last_verification_is_shown_on_the_page(auditor_client):
    from django.core.management import call_command

    record_event(action="unit.changed")
    call_command("verify_audit", stdout=io.StringIO())
    page = auditor_client.get(reverse("audit:timeline")).content.decode()
    assert "最近一次校验" in page and "通过，共校验 1 条事件" in page


def test_the_verify_now_button_checks_the_chain_and_shows_the_result(auditor_client, client):
    from django.db import connection as db

    from audit import triggers
    from audit.models import AuditVerification
    from tests.audit.helpers import raw

    for label in ("甲", "乙", "丙"):
        record_event(action="unit.changed", target_label=label)
    assert auditor_client.get(reverse("audit:verify")).status_code == 405
    response = auditor_client.post(reverse("audit:verify"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("audit:timeline")
    assert "通过，共校验 3 条事件" in response.content.decode()
    triggers.remove(db)
    raw("UPDATE audit_auditevent SET target_label = '丁' WHERE seq = 2")
    page = auditor_client.post(reverse("audit:verify"), follow=True).content.decode()
    assert "未通过，首个异常序号 2" in page and "事件被改动" in page
    assert AuditVerification.objects.count() == 2


def test_only_an_auditor_may_press_verify_now(client):
    from audit.models import AuditVerification

    client.force_login(UserFactory())
    assert client.post(reverse("audit:verify")).status_code == 403
    assert not AuditVerification.objects.exists()


def test_the_auditor_sees_no_action_buttons_on_plan_pages(auditor_client, reference_bytes):
    from workflows.services import plan_import

    plan = plan_import(actor=None, data=reference_bytes, filename="169.txt")
    page = auditor_client.get(plan.get_absolute_url()).content.decode()
    assert "导入计划" not in page
    assert reverse("audit:history", args=["plan", plan.pk]) in page


def test_a_history_pages_export_links_export_only_that_subject(auditor_client):
    user = UserFactory(username="li")
    record_event(action="unit.changed", actor=user, target_label="his")
    record_event(action="unit.changed", target_label="someone else's")
    page = auditor_client.get(reverse("audit:history", args=["user", user.pk]))
    link = next(a for a in page.content.decode().split('href="') if a.startswith(reverse("audit:export", args=["csv"])))
    response = auditor_client.get(link.split('"')[0].replace("&amp;", "&"))
    body = b"".join(response.streaming_content).decode("utf-8")
    assert "his" in body and "someone else's" not in body
