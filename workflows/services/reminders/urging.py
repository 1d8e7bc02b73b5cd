"""催办: the plan's supervisor urges a unit about one assignment, or about all its overdue ones in a
plan (one mail listing them all)."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import record_event, user_label

from ...access.policies import assignment_permissions, can_supervise
from ...calendar import cn_date
from ...lights import CLOSED, RED, light_for_due, light_q
from ...models import (
    Assignment,
    Plan,
    Reminder,
    Unit,
)
from ..common import assignment_label
from ..errors import Invalid, NotAllowed, NotFound, WrongState
from .mail import (
    MESSAGE_MAX_CHARS,
    WorkingDays,
    compose,
    emails_of,
    item_of,
    people_of,
    plan_name,
    send_after_commit,
)


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
    days = WorkingDays()
    with translation.override(settings.LANGUAGE_CODE):
        items = [item_of(a, light_for_due(a.light_due, today), today, days) for a in assignments]
        if len(assignments) == 1:
            subject = _("【催办】%(unit)s：第%(n)s项任务（%(plan)s）") % {
                "unit": unit.short_name, "n": assignments[0].task.number, "plan": plan_name(plan)}
        else:
            subject = _("【催办】%(unit)s：%(count)s 项逾期任务（%(plan)s）") % {
                "unit": unit.short_name, "count": len(assignments), "plan": plan_name(plan)}
        return compose("reminder", subject, {
            "unit": unit.short_name, "plan": plan.title, "office": str(plan.supervising_unit or ""),
            "sender": user_label(actor), "message": message, "items": items, "date": cn_date(today),
        }, to=emails_of(people_of(unit.pk, "submitter")), reply_to=[actor.email] if actor.email else [])


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
        send_after_commit([mail], failures)
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
        send_after_commit([mail], failures)
    for reminder in reminders:
        reminder.mail_failures = failures
    return reminders
