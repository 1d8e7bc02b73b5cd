"""我的待办 on a desk and on a phone: the returned mark, and no element wider than the screen."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_import_journeys import sign_in
from tests.world import build_world
from workflows.services.assignments import assignment_return, assignment_start, assignment_submit
from workflows.services.dispatch import plan_dispatch

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or fails, with REQUIRE_BROWSER=1) and says why
    expect = None

# Every element's right edge, against the viewport: what sticks out makes the page scroll sideways.
WIDER_THAN_SCREEN = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5 && e.getClientRects().length)
  .map(e => e.tagName + (e.className ? '.' + e.className : ''))"""


def test_the_submitter_sees_the_returned_mark_and_the_queue_fits_a_phone(pages):
    world = build_world()
    plan_dispatch(actor=world.supervisor, plan_id=world.plan.pk)
    a = world.assignment
    assignment_start(actor=world.submitter, assignment_id=a.pk)
    assignment_submit(actor=world.submitter, assignment_id=a.pk, report="已完成。", no_file_statement="无纸质材料")
    assignment_return(actor=world.reviewer, assignment_id=a.pk, reason="缺少资金拨付凭证\n请补充")

    page = sign_in(pages, "finance")
    page.goto("/inbox/")
    row = page.locator("tr", has=page.locator(f'a[href="/assignments/{a.pk}/"]'))
    expect(row.locator("[data-returned]")).to_have_text("已退回：缺少资金拨付凭证")
    expect(row.locator("[data-days]")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / "inbox-1366.png"), full_page=True)

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    page.screenshot(path=str(SCREENSHOTS / "inbox-375.png"), full_page=False)
    assert page.evaluate(WIDER_THAN_SCREEN) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_on_a_phone_the_menu_folds_behind_one_button_and_opens_whole(pages):
    build_world()
    page = sign_in(pages, "finance")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/inbox/")
    menu = page.locator("header nav")
    expect(menu).to_be_hidden()
    button = page.locator(".menu-button")
    expect(button).to_have_text("菜单 1")  # what waits is counted on the button, the menu folded
    button.click()
    expect(menu).to_be_visible()
    expect(menu.get_by_role("link", name="我的待办")).to_contain_text("1")
    links = menu.locator("a")
    heights = links.evaluate_all("links => links.map(a => a.getBoundingClientRect().height)")
    assert max(heights) < 2 * min(heights), heights  # each item on one line: no word broken in two
    page.screenshot(path=str(SCREENSHOTS / "menu-375.png"))
    assert page.evaluate(WIDER_THAN_SCREEN) == []
    page.set_viewport_size({"width": 1366, "height": 900})
    expect(menu).to_be_visible()
    expect(page.locator(".menu-button")).to_be_hidden()
    assert page.request.get("/favicon.ico").ok


def test_the_clerk_searches_the_queue_narrows_it_on_a_phone_and_exports_it(pages):
    import io
    from pathlib import Path

    from openpyxl import load_workbook

    world = build_world()
    plan_dispatch(actor=world.supervisor, plan_id=world.plan.pk)
    page = sign_in(pages, "finance")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/inbox/")
    page.locator("[data-inbox-search] input[name=q]").fill("权力清单")
    page.locator("[data-inbox-search] button").click()
    expect(page.locator("main h1")).to_have_text("承办件")
    expect(page.locator("input[name=mine]")).to_be_checked()
    rows = page.locator("table.assignments tbody tr")
    expect(rows.first).to_contain_text("权力清单")
    shown = rows.count()
    assert shown >= 1 and all("市财政局" in rows.nth(i).inner_text() for i in range(shown))
    page.screenshot(path=str(SCREENSHOTS / "search-375.png"), full_page=True)
    assert page.evaluate(WIDER_THAN_SCREEN) == []

    with page.expect_download() as download:
        page.locator("[data-export]").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    exported = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(exported) == shown and all("权力清单" in row[1] and row[2] == "市财政局" for row in exported)


def test_a_link_from_a_reminder_mail_opens_the_assignment_after_signing_in(pages):
    import re

    from django.core import mail

    from tests.e2e.test_import_journeys import PASSWORD
    from workflows.services.reminders.urging import assignment_remind

    world = build_world()
    world.submitter.email = "finance@example.gov.cn"
    world.submitter.save(update_fields=["email"])
    a = world.assignment
    assignment_remind(actor=world.supervisor, assignment_id=a.pk, message="请于本周五前报送")
    body = mail.outbox[-1].body
    link = re.search(r"https?://\S+/assignments/\d+/", body).group(0)
    path = "/" + link.split("/", 3)[3]

    page = pages.new()
    page.goto(path)  # signed out: the login page, which keeps where the link pointed
    expect(page).to_have_title("登录")
    page.get_by_label("用户名").fill("finance")
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page.locator("main h1")).to_contain_text("第 1 项任务 · 市财政局")
    assert page.url.endswith(f"/assignments/{a.pk}/")
    expect(page.locator("[data-summary] [data-reminded]")).to_have_text("已催办 ×1")

    page.emulate_media(media="print")  # on paper: the record without the menu or the forms
    assert page.locator("header.topbar").is_hidden() and page.locator("form").first.is_hidden()
    expect(page.locator("dl.meta")).to_be_visible()
    page.emulate_media(media="screen")


def test_the_progress_report_is_made_in_the_background_and_downloaded_when_ready(pages, settings):
    import subprocess
    from pathlib import Path

    settings.ARCHIVE_IN_BACKGROUND = True  # as under `make run`: the render runs in a thread of the server
    world = build_world()
    page = sign_in(pages, "supervisor")
    page.goto(f"/supervision/plans/{world.plan.pk}/")
    page.get_by_role("button", name="进度报告（PDF）").click()
    expect(page.locator("main h1")).to_have_text("进度报告（PDF）")
    status = page.locator("[data-report-status]")
    expect(status).to_have_attribute("data-report-status", "done", timeout=60_000)  # the page looked again itself
    expect(status).to_contain_text("已生成")
    page.screenshot(path=str(SCREENSHOTS / "progress-report-1366.png"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate(WIDER_THAN_SCREEN) == []
    page.screenshot(path=str(SCREENSHOTS / "progress-report-375.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载进度报告（PDF）").click()
    assert download.value.suggested_filename.endswith(".pdf") and "进度报告" in download.value.suggested_filename
    text = subprocess.run(["pdftotext", download.value.path(), "-"], capture_output=True, check=True, text=True).stdout
    assert "进度报告（非归档文件）" in text.replace(" ", "")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
