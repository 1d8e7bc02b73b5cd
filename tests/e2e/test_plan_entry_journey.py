"""A 督查室 types in a leader's instruction without a document, in a real browser: rows added keep
what was typed, a wrong unit is refused beside its field, the plan is saved, dispatched and given
one more item."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_import_journeys import sign_in, width_fits
from tests.world import person
from workflows.models import Assignment, Plan

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or fails, with REQUIRE_BROWSER=1) and says why
    expect = None


def fill_item(scope, text: str, lead: str, deadline: str) -> None:
    scope.get_by_label("事项内容").fill(text)
    scope.get_by_label("牵头单位").fill(lead)
    scope.get_by_label("完成时限").fill(deadline)


def test_a_supervisor_types_an_instruction_saves_it_dispatches_it_and_adds_an_item(pages):
    person("duchashi", "市政府法制办", "supervisor")
    page = sign_in(pages, "duchashi")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto("/plans/")
    page.get_by_role("link", name="新建计划（无文件）").click()
    expect(page.locator("main h1")).to_have_text("新建计划（无文件）")
    page.get_by_label("标题").fill("市长关于2026年老旧小区改造的批示")
    page.locator("#id_origin").select_option(label="领导批示")
    page.get_by_label("来源说明").fill("市长批示〔2026〕12号")
    # A supervisor of one office has it chosen already.
    expect(page.get_by_label("督办单位").locator("option:checked")).to_have_text("市政府法制办")

    first = page.locator("[data-item='0']")
    first.get_by_label("事项内容").fill("制定老旧小区改造实施方案")
    first.get_by_label("牵头单位").fill("市财政局")
    # After a name and “、” the directory is offered again, prefixed with what is typed.
    responsible = first.get_by_label("责任单位")
    responsible.fill("")
    responsible.press_sequentially("市财政局、")
    assert page.evaluate("document.querySelector('#unit-names option').value").startswith("市财政局、")
    responsible.press_sequentially("市民政局")
    first.get_by_label("完成时限").fill("2026年6月底前")

    # 添加一项 keeps everything typed and puts the cursor in the new row.
    page.get_by_role("button", name="添加一项").click()
    expect(page.locator(".entry-item")).to_have_count(2)
    expect(first.get_by_label("事项内容")).to_have_value("制定老旧小区改造实施方案")
    expect(first.get_by_label("责任单位")).to_have_value("市财政局、市民政局")
    expect(page.get_by_label("来源说明")).to_have_value("市长批示〔2026〕12号")
    second = page.locator("[data-item='1']")
    expect(second.get_by_label("事项内容")).to_be_focused()
    fill_item(second, "建立改造项目台账，按季度报送进展", "市住建局", "每季度")
    page.get_by_role("button", name="保存计划").click()

    # A unit not in the directory: refused beside its field, nothing stored, nothing lost.
    expect(page.locator("[data-entry-errors]")).to_contain_text("第 2 项：牵头单位“市住建局”不在单位名录中")
    expect(second.locator(".error")).to_contain_text("市住建局")
    expect(second.get_by_label("事项内容")).to_have_value("建立改造项目台账，按季度报送进展")
    assert Plan.objects.count() == 0
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / "journey-plan-entry-1366.png"), full_page=True)
    assert width_fits(page, 375), "the entry form is wider than a phone"
    page.screenshot(path=str(SCREENSHOTS / "journey-plan-entry-375.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})

    second.get_by_label("牵头单位").fill("市民政局")
    page.get_by_role("button", name="保存计划").click()
    expect(page.locator("main h1")).to_have_text("市长关于2026年老旧小区改造的批示")
    expect(page.locator("[data-plan-origin]")).to_have_text("领导批示：市长批示〔2026〕12号")
    plan = Plan.objects.get()
    assert [(t.number, t.lead_names, t.cadence) for t in plan.tasks.order_by("number")] == [
        (1, ["市财政局"], ""), (2, ["市民政局"], "quarterly")]

    page.locator("[data-supervisor-action='dispatch']").get_by_role("button", name="交办").click()
    assert sorted(Assignment.objects.filter(round__plan=plan).values_list("unit__short_name", flat=True)) == [
        "市民政局", "市民政局", "市财政局"]

    page.goto(plan.get_absolute_url())
    page.get_by_role("link", name="添加督办事项").click()
    fill_item(page.locator("form.plan-entry"), "开展改造质量专项检查", "市民政局", "2026年9月—12月")
    page.get_by_role("button", name="保存事项").click()
    expect(page.locator("main h1")).to_have_text("市长关于2026年老旧小区改造的批示")
    expect(page.locator("main")).to_contain_text("开展改造质量专项检查")
    assert plan.tasks.get(number=3).due_date.isoformat() == "2026-12-31"
    assert width_fits(page, 375), "the plan page is wider than a phone"
    page.screenshot(path=str(SCREENSHOTS / "journey-plan-entry-detail-375.png"), full_page=True)
