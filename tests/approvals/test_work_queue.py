"""我的待办 as the work queue: a row says 已退回 (and why), 已催办 ×N, the 督办 level and the working
days left or overdue, read for the page in a fixed number of queries."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.world import build_world, signed_in
from workflows.calendar import working_days_between
from workflows.models import Assignment, EscalationNotice
from workflows.services.assignments import assignment_return, assignment_start, assignment_submit
from workflows.services.dispatch import plan_dispatch
from workflows.services.reminders.urging import assignment_remind

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def row_of(html: str, pk: int) -> str:
    start = html.index(f'href="/assignments/{pk}/"')
    return html[html.rindex("<tr>", 0, start):html.index("</tr>", start)]


def test_a_returned_item_shows_the_first_line_of_the_reason_and_the_working_days(world):
    a = world.assignment
    assignment_start(actor=world.submitter, assignment_id=a.pk)
    assignment_submit(actor=world.submitter, assignment_id=a.pk, report="已完成。", no_file_statement="无纸质材料")
    assignment_return(actor=world.reviewer, assignment_id=a.pk, reason="缺少资金拨付凭证\n请补充后再报")

    row = row_of(signed_in(world.submitter).get(reverse("approvals:inbox")).content.decode(), a.pk)

    assert "已退回：缺少资金拨付凭证" in row and "请补充后再报" not in row
    a.refresh_from_db()
    n = working_days_between(timezone.localdate(), a.due_date)
    assert (f"超期 {-n} 个工作日" if n < 0 else ("今日到期" if n == 0 else f"剩余 {n} 个工作日")) in row


def test_reminders_and_the_level_reached_are_marked_and_a_resubmitted_item_is_no_longer_returned(world):
    a = world.assignment
    Assignment.objects.filter(pk=a.pk).update(due_date=timezone.localdate() - dt.timedelta(days=30))
    assignment_remind(actor=world.supervisor, assignment_id=a.pk, message="请抓紧报送", today=timezone.localdate())
    EscalationNotice.objects.create(assignment=a, level=2, issued_on=timezone.localdate(), issued_at=timezone.now(),
                                    overdue_working_days=15)

    row = row_of(signed_in(world.submitter).get(reverse("approvals:inbox")).content.decode(), a.pk)
    assert "已催办 ×1" in row and "再次督办通知" in row and "超期" in row

    assignment_start(actor=world.submitter, assignment_id=a.pk)
    assignment_submit(actor=world.submitter, assignment_id=a.pk, report="初稿", no_file_statement="无")
    assignment_return(actor=world.reviewer, assignment_id=a.pk, reason="重写")
    assignment_submit(actor=world.submitter, assignment_id=a.pk, report="已重写", no_file_statement="无")
    reviewer_row = row_of(signed_in(world.reviewer).get(reverse("approvals:inbox")).content.decode(), a.pk)
    assert "已退回" not in reviewer_row


def test_the_marks_cost_the_same_queries_for_one_row_and_for_a_full_page(world):
    assignment_start(actor=world.submitter, assignment_id=world.assignment.pk)  # every mark's query runs
    client = signed_in(world.submitter)
    client.get(reverse("approvals:inbox"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("approvals:inbox"))
    plan_dispatch(actor=world.supervisor, plan_id=world.plan.pk)
    for a in Assignment.objects.filter(unit__short_name="市财政局")[:5]:
        assignment_remind(actor=world.supervisor, assignment_id=a.pk, message="请抓紧", today=timezone.localdate())
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("approvals:inbox")).content.decode()
    assert page.count('href="/assignments/') > 5 and page.count("已催办 ×1") == 5
    assert len(many) == len(one)


def menu_count(html: str, label: str) -> int | None:
    """The number beside a menu item, or None when it shows none."""
    nav = html[html.index("<nav>"):html.index("</nav>")]
    link = nav[nav.index(label):nav.index("</a>", nav.index(label))]
    if 'class="count"' not in link:
        return None
    return int(link.split('class="count"', 1)[1].split(">", 1)[1].split("<", 1)[0])


def test_the_menu_counts_what_waits_and_follows_the_persons_own_action_at_once(world):
    client = signed_in(world.submitter)
    html = client.get(reverse("approvals:inbox")).content.decode()
    waiting = Assignment.objects.filter(unit__short_name="市财政局", state="assigned").count()
    assert waiting >= 1 and menu_count(html, "我的待办") == waiting
    assert menu_count(client.get(reverse("approvals:assignment_list")).content.decode(), "我的待办") == waiting
    # Starting and submitting are the person's own POSTs: the next page counts again.
    client.post(reverse("approvals:assignment_start", args=[world.assignment.pk]))
    client.post(reverse("approvals:assignment_submit", args=[world.assignment.pk]),
                {"report": "已完成。", "no_file_statement": "本项无需佐证材料。"})
    assert world.reload().state == "submitted"
    after = client.get(reverse("approvals:assignment_list")).content.decode()
    assert menu_count(after, "我的待办") == (waiting - 1 or None)
    assert menu_count(after, "调整申请") is None


def test_a_pending_transfer_request_waits_in_the_deciders_queue_and_on_the_menu(world):
    from workflows.services.transfers import transfer_approve, transfer_request

    request = transfer_request(actor=world.submitter, assignment_id=world.assignment.pk, kind="not_applicable",
                               reason="本单位不承担该项职责。")
    supervisor = signed_in(world.supervisor)
    html = supervisor.get(reverse("approvals:inbox")).content.decode()
    assert "待您审批的调整申请" in html and f'data-transfer="{request.pk}"' in html
    assert "本单位不承担该项职责。" in html
    assert menu_count(html, "调整申请") == 1
    # The person who asked does not decide it: nothing waits for them there.
    own = signed_in(world.submitter).get(reverse("approvals:inbox")).content.decode()
    assert "待您审批的调整申请" not in own and menu_count(own, "调整申请") is None
    transfer_approve(actor=world.supervisor, request_id=request.pk)
    supervisor.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})  # any POST of theirs
    html = supervisor.get(reverse("approvals:inbox")).content.decode()
    assert "待您审批的调整申请" not in html and menu_count(html, "调整申请") is None
