"""The people's journeys through an assignment, in a real browser against the live server.

Each test is one journey of one or two people, in the default Chinese UI. The state it starts
from is made with the services (what the previous journey did in the browser); every step then
goes through the pages as a person would: sign in on the login page, follow links, fill in the
forms, press the buttons, and check what the page shows, and the database and audit trail
where it matters.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
import struct
import threading
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.actions import action_label
from audit.models import AuditEvent
from tests.workflows.archive.test_archive import pdftotext, squeeze
from tests.world import build_world
from workflows.models import Archive, Assignment, Evidence, Submission
from workflows.services import assignments as services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or fails, with REQUIRE_BROWSER=1) and says why
    expect = None

PASSWORD = "pass-1234"
RETURN_REASON = "请补充整改台账，并注明每项整改的完成时间。"
READ_ONLY_POSTS = {"/logout/", "/i18n/setlang/"}  # the header's 退出 and language switch
# 立即校验 on the audit trail writes only the verification's own result, never the trail or the work.
AUDIT_POSTS = READ_ONLY_POSTS | {"/audit/verify/"}
WORKFLOW_ACTIONS = ("assignment.started", "assignment.evidence_uploaded", "assignment.submitted",
                    "assignment.returned", "assignment.approved", "assignment.accepted")
WORKFLOW_LABELS = {code: str(action_label(code)) for code in WORKFLOW_ACTIONS}


# ----- small real files ---------------------------------------------------------------------------

def pdf_bytes(text: str = "Self-inspection report") -> bytes:
    """A small, well-formed one-page PDF (header, objects, cross-reference table, trailer)."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png_bytes(width: int = 4, height: int = 4) -> bytes:
    """A small, valid RGB PNG (signature, IHDR, IDAT, IEND with their CRCs)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xc0\x20\x20" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


# ----- the state a journey starts from (what the journey before it did) --------------------------

def off_the_loop(prepare, *args):
    """Run ``prepare`` in a thread of its own, as the live server runs the same services.

    Playwright keeps an asyncio loop running in the test thread; code that the services reach
    and that calls ``asyncio.run`` (the archive's PDF signing, after an acceptance) would fail
    there with "cannot be called from a running event loop".
    """
    from django.db import connections

    outcome = {}

    def run():
        try:
            outcome["value"] = prepare(*args)
        except BaseException as exc:  # re-raised in the test thread, where pytest reports it
            outcome["error"] = exc
        finally:
            connections.close_all()

    worker = threading.Thread(target=run, name=f"prepare-{prepare.__name__}")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def upload_with_service(world, name: str, data: bytes):
    from workflows.services import evidence

    return evidence.evidence_upload(actor=world.submitter, assignment_id=world.assignment.pk,
                                    upload=SimpleUploadedFile(name, data))


def submitted_once(world):
    """Journey 1's result: started, two files uploaded, the first report submitted."""
    services.assignment_start(actor=world.submitter, assignment_id=world.assignment.pk)
    upload_with_service(world, "自查报告.pdf", pdf_bytes())
    upload_with_service(world, "现场照片.png", png_bytes())
    services.assignment_submit(actor=world.submitter, assignment_id=world.assignment.pk,
                               report="已完成自查，形成自查报告。")


def reviewed_after_one_return(world):
    """Journey 2's result: returned with a reason, a file added, resubmitted, approved."""
    submitted_once(world)
    services.assignment_return(actor=world.reviewer, assignment_id=world.assignment.pk, reason=RETURN_REASON)
    upload_with_service(world, "整改台账.pdf", pdf_bytes("Rectification ledger"))
    services.assignment_submit(actor=world.submitter, assignment_id=world.assignment.pk,
                               report="已完成自查，并补充整改台账。")
    services.assignment_approve(actor=world.reviewer, assignment_id=world.assignment.pk, opinion="同意")


def accepted(world):
    """Journey 3's result: accepted by the supervising office (the archive is built after it)."""
    reviewed_after_one_return(world)
    services.assignment_accept(actor=world.supervisor, assignment_id=world.assignment.pk, opinion="验收通过。")


def state_of(world) -> str:
    return Assignment.objects.get(pk=world.assignment.pk).state


def trail(world) -> list[tuple[str, str]]:
    """The assignment's workflow events, oldest first: (action, actor's login name)."""
    events = AuditEvent.objects.filter(assignment_id=world.assignment.pk, action__in=WORKFLOW_ACTIONS)
    return [(e.action, e.actor.username if e.actor else "") for e in events.select_related("actor").order_by("seq")]


# ----- what a person does in the browser -----------------------------------------------------------

def sign_in(pages, username: str):
    """Open the login page in a fresh browser, sign in, land on 我的待办."""
    page = pages.new()
    page.goto("/login/")
    expect(page).to_have_title("登录")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page.locator("main h1")).to_have_text("我的待办")
    expect(page.locator("header .who")).to_have_text(username)
    return page


def open_from_inbox(page, waiting_label: str):
    """Follow the assignment's link in 我的待办, where it waits with ``waiting_label``."""
    summary = page.locator("ul.counts li", has_text=waiting_label)
    expect(summary.locator("strong")).to_have_text("1")
    row = page.locator("table.assignments tbody tr", has_text="市财政局")
    row.get_by_role("link", name="第 1 项").click()
    expect(page.locator("main h1")).to_contain_text("第 1 项任务 · 市财政局")


def action_forms(page) -> set[str]:
    """The actions offered: each action's form, and an action's button inside another's form
    (上传所选文件 inside the 报送 form). The year's panels (节点, 延期申请) have their own journey
    (test_period_journey) and are left out here."""
    forms = page.locator("form[data-action]").evaluate_all(
        "forms => forms.filter(f => !f.closest('[data-periods], [data-extension]')).map(f => f.dataset.action)")
    buttons = page.locator("button[data-action-button]").evaluate_all("bs => bs.map(b => b.dataset.actionButton)")
    return set(forms) | set(buttons)


def post_forms(page) -> list[str]:
    """The path each POST form on the page sends to."""
    return page.locator("form").evaluate_all(
        "forms => forms.filter(f => f.method.toLowerCase() === 'post')"
        ".map(f => new URL(f.action, location.href).pathname)")


def press(page, action: str):
    """Press the action's own button (a form may hold other actions' buttons, each with formaction)."""
    page.locator(f"form[data-action='{action}'] button[type=submit]:not([formaction])").click()


def expect_state(page, label: str):
    expect(page.locator("[data-summary-state]")).to_have_text(label)


def arrive(pages, username: str, waiting_label: str, state: str, actions: set[str]):
    """Sign in, open the assignment from the inbox group, and check its state and my actions."""
    page = sign_in(pages, username)
    open_from_inbox(page, waiting_label)
    expect_state(page, state)
    assert action_forms(page) == actions
    return page


def expect_message(page, text: str):
    expect(page.locator("main > p.message")).to_contain_text(text)


# upload.js changes the upload form's status line, bar and message, then reloads the page at once;
# this records every change (into sessionStorage, which survives the reload) so the test can tell
# what the person saw flash by.
WATCH_UPLOAD = """() => {
  const form = document.querySelector("form[data-upload]");
  const button = form.querySelector("[data-upload-button]") || form.querySelector("button[type=submit]");
  window.uploadLog = [];
  const snapshot = () => {
    const status = form.querySelector(".upload-status");
    window.uploadLog.push({visible: !status.hidden, value: Number(status.querySelector("progress").value),
                           percent: status.querySelector(".upload-percent").textContent,
                           message: form.querySelector(".upload-message").textContent,
                           disabled: button.disabled});
  };
  new MutationObserver(snapshot).observe(form, {attributes: true, childList: true, subtree: true,
                                                characterData: true});
}"""


def upload_in_browser(page, name: str, data: bytes, mime: str, *, hold=False):
    """Choose a file and press the upload button; the file is listed without leaving the page.

    With ``hold``, the request is held at the network until the status line with its progress
    bar is checked on screen, then let through.
    """
    form = page.locator("form[data-upload]")
    button = form.locator("[data-upload-button]")
    if not button.count():
        button = form.get_by_role("button", name="上传佐证材料")
    url = page.url
    page.evaluate(WATCH_UPLOAD)
    form.locator("input[type=file]").set_input_files({"name": name, "mimeType": mime, "buffer": data})
    held = []
    if hold:
        page.route(re.compile(r"/assignments/\d+/evidence/$"), lambda route: held.append(route))
    button.click()
    if hold:
        status = form.locator(".upload-status")
        expect(status).to_be_visible()  # the bar appears as soon as the upload starts
        expect(status.locator("progress")).to_have_attribute("max", "100")
        expect(button).to_be_disabled()  # no second click
        for _tick in range(100):  # the request reaches the route a moment after the click
            if held:
                break
            page.wait_for_timeout(50)
        assert len(held) == 1, "the upload went out as one request"
        expect(status.locator("progress")).to_have_js_property("value", 0)  # nothing sent yet
        expect(form.locator(".upload-message")).to_have_text("")
        assert held[0].request.headers.get("x-requested-with") == "XMLHttpRequest"
        assert held[0].request.method == "POST"
        held[0].continue_()
        page.unroute(re.compile(r"/assignments/\d+/evidence/$"))
    expect(form.locator(".upload-message")).to_have_text(f"已上传“{name}”。")
    expect(page.locator("table.files")).to_contain_text(name)
    assert page.url == url  # the page stayed: nothing typed is lost
    return page.evaluate("() => window.uploadLog")


# ----- 1. the submitter: sign in, start, upload two files, report, submit ------------------------

def test_the_submitter_starts_uploads_two_files_and_submits(pages):
    world = build_world()
    a = world.assignment

    page = arrive(pages, "finance", "待开始办理", "已交办", {"start", "upload_evidence", "transfer_request", "hand_over"})

    # Step 1: 开始办理.
    press(page, "start")
    expect_message(page, "已开始办理。")
    expect_state(page, "办理中")
    assert action_forms(page) == {"submit", "upload_evidence", "transfer_request", "hand_over"}
    assert state_of(world) == "in_progress"
    expect(page.locator("form[data-action='submit']")).to_contain_text("尚未上传佐证材料。")

    # Step 2: the PDF, with the progress bar watched while the request is held.
    log = upload_in_browser(page, "自查报告.pdf", pdf_bytes(), "application/pdf", hold=True)
    assert log and log[0]["visible"] and log[0]["disabled"], log  # shown, button off, at once
    assert any(entry["value"] == 100 and entry["percent"] == "100%" for entry in log), log  # complete
    assert log[-1]["message"] == "已上传“自查报告.pdf”。", log

    # Step 3: the PNG, straight through.
    log = upload_in_browser(page, "现场照片.png", png_bytes(), "image/png")
    assert any(entry["value"] == 100 for entry in log), log
    files = page.locator("table.files tbody tr")
    expect(files).to_have_count(2)
    expect(files.nth(0)).to_contain_text("pdf")
    expect(files.nth(1)).to_contain_text("png")
    stored = Evidence.objects.filter(assignment=a).order_by("id")
    assert [(e.original_name, e.kind, e.size) for e in stored] == [
        ("自查报告.pdf", "pdf", len(pdf_bytes())), ("现场照片.png", "png", len(png_bytes()))]

    # Step 4: the report, with both files ticked by default; 报送.
    submit = page.locator("form[data-action='submit']")
    boxes = submit.locator("input[type=checkbox][name=evidence_ids]")
    expect(boxes).to_have_count(2)
    for index in range(2):
        expect(boxes.nth(index)).to_be_checked()
    submit.get_by_label("书面报告").fill("已完成自查，形成自查报告。\n附现场照片一张。")
    press(page, "submit")
    expect_message(page, "已报送，等待牵头部门审核。")
    expect_state(page, "已报送")
    assert action_forms(page) == {"recall"}  # only taking it back, until the lead department opens it
    first = page.locator("#submission-1")
    expect(first).to_contain_text("已完成自查，形成自查报告。")
    expect(first.locator("ul li")).to_have_text([re.compile("自查报告.pdf"), re.compile("现场照片.png")])

    submission = Submission.objects.get(assignment=a)
    assert state_of(world) == "submitted" and submission.submitted_by == world.submitter
    assert sorted(submission.files.values_list("original_name", flat=True)) == ["现场照片.png", "自查报告.pdf"]
    assert trail(world) == [("assignment.started", "finance"), ("assignment.evidence_uploaded", "finance"),
                            ("assignment.evidence_uploaded", "finance"), ("assignment.submitted", "finance")]
    timeline = page.locator("table.timeline tbody")
    for label in ("交办", "开始办理", "上传佐证材料", "报送"):
        expect(timeline).to_contain_text(label)


# ----- 2. the lead reviewer returns it; the submitter fixes and resubmits; the reviewer approves ----

def test_the_reviewer_returns_the_submitter_resubmits_and_the_reviewer_approves(pages):
    world = build_world()
    off_the_loop(submitted_once, world)

    # Step 1: 市编办 returns it with a reason.
    reviewer = arrive(pages, "bianban", "待审核", "已报送", {"approve", "return"})
    # The report and its files come before the decision, the photo shown in the page, the PDF
    # in the browser's own viewer (or, where it has none, a link to open it).
    pending = reviewer.locator("#pending")
    expect(pending).to_contain_text("已完成自查，形成自查报告。")
    reviewer.locator("#pending details.preview", has_text="在线预览").nth(1).locator("summary").click()
    photo = pending.locator("img[alt='现场照片.png']")
    expect(photo).to_be_visible()
    photo.evaluate("img => img.complete ? img.naturalWidth : new Promise(done => img.onload = () => done())")
    assert photo.evaluate("img => img.naturalWidth") == 4
    expect(pending.locator("iframe[title='自查报告.pdf']")).to_have_count(1)
    assert reviewer.evaluate("document.querySelector('#pending').compareDocumentPosition("
                             "document.querySelector('form[data-action=approve]')) & 4") == 4
    reviewer.locator("form[data-action='return']").get_by_label("退回理由").fill(RETURN_REASON)
    press(reviewer, "return")
    expect_message(reviewer, "已退回，承办单位将看到退回理由。")
    expect_state(reviewer, "办理中")
    assert action_forms(reviewer) == set()
    assert state_of(world) == "in_progress"
    assert Submission.objects.get(assignment=world.assignment).return_reason == RETURN_REASON

    # Step 2: the submitter sees the reason at the top of the page.
    submitter = sign_in(pages, "finance")
    open_from_inbox(submitter, "待报送")
    returned = submitter.locator("section.returned")
    expect(returned).to_be_visible()
    expect(returned.locator("h2")).to_have_text("第 1 次报送已被退回，请按退回理由修改后重新报送")
    expect(returned.locator(".reason")).to_have_text(RETURN_REASON)
    expect(returned).to_contain_text("bianban")
    expect(submitter.locator("#submission-1 .returned-note")).to_contain_text(RETURN_REASON)

    # Step 3: adds the ledger and resubmits with a changed report.
    upload_in_browser(submitter, "整改台账.pdf", pdf_bytes("Rectification ledger"), "application/pdf")
    expect(submitter.locator("table.files tbody tr")).to_have_count(3)
    submit = submitter.locator("form[data-action='submit']")
    expect(submit.locator("input[type=checkbox][name=evidence_ids]:checked")).to_have_count(3)
    submit.get_by_label("书面报告").fill("已完成自查，并补充整改台账（各项均已注明完成时间）。")
    press(submitter, "submit")
    expect_message(submitter, "已报送，等待牵头部门审核。")
    expect_state(submitter, "已报送")
    expect(submitter.locator("section.returned")).to_have_count(0)
    changes = submitter.locator("#submission-2 .changes")
    expect(changes).to_contain_text("书面报告已修改")
    expect(changes).to_contain_text("新增材料：整改台账.pdf")
    assert state_of(world) == "submitted"

    # Step 4: the reviewer sees the second round and approves it.
    reviewer.goto("/inbox/")
    open_from_inbox(reviewer, "待审核")
    expect(reviewer.locator("#submission-2")).to_contain_text("整改台账.pdf")
    reviewer.locator("form[data-action='approve']").get_by_label("意见（可不填）").fill("同意，整改到位。")
    press(reviewer, "approve")
    expect_message(reviewer, "已审核通过，等待督办单位验收。")
    expect_state(reviewer, "牵头审核通过")
    expect(reviewer.locator("#submission-2")).to_contain_text("牵头审核通过")
    expect(reviewer.locator("#submission-2")).to_contain_text("同意，整改到位。")

    second = Submission.objects.get(assignment=world.assignment, number=2)
    assert state_of(world) == "lead_reviewed"
    assert second.reviewed_by == world.reviewer and second.review_opinion == "同意，整改到位。"
    assert trail(world)[-5:] == [
        ("assignment.submitted", "finance"), ("assignment.returned", "bianban"),
        ("assignment.evidence_uploaded", "finance"), ("assignment.submitted", "finance"),
        ("assignment.approved", "bianban")]
    returned_event = AuditEvent.objects.get(assignment_id=world.assignment.pk, action="assignment.returned")
    assert returned_event.reason == RETURN_REASON


# ----- 3. the supervising office accepts; the archived PDF downloads -------------------------------

def test_the_supervisor_accepts_and_the_page_shows_it_closed(pages):
    world = build_world()
    off_the_loop(reviewed_after_one_return, world)

    page = arrive(pages, "supervisor", "待验收", "牵头审核通过", {"accept", "return"})
    page.locator("form[data-action='accept']").get_by_label("意见（可不填）").fill("验收通过。")
    press(page, "accept")
    expect_message(page, "已验收办结。")
    expect_state(page, "已验收办结")
    expect(page.locator("[data-summary]")).to_contain_text("已办结")
    expect(page.locator("[data-supervisor-action]")).to_have_count(0)  # no 催办, no 调整期限 once closed
    assert action_forms(page) == set()
    expect(page.locator("#submission-2")).to_contain_text("验收办结")
    expect(page.locator("#submission-2")).to_contain_text("验收通过。")
    expect(page.locator("table.timeline tbody")).to_contain_text("验收办结")

    assert state_of(world) == "accepted"
    assert trail(world)[-1] == ("assignment.accepted", "supervisor")

    # The archive was built right after the commit (no broker here): the page offers it.
    archive = Archive.objects.get(assignment=world.assignment)
    assert archive.status == "done"
    page.reload()
    expect(page.locator("#archive")).to_have_attribute("data-archive-status", "done")
    expect(page.locator("#archive")).to_contain_text(archive.sha256)
    with page.expect_download() as download_info:
        page.locator("[data-archive-download]").click()
    data = Path(download_info.value.path()).read_bytes()
    assert hashlib.sha256(data).hexdigest() == archive.sha256
    text = pdftotext(data)
    assert squeeze(world.assignment.task.text) in squeeze(text) and "市财政局" in text
    archive_events = AuditEvent.objects.filter(assignment_id=world.assignment.pk,
                                               action__in=["assignment.archived", "assignment.archive_downloaded"])
    assert [(e.action, e.actor.username if e.actor else "") for e in archive_events.order_by("seq")] == [
        ("assignment.archived", ""), ("assignment.archive_downloaded", "supervisor")]


# ----- 4. the auditor reads the whole history, exports it, and can change nothing ------------------

def test_the_auditor_finds_the_history_exports_it_and_has_no_buttons(pages):
    world = build_world()
    off_the_loop(accepted, world)
    pk = world.assignment.pk
    expected = [action for action, _who in reversed(trail(world))]  # the timeline is newest first
    assert len(expected) == 9

    # Step 1: 审计日志, filtered by the assignment's number.
    page = sign_in(pages, "shenji")
    page.locator("header nav").get_by_role("link", name="审计日志").click()
    expect(page.locator("main h1")).to_have_text("审计日志")
    page.get_by_label("承办件编号").fill(str(pk))
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(rf"[?&]assignment={pk}(&|$)"))
    rows = page.locator("table.audit tbody tr")
    shown = [text for text in rows.locator("td:nth-child(6)").all_inner_texts() if text in WORKFLOW_LABELS.values()]
    assert shown == [WORKFLOW_LABELS[code] for code in expected]
    expect(rows.filter(has_text="退回")).to_contain_text(RETURN_REASON)
    expect(rows.filter(has_text="验收办结")).to_contain_text("督办验收人")  # the role, in Chinese
    expect(page.locator("table.audit")).not_to_contain_text("没有符合条件的事件。")
    on_page = rows.count()

    # Step 2: the CSV export of the filtered view holds the same events, with the reason.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出 CSV").click()
    download = download_info.value
    assert re.fullmatch(r"audit-\d{8}-\d{6}\.csv", download.suggested_filename)
    table = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))
    assert len(table) == on_page
    assert [r["操作"] for r in table if r["操作"] in WORKFLOW_LABELS.values()] == [WORKFLOW_LABELS[c] for c in expected[::-1]]
    assert [r["理由"] for r in table if r["操作"] == "退回"] == [RETURN_REASON]  # oldest first above

    # Step 3: the timeline page offers filters (GET) and exports, no change of anything: its only
    # POST forms are the header's 退出 and language switch, which every page has, and 立即校验.
    assert "/logout/" in post_forms(page) and set(post_forms(page)) <= AUDIT_POSTS, post_forms(page)

    # Step 4: the assignment page: everything readable, no action at all.
    page.goto(f"/assignments/{pk}/")
    expect_state(page, "已验收办结")
    expect(page.locator("main")).to_contain_text("您目前不能对该承办件执行任何操作。")
    expect(page.locator("#submission-1 .returned-note")).to_contain_text(RETURN_REASON)
    assert action_forms(page) == set()
    expect(page.locator("form[data-supervisor-action], form[data-evidence-action]")).to_have_count(0)
    assert set(post_forms(page)) <= READ_ONLY_POSTS, post_forms(page)

    # Step 5: its "在审计日志中查看" link leads to the same history.
    page.get_by_role("link", name="在审计日志中查看").click()
    expect(page.locator("main h1")).to_have_text(f"历史记录：#{pk}")
    texts = page.locator("table.audit tbody tr td:nth-child(6)").all_inner_texts()
    assert [text for text in texts if text in WORKFLOW_LABELS.values()] == [WORKFLOW_LABELS[code] for code in expected]
    assert set(post_forms(page)) <= AUDIT_POSTS, post_forms(page)
    assert state_of(world) == "accepted"


# ----- 5. another unit's person gets the not-found page ---------------------------------------------

def test_another_units_user_gets_not_found_for_the_assignment(pages):
    world = build_world()
    pk = world.assignment.pk
    events_before = AuditEvent.objects.filter(assignment_id=pk).count()

    page = sign_in(pages, "minzheng")
    expect(page.locator("table.assignments")).not_to_contain_text("市财政局")
    response = page.goto(f"/assignments/{pk}/")
    assert response is not None and response.status == 404
    expect(page).to_have_title("找不到页面")
    expect(page.locator("main h1")).to_have_text("找不到您要的内容")
    expect(page.locator("main .not-found .error")).to_have_text("承办件不存在，或您无权查看。")
    expect(page.locator("main")).not_to_contain_text("市财政局")
    assert action_forms(page) == set()
    page.get_by_role("link", name="返回我的待办").click()
    expect(page.locator("main h1")).to_have_text("我的待办")

    assert state_of(world) == "assigned"
    assert AuditEvent.objects.filter(assignment_id=pk).count() == events_before
