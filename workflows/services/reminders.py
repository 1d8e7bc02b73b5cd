"""Reminders (催办) and escalation (督办): the supervisor's 催办, and the daily job.

- ``assignment_remind`` / ``unit_remind_overdue``: the plan's supervisor urges a unit about one
  assignment, or about all its overdue ones in a plan (one mail listing them all).
- ``reminders_daily``: on working days, each person gets ONE digest of their red and yellow items
  (what ``assignments_awaiting`` says they must act on now), and every overdue assignment climbs the
  督办 ladder (``SUPERVISION_ESCALATION_WORKING_DAYS``: first notice, second notice, reported to
  leadership), one notice per level at most. When an assignment has jumped past several thresholds
  since the last run (the job did not run, or its due date was moved back), only the highest level
  reached is issued: the skipped levels are named in the audit event, not mailed the same day.

Every write owns its transaction and its audit events; mail leaves after the commit, so a refused or
rolled-back change sends nothing. Running the daily job twice on one day sends nothing new
(``DigestSent`` and ``EscalationNotice`` are unique per person/day and assignment/level).
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import record_event, user_label
from workflows.access.policies import assignment_permissions, can_supervise
from workflows.selectors.inbox import assignments_awaiting

from ..archive.report import cn_date
from ..calendar import is_working_day, working_days_between
from ..lights import CLOSED, LIGHTS, RED, YELLOW, light_for_due, light_q, with_light
from ..models import (
    Assignment,
    DigestSent,
    EscalationLevel,
    EscalationNotice,
    Plan,
    Reminder,
    Unit,
)
from .common import assignment_label
from .errors import Invalid, NotAllowed, NotFound, WrongState

logger = logging.getLogger(__name__)
MESSAGE_MAX_CHARS = 2000


# ----- what a mail lists ----------------------------------------------------------------------

def assignment_url(assignment_id: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("approvals:assignment_detail", args=[assignment_id])


def _plan_name(plan: Plan) -> str:
    """How a subject line names a plan: its document number (文号), else its title, shortened."""
    return plan.doc_number or (plan.title if len(plan.title) <= 30 else plan.title[:29] + "…")


class _Days:
    """Working days between two dates, remembered: many assignments share a due date."""

    def __init__(self):
        self._known: dict[tuple[dt.date, dt.date], int] = {}

    def __call__(self, start: dt.date, end: dt.date) -> int:
        key = (start, end)
        if key not in self._known:
            self._known[key] = working_days_between(start, end)
        return self._known[key]


def _item(assignment: Assignment, light: str, today: dt.date, days: _Days) -> dict:
    """One line of a mail: what, whose, due when, and how late or how close (call it in the mail's language)."""
    if light == RED:
        n = days(assignment.due_date, today)
        when = _("逾期 %(n)s 个工作日") % {"n": n}
    else:
        n = days(today, assignment.due_date)
        when = _("今日到期") if n == 0 else _("还剩 %(n)s 个工作日") % {"n": n}
    return {"id": assignment.pk, "url": assignment_url(assignment.pk), "light": light,
            "light_label": str(LIGHTS[light]), "plan": assignment.task.plan.title,
            "task_number": assignment.task.number, "task_text": assignment.task.text,
            "unit": assignment.unit.short_name, "state": assignment.get_state_display(),
            "due": cn_date(assignment.due_date), "when": when, "days": n}


def _grouped(items: list[dict]) -> list[dict]:
    """Red first, then yellow; each by due date as the query gave them."""
    headings = {RED: _("红灯：已逾期"), YELLOW: _("黄灯：临近办理期限")}
    return [{"light": light, "label": headings[light], "items": [i for i in items if i["light"] == light]}
            for light in (RED, YELLOW) if any(i["light"] == light for i in items)]


# ----- mail -------------------------------------------------------------------------------------

def _compose(template: str, subject: str, context: dict, *, to, cc=(), reply_to=()) -> EmailMultiAlternatives:
    """A multipart mail (plain text and HTML) from ``mail/<template>.txt`` and ``.html``."""
    context = {"subject": subject, "site_url": settings.SITE_URL.rstrip("/"), **context}
    message = EmailMultiAlternatives(subject, render_to_string(f"workflows/mail/{template}.txt", context),
                                     settings.DEFAULT_FROM_EMAIL, list(to), cc=list(cc), reply_to=list(reply_to))
    message.attach_alternative(render_to_string(f"workflows/mail/{template}.html", context), "text/html")
    return message


def _send_after_commit(messages: list[EmailMultiAlternatives], failures: list[str] | None = None) -> None:
    """Send once the transaction commits; a failed delivery is logged (and reported), never raised."""
    def send():
        for message in messages:
            if not (message.to or message.cc):
                continue
            try:
                message.send()
            except Exception as exc:  # the record stands; the delivery failure is reported
                logger.exception("mail %r to %s could not be sent", message.subject, message.to + message.cc)
                if failures is not None:
                    failures.append(f"{message.subject}（{'、'.join(message.to + message.cc)}）：{exc}")
    transaction.on_commit(send)


def _people(unit_id: int | None, role: str) -> list:
    """The active people holding ``role`` in the unit, by username."""
    if unit_id is None:
        return []
    return list(get_user_model().objects.filter(is_active=True, memberships__unit_id=unit_id,
                                                memberships__role=role).distinct().order_by("username"))


def _emails(people) -> list[str]:
    return [p.email for p in people if p.email]


# ----- 催办: the supervisor urges a unit ------------------------------------------------------------

def _clean_message(message: str) -> str:
    message = (message or "").strip()
    if not message:
        raise Invalid(_("请填写催办内容"), fields={"message": [_("请填写催办内容")]})
    if len(message) > MESSAGE_MAX_CHARS:
        text = _("催办内容不能超过 %(n)s 个字") % {"n": MESSAGE_MAX_CHARS}
        raise Invalid(text, fields={"message": [text]})
    return message


def _write_reminders(actor, plan: Plan, assignments: list[Assignment], message: str,
                     recipients: list[str], today: dt.date) -> list[Reminder]:
    """The Reminder rows and one ``assignment.reminded`` event each (in the caller's transaction)."""
    now, reminders = timezone.now(), []
    for assignment in assignments:
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    assignment=assignment, unit=assignment.unit, sent_by=actor, sent_on=today, sent_at=now,
                    message=message, recipients=recipients)
        except IntegrityError:  # a concurrent 催办 got there first
            raise WrongState(_("今天已对该承办件催办过，请勿重复催办")) from None
        record_event(action="assignment.reminded", actor=actor, unit=plan.supervising_unit, role="supervisor",
                     target=assignment, target_label=assignment_label(assignment), plan_id=plan.pk,
                     task_id=assignment.task_id, assignment_id=assignment.pk,
                     details={"message": message, "recipients": recipients, "sent_on": today.isoformat(),
                              "batch": len(assignments)})
        reminders.append(reminder)
    return reminders


def _reminder_mail(actor, plan: Plan, unit: Unit, assignments: list[Assignment], message: str,
                   today: dt.date) -> EmailMultiAlternatives:
    days = _Days()
    with translation.override(settings.LANGUAGE_CODE):
        items = [_item(a, light_for_due(a.due_date, today), today, days) for a in assignments]
        if len(assignments) == 1:
            subject = _("【催办】%(unit)s：第%(n)s项任务（%(plan)s）") % {
                "unit": unit.short_name, "n": assignments[0].task.number, "plan": _plan_name(plan)}
        else:
            subject = _("【催办】%(unit)s：%(count)s 项逾期任务（%(plan)s）") % {
                "unit": unit.short_name, "count": len(assignments), "plan": _plan_name(plan)}
        return _compose("reminder", subject, {
            "unit": unit.short_name, "plan": plan.title, "office": str(plan.supervising_unit or ""),
            "sender": user_label(actor), "message": message, "items": items, "date": cn_date(today),
        }, to=_emails(_people(unit.pk, "submitter")), reply_to=[actor.email] if actor.email else [])


def assignment_remind(*, actor, assignment_id: int, message: str, today: dt.date | None = None) -> Reminder:
    """The plan's supervisor sends a 催办 with a message to the unit about one open assignment.

    Refused: 404 when the actor cannot see the assignment, 403 when they do not supervise its plan,
    409 when it is accepted or was already reminded today, 400 without a message.
    """
    today = today or timezone.localdate()
    with transaction.atomic(durable=True):
        assignment = (Assignment.objects.select_for_update(of=("self",))
                      .select_related("task__plan__supervising_unit", "unit").filter(pk=assignment_id).first())
        if assignment is None or "view_assignment" not in assignment_permissions(actor, assignment):
            raise NotFound(_("承办件不存在"))
        plan = assignment.task.plan
        if not can_supervise(actor, plan):
            raise NotAllowed(_("只有该计划的督办单位可以催办"))
        if assignment.state in CLOSED:
            raise WrongState(_("该承办件已“%(state)s”，无需催办") % {"state": assignment.get_state_display()})
        if Reminder.objects.filter(assignment=assignment, sent_on=today).exists():
            raise WrongState(_("今天已对该承办件催办过，请勿重复催办"))
        message = _clean_message(message)
        mail = _reminder_mail(actor, plan, assignment.unit, [assignment], message, today)
        reminder, = _write_reminders(actor, plan, [assignment], message, mail.to, today)
        failures: list[str] = []
        _send_after_commit([mail], failures)
    reminder.mail_failures = failures  # filled once the commit has sent the mail
    return reminder


def overdue_of_unit(plan_id: int, unit_id: int, today: dt.date | None = None):
    """A unit's overdue (red) assignments in a plan, by due date."""
    return (Assignment.objects.filter(light_q(RED, today), task__plan_id=plan_id, unit_id=unit_id)
            .select_related("task__plan", "unit", "round").order_by("due_date", "task__number", "id"))


def unit_remind_overdue(*, actor, plan_id: int, unit_id: int, message: str,
                        today: dt.date | None = None) -> list[Reminder]:
    """The plan's supervisor sends one 催办 about all of a unit's overdue assignments in the plan.

    One Reminder row and one audit event per assignment, ONE mail to the unit's submitters listing
    them all. Assignments already reminded today are left out; if that leaves none, it is refused
    (409), as is a unit with nothing overdue.
    """
    today = today or timezone.localdate()
    with transaction.atomic(durable=True):
        plan = Plan.objects.select_related("supervising_unit").filter(pk=plan_id).first()
        unit = Unit.objects.filter(pk=unit_id).first()
        if plan is None or unit is None:
            raise NotFound(_("计划或单位不存在"))
        if not can_supervise(actor, plan):
            raise NotAllowed(_("只有该计划的督办单位可以催办"))
        overdue = list(overdue_of_unit(plan.pk, unit.pk, today).select_for_update(of=("self",)))
        if not overdue:
            raise WrongState(_("%(unit)s在本计划中没有逾期未办结的承办件") % {"unit": unit.short_name})
        done_today = set(Reminder.objects.filter(assignment__in=overdue, sent_on=today)
                         .values_list("assignment_id", flat=True))
        pending = [a for a in overdue if a.pk not in done_today]
        if not pending:
            raise WrongState(_("今天已对%(unit)s的全部逾期承办件催办过，请勿重复催办") % {"unit": unit.short_name})
        message = _clean_message(message)
        mail = _reminder_mail(actor, plan, unit, pending, message, today)
        reminders = _write_reminders(actor, plan, pending, message, mail.to, today)
        failures: list[str] = []
        _send_after_commit([mail], failures)
    for reminder in reminders:
        reminder.mail_failures = failures
    return reminders


# ----- the daily job: digests and the 督办 ladder --------------------------------------------------

@dataclass
class DailyRun:
    """What the daily job did (or, in a dry run, would do)."""

    date: str
    working_day: bool
    dry_run: bool = False
    skipped: str = ""  # why nothing was sent (a non-working day)
    digests: list[dict] = field(default_factory=list)  # {user, email, red, yellow}
    already_sent: list[str] = field(default_factory=list)  # usernames sent a digest earlier today
    no_email: list[dict] = field(default_factory=list)  # {user, red, yellow}: have items, no address
    escalations: list[dict] = field(default_factory=list)  # {assignment, level, overdue_working_days, …}
    failures: list[str] = field(default_factory=list)  # deliveries that failed after the commit

    def as_dict(self) -> dict:
        return asdict(self)


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


def escalations_due(today: dt.date, days: _Days | None = None) -> list[dict]:
    """Each overdue assignment that reached a new rung of the ladder today, with its level."""
    rungs, days = ladder(), days or _Days()
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
    submitters, supervisors = _people(unit.pk, "submitter"), _people(plan.supervising_unit_id, "supervisor")
    to, cc = _emails(submitters), _emails(supervisors)
    without = [p.username for p in submitters + supervisors if not p.email]
    return (to, cc, without) if to else (cc, [], without)


def _escalation_mail(plan: Plan, unit: Unit, level: int, rows: list[dict], today: dt.date, days: _Days):
    to, cc, without = _notice_recipients(plan, unit)
    with translation.override(settings.LANGUAGE_CODE):
        label = str(EscalationLevel(level).label)
        subject = _("【%(level)s】%(unit)s：%(count)s 项任务已逾期（%(plan)s）") % {
            "level": label, "unit": unit.short_name, "count": len(rows), "plan": _plan_name(plan)}
        items = [_item(r["assignment"], RED, today, days) for r in rows]
        mail = _compose("escalation", subject, {
            "level": level, "level_label": label, "unit": unit.short_name, "plan": plan.title,
            "office": str(plan.supervising_unit or ""), "items": items, "date": cn_date(today),
            "leadership": level == EscalationLevel.LEADERSHIP,
        }, to=to, cc=cc)
    return mail, without


def _issue_group(plan: Plan, unit: Unit, level: int, rows: list[dict], today: dt.date, days: _Days,
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
        _send_after_commit([mail], run.failures)


def _escalation_line(row: dict, recipients: list[str], without: list[str]) -> dict:
    assignment = row["assignment"]
    return {"assignment": assignment.pk, "plan": assignment.task.plan_id, "task": assignment.task.number,
            "unit": assignment.unit.short_name, "level": row["level"],
            "level_label": str(EscalationLevel(row["level"]).label), "overdue_working_days": row["overdue"],
            "skipped_levels": row["skipped"], "recipients": recipients, "without_email": without}


def escalations_issue(today: dt.date, run: DailyRun, days: _Days | None = None) -> None:
    """Climb the ladder: one transaction and one mail per plan × unit × level."""
    days = days or _Days()
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


def digest_items(user, today: dt.date) -> list[Assignment]:
    """The red and yellow assignments ``user`` must act on now (``light`` annotated), red first, by due date."""
    awaiting = with_light(assignments_awaiting(user).filter(light_q(RED, today) | light_q(YELLOW, today)), today)
    rows = list(awaiting)
    return [a for a in rows if a.light == RED] + [a for a in rows if a.light == YELLOW]


def _digest_mail(user, assignments: list[Assignment], today: dt.date, days: _Days) -> EmailMultiAlternatives:
    with translation.override(settings.LANGUAGE_CODE):
        items = [_item(a, a.light, today, days) for a in assignments]
        red = sum(1 for i in items if i["light"] == RED)
        yellow = len(items) - red
        subject = _("【督办提醒】%(date)s：您有 %(red)s 项逾期、%(yellow)s 项临近期限的待办") % {
            "date": cn_date(today), "red": red, "yellow": yellow}
        return _compose("digest", subject, {
            "name": user.get_full_name() or user.get_username(), "groups": _grouped(items), "red": red,
            "yellow": yellow, "date": cn_date(today),
            "inbox_url": settings.SITE_URL.rstrip("/") + reverse("approvals:inbox"),
        }, to=[user.email])


def digests_send(today: dt.date, run: DailyRun, days: _Days | None = None) -> None:
    """One digest per person with red or yellow items, at most once a day."""
    days = days or _Days()
    people = (get_user_model().objects.filter(is_active=True, memberships__isnull=False)
              .distinct().order_by("username"))
    sent_today = set(DigestSent.objects.filter(sent_on=today).values_list("user_id", flat=True))
    for user in people:
        if user.pk in sent_today:
            run.already_sent.append(user.get_username())
            continue
        items = digest_items(user, today)
        if not items:
            continue
        red = sum(1 for a in items if a.light == RED)
        counts = {"red": red, "yellow": len(items) - red}
        if not user.email:
            run.no_email.append({"user": user.get_username(), **counts})
            continue
        if run.dry_run or _digest_record(user, items, counts, today, days, run):
            run.digests.append({"user": user.get_username(), "email": user.email, **counts})


def _digest_record(user, items: list[Assignment], counts: dict, today: dt.date, days: _Days,
                   run: DailyRun) -> bool:
    """Record the digest and its audit event, and mail it after the commit; False if sent already."""
    try:
        with transaction.atomic():
            DigestSent.objects.create(user=user, sent_on=today, sent_at=timezone.now(), **counts)
            record_event(action="reminders.digest_sent", actor=None, role="system", target=user,
                         target_label=user_label(user),
                         details={"date": today.isoformat(), **counts, "assignments": [a.pk for a in items]})
            _send_after_commit([_digest_mail(user, items, today, days)], run.failures)
    except IntegrityError:  # a concurrent run sent it
        run.already_sent.append(user.get_username())
        return False
    return True


def reminders_daily(*, today: dt.date | None = None, force: bool = False, dry_run: bool = False) -> DailyRun:
    """The daily job: the 督办 ladder, then each person's digest. Working days only, unless forced.

    Nothing is sent on a day off: offices do not work then, and working days overdue do not grow
    on it, so the ladder waits for the next working day and loses nothing.
    """
    today = today or timezone.localdate()
    run = DailyRun(date=today.isoformat(), working_day=is_working_day(today), dry_run=dry_run)
    if not run.working_day and not force:
        run.skipped = _("%(date)s不是工作日，不发送催办摘要和督办通知") % {"date": cn_date(today)}
        return run
    days = _Days()
    escalations_issue(today, run, days)
    digests_send(today, run, days)
    return run
