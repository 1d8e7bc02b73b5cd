"""The 督办 ladder: every overdue assignment climbs it (first notice, second notice, reported to
leadership), one notice per level at most; only the highest level reached is issued."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import record_event

from ...calendar import cn_date
from ...lights import CLOSED, RED, light_q
from ...models import (
    Assignment,
    EscalationLevel,
    EscalationNotice,
    Plan,
    Unit,
)
from ..common import assignment_label
from .mail import (
    DailyRun,
    WorkingDays,
    compose,
    emails_of,
    item_of,
    people_of,
    plan_name,
    send_after_commit,
)


def ladder() -> list[tuple[int, int]]:
    """(level, working days overdue) for each rung, from the setting (first, second, leadership)."""
    thresholds = sorted(int(n) for n in settings.SUPERVISION_ESCALATION_WORKING_DAYS)
    return list(zip(EscalationLevel.values, thresholds, strict=False))


def rung_reached(overdue: int, issued: set[int], rungs: list[tuple[int, int]]) -> tuple[int, list[int]] | None:
    """The level to issue now and the lower levels it skips, or None when nothing new is reached."""
    reached = [level for level, threshold in rungs if overdue >= threshold]
    if not reached or max(reached) <= max(issued, default=0):
        return None
    top = max(reached)
    return top, [level for level in reached if level < top and level not in issued]


def escalations_due(today: dt.date, days: WorkingDays | None = None) -> list[dict]:
    """Each overdue assignment that reached a new rung of the ladder today, with its level."""
    rungs, days = ladder(), days or WorkingDays()
    if not rungs:
        return []
    # Working days overdue never exceed calendar days: the database drops what cannot qualify.
    candidates = list(Assignment.objects.filter(light_q(RED, today),
                                                due_date__lte=today - dt.timedelta(days=rungs[0][1]))
                      .select_related("task__plan__supervising_unit", "unit")
                      .order_by("task__plan_id", "unit__order", "unit_id", "task__number", "id"))
    issued = defaultdict(set)
    for assignment_id, level in EscalationNotice.objects.filter(
            assignment__in=[a.pk for a in candidates]).values_list("assignment_id", "level"):
        issued[assignment_id].add(level)
    due = []
    for assignment in candidates:
        overdue = days(assignment.due_date, today)
        rung = rung_reached(overdue, issued[assignment.pk], rungs)
        if rung:
            due.append({"assignment": assignment, "level": rung[0], "skipped": rung[1], "overdue": overdue})
    return due


def _notice_recipients(plan: Plan, unit: Unit) -> tuple[list[str], list[str], list[str]]:
    """(to, cc, usernames without an address): to the unit's submitters, copied to the plan's supervisors."""
    submitters, supervisors = people_of(unit.pk, "submitter"), people_of(plan.supervising_unit_id, "supervisor")
    to, cc = emails_of(submitters), emails_of(supervisors)
    without = [p.username for p in submitters + supervisors if not p.email]
    return (to, cc, without) if to else (cc, [], without)


def _escalation_mail(plan: Plan, unit: Unit, level: int, rows: list[dict], today: dt.date, days: WorkingDays):
    to, cc, without = _notice_recipients(plan, unit)
    with translation.override(settings.LANGUAGE_CODE):
        label = str(EscalationLevel(level).label)
        subject = _("【%(level)s】%(unit)s：%(count)s 项任务已逾期（%(plan)s）") % {
            "level": label, "unit": unit.short_name, "count": len(rows), "plan": plan_name(plan)}
        items = [item_of(r["assignment"], RED, today, days, final=True) for r in rows]
        mail = compose("escalation", subject, {
            "level": level, "level_label": label, "unit": unit.short_name, "plan": plan.title,
            "office": str(plan.supervising_unit or ""), "items": items, "date": cn_date(today),
            "leadership": level == EscalationLevel.LEADERSHIP,
        }, to=to, cc=cc)
    return mail, without


def _issue_group(plan: Plan, unit: Unit, level: int, rows: list[dict], today: dt.date, days: WorkingDays,
                 run: DailyRun) -> None:
    """Issue one level's notices for one unit's assignments in one plan, and mail them together."""
    with transaction.atomic():
        ids = [r["assignment"].pk for r in rows]
        locked = {a.pk: a for a in Assignment.objects.select_for_update(of=("self",))
                  .select_related("task__plan", "unit").filter(pk__in=ids).exclude(state__in=CLOSED)
                  .order_by("pk")}
        issued = defaultdict(set)
        for assignment_id, issued_level in EscalationNotice.objects.filter(
                assignment_id__in=list(locked)).values_list("assignment_id", "level"):
            issued[assignment_id].add(issued_level)
        fresh = []  # still due now that the rows are locked (a concurrent run may have issued them)
        for assignment in locked.values():
            overdue = days(assignment.due_date, today)
            rung = rung_reached(overdue, issued[assignment.pk], ladder())
            if rung and rung[0] == level:
                fresh.append({"assignment": assignment, "level": level, "skipped": rung[1], "overdue": overdue})
        if not fresh:
            return
        fresh.sort(key=lambda r: (r["assignment"].task.number, r["assignment"].pk))
        mail, without = _escalation_mail(plan, unit, level, fresh, today, days)
        recipients, now = mail.to + mail.cc, timezone.now()
        for row in fresh:
            assignment = row["assignment"]
            EscalationNotice.objects.create(assignment=assignment, level=level, issued_on=today, issued_at=now,
                                            overdue_working_days=row["overdue"], recipients=recipients)
            record_event(action="assignment.escalated", actor=None, unit=plan.supervising_unit, role="system",
                         target=assignment, target_label=assignment_label(assignment), plan_id=plan.pk,
                         task_id=assignment.task_id, assignment_id=assignment.pk,
                         details={"level": level, "level_label": str(EscalationLevel(level).label),
                                  "overdue_working_days": row["overdue"], "due_date": assignment.due_date.isoformat(),
                                  "skipped_levels": row["skipped"], "recipients": recipients,
                                  "issued_on": today.isoformat()})
            run.escalations.append(_escalation_line(row, recipients, without))
        send_after_commit([mail], run.failures)


def _escalation_line(row: dict, recipients: list[str], without: list[str]) -> dict:
    assignment = row["assignment"]
    return {"assignment": assignment.pk, "plan": assignment.task.plan_id, "task": assignment.task.number,
            "unit": assignment.unit.short_name, "level": row["level"],
            "level_label": str(EscalationLevel(row["level"]).label), "overdue_working_days": row["overdue"],
            "skipped_levels": row["skipped"], "recipients": recipients, "without_email": without}


def escalations_issue(today: dt.date, run: DailyRun, days: WorkingDays | None = None) -> None:
    """Climb the ladder: one transaction and one mail per plan × unit × level."""
    days = days or WorkingDays()
    groups: dict[tuple[int, int, int], list[dict]] = defaultdict(list)
    for row in escalations_due(today, days):
        assignment = row["assignment"]
        groups[(assignment.task.plan_id, assignment.unit_id, row["level"])].append(row)
    for (_plan_id, _unit_id, level), rows in groups.items():
        first = rows[0]["assignment"]
        if run.dry_run:
            to, cc, without = _notice_recipients(first.task.plan, first.unit)
            run.escalations += [_escalation_line(r, to + cc, without) for r in rows]
            continue
        _issue_group(first.task.plan, first.unit, level, rows, today, days, run)
