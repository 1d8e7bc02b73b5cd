"""Reporting cadences (报送周期) and the periods they cut a year into: pure, no database.

A plan has a cadence (none, monthly, quarterly, half-yearly, yearly) and a report day; a task may
override both with the cadence its 完成时限 column gave (``Task.cadence``: ``monthly:10`` from
``每月10日前``, ``quarterly`` from ``每季度``; ``ongoing`` from ``长期坚持`` marks a standing task that
reports on the plan's cadence and is never overdue as a whole; ``weekly`` is reported monthly).

A period is a calendar month, quarter, half-year or year. Its report is due

- on the period's last day when the report day is 0 (``每季度末``), or
- on day N of the month after the period (``每月5日前`` reports the month before by the 5th),

moved to the next working day when that falls on a weekend or holiday (the working calendar:
the State Council's arrangement and the administrators' corrections, 调休 included). A report
may be filed from the period's first day; it is 待报送 from ``OPENS_BEFORE_DAYS`` days before the
period ends until it is due, and 逾期未报 after.
"""
from __future__ import annotations

import calendar as monthcal
import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .calendar import is_working_day

NONE, MONTHLY, QUARTERLY, HALF_YEARLY, YEARLY = "none", "monthly", "quarterly", "half-yearly", "yearly"
ONGOING = "ongoing"
CADENCES = {NONE: _("不定期报送"), MONTHLY: _("每月报送"), QUARTERLY: _("每季度报送"),
            HALF_YEARLY: _("每半年报送"), YEARLY: _("每年报送")}
MONTHS_OF = {MONTHLY: 1, QUARTERLY: 3, HALF_YEARLY: 6, YEARLY: 12}
OPENS_BEFORE_DAYS = 7
MAX_REPORT_DAY = 28  # day N of the next month, for every month (later days do not exist in February)
QUARTER_NAMES = "一二三四"


@dataclass(frozen=True)
class Cadence:
    kind: str = NONE  # one of CADENCES
    day: int = 0  # 0: the period's last day; N: day N of the month after the period
    standing: bool = False  # 长期坚持: reports every period, never overdue as a whole

    @property
    def periodic(self) -> bool:
        return self.kind in MONTHS_OF

    def label(self) -> str:
        """每月报送（次月5日前） / 每季度报送（季末） / 不定期报送, and 长期坚持 for a standing task."""
        text = str(CADENCES.get(self.kind, CADENCES[NONE]))
        if self.periodic:
            text += _("（次月%(day)s日前）") % {"day": self.day} if self.day else _("（期末）")
        return text + (_("，长期坚持") if self.standing else "")


@dataclass(frozen=True)
class Period:
    starts_on: dt.date
    ends_on: dt.date
    due_on: dt.date  # moved to a working day
    label: str  # 2026年12月 / 2026年第四季度 / 2026年上半年 / 2026年度


def parse(value: str) -> tuple[str, int | None]:
    """A cadence string (``monthly:10``, ``quarterly``, ``half-yearly``, ``weekly``, …) as (kind, day or None)."""
    kind, _sep, day = (value or "").partition(":")
    kind = MONTHLY if kind == "weekly" else kind
    if kind not in MONTHS_OF and kind != NONE:
        return "", None
    try:
        number = int(day) if day else None
    except ValueError:
        number = None
    return kind, (min(max(number, 0), MAX_REPORT_DAY) if number is not None else None)


def effective(plan_kind: str, plan_day: int, task_cadence: str = "") -> Cadence:
    """The cadence a task reports on: its own (from its 完成时限) where it has one, else the plan's."""
    standing = task_cadence == ONGOING
    kind, day = parse("" if standing else task_cadence)
    if not kind:
        kind, day = plan_kind or NONE, plan_day
    elif day is None:
        day = plan_day if kind == plan_kind else 0
    return Cadence(kind=kind, day=int(day or 0), standing=standing)


def next_working_day(day: dt.date) -> dt.date:
    """``day`` itself when it is a working day, else the first working day after it (顺延)."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def _label(kind: str, start: dt.date) -> str:
    if kind == MONTHLY:
        return f"{start.year}年{start.month}月"
    if kind == QUARTERLY:
        return f"{start.year}年第{QUARTER_NAMES[(start.month - 1) // 3]}季度"
    if kind == HALF_YEARLY:
        return f"{start.year}年{'上' if start.month <= 6 else '下'}半年"
    return f"{start.year}年度"


def period_of(cadence: Cadence, day: dt.date) -> Period:
    """The period of ``cadence`` that contains ``day``."""
    months = MONTHS_OF[cadence.kind]
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    end_year, end_month = _add_months(day.year, first_month, months - 1)
    end = dt.date(end_year, end_month, monthcal.monthrange(end_year, end_month)[1])
    if cadence.day:
        due_year, due_month = _add_months(end_year, end_month, 1)
        due = dt.date(due_year, due_month, cadence.day)
    else:
        due = end
    return Period(starts_on=start, ends_on=end, due_on=next_working_day(due), label=_label(cadence.kind, start))


def periods_between(cadence: Cadence, first: dt.date, last: dt.date) -> list[Period]:
    """Every period of ``cadence`` from the one containing ``first`` to the one containing ``last``."""
    if not cadence.periodic or last < first:
        return []
    out, day = [], first
    while day <= last or not out:
        period = period_of(cadence, day)
        out.append(period)
        day = period.ends_on + dt.timedelta(days=1)
        if day > last:
            break
    return out


# How a period report stands on a given day: what is stored, read with the date (the page, the API,
# the exports and the lights all use this one reading).
NOT_YET, DUE, MISSING, FILED, FILED_LATE, RETURNED, READ, NOT_NEEDED = (
    "not_yet", "due", "missing", "filed", "filed_late", "returned", "read", "not_needed")
STANDINGS = {NOT_YET: _("未到期"), DUE: _("待报送"), MISSING: _("逾期未报"), FILED: _("已报送"),
             FILED_LATE: _("已报送（逾期）"), RETURNED: _("退回补报"), READ: _("已阅"), NOT_NEEDED: _("无需报送")}


def standing_of(status: str, due_on: dt.date, ends_on: dt.date, today: dt.date, *, late: bool | None = None,
                closed: bool = False) -> str:
    """One of STANDINGS for a report stored as ``status`` (pending / submitted / returned / read)."""
    if status == "pending":
        if closed:
            return NOT_NEEDED
        if today > due_on:
            return MISSING
        return DUE if today >= ends_on - dt.timedelta(days=OPENS_BEFORE_DAYS) else NOT_YET
    if status == "submitted":
        return FILED_LATE if late else FILED
    return RETURNED if status == "returned" else READ
