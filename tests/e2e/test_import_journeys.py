"""The 督查室's import when detection falls short, in a real browser against the live server.

Upload a table whose lead column has a header the importer does not know, map that column,
save the mapping as a layout profile, import; then import a second file of the same layout with
the profile and no mapping at all.
"""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from tests.e2e.conftest import SCREENSHOTS
from tests.factories import PlanAdministratorFactory
from workflows.models import LayoutProfile, Plan

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or fails, with REQUIRE_BROWSER=1) and says why
    expect = None

PASSWORD = "pass-1234"
HEADER = ("序号", "工作任务", "责任单位", "统筹部门", "完成时限")


def workbook(year: int, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append((f"某市{year}年重点工作任务分解表",))
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FIRST = workbook(2026, [
    (1, "推进政务服务一网通办，实现高频事项全程网办", "市财政局、各区镇", "市编办", "2026年6月底前"),
    (2, "完成社会信用平台建设，覆盖率达到95%", "市财政局", "市政府法制办", "2026年底"),
])
SECOND = workbook(2027, [
    (1, "深化“放管服”改革，不见面审批事项达到90%以上", "市政府各部门", "市编办", "每季度"),
])


def sign_in(pages, username: str):
    page = pages.new()
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page.locator("header .who")).to_have_text(username)
    return page


def choose_file(page, name: str, data: bytes):
    page.get_by_label("计划文件").set_input_files(
        {"name": name, "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "buffer": data})


def leads_in_preview(page) -> list[str]:
    return [cell.inner_text().strip() for cell in page.locator("table.tasks tbody tr td:nth-child(3)").all()]


def width_fits(page, width: int) -> bool:
    page.set_viewport_size({"width": width, "height": 900})
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_map_an_unknown_lead_column_save_the_profile_and_reuse_it_on_the_next_file(pages):
    PlanAdministratorFactory(username="ducha")
    page = sign_in(pages, "ducha")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # 1. Upload: "统筹部门" is not a known header; its cells are units right of 责任单位, so
    #    detection reads it as the cooperating units and the first 责任单位 as the lead.
    page.goto("/plans/import/")
    choose_file(page, "某市2026年分解表.xlsx", FIRST)
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator("main h1")).to_have_text("导入预览")
    assert leads_in_preview(page) == ["市财政局", "市财政局"]
    expect(page.locator("section.warnings")).to_contain_text("第 4 列（表头“统筹部门”）按其内容读作“配合单位”列")

    # 2. Map it: the mapping page lists each column with samples; 统筹部门 becomes the lead.
    page.get_by_role("link", name="调整列映射").click()
    expect(page.locator("main h1")).to_have_text("列映射")
    expect(page.locator(".map-row").nth(3)).to_contain_text("市编办")
    page.screenshot(path=str(SCREENSHOTS / "journey-import-map-1366.png"), full_page=True)
    assert width_fits(page, 375), "the mapping page is wider than a phone"
    page.screenshot(path=str(SCREENSHOTS / "journey-import-map-375.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_label("统筹部门").select_option(label="牵头单位")
    page.get_by_label("保存为版式方案").fill("某市统筹部门表")
    page.get_by_role("button", name="按此映射重新预览").click()

    # 3. The preview follows the mapping, and says how it was read.
    expect(page.locator("main h1")).to_have_text("导入预览")
    expect(page.locator("[data-layout]")).to_contain_text("按版式方案“某市统筹部门表”")
    assert leads_in_preview(page) == ["市编办", "市政府法制办"]
    page.get_by_label("督办单位").select_option(label="市政府法制办")
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator("main h1")).to_contain_text("某市2026年重点工作任务分解表")
    first = Plan.objects.get()
    assert [t.lead_names for t in first.tasks.order_by("number")] == [["市编办"], ["市政府法制办"]]
    assert LayoutProfile.objects.get(name="某市统筹部门表").mapping["columns"]["统筹部门"] == "lead"

    # 4. The next file of the same layout: choose the profile on the upload page, no mapping.
    page.goto("/plans/import/")
    choose_file(page, "某市2027年分解表.xlsx", SECOND)
    page.get_by_label("版式方案").select_option(label="某市统筹部门表")
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator("main h1")).to_have_text("导入预览")
    assert leads_in_preview(page) == ["市编办"]
    expect(page.locator("table.tasks")).to_contain_text("每季度")
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator("main h1")).to_contain_text("某市2027年重点工作任务分解表")
    second = Plan.objects.exclude(pk=first.pk).get()
    task = second.tasks.get()
    assert task.lead_names == ["市编办"] and (task.deadline_text, task.cadence) == ("每季度", "quarterly")
