"""The 报送 form never loses writing, in a real browser: a report typed, files attached without a
reload (the text still there), the tab closed and the draft restored, then submitted."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_import_journeys import sign_in, width_fits
from tests.e2e.test_work_queue_journey import WIDER_THAN_SCREEN
from tests.world import build_world
from workflows.models import Assignment, ReportDraft, Submission
from workflows.services.assignments import assignment_start

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or fails, with REQUIRE_BROWSER=1) and says why
    expect = None

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
REPORT = "一、基本情况\n已完成行政权力清单的梳理和公布。\n二、下一步打算"


def test_typed_text_survives_an_upload_and_a_closed_tab_and_is_submitted_with_the_files(pages):
    world = build_world()
    a = world.assignment
    assignment_start(actor=world.submitter, assignment_id=a.pk)
    page = sign_in(pages, "finance")
    page.goto(f"/assignments/{a.pk}/")
    form = page.locator("form[data-action='submit']")
    form.get_by_label("书面报告").fill(REPORT)

    form.locator("input[type=file]").set_input_files([
        {"name": "权力清单.pdf", "mimeType": "application/pdf", "buffer": PDF},
        {"name": "公布截图.pdf", "mimeType": "application/pdf", "buffer": PDF + b"%"}])
    url_before = page.url
    form.get_by_role("button", name="上传所选文件").click()
    expect(form.locator(".upload-message")).to_contain_text("已上传")
    assert page.url == url_before
    expect(form.get_by_label("书面报告")).to_have_value(REPORT)
    expect(form.locator("input[name=evidence_ids]:checked")).to_have_count(2)
    expect(form.locator("[data-draft-status]")).to_contain_text("草稿已于")  # saved as typed, too
    expect(page.locator("[data-current-files] table")).to_contain_text("权力清单.pdf")  # the page's list follows
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "report-form-1366.png"), full_page=True)
    fits = width_fits(page, 375)
    assert fits, page.evaluate(WIDER_THAN_SCREEN)
    page.screenshot(path=str(SCREENSHOTS / "report-form-375.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})

    # More text, then the tab is closed before the pause that saves it: leaving saves it.
    form.get_by_label("书面报告").press("End")
    form.get_by_label("书面报告").press_sequentially("：继续推进。")
    page.close()
    again = page.context.new_page()
    again.goto(f"/assignments/{a.pk}/")
    form = again.locator("form[data-action='submit']")
    expect(form.get_by_label("书面报告")).to_have_value(REPORT + "：继续推进。")
    expect(again.locator("[data-draft-note]")).to_contain_text("已恢复您")

    form.get_by_role("button", name="报送").click()
    expect(again.locator(".messages, .message").first).to_contain_text("已报送")
    submission = Submission.objects.get(assignment=a)
    assert submission.report == REPORT + "：继续推进。"
    assert sorted(submission.files.values_list("original_name", flat=True)) == ["公布截图.pdf", "权力清单.pdf"]
    assert Assignment.objects.get(pk=a.pk).state == "submitted" and not ReportDraft.objects.exists()
