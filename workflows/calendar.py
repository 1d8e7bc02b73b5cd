"""The working-day calendar: Chinese public holidays and make-up working days (调休).

The chinese-calendar package knows the State Council's arrangements for the years it has been
updated for; the ``CalendarDay`` table (edited in the admin) corrects it and covers later years.
A year that neither knows falls back to Monday–Friday, and ``calendar_gaps`` names such years
so the administrator can fill them in.
"""
from __future__ import annotations

import datetime as dt
import functools
import threading
import time

from django.utils import timezone

ONE_DAY = dt.timedelta(days=1)
# Corrections edited in one process (an admin's request) reach the other web and worker processes
# within this many seconds; the process that saved them sees them at once.
CORRECTIONS_TTL_SECONDS = 60
_lock = threading.Lock()
_overrides: dict[dt.date, bool] | None = None
_loaded_at = 0.0


def _corrections() -> dict[dt.date, bool]:
    global _overrides, _loaded_at
    with _lock:
        if _overrides is None or time.monotonic() - _loaded_at > CORRECTIONS_TTL_SECONDS:
            from .models import CalendarDay

            _overrides = dict(CalendarDay.objects.values_list("date", "is_working_day"))
            _loaded_at = time.monotonic()
        return _overrides


def _drop() -> None:
    global _overrides
    with _lock:
        _overrides = None


def forget_corrections(**_kwargs) -> None:
    """Drop the cached corrections (connected to CalendarDay's save and delete signals).

    Dropped now, so the saving transaction sees its own change, and again when the transaction
    ends, so a rolled-back correction does not stay cached.
    """
    from django.db import transaction

    _drop()
    transaction.on_commit(_drop)


@functools.lru_cache(maxsize=4096)
def _package_says(day: dt.date) -> bool | None:
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package does not know yet
        return None


def known_by_package(year: int) -> bool:
    return _package_says(dt.date(year, 6, 1)) is not None


def is_working_day(day: dt.date) -> bool:
    corrected = _corrections().get(day)
    if corrected is not None:
        return corrected
    said = _package_says(day)
    return said if said is not None else day.weekday() < 5


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The date ``n`` working days after ``day`` (``n`` ≥ 0; 0 gives ``day`` itself)."""
    step = 0
    while step < n:
        day += ONE_DAY
        if is_working_day(day):
            step += 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end`` is earlier."""
    if end < start:
        return -working_days_between(end, start)
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        if is_working_day(day):
            count += 1
    return count


class WorkingDays:
    """Working days between two dates, remembered: many assignments share a due date."""

    def __init__(self):
        self._known: dict[tuple[dt.date, dt.date], int] = {}

    def __call__(self, start: dt.date, end: dt.date) -> int:
        key = (start, end)
        if key not in self._known:
            self._known[key] = working_days_between(start, end)
        return self._known[key]


def calendar_gaps(years) -> list[int]:
    """The years the package does not know and no correction mentions: Monday–Friday is assumed."""
    corrected_years = {d.year for d in _corrections()}
    return sorted(y for y in set(years) if not known_by_package(y) and y not in corrected_years)


# How Chinese offices write a date and a moment: 2026年12月7日, 2026年12月7日 09:30:00 (local time).
def cn_date(value: dt.date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def cn_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{cn_date(local.date())} {local:%H:%M:%S}"
