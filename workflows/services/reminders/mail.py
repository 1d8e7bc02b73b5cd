"""What a reminder mail lists, and sending mail after the commit (催办, digests and notices alike)."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from ...calendar import WorkingDays, cn_date
from ...lights import LIGHTS, RED, YELLOW
from ...models import (
    Assignment,
    Plan,
)

logger = logging.getLogger(__name__)


MESSAGE_MAX_CHARS = 2000


# ----- what a mail lists ----------------------------------------------------------------------

def assignment_url(assignment_id: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("approvals:assignment_detail", args=[assignment_id])


def plan_name(plan: Plan) -> str:
    """How a subject line names a plan: its document number (文号), else its title, shortened."""
    return plan.doc_number or (plan.title if len(plan.title) <= 30 else plan.title[:29] + "…")


def item_of(assignment: Assignment, light: str, today: dt.date, days: WorkingDays, *, final: bool = False) -> dict:
    """One line of a mail: what, whose, due when, and how late or how close (call it in the mail's
    language). The date is the one the light counts from: the due date, or an earlier unfiled period
    report or undone milestone (then the line says so); with ``final``, the due date (the 督办 ladder)."""
    due = assignment.due_date if final else (getattr(assignment, "light_due", None) or assignment.due_date)
    owed = due != assignment.due_date
    if light == RED:
        n = days(due, today)
        when = _("逾期 %(n)s 个工作日") % {"n": n}
    else:
        n = days(today, due)
        when = _("今日到期") if n == 0 else _("还剩 %(n)s 个工作日") % {"n": n}
    return {"id": assignment.pk, "url": assignment_url(assignment.pk), "light": light,
            "light_label": str(LIGHTS[light]), "plan": assignment.task.plan.title,
            "task_number": assignment.task.number, "task_text": assignment.task.text,
            "unit": assignment.unit.short_name, "state": assignment.get_state_display(),
            "due_label": _("进展报告或节点应报期限") if owed else _("办理期限"),
            "owed": owed, "due": cn_date(due), "when": when, "days": n}


def grouped_by_plan(items: list[dict]) -> list[dict]:
    """Red first, then yellow; each by due date as the query gave them."""
    headings = {RED: _("红灯：已逾期"), YELLOW: _("黄灯：临近办理期限")}
    return [{"light": light, "label": headings[light], "items": [i for i in items if i["light"] == light]}
            for light in (RED, YELLOW) if any(i["light"] == light for i in items)]


# ----- mail -------------------------------------------------------------------------------------

def compose(template: str, subject: str, context: dict, *, to, cc=(), reply_to=()) -> EmailMultiAlternatives:
    """A multipart mail (plain text and HTML) from ``mail/<template>.txt`` and ``.html``."""
    context = {"subject": subject, "site_url": settings.SITE_URL.rstrip("/"), **context}
    message = EmailMultiAlternatives(subject, render_to_string(f"workflows/mail/{template}.txt", context),
                                     settings.DEFAULT_FROM_EMAIL, list(to), cc=list(cc), reply_to=list(reply_to))
    message.attach_alternative(render_to_string(f"workflows/mail/{template}.html", context), "text/html")
    return message


def send_after_commit(messages: list[EmailMultiAlternatives], failures: list[str] | None = None) -> None:
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


def people_of(unit_id: int | None, role: str) -> list:
    """The active people holding ``role`` in the unit, by username."""
    if unit_id is None:
        return []
    return list(get_user_model().objects.filter(is_active=True, memberships__unit_id=unit_id,
                                                memberships__role=role).distinct().order_by("username"))


def emails_of(people) -> list[str]:
    return [p.email for p in people if p.email]



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
