"""What a work-queue row says beyond its state: 已退回 (and why), 已催办 ×N, the 督办 level, and the
working days left or overdue. Read for one page of assignments in three queries, whatever its size.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max
from django.utils.translation import gettext as _

from ..calendar import WorkingDays
from ..models import AssignmentState, EscalationNotice, Reminder, Submission
from ..models.assignments import OPEN_STATES

# States in which the unit holds the work again after a 退回 (the return put it back in progress).
_BACK_WITH_UNIT = {AssignmentState.IN_PROGRESS}


@dataclass(frozen=True)
class RowMarks:
    returned_reason: str = ""  # the first line of the latest 退回's reason, while the unit reworks it
    reminders: int = 0  # 催办 sent about it
    level: int | None = None  # the highest 督办 rung reached
    level_label: str = ""
    working_days: int | None = None  # to the due date: > 0 left, < 0 overdue, None once closed


def countdown_label(working_days: int | None) -> str:
    """剩余 N 个工作日 / 今日到期 / 超期 N 个工作日, as every list, page and export writes it ("" once closed)."""
    if working_days is None:
        return ""
    if working_days < 0:
        return _("超期 %(n)s 个工作日") % {"n": -working_days}
    return _("今日到期") if working_days == 0 else _("剩余 %(n)s 个工作日") % {"n": working_days}


def first_line(text: str, limit: int = 40) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def row_marks(rows: list[dict], today: dt.date) -> dict[int, RowMarks]:
    """``rows``: dicts with ``pk``, ``state`` and ``due_date`` (a page of a list). Three queries."""
    ids = [row["pk"] for row in rows]
    if not ids:
        return {}
    returned: dict[int, str] = {}
    reworking = [row["pk"] for row in rows if row["state"] in _BACK_WITH_UNIT]
    if reworking:
        latest: dict[int, tuple[int, str | None]] = {}
        for pk, number, when, reason in (Submission.objects.filter(assignment_id__in=reworking)
                                         .values_list("assignment_id", "number", "returned_at", "return_reason")):
            if pk not in latest or number > latest[pk][0]:
                latest[pk] = (number, first_line(reason) if when is not None else None)
        returned = {pk: reason for pk, (_n, reason) in latest.items() if reason is not None}
    reminders = dict(Reminder.objects.filter(assignment_id__in=ids).values("assignment_id")
                     .annotate(n=Count("id")).values_list("assignment_id", "n"))
    levels = dict(EscalationNotice.objects.filter(assignment_id__in=ids).values("assignment_id")
                  .annotate(top=Max("level")).values_list("assignment_id", "top"))
    labels = dict(EscalationNotice._meta.get_field("level").choices)
    days = WorkingDays()
    marks = {}
    for row in rows:
        pk, due = row["pk"], row["due_date"]
        left = None
        if row["state"] in OPEN_STATES and due is not None:
            left = days(today, due)
        level = levels.get(pk)
        marks[pk] = RowMarks(returned_reason=returned.get(pk, ""), reminders=reminders.get(pk, 0), level=level,
                             level_label=str(labels.get(level, "")) if level else "", working_days=left)
    return marks
