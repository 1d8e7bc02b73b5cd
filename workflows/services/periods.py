"""Period reports (进展报告) through an assignment's year: the periods its cadence cuts, filing, 已阅 and
退回, and what the assignment still owes (``obligation_due``, from which its light counts).

- ``periods_generate`` writes the period rows an open assignment's cadence calls for (idempotent:
  a row per period start) and drops the rows of periods no longer called for that nobody filed,
  so changing a cadence keeps every report already filed.
- ``plan_set_cadence`` is the supervising office's setting (audited), followed by the above.
- ``period_report_file`` / ``period_report_read`` / ``period_report_return`` change one report,
  each with one audit event, then refresh the assignment's obligations and its inbox rows; a
  filed report names the milestones (节点) it completes.
- ``milestone_add`` / ``milestone_remove`` / ``milestone_done``: the unit (or the supervising office) keeps the
  assignment's 节点计划; an undone milestone past its date lights the assignment like a missing report.

Each service runs in one transaction with the assignment's row locked, like the transitions.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event

from .. import periods
from ..access.policies import (
    can_supervise,
    decide_milestone_edit,
    decide_period_filing,
    decide_period_review,
)
from ..calendar import cn_date
from ..models import (
    CLOSED_STATES,
    Assignment,
    Milestone,
    PeriodReport,
    PeriodStatus,
    Plan,
    ReportCadence,
)
from ..selectors.periods import cadence_of
from .common import acting_unit, assignment_label, locked_assignment, plain_lines
from .errors import Invalid, NotAllowed, NotFound, WrongState, raise_for
from .inbox import refresh_inbox

OWED = (PeriodStatus.PENDING, PeriodStatus.RETURNED)
TEXT_LIMIT = 20_000


def _last_day(assignment: Assignment, cadence: periods.Cadence, today: dt.date) -> dt.date:
    """Up to when an assignment reports: its due date, or for a standing task the plan's end (else
    the end of this year; the daily job carries it on into the next)."""
    if cadence.standing or assignment.standing:
        plan = assignment.task.plan
        return plan.ends_on or dt.date(today.year, 12, 31)
    return assignment.due_date


def periods_generate(assignment_ids: Iterable[int] | None = None, *, plan_id: int | None = None,
                     today: dt.date | None = None) -> dict:
    """Bring the period rows of these open assignments (or a plan's) in line with their cadence.

    Returns {"created": n, "removed": n}. Filed, returned and read reports are never removed.
    """
    rows = Assignment.objects.exclude(state__in=CLOSED_STATES).select_related("task__plan")
    if plan_id is not None:
        rows = rows.filter(task__plan_id=plan_id)
    if assignment_ids is not None:
        rows = rows.filter(pk__in=list(assignment_ids))
    return generate_for(list(rows), today=today)


def generate_for(assignments: list[Assignment], *, today: dt.date | None = None) -> dict:
    """``periods_generate`` for assignments already read (with ``task.plan``): dispatch's new ones."""
    today = today or timezone.localdate()
    assignments = [a for a in assignments if a.state not in CLOSED_STATES]
    ids = [a.pk for a in assignments]
    held: dict[int, set[tuple[dt.date, dt.date]]] = {}  # (starts_on, ends_on): a period of any cadence
    for chunk in _chunks(ids):
        for pk, starts_on, ends_on in PeriodReport.objects.filter(assignment_id__in=chunk).values_list(
                "assignment_id", "starts_on", "ends_on"):
            held.setdefault(pk, set()).add((starts_on, ends_on))
    if not held and not any(cadence_of(a).periodic for a in assignments):
        return {"created": 0, "removed": 0}  # nothing periodic here, and nothing to take back
    fresh, wanted_by = [], {}
    for assignment in assignments:
        cadence = cadence_of(assignment)
        first = timezone.localtime(assignment.created_at).date() if assignment.created_at else today
        wanted = periods.periods_between(cadence, first, _last_day(assignment, cadence, today))
        wanted_by[assignment.pk] = {(p.starts_on, p.ends_on) for p in wanted}
        have = held.get(assignment.pk, set())
        fresh += [PeriodReport(assignment=assignment, starts_on=p.starts_on, ends_on=p.ends_on, due_on=p.due_on,
                               label=p.label) for p in wanted if (p.starts_on, p.ends_on) not in have]
    PeriodReport.objects.bulk_create(fresh, batch_size=2000, ignore_conflicts=True)
    removed = 0
    for pk, wanted in wanted_by.items():
        for starts_on, ends_on in set(held.get(pk, set())) - wanted:
            removed += PeriodReport.objects.filter(assignment_id=pk, starts_on=starts_on, ends_on=ends_on,
                                                   status=PeriodStatus.PENDING, text="").delete()[0]
    refresh_obligations(ids)
    return {"created": len(fresh), "removed": removed}


def _chunks(ids: list[int], size: int = 900):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def refresh_obligations(assignment_ids: Iterable[int]) -> None:
    """Set ``obligation_due`` (the earliest unfiled or returned period report, or undone milestone)
    of these assignments, and their inbox rows, which sort and light by it."""
    ids = sorted(set(assignment_ids))
    if not ids:
        return
    owed: dict[int, dt.date] = {}
    current: dict[int, dt.date | None] = {}
    for chunk in _chunks(ids):
        for source in (PeriodReport.objects.filter(assignment_id__in=chunk, status__in=OWED).values("assignment_id")
                       .annotate(first=Min("due_on")).values_list("assignment_id", "first"),
                       Milestone.objects.filter(assignment_id__in=chunk, done_on__isnull=True, removed_at__isnull=True)
                       .values("assignment_id").annotate(first=Min("due_on")).values_list("assignment_id", "first")):
            for pk, first in source:
                owed[pk] = min(first, owed.get(pk, first))
        current.update(Assignment.objects.filter(pk__in=chunk).values_list("pk", "obligation_due"))
    changed = [pk for pk in ids if current.get(pk) != owed.get(pk)]
    by_date: dict[dt.date | None, list[int]] = {}
    for pk in changed:
        by_date.setdefault(owed.get(pk), []).append(pk)
    for date, pks in by_date.items():  # many assignments share a period's due date: one UPDATE each
        for chunk in _chunks(pks):
            Assignment.objects.filter(pk__in=chunk).update(obligation_due=date)
    if changed:
        refresh_inbox(changed)


def plan_set_cadence(*, actor, plan_id: int, cadence: str, day: int, ends_on: dt.date | None = None) -> dict:
    """The supervising office sets the plan's reporting cadence; the periods follow (filed ones stay)."""
    if cadence not in ReportCadence.values:
        raise Invalid(_("请选择报送周期"), fields={"report_cadence": [_("请选择报送周期")]})
    if not 0 <= int(day) <= periods.MAX_REPORT_DAY:
        raise Invalid(_("报送日须在 0 到 28 之间"), fields={"report_day": [_("报送日须在 0 到 28 之间")]})
    with transaction.atomic(durable=True):
        plan = Plan.objects.select_for_update(of=("self",)).select_related("supervising_unit").filter(pk=plan_id).first()
        if plan is None:
            raise NotFound(_("计划不存在"))
        if not can_supervise(actor, plan):
            raise NotAllowed(_("只有该计划的督办单位可以设置报送周期"))
        before = {"cadence": plan.report_cadence, "day": plan.report_day,
                  "ends_on": plan.ends_on.isoformat() if plan.ends_on else None}
        plan.report_cadence, plan.report_day, plan.ends_on = cadence, int(day), ends_on
        plan.save(update_fields=["report_cadence", "report_day", "ends_on"])
        result = periods_generate(plan_id=plan.pk)
        after = {"cadence": cadence, "day": int(day), "ends_on": ends_on.isoformat() if ends_on else None}
        record_event(action="plan.cadence_changed", actor=actor, unit=plan.supervising_unit, role="supervisor",
                     target=plan, plan_id=plan.pk, details={"from": before, "to": after, **result})
    return result


def _locked_report(assignment_id: int, report_id: int) -> tuple[Assignment, PeriodReport]:
    assignment = locked_assignment(assignment_id)
    report = PeriodReport.objects.select_for_update().filter(pk=report_id, assignment=assignment).first()
    if report is None:
        raise NotFound(_("进展报告不存在"))
    return assignment, report


def _record(action: str, actor, assignment, decision, report: PeriodReport, *, reason: str = "",
            from_state: str = "", details: dict | None = None) -> None:
    record_event(action=action, actor=actor, unit=acting_unit(assignment, decision, actor), role=decision.role,
                 target=assignment, target_label=assignment_label(assignment), plan_id=assignment.task.plan_id,
                 task_id=assignment.task_id, assignment_id=assignment.pk, reason=reason,
                 details={"period": report.label, "period_report": report.pk, "from": from_state,
                          "to": report.status, **(details or {})})


def period_report_file(*, actor, assignment_id: int, report_id: int, text: str,
                       percent: int | None = None, milestones_done: Iterable[int] = ()) -> PeriodReport:
    """The unit files (or, after a return, files again) one period's progress report, with the
    undone milestones it completes (``milestones_done``, ids of this assignment's milestones)."""
    text = plain_lines(text).strip()
    if not text:
        raise Invalid(_("请填写本期进展情况"), fields={"text": [_("请填写本期进展情况")]})
    if len(text) > TEXT_LIMIT:
        raise Invalid(_("进展情况不能超过 %(n)s 字") % {"n": TEXT_LIMIT}, fields={"text": [_("内容过长")]})
    if percent is not None and not 0 <= int(percent) <= 100:
        raise Invalid(_("完成进度须在 0 到 100 之间"), fields={"percent": [_("完成进度须在 0 到 100 之间")]})
    with transaction.atomic(durable=True):
        assignment, report = _locked_report(assignment_id, report_id)
        decision = decide_period_filing(actor, assignment)
        raise_for(decision)
        if report.status not in OWED:
            raise WrongState(_("%(label)s的进展报告已报送，不能重复报送") % {"label": report.label})
        before, now = report.status, timezone.now()
        report.status, report.text, report.percent = PeriodStatus.SUBMITTED, text, percent
        report.submitted_by, report.submitted_at = actor, now
        report.late = timezone.localtime(now).date() > report.due_on
        report.save(update_fields=["status", "text", "percent", "submitted_by", "submitted_at", "late"])
        done = _complete(assignment, report, milestones_done, timezone.localtime(now).date())
        _record("period_report.submitted", actor, assignment, decision, report, from_state=before,
                details={"late": report.late, "percent": percent, "milestones_done": done})
        refresh_obligations([assignment.pk])
    return report


def _review(actor, assignment_id: int, report_id: int, *, action: str, reason: str = "") -> PeriodReport:
    with transaction.atomic(durable=True):
        assignment, report = _locked_report(assignment_id, report_id)
        decision = decide_period_review(actor, assignment)
        raise_for(decision)
        if report.status != PeriodStatus.SUBMITTED:
            raise WrongState(_("%(label)s的进展报告当前为“%(status)s”，不能阅示或退回")
                             % {"label": report.label, "status": report.get_status_display()})
        before, now = report.status, timezone.now()
        if action == "read":
            report.status, report.read_by, report.read_at = PeriodStatus.READ, actor, now
            report.save(update_fields=["status", "read_by", "read_at"])
        else:
            report.status, report.returned_by, report.returned_at = PeriodStatus.RETURNED, actor, now
            report.return_reason = reason
            report.save(update_fields=["status", "returned_by", "returned_at", "return_reason"])
        _record(f"period_report.{action}", actor, assignment, decision, report, reason=reason, from_state=before)
        refresh_obligations([assignment.pk])
    return report


def period_report_read(*, actor, assignment_id: int, report_id: int) -> PeriodReport:
    """已阅: the lead department or the supervising office has read the period's report."""
    return _review(actor, assignment_id, report_id, action="read")


def period_report_return(*, actor, assignment_id: int, report_id: int, reason: str) -> PeriodReport:
    """退回补报, with a reason: the unit files it again; until then it is owed (and lights red when late)."""
    reason = plain_lines(reason).strip()
    if not reason:
        raise Invalid(_("请填写退回理由"), fields={"reason": [_("请填写退回理由")]})
    return _review(actor, assignment_id, report_id, action="returned", reason=reason)


MILESTONE_LIMIT = 50  # per assignment: a plan of steps, not a task list


def _complete(assignment: Assignment, report: PeriodReport, ids: Iterable[int], today: dt.date) -> list[str]:
    """Mark these undone milestones of the assignment done in ``report``; their titles."""
    wanted = {int(pk) for pk in ids}
    if not wanted:
        return []
    rows = list(Milestone.objects.select_for_update().filter(assignment=assignment, pk__in=wanted,
                                                             done_on__isnull=True, removed_at__isnull=True))
    if len(rows) != len(wanted):
        message = _("所选节点不属于本承办件，或已完成、已删除，请刷新页面后重选")
        raise Invalid(message, fields={"milestones": [message]})
    Milestone.objects.filter(pk__in=[m.pk for m in rows]).update(done_on=today, done_in=report)
    return [m.title for m in sorted(rows, key=lambda m: (m.due_on, m.position))]


def _milestone_record(action: str, actor, assignment, decision, milestone: Milestone) -> None:
    record_event(action=action, actor=actor, unit=acting_unit(assignment, decision, actor), role=decision.role,
                 target=assignment, target_label=assignment_label(assignment), plan_id=assignment.task.plan_id,
                 task_id=assignment.task_id, assignment_id=assignment.pk,
                 details={"milestone": milestone.pk, "title": milestone.title, "target": milestone.target,
                          "due_on": milestone.due_on.isoformat()})


def milestone_add(*, actor, assignment_id: int, title: str, due_on: dt.date | None, target: str = "") -> Milestone:
    """Add a 节点 (what, by when, its target) to an open assignment."""
    title, target = plain_lines(title or "").strip(), plain_lines(target or "").strip()
    if not title:
        raise Invalid(_("请填写节点名称"), fields={"title": [_("请填写节点名称")]})
    if len(title) > 200 or len(target) > 500:
        message = _("节点名称不超过 200 字，目标不超过 500 字")
        raise Invalid(message, fields={"title" if len(title) > 200 else "target": [message]})
    if due_on is None:
        raise Invalid(_("请填写计划完成日期"), fields={"due_on": [_("请填写计划完成日期")]})
    with transaction.atomic(durable=True):
        assignment = locked_assignment(assignment_id)
        decision = decide_milestone_edit(actor, assignment)
        raise_for(decision)
        first = timezone.localtime(assignment.created_at).date()
        last = _last_day(assignment, cadence_of(assignment), timezone.localdate())
        if not first <= due_on <= max(last, assignment.due_date):
            message = _("计划完成日期须在交办日期（%(first)s）和办理期限（%(last)s）之间") % {
                "first": cn_date(first), "last": cn_date(max(last, assignment.due_date))}
            raise Invalid(message, fields={"due_on": [message]})
        active = Milestone.objects.filter(assignment=assignment, removed_at__isnull=True)
        if active.count() >= MILESTONE_LIMIT:
            raise Invalid(_("每件最多设置 %(n)s 个节点") % {"n": MILESTONE_LIMIT})
        position = (active.aggregate(last=Max("position"))["last"] or 0) + 1
        milestone = Milestone.objects.create(assignment=assignment, position=position, title=title, target=target,
                                             due_on=due_on, created_by=actor)
        _milestone_record("milestone.added", actor, assignment, decision, milestone)
        refresh_obligations([assignment.pk])
    return milestone


def _milestone_change(actor, assignment_id: int, milestone_id: int, *, decide, action: str, change) -> Milestone:
    """Lock the assignment and its undone milestone, ask ``decide``, ``change`` it, record ``action``."""
    with transaction.atomic(durable=True):
        assignment = locked_assignment(assignment_id)
        decision = decide(actor, assignment)
        raise_for(decision)
        milestone = Milestone.objects.select_for_update().filter(pk=milestone_id, assignment=assignment,
                                                                 removed_at__isnull=True).first()
        if milestone is None:
            raise NotFound(_("节点不存在"))
        if milestone.done_on is not None:
            raise WrongState(_("节点“%(title)s”已完成") % {"title": milestone.title})
        fields = change(milestone)
        milestone.save(update_fields=fields)
        _milestone_record(action, actor, assignment, decision, milestone)
        refresh_obligations([assignment.pk])
    return milestone


def _removed(milestone: Milestone) -> list[str]:
    milestone.removed_at = timezone.now()
    return ["removed_at"]


def _done(milestone: Milestone) -> list[str]:
    milestone.done_on = timezone.localdate()
    return ["done_on"]


def milestone_remove(*, actor, assignment_id: int, milestone_id: int) -> Milestone:
    """Take an undone 节点 off the plan (kept in the record, no longer owed)."""
    return _milestone_change(actor, assignment_id, milestone_id, decide=decide_milestone_edit,
                             action="milestone.removed", change=_removed)


def milestone_done(*, actor, assignment_id: int, milestone_id: int) -> Milestone:
    """The unit marks a 节点 done outside a period report (a plan without a reporting cadence)."""
    return _milestone_change(actor, assignment_id, milestone_id, decide=decide_period_filing,
                             action="milestone.done", change=_done)
