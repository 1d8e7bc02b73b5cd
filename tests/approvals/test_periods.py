"""The year on the pages: the supervisor's 报送周期 page, the clerk's 进展报告 form on the assignment
page (prefilled, kept when refused), and 已阅 / 退回补报 for the lead department."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.world import build_world, signed_in
from workflows.models import Assignment, PeriodReport
from workflows.services.dispatch import assignment_set_due_date

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def world():
    world = build_world()
    Assignment.objects.filter(pk=world.assignment.pk).update(created_at=timezone.now() - dt.timedelta(days=70))
    assignment_set_due_date(actor=world.supervisor, assignment_id=world.assignment.pk,
                            due_date=TODAY + dt.timedelta(days=120))
    return world


def cadence_url(world):
    return reverse("approvals:plan_cadence", args=[world.plan.pk])


def page(client, world) -> str:
    return client.get(reverse("approvals:assignment_detail", args=[world.assignment.pk])).content.decode()


def set_monthly(world):
    answer = signed_in(world.supervisor).post(cadence_url(world), {"report_cadence": "monthly", "report_day": "5"})
    assert answer.status_code == 302 and answer["Location"] == world.plan.get_absolute_url()


def test_the_supervisor_sets_the_cadence_on_its_page_and_others_may_not(world):
    supervisor = signed_in(world.supervisor)
    form = supervisor.get(cadence_url(world)).content.decode()
    assert "报送周期" in form and 'name="report_day"' in form and "遇节假日顺延" in form
    wrong = supervisor.post(cadence_url(world), {"report_cadence": "monthly", "report_day": "31"})
    assert wrong.status_code == 400 and "报送日请填 0 到 28 的整数" in wrong.content.decode()
    assert not PeriodReport.objects.exists()
    assert signed_in(world.reviewer).post(cadence_url(world), {"report_cadence": "monthly",
                                                                "report_day": "5"}).status_code == 403
    set_monthly(world)
    assert PeriodReport.objects.filter(assignment=world.assignment).count() >= 3
    detail = supervisor.get(world.plan.get_absolute_url()).content.decode()
    assert "每月报送（次月5日前）" in detail and cadence_url(world) in detail


def test_the_clerk_files_the_report_owed_and_a_refusal_keeps_the_text(world):
    set_monthly(world)
    clerk = signed_in(world.submitter)
    html = page(clerk, world)
    owed = PeriodReport.objects.filter(assignment=world.assignment).order_by("starts_on").first()
    assert 'id="periods"' in html and f'data-period-form="{owed.pk}"' in html
    assert "逾期未报" in html and "每月报送（次月5日前）" in html and "亮灯依据" in html
    url = reverse("approvals:period_report_file", args=[world.assignment.pk, owed.pk])
    refused = clerk.post(url, {"text": "我写的进展，不能丢", "percent": "150"})
    body = refused.content.decode()
    assert refused.status_code == 400 and "完成进度请填 0 到 100 的整数" in body and "我写的进展，不能丢" in body
    done = clerk.post(url, {"text": "一、已完成梳理。", "percent": "40"})
    assert done.status_code == 302 and done["Location"].endswith("#periods")
    owed.refresh_from_db()
    assert owed.status == "submitted" and owed.percent == 40 and owed.late is True
    after = page(clerk, world)
    assert "已报送（逾期）" in after and "已按上一次报告预先填好" in after and "一、已完成梳理。" in after


def test_the_lead_reads_or_returns_and_the_clerk_sees_why(world):
    set_monthly(world)
    owed = PeriodReport.objects.filter(assignment=world.assignment).order_by("starts_on").first()
    signed_in(world.submitter).post(reverse("approvals:period_report_file", args=[world.assignment.pk, owed.pk]),
                                    {"text": "进展"})
    lead = signed_in(world.reviewer)
    html = page(lead, world)
    read_url = reverse("approvals:period_report_read", args=[world.assignment.pk, owed.pk])
    back_url = reverse("approvals:period_report_return", args=[world.assignment.pk, owed.pk])
    assert read_url in html and back_url in html and "data-period-form" not in html  # the lead files nothing
    refused = lead.post(back_url, {"reason": ""})
    assert refused.status_code == 400 and "请填写退回理由" in refused.content.decode()
    assert lead.post(back_url, {"reason": "请补充数据"}).status_code == 302
    clerk_page = page(signed_in(world.submitter), world)
    assert "退回补报" in clerk_page and "请补充数据" in clerk_page
    assert signed_in(world.submitter).post(read_url).status_code == 403


def test_the_clerk_sets_a_milestone_on_the_page_and_ticks_it_done_in_the_period_report(world):
    clerk = signed_in(world.submitter)
    url = reverse("approvals:milestone_add", args=[world.assignment.pk])
    assert 'data-action="milestone_add"' in page(clerk, world)
    assert 'data-action="milestone_add"' not in page(signed_in(world.reviewer), world)
    wrong = clerk.post(url, {"title": "完成方案起草", "due_on": (TODAY + dt.timedelta(days=500)).isoformat()})
    body = wrong.content.decode()
    assert wrong.status_code == 400 and "计划完成日期须在交办日期" in body and 'value="完成方案起草"' in body
    done = clerk.post(url, {"title": "完成方案起草", "target": "征求意见稿",
                            "due_on": (TODAY + dt.timedelta(days=3)).isoformat()})
    assert done.status_code == 302 and done["Location"].endswith("#milestones")
    set_monthly(world)
    body = page(clerk, world)
    milestone = world.assignment.milestones.get()
    assert f'data-milestone="{milestone.pk}"' in body and 'name="milestones"' in body
    report = PeriodReport.objects.filter(assignment=world.assignment, status="pending").order_by("starts_on").first()
    filed = clerk.post(reverse("approvals:period_report_file", args=[world.assignment.pk, report.pk]),
                       {"text": "方案已起草", "milestones": [str(milestone.pk)]})
    assert filed.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_in_id == report.pk and "已完成" in page(clerk, world)
