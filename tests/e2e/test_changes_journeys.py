"""Changes after dispatch, in a real browser against the live server (issue 8).

Three journeys, each through the pages as people would go: a transfer request from the
responsible unit decided by the supervising office (申请调整承办单位), a delegation used by a
colleague (代理, "B for A" in the timeline and the audit trail) with a refusal first, and a plan
revision uploaded, previewed as a diff and confirmed (修订计划). The state each starts from is
made with the services, as in ``test_journeys``; the audit chain must still verify afterwards.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEvent
from tests.e2e.test_journeys import (
    action_forms,
    expect_message,
    expect_state,
    off_the_loop,
    press,
    sign_in,
)
from tests.revised import narrowed_16_plus_32
from tests.world import build_world, person
from workflows.models import Assignment, Delegation, PlanRevision, Task, TaskChange, TransferRequest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or fails, with REQUIRE_BROWSER=1) and says why
    expect = None

TRANSFER_REASON = "该项工作属区镇职责，建议改由张浦镇承办。"


# ----- helpers ---------------------------------------------------------------------------------------

def open_in_inbox(page, waiting_label: str, unit: str, number: int):
    """Follow 第 ``number`` 项's link in 我的待办, from the row of ``unit`` in the ``waiting_label`` group."""
    expect(page.locator("ul.counts li", has_text=waiting_label).locator("strong")).not_to_have_text("0")
    row = page.locator("table.assignments tbody tr", has_text=unit).filter(
        has=page.get_by_role("link", name=f"第 {number} 项", exact=True))
    expect(row).to_have_count(1)
    row.get_by_role("link", name=f"第 {number} 项", exact=True).click()
    expect(page.locator("main h1")).to_contain_text(f"第 {number} 项任务 · {unit}")


def audit_verifies():
    """``manage.py verify_audit`` over the whole trail: the chain is unbroken."""
    out = io.StringIO()
    call_command("verify_audit", json=True, stdout=out)
    result = json.loads(out.getvalue())
    assert result["ok"] is True, result
    assert result["events"] == AuditEvent.objects.count()


def events_of(assignment_id: int, *actions: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(assignment_id=assignment_id, action__in=actions)
                .select_related("actor").order_by("seq"))


def details(event: AuditEvent) -> dict:
    return json.loads(event.details)


# ----- 1. a transfer: the unit asks, the supervising office approves, the named unit takes over -----

def test_a_transfer_request_is_approved_and_the_named_unit_finds_the_new_assignment(pages):
    world = build_world()
    person("zhangpu", "张浦镇", "submitter")  # 张浦镇 has no assignment of task 1: the transfer's target
    pk = world.assignment.pk

    # Step 1: 市财政局's submitter asks, from the assignment page, that 张浦镇 take it over.
    submitter = sign_in(pages, "finance")
    open_in_inbox(submitter, "待开始办理", "市财政局", 1)
    expect_state(submitter, "已交办")
    submitter.locator("#changes details.secondary-forms > summary").click()  # the secondary forms are folded
    ask = submitter.locator("form[data-action='transfer_request']")
    expect(ask.locator("h3")).to_have_text("申请调整承办单位")
    ask.get_by_label("改由其他单位承办").check()
    # The unit is chosen from the directory's list, which leaves out those already holding the task.
    options = ask.locator("datalist#transfer-units option").evaluate_all("os => os.map(o => o.value)")
    assert "张浦镇" in options and "市财政局" not in options
    ask.get_by_label("建议承办单位").fill("张浦镇")
    ask.get_by_label("申请理由").fill(TRANSFER_REASON)
    press(submitter, "transfer_request")
    expect_message(submitter, "已提交调整申请；审批之前仍由本单位办理。")
    expect_state(submitter, "已交办")  # still theirs until decided
    panel = submitter.locator("#changes")
    expect(panel).to_contain_text("审批之前，本承办件仍由本单位办理，办理期限不变。")
    pending_row = panel.locator("table.transfers tbody tr")
    expect(pending_row).to_have_count(1)
    expect(pending_row).to_have_attribute("data-transfer-status", "pending")
    for text in ("改由其他单位承办", "张浦镇", TRANSFER_REASON, "待审批"):
        expect(pending_row).to_contain_text(text)
    assert "transfer_request" not in action_forms(submitter)  # one pending request at a time
    assert "start" in action_forms(submitter)  # and the work goes on meanwhile
    request = TransferRequest.objects.get(assignment_id=pk)
    assert (request.status, request.kind, request.target_unit.short_name, request.requested_by) == (
        "pending", "transfer", "张浦镇", world.submitter)
    assert Assignment.objects.get(pk=pk).state == "assigned"

    # Step 2: the supervising office finds it under 调整申请 and opens the assignment from there.
    supervisor = sign_in(pages, "supervisor")
    supervisor.locator("header nav").get_by_role("link", name="调整申请").click()
    expect(supervisor.locator("main h1")).to_have_text("调整与延期申请")
    to_decide = supervisor.locator("main section", has=supervisor.get_by_role("heading", name="待我审批"))
    row = to_decide.locator(f"tr[data-transfer='{request.pk}']")
    expect(row).to_contain_text(TRANSFER_REASON)
    expect(row).to_contain_text("待审批")
    row.get_by_role("link", name="第 1 项 · 市财政局").click()
    expect(supervisor.locator("main h1")).to_contain_text("第 1 项任务 · 市财政局")
    assert {"transfer_approve", "transfer_reject"} <= action_forms(supervisor)

    # Step 3: approves with an opinion; the assignment closes as 已调整承办单位, linked to the new one.
    approve = supervisor.locator("form[data-action='transfer_approve']")
    approve.get_by_label("审批意见（可不填）").fill("同意调整。")
    press(supervisor, "transfer_approve")
    expect_message(supervisor, "已同意调整申请。")
    expect_state(supervisor, "已调整承办单位")
    expect(supervisor.locator("#changes tr[data-transfer-status='approved']")).to_contain_text("同意调整。")
    assert not {"transfer_approve", "transfer_reject"} & action_forms(supervisor)
    successor_note = supervisor.locator("#changes p[data-successor]")
    expect(successor_note).to_contain_text("已调整由“张浦镇”承办")
    successor = Assignment.objects.get(predecessor_id=pk)
    link = successor_note.get_by_role("link", name="查看新承办件")
    expect(link).to_have_attribute("href", f"/assignments/{successor.pk}/")
    link.click()
    expect(supervisor.locator("main h1")).to_contain_text("第 1 项任务 · 张浦镇")
    expect_state(supervisor, "已交办")
    back = supervisor.locator("#changes p[data-predecessor]")
    expect(back).to_contain_text("本承办件由“市财政局”的承办件调整而来")
    expect(back.get_by_role("link", name="查看原承办件")).to_have_attribute("href", f"/assignments/{pk}/")

    # Step 4: 市财政局 sees its assignment closed and who took it over, and has nothing left to do.
    # 张浦镇's assignment is not 市财政局's to open: no link that would lead to the not-found page.
    submitter.reload()
    expect_state(submitter, "已调整承办单位")
    expect(submitter.locator("#changes p[data-successor]")).to_have_text("已调整由“张浦镇”承办")
    expect(submitter.locator("#changes p[data-successor] a")).to_have_count(0)
    assert action_forms(submitter) == set()
    decided = submitter.locator("table.timeline tbody tr", has_text="同意调整承办单位")
    expect(decided).to_contain_text("supervisor")
    expect(decided).to_contain_text("已交办 → 已调整承办单位")

    # Step 5: 张浦镇's submitter finds the new assignment in the inbox, told where it came from.
    newcomer = sign_in(pages, "zhangpu")
    open_in_inbox(newcomer, "待开始办理", "张浦镇", 1)
    expect_state(newcomer, "已交办")
    assert "start" in action_forms(newcomer)
    expect(newcomer.locator("#changes p[data-predecessor]")).to_have_text("本承办件由“市财政局”的承办件调整而来")
    expect(newcomer.locator("#changes p[data-predecessor] a")).to_have_count(0)  # 市财政局's, not theirs

    # The database and the audit trail.
    request.refresh_from_db()
    old = Assignment.objects.get(pk=pk)
    assert old.state == "transferred"
    assert (request.status, request.decided_by, request.decision_reason, request.successor_id) == (
        "approved", world.supervisor, "同意调整。", successor.pk)
    assert (successor.unit.short_name, successor.state, successor.task_id, successor.round_id, successor.due_date) == (
        "张浦镇", "assigned", old.task_id, old.round_id, old.due_date)
    asked, moved = events_of(pk, "assignment.transfer_requested", "assignment.transferred")
    assert (asked.action, asked.actor, asked.reason) == ("assignment.transfer_requested", world.submitter,
                                                         TRANSFER_REASON)
    assert details(asked)["to_unit"] == "张浦镇" and details(asked)["kind"] == "transfer"
    assert (moved.action, moved.actor, moved.from_state, moved.to_state, moved.reason) == (
        "assignment.transferred", world.supervisor, "assigned", "transferred", "同意调整。")
    assert details(moved)["successor"] == successor.pk and details(moved)["to_unit"] == "张浦镇"
    audit_verifies()


# ----- 2. a delegation: refused for another unit's person, then set; the colleague acts "for" ------

def test_a_delegation_is_refused_across_units_then_set_and_the_colleague_acts_for_the_principal(pages):
    world = build_world()
    pk = world.assignment.pk
    today = timezone.localdate()
    until = today + dt.timedelta(days=7)

    # Step 1: 市财政局's submitter opens 代理 and names 市民政局's submitter: refused, with the field.
    principal = sign_in(pages, "finance")
    principal.locator("header nav").get_by_role("link", name="代理").click()
    expect(principal.locator("main h1")).to_have_text("代理")
    expect(principal.locator("main")).to_contain_text("暂无。")
    form = principal.locator("main form.card", has=principal.get_by_role("heading", name="设定代理人"))
    expect(form.get_by_label("委托的单位角色").locator("option")).to_have_text(["市财政局 · 承办人"])
    # The colleagues who may stand in are offered (same unit, same role); another unit's clerk is not.
    offered = form.locator("datalist#substitutes option").evaluate_all("os => os.map(o => o.value)")
    assert "finance2" in offered and "minzheng" not in offered and "finance" not in offered
    form.get_by_label("代理人", exact=True).fill("minzheng")
    form.get_by_label("开始日期").fill(today.isoformat())
    form.get_by_label("结束日期").fill(until.isoformat())
    form.get_by_label("事由（可不填）").fill("外出学习")
    events_before = AuditEvent.objects.count()  # after the sign-in, which is audited
    with principal.expect_response(lambda r: r.url.endswith("/delegations/") and r.request.method == "POST") as sent:
        form.get_by_role("button", name="设定").click()
    assert sent.value.status == 400
    expect(principal.locator("main h1")).to_have_text("操作未完成")
    expect(principal.locator("main .refusal")).to_have_text("代理设定有误")
    field = principal.locator("main form .field", has=principal.get_by_label("代理人", exact=True))
    expect(field.locator("p.error")).to_have_text("代理人须为同一单位、同一角色的同事")
    expect(principal.get_by_label("代理人", exact=True)).to_have_value("minzheng")  # kept as typed
    assert not Delegation.objects.exists()
    assert AuditEvent.objects.count() == events_before  # nothing written

    # Step 2: corrects the name on the same page and sends it again: the delegation runs from today.
    principal.get_by_label("代理人", exact=True).fill("finance2")
    principal.get_by_role("button", name="重新提交").click()
    expect_message(principal, "已设定代理人。")
    expect(principal.locator("main h1")).to_have_text("代理")
    delegation = Delegation.objects.get()
    row = principal.locator(f"tr[data-delegation='{delegation.pk}']")
    for text in ("finance", "finance2", "市财政局", "承办人", "外出学习", "生效中"):
        expect(row).to_contain_text(text)
    assert (delegation.principal, delegation.substitute, delegation.unit.short_name, delegation.role,
            delegation.starts_on, delegation.ends_on) == (world.submitter, world.colleague, "市财政局", "submitter",
                                                           today, until)
    created = AuditEvent.objects.get(action="delegation.created")
    assert created.actor == world.submitter and details(created)["substitute"]["label"] == "finance2"

    # Step 3: the colleague sees the delegation received, then starts the work from the inbox.
    substitute = sign_in(pages, "finance2")
    substitute.locator("header nav").get_by_role("link", name="代理").click()
    expect(substitute.locator(f"tr[data-delegation='{delegation.pk}']")).to_contain_text("生效中")
    substitute.locator("header nav").get_by_role("link", name="我的待办").click()
    open_in_inbox(substitute, "待开始办理", "市财政局", 1)
    press(substitute, "start")
    expect_message(substitute, "已开始办理。")
    expect_state(substitute, "办理中")

    # Step 4: the timeline says who acted and for whom; so does the audit event.
    started = substitute.locator("table.timeline tbody tr", has_text="开始办理")
    expect(started).to_have_count(1)
    expect(started.locator("td").nth(2)).to_have_text("finance2（代 finance）")
    principal.goto(f"/assignments/{pk}/")
    expect(principal.locator("table.timeline tbody tr", has_text="开始办理")).to_contain_text("finance2（代 finance）")

    (event,) = events_of(pk, "assignment.started")
    assert event.actor == world.colleague
    assert details(event)["on_behalf_of"] == {"id": world.submitter.pk, "label": "finance"}
    assert details(event)["delegation"] == delegation.pk
    assert Assignment.objects.get(pk=pk).state == "in_progress"
    audit_verifies()


# ----- 3. a plan revision: upload the revised document, read the diff, confirm ------------------------

NARROWED_BEFORE = "市政府相关部门、有关区镇"
NARROWED_AFTER = "市政府相关部门、昆山开发区、昆山高新区"


def task_16_dispatched_to_a_zone(world):
    """Task 16 dispatched; its lead 市编办 chose 昆山开发区 for the term 有关区镇."""
    from workflows.services.dispatch import plan_dispatch, task_select_units

    task = world.plan.tasks.get(number=16)
    plan_dispatch(actor=world.supervisor, plan_id=world.plan.pk, task_id=task.pk)
    task_select_units(actor=world.reviewer, task_id=task.pk, unit_names=["昆山开发区"])
    return Assignment.objects.get(task=task, unit__short_name="昆山开发区")


def test_the_supervisor_revises_the_plan_after_reading_the_diff_and_the_units_see_the_change(pages):
    world = build_world()
    zone = off_the_loop(task_16_dispatched_to_a_zone, world)
    person("kaifaqu", "昆山开发区", "submitter")
    revised = narrowed_16_plus_32()

    # Step 1: the supervising office opens the plan from 计划 and follows 修订计划.
    page = sign_in(pages, "supervisor")
    page.locator("header nav").get_by_role("link", name="计划").click()
    page.get_by_role("link", name=world.plan.title).first.click()
    expect(page).to_have_url(re.compile(rf"/plans/{world.plan.pk}/$"))
    page.locator("a[data-plan-revise]").click()
    expect(page.locator("main h1")).to_have_text("修订计划")

    # Step 2: uploads the revised document and reads the diff: task 32 added, task 16 narrowed.
    page.get_by_label("修订后的计划文件").set_input_files(
        {"name": "169号修订.txt", "mimeType": "text/plain", "buffer": revised})
    page.get_by_role("button", name="上传并比较").click()
    expect(page.locator("main h1")).to_have_text("修订差异")
    expect(page.locator("main")).to_contain_text("修订文件：169号修订.txt")
    added = page.locator("section[data-diff='added']")
    expect(added.locator("h2")).to_have_text("新增任务 1 项")
    expect(added.locator("tbody tr")).to_have_count(1)
    expect(added.locator("tbody tr td").nth(0)).to_have_text("32")
    expect(added).to_contain_text("建立法治政府建设年度报告制度")
    expect(page.locator("section[data-diff='removed']")).to_have_count(0)
    changed = page.locator("section[data-diff='changed']")
    expect(changed.locator("h2")).to_have_text("修改任务 1 项")
    expect(changed.locator("tbody tr")).to_have_count(1)
    expect(changed.locator("tbody tr td")).to_have_text(["16", "责任部门", NARROWED_BEFORE, NARROWED_AFTER])
    assert not PlanRevision.objects.exists() and not Task.objects.filter(plan=world.plan, number=32).exists()

    # Step 3: confirms; back on the plan page with what was done.
    page.get_by_role("button", name="确认应用修订").click()
    expect(page).to_have_url(re.compile(rf"/plans/{world.plan.pk}/$"))
    revision = PlanRevision.objects.get(plan=world.plan)
    created = revision.diff["created_assignments"]
    expect_message(page, f"已应用第 1 次修订：关闭 0 件承办件，新交办 {created} 件。")
    expect(page.locator("details[data-revisions] summary")).to_have_text("已修订 1 次")
    expect(page.locator("details[data-revisions]")).to_contain_text("新增 1 项、删除 0 项、修改 1 项")

    # Task 32 exists, dispatched to every department (市政府各部门) and to nobody else; task 16's term,
    # now naming 昆山高新区, gave it an assignment; 昆山开发区 keeps its own, untouched.
    task_32 = Task.objects.get(plan=world.plan, number=32)
    task_1_units = set(Assignment.objects.filter(task__plan=world.plan, task__number=1)
                       .values_list("unit__short_name", flat=True))
    task_32_units = set(Assignment.objects.filter(task=task_32).values_list("unit__short_name", flat=True))
    assert task_32_units == task_1_units  # both are 市政府各部门's
    assert set(Assignment.objects.filter(task=task_32).values_list("state", flat=True)) == {"assigned"}
    task_16 = set(Assignment.objects.filter(task__plan=world.plan, task__number=16)
                  .values_list("unit__short_name", "state"))
    assert task_16 == {("昆山开发区", "assigned"), ("昆山高新区", "assigned")}
    assert created == len(task_32_units) + 1
    assert Assignment.objects.get(pk=zone.pk).state == "assigned"
    assert {(c.task.number, c.kind) for c in TaskChange.objects.filter(revision=revision)} == {
        (16, "changed"), (32, "added")}

    # Step 4: 昆山开发区's submitter finds task 16 in the inbox; its page shows what changed.
    unit = sign_in(pages, "kaifaqu")
    open_in_inbox(unit, "待开始办理", "昆山开发区", 16)
    change = unit.locator("#changes [data-task-change='changed']")
    expect(change).to_contain_text("计划第 1 次修订")
    expect(change).to_contain_text("本任务内容有变化")
    expect(change.locator("li")).to_have_text(f"责任部门：{NARROWED_BEFORE} → {NARROWED_AFTER}")
    expect(change.locator("li del")).to_have_text(NARROWED_BEFORE)
    expect(change.locator("li ins")).to_have_text(NARROWED_AFTER)

    # Step 5: 市财政局's submitter finds the new task 32 in the inbox, marked as added by the revision.
    finance = sign_in(pages, "finance")
    open_in_inbox(finance, "待开始办理", "市财政局", 32)
    expect(finance.locator("#changes [data-task-change='added']")).to_contain_text("本任务为修订新增。")
    expect(finance.locator("dl.meta")).to_contain_text("建立法治政府建设年度报告制度")

    revised_event = AuditEvent.objects.get(action="plan.revised")
    assert revised_event.actor == world.supervisor
    assert (details(revised_event)["added"], details(revised_event)["changed"], details(revised_event)["removed"]) == (
        [32], [16], [])
    audit_verifies()
