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
