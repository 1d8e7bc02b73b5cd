"""Traffic lights (红黄绿灯) for open assignments, and "on time" for accepted ones.

A light counts from the assignment's ``light_due`` (序时进度): the earliest of its due date and what
it still owes before that — an unfiled or returned period report (进展报告), an undone milestone
(节点); for a standing task (长期坚持) only what it owes, never the due date as a whole.

- red (红灯): that date has passed (a report is missing, a milestone is overdue, or the work is late);
- yellow (黄灯): it falls within ``SUPERVISION_YELLOW_WORKING_DAYS`` working days (default 5);
- green (绿灯): otherwise.

Filing the missing report (or finishing the milestone) moves ``light_due`` on, and the light back.
Because a light depends only on that date and today, every light is a range of dates:
lists filter and count by light in the database (``with_light``, ``filter_light``) with no
per-row work, and ``light_of`` gives the same answer for one assignment in Python.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .calendar import add_working_days
from .models.assignments import CLOSED_STATES

GREEN, YELLOW, RED = "green", "yellow", "red"
LIGHTS = {GREEN: _("绿灯"), YELLOW: _("黄灯"), RED: _("红灯")}
LIGHT_HELP = {GREEN: _("正常推进"), YELLOW: _("临近办理期限或报送期限"), RED: _("已逾期，或有进展报告逾期未报、节点逾期未完成")}
# The rule, as the pages and the API print it.
LIGHT_RULE = _("亮灯依据：办理期限、未报送的进展报告期限和未完成的节点期限中最早的一个（长期坚持类任务不看办理期限）。"
               "已过该日期为红灯，%(days)s 个工作日内到期为黄灯，其余为绿灯；补报或完成后即恢复。")
DONE = "done"  # accepted: no light, but on time or not
# Closed states need no attention: accepted, and closed by a transfer or a plan revision.
CLOSED = tuple(str(state) for state in CLOSED_STATES)


def yellow_days() -> int:
    return int(getattr(settings, "SUPERVISION_YELLOW_WORKING_DAYS", 5))


def horizon(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """(today, the last due date that is yellow)."""
    today = today or timezone.localdate()
    return today, add_working_days(today, yellow_days())


def light_for_due(due: dt.date, today: dt.date | None = None) -> str:
    return lights_for_dues(today)(due)


def lights_for_dues(today: dt.date | None = None):
    """``light_for_due`` for many due dates: the working-day horizon is computed once."""
    today, last_yellow = horizon(today)

    def light(due: dt.date) -> str:
        if due < today:
            return RED
        return YELLOW if due <= last_yellow else GREEN
    return light


def light_of(assignment, today: dt.date | None = None) -> str:
    """The light of an open assignment, or ``done`` for an accepted one."""
    if assignment.state in CLOSED:
        return DONE
    return light_for_due(assignment.light_due, today)


def light_q(light: str, today: dt.date | None = None, prefix: str = "") -> Q:
    """A filter for open assignments of one light (``prefix`` for a related assignment, e.g. "assignment__")."""
    today, last_yellow = horizon(today)
    open_ = ~Q(**{f"{prefix}state__in": CLOSED})
    due = f"{prefix}light_due"
    if light == RED:
        return open_ & Q(**{f"{due}__lt": today})
    if light == YELLOW:
        return open_ & Q(**{f"{due}__gte": today, f"{due}__lte": last_yellow})
    if light == GREEN:
        return open_ & Q(**{f"{due}__gt": last_yellow})
    if light == DONE:
        return Q(**{f"{prefix}state__in": CLOSED})
    raise ValueError(f"unknown light {light!r}")


def filter_light(queryset: QuerySet, light: str, today: dt.date | None = None) -> QuerySet:
    return queryset.filter(light_q(light, today))


def with_light(queryset: QuerySet, today: dt.date | None = None) -> QuerySet:
    """Annotate ``light`` (green / yellow / red / done) computed by the database."""
    today, last_yellow = horizon(today)
    return queryset.annotate(light=Case(
        When(state__in=CLOSED, then=Value(DONE)),
        When(light_due__lt=today, then=Value(RED)),
        When(light_due__lte=last_yellow, then=Value(YELLOW)),
        default=Value(GREEN), output_field=CharField()))


def light_rule() -> str:
    return LIGHT_RULE % {"days": yellow_days()}


def submitted_on_time(submitted_at: dt.datetime, due: dt.date) -> bool:
    """On time when submitted on or before the due date (local calendar day)."""
    return timezone.localtime(submitted_at).date() <= due
