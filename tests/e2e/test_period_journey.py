"""The year in the browser: the supervisor sets a monthly cadence; the clerk, on a phone, sees the
missing month red, files it (late) from the prefilled form, and the light follows."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_import_journeys import sign_in
from tests.e2e.test_work_queue_journey import WIDER_THAN_SCREEN
from tests.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or fails, with REQUIRE_BROWSER=1) and says why
    expect = None


def test_the_supervisor_sets_a_monthly_cadence_and_the_clerk_files_the_missing_month_on_a_phone(pages):
    from django.utils import timezone

    from workflows.models import Assignment, PeriodReport
    from workflows.services.dispatch import assignment_set_due_date

    world = build_world()
    a = world.assignment
    Assignment.objects.filter(pk=a.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    assignment_set_due_date(actor=world.supervisor, assignment_id=a.pk,
                            due_date=timezone.localdate() + dt.timedelta(days=200))

    office = sign_in(pages, "supervisor")
    office.goto(f"/dispatch/plans/{world.plan.pk}/cadence/")
    office.get_by_label("报送周期").select_option(label="每月报送")
    office.get_by_label("报送日").fill("5")
    office.get_by_role("button", name="保存").click()
    expect(office.locator("[data-cadence]")).to_contain_text("每月报送（次月5日前）")
    owed = [r for r in PeriodReport.objects.filter(assignment=a).order_by("starts_on")
            if r.due_on < timezone.localdate()]
    assert owed, "40 days back, at least one month is past its report day"

    clerk = sign_in(pages, "finance")
    clerk.set_viewport_size({"width": 375, "height": 800})
    clerk.goto(f"/assignments/{a.pk}/")
    expect(clerk.locator("[data-summary] .light")).to_have_text("红灯")
    expect(clerk.locator(f'[data-period="{owed[0].pk}"]')).to_contain_text("逾期未报")
    expect(clerk.locator("[data-summary-periods]")).to_contain_text(f"进展报告 {len(owed)} 期逾期未报")
    assert clerk.evaluate(WIDER_THAN_SCREEN) == []
    clerk.screenshot(path=str(SCREENSHOTS / "periods-375.png"), full_page=True)
    for report in owed:
        form = clerk.locator(f'[data-period-form="{report.pk}"]')
        form.get_by_label("本期进展情况").fill(f"{report.label}：清单已梳理，正在公开。")
        form.get_by_label("完成进度（%，可不填）").fill("30")
        form.get_by_role("button", name="报送进展报告").click()
        expect(clerk.locator(f'[data-period="{report.pk}"]')).to_contain_text("已报送（逾期）")
    expect(clerk.locator("[data-summary] .light")).not_to_have_text("红灯")
    expect(clerk.locator("[data-summary-periods]")).to_have_count(0)
    nxt = clerk.locator("[data-period-form] textarea")
    if nxt.count():  # the next month's form starts from what was just filed
        expect(nxt).to_have_value(f"{owed[-1].label}：清单已梳理，正在公开。")
    assert clerk.evaluate(WIDER_THAN_SCREEN) == []


def test_the_clerk_sets_a_milestone_and_asks_for_more_time_and_the_supervisor_approves_from_the_inbox(pages):
    from django.utils import timezone

    from workflows.calendar import cn_date
    from workflows.models import Assignment
    from workflows.services.dispatch import assignment_set_due_date

    world = build_world()
    a = world.assignment
    Assignment.objects.filter(pk=a.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    today = timezone.localdate()
    due, later = today + dt.timedelta(days=30), today + dt.timedelta(days=75)
    assignment_set_due_date(actor=world.supervisor, assignment_id=a.pk, due_date=due)

    clerk = sign_in(pages, "finance")
    clerk.set_viewport_size({"width": 375, "height": 800})
    clerk.goto(f"/assignments/{a.pk}/")
    milestones = clerk.locator("[data-milestones]")
    milestones.get_by_text("设置节点", exact=True).click()
    milestones.get_by_label("节点", exact=True).fill("完成清单梳理")
    milestones.get_by_label("计划完成日期").fill((today + dt.timedelta(days=2)).isoformat())
    milestones.get_by_role("button", name="保存节点").click()
    expect(clerk.locator("[data-milestones] [data-milestone]")).to_contain_text("完成清单梳理")
    expect(clerk.locator("[data-summary] .light")).to_have_text("黄灯")  # the milestone is near
    panel = clerk.locator("[data-extension]")
    panel.get_by_text("申请延期", exact=True).click()
    panel.get_by_label("申请延期至").fill(due.isoformat())  # not later: refused, the reason kept
    panel.get_by_label("延期理由").fill("待省级目录下发后方能公布")
    panel.get_by_role("button", name="提交延期申请").click()
    expect(clerk.locator(".refusal")).to_contain_text("延期后的日期须晚于现办理期限")
    expect(clerk.locator("[data-extension]").get_by_label("延期理由")).to_have_value("待省级目录下发后方能公布")
    clerk.locator("[data-extension]").get_by_label("申请延期至").fill(later.isoformat())
    clerk.locator("[data-extension]").get_by_role("button", name="提交延期申请").click()
    expect(clerk.locator('[data-extension-status="pending"]')).to_be_visible()
    assert clerk.evaluate(WIDER_THAN_SCREEN) == []
    clerk.screenshot(path=str(SCREENSHOTS / "extension-375.png"), full_page=True)

    office = sign_in(pages, "supervisor")
    office.goto("/inbox/")
    office.locator("#extensions-to-decide a").first.click()
    office.locator('[data-action="extension_approve"]').get_by_role("button", name="批准延期").click()
    expect(office.locator("[data-extended-due]")).to_have_text(cn_date(later))
    expect(office.locator("[data-original-due]")).to_have_text(cn_date(due))
    office.screenshot(path=str(SCREENSHOTS / "extension-approved-1366.png"), full_page=True)
    clerk.reload()
    expect(clerk.locator("[data-extension-status]")).to_contain_text("已批准")


def test_the_office_reads_the_months_figures_and_issues_the_bulletin_naming_the_late_unit(pages, tmp_path):
    import io

    from django.utils import timezone
    from docx import Document

    from workflows.models import Assignment, PeriodBulletin, PeriodReport
    from workflows.services import periods as period_services
    from workflows.services.dispatch import assignment_set_due_date

    world = build_world()
    a = world.assignment
    Assignment.objects.filter(task__plan=world.plan).update(created_at=timezone.now() - dt.timedelta(days=95))
    assignment_set_due_date(actor=world.supervisor, assignment_id=a.pk,
                            due_date=timezone.localdate() + dt.timedelta(days=200))
    period_services.plan_set_cadence(actor=world.supervisor, plan_id=world.plan.pk, cadence="monthly", day=5)
    owed = [r for r in PeriodReport.objects.filter(assignment=a).order_by("starts_on")
            if r.due_on < timezone.localdate()]
    assert len(owed) >= 2, "95 days back, at least two months are past their report day"
    for report in owed:  # filed today: late
        period_services.period_report_file(actor=world.submitter, assignment_id=a.pk, report_id=report.pk,
                                           text=f"{report.label}：正在推进。")
    third = owed[-1]

    office = sign_in(pages, "supervisor")
    office.goto(f"/supervision/plans/{world.plan.pk}/")
    office.get_by_role("link", name="报告期报送情况").click()
    office.get_by_label("报告期").select_option(label=third.label)
    office.get_by_role("button", name="查看").click()
    late_row = office.locator('[data-table="period-units"] tr[data-unit="市财政局"]')
    expect(late_row).to_have_attribute("data-standing", "late")
    assert office.evaluate(WIDER_THAN_SCREEN) == []
    office.screenshot(path=str(SCREENSHOTS / "bulletin-new-1366.png"), full_page=True)
    number = f"督查通报〔{timezone.localdate().year}〕9号"
    office.get_by_label("文号").fill(number)
    office.get_by_role("button", name="印发通报").click()
    expect(office.locator(f'[data-bulletin="{number}"]')).to_contain_text("逾期报送的单位")
    with office.expect_download() as download:
        office.get_by_role("link", name="下载 Word 文件").click()
    path = tmp_path / "bulletin.docx"
    download.value.save_as(path)
    paragraphs = [p.text for p in Document(io.BytesIO(path.read_bytes())).paragraphs]
    assert number in paragraphs
    late = next(i for i, text in enumerate(paragraphs) if text.endswith("、逾期报送的单位"))
    assert "市财政局" in paragraphs[late + 1]
    bulletin = PeriodBulletin.objects.get(number=number)
    assert bulletin.period_label == third.label

    office.set_viewport_size({"width": 375, "height": 800})
    office.goto(f"/supervision/plans/{world.plan.pk}/bulletins/new/?period={bulletin.starts_on:%Y-%m-%d}_{bulletin.ends_on:%Y-%m-%d}")
    assert office.evaluate(WIDER_THAN_SCREEN) == []
    office.screenshot(path=str(SCREENSHOTS / "bulletin-new-375.png"), full_page=True)
    office.goto(f"/supervision/bulletins/{bulletin.pk}/")
    assert office.evaluate(WIDER_THAN_SCREEN) == []
    office.screenshot(path=str(SCREENSHOTS / "bulletin-375.png"), full_page=True)
