"""The scorecard (考核): how each responsible unit and each lead department does in one round.

Per responsible unit (责任单位), over the round's assignments:

- 件数: the unit's assignments in the round;
- 按期报送率: on-time assignments ÷ assignments that are due for judgement, where an assignment is
  due for judgement once it has been submitted at least once or its due date has passed, and is
  on time when its FIRST submission's local date is on or before its due date (``judged_due``:
  an approved extension's date, else the original one set at 交办; an overdue
  assignment never submitted counts as not on time; one not yet submitted and not yet due is left
  out); undefined (—) when no assignment is due for judgement;
- 平均报送用时: the mean, over assignments submitted at least once, of the working days from
  dispatch (the local date of ``Assignment.created_at``) to the first submission
  (``workflows.calendar.working_days_between``: working days after dispatch up to and including
  the submission day, so a same-day submission takes 0);
- 退回次数/件: submissions returned (by the lead department or at acceptance) ÷ assignments;
- 验收办结率: accepted assignments ÷ assignments;
- 综合得分 = 40 × 按期报送率 + 40 × 验收办结率 + 20 × max(0, 1 − 退回次数/件); an undefined
  按期报送率 counts as 100% (nothing has fallen due, so nothing is late). Units are ranked by
  综合得分 as shown (one decimal), highest first; equal scores share a rank (1, 1, 3).

Per lead department (牵头部门: the task's first-named lead, who answers for the review):

- 已审核: lead decisions made, i.e. submissions approved by the lead (``reviewed_at``) or returned
  from 已报送 (``returned_at`` with ``returned_from == "submitted"``);
- 平均审核用时: the mean working days from a submission's local date to its decision's local date;
- 待审核: submissions awaiting the lead's decision now;
- 超期待审: pending ones submitted more than ``SUPERVISION_REVIEW_WORKING_DAYS`` (default 5)
  working days before today;
- 审核及时率: decisions made within that limit ÷ (decisions made + overdue pending);
  lead departments are ranked by 审核及时率 (highest first), then by 平均审核用时 (shortest first),
  both as shown; a department with nothing to judge yet is ranked last.

Everything is computed from a fixed number of queries (the round, the assignments with their
units, the submissions, the tasks' first leads) whatever the size of the plan; the working-day
arithmetic is done in Python, memoised per date pair.
"""
from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..calendar import working_days_between

UNIT_COLUMNS = [
    "名次", "责任单位", "件数", "应报送件数", "按期报送件数", "按期报送率（%）", "已报送件数",
    "平均报送用时（工作日）", "退回次数", "退回次数/件", "验收办结件数", "验收办结率（%）", "综合得分",
]
LEAD_COLUMNS = [
    "名次", "牵头部门", "已审核", "按时审核", "平均审核用时（工作日）", "待审核", "超期待审",
    "审核及时率（%）",
]
# The weights of the composite score, in points out of 100.
SCORE_WEIGHTS = {"on_time_rate": 40, "acceptance_rate": 40, "returns": 20}


def review_days() -> int:
    """The working days a lead department has to decide on a submission."""
    return int(getattr(settings, "SUPERVISION_REVIEW_WORKING_DAYS", 5))


def formulas() -> dict[str, str]:
    """Metric → how it is computed, in Chinese, as the page and the export show it."""
    limit = review_days()
    return {
        "件数": "本轮交办给该单位的承办件数",
        "按期报送率": ("按期报送件数 ÷ 应报送件数 × 100%。应报送件数：已报送过至少一次、或办理期限已过的承办件；"
                   "按期报送：首次报送日期不晚于原定办理期限（经批准延期的，不晚于批准延期后的期限；"
                   "督办单位不经延期而调整期限的，仍按原定期限计）。逾期未报送的计为未按期，尚未到期且未报送的不计入"),
        "平均报送用时": ("各已报送承办件“交办日期至首次报送日期”的工作日数之和 ÷ 已报送件数"
                     "（按工作日历计算，扣除节假日、计入调休工作日；当日报送为 0）"),
        "退回次数/件": "退回次数（牵头部门审核退回与督办单位验收退回之和）÷ 件数",
        "验收办结率": "已验收办结件数 ÷ 件数 × 100%",
        "综合得分": ("综合得分 = 40 × 按期报送率 + 40 × 验收办结率 + 20 × max(0, 1 − 退回次数/件)；"
                 "尚无应报送件时按期报送率按 100% 计。按综合得分（保留一位小数）由高到低排名，得分相同者名次并列"),
        "平均审核用时": ("各次审核“报送日期至审核决定（审核通过或退回）日期”的工作日数之和 ÷ 已审核次数；"
                     "审核计入任务的第一牵头部门"),
        "已审核": "牵头部门作出审核决定（审核通过，或在“已报送”环节退回）的报送次数",
        "待审核": "已报送、尚待牵头部门作出审核决定的件数",
        "超期待审": f"已报送、尚待牵头部门审核且报送后已超过 {limit} 个工作日的件数",
        "审核及时率": (f"按时审核次数 ÷ （已审核次数 + 超期待审件数）× 100%；按时审核：报送后 {limit} 个工作日内"
                  "作出审核决定。按审核及时率由高到低、再按平均审核用时由短到长排名，相同者名次并列"),
    }


# Read once at start-up; ``formulas()`` reads the review limit from the settings again.
FORMULAS: dict[str, str] = formulas()


def _round(value: Fraction | None, places: int) -> float | None:
    """Round half up to ``places`` decimals (what people expect: 12.25 → 12.3)."""
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _ratio(numerator: int, denominator: int) -> Fraction | None:
    return Fraction(numerator, denominator) if denominator else None


def _mean(values: Sequence[int]) -> Fraction | None:
    return Fraction(sum(values), len(values)) if values else None


def fmt_percent(value: float | None) -> str:
    """87.5 → "87.5%"; None → "—"."""
    return "—" if value is None else f"{value:.1f}%"


def fmt_number(value: float | int | None, places: int = 1) -> str:
    return "—" if value is None else f"{value:.{places}f}"


@dataclass
class UnitScore:
    """One responsible unit's figures; rates are percentages and are rounded as shown."""

    unit_id: int
    unit: str
    assignments: int = 0
    due_for_judgement: int = 0  # 应报送件数
    on_time: int = 0
    submitted: int = 0  # submitted at least once
    returns: int = 0
    accepted: int = 0
    days_to_submit: list[int] = field(default_factory=list, repr=False)
    order: int = 0  # the directory order, to list tied units consistently
    rank: int | None = None

    @property
    def on_time_rate(self) -> float | None:
        ratio = _ratio(self.on_time, self.due_for_judgement)
        return _round(ratio * 100, 1) if ratio is not None else None

    @property
    def average_days_to_submit(self) -> float | None:
        return _round(_mean(self.days_to_submit), 1)

    @property
    def returns_per_assignment(self) -> float | None:
        return _round(_ratio(self.returns, self.assignments), 2)

    @property
    def acceptance_rate(self) -> float | None:
        ratio = _ratio(self.accepted, self.assignments)
        return _round(ratio * 100, 1) if ratio is not None else None

    @property
    def score(self) -> float:
        on_time = _ratio(self.on_time, self.due_for_judgement)
        on_time = Fraction(1) if on_time is None else on_time
        accepted = _ratio(self.accepted, self.assignments) or Fraction(0)
        returns = _ratio(self.returns, self.assignments) or Fraction(0)
        exact = (SCORE_WEIGHTS["on_time_rate"] * on_time + SCORE_WEIGHTS["acceptance_rate"] * accepted
                 + SCORE_WEIGHTS["returns"] * max(Fraction(0), 1 - returns))
        return _round(exact, 1)

    def as_row(self) -> list:
        """The values in ``UNIT_COLUMNS`` order (None where a figure is undefined)."""
        return [self.rank, self.unit, self.assignments, self.due_for_judgement, self.on_time,
                self.on_time_rate, self.submitted, self.average_days_to_submit, self.returns,
                self.returns_per_assignment, self.accepted, self.acceptance_rate, self.score]

    def display_row(self) -> list[str]:
        """``as_row`` as the page shows it: percentages with one decimal and a % sign, "—" when undefined."""
        return [fmt_number(self.rank, 0), self.unit, str(self.assignments), str(self.due_for_judgement),
                str(self.on_time), fmt_percent(self.on_time_rate), str(self.submitted),
                fmt_number(self.average_days_to_submit), str(self.returns), fmt_number(self.returns_per_assignment, 2),
                str(self.accepted), fmt_percent(self.acceptance_rate), fmt_number(self.score)]

    def as_dict(self) -> dict:
        return {
            "rank": self.rank, "unit_id": self.unit_id, "unit": self.unit, "assignments": self.assignments,
            "due_for_judgement": self.due_for_judgement, "on_time": self.on_time,
            "on_time_rate": self.on_time_rate, "submitted": self.submitted,
            "average_days_to_submit": self.average_days_to_submit, "returns": self.returns,
            "returns_per_assignment": self.returns_per_assignment, "accepted": self.accepted,
            "acceptance_rate": self.acceptance_rate, "score": self.score,
        }


@dataclass
class LeadScore:
    """One lead department's review turnaround; the rate is a percentage, rounded as shown."""

    unit_id: int
    unit: str
    reviewed: int = 0
    reviewed_in_time: int = 0
    pending: int = 0
    pending_overdue: int = 0
    review_days: list[int] = field(default_factory=list, repr=False)
    order: int = 0
    rank: int | None = None

    @property
    def average_review_days(self) -> float | None:
        return _round(_mean(self.review_days), 1)

    @property
    def timely_rate(self) -> float | None:
        ratio = _ratio(self.reviewed_in_time, self.reviewed + self.pending_overdue)
        return _round(ratio * 100, 1) if ratio is not None else None

    def as_row(self) -> list:
        """The values in ``LEAD_COLUMNS`` order (None where a figure is undefined)."""
        return [self.rank, self.unit, self.reviewed, self.reviewed_in_time, self.average_review_days,
                self.pending, self.pending_overdue, self.timely_rate]

    def display_row(self) -> list[str]:
        """``as_row`` as the page shows it."""
        return [fmt_number(self.rank, 0), self.unit, str(self.reviewed), str(self.reviewed_in_time),
                fmt_number(self.average_review_days), str(self.pending), str(self.pending_overdue),
                fmt_percent(self.timely_rate)]

    def as_dict(self) -> dict:
        return {
            "rank": self.rank, "unit_id": self.unit_id, "unit": self.unit, "reviewed": self.reviewed,
            "reviewed_in_time": self.reviewed_in_time, "average_review_days": self.average_review_days,
            "pending": self.pending, "pending_overdue": self.pending_overdue, "timely_rate": self.timely_rate,
        }


@dataclass
class Scorecard:
    plan: object
    round: object  # ReportingRound or None when the plan has no round yet
    today: dt.date
    units: list[UnitScore]
    leads: list[LeadScore]

    @property
    def formulas(self) -> dict[str, str]:
        return formulas()


def rank(items: Iterable, key: Callable, *, tiebreak: Callable) -> list:
    """Sort by ``key`` (smaller is better; None ranks last, unranked) and give equal keys one rank (1, 1, 3)."""
    def order(item):
        value = key(item)
        return (value is None, 0 if value is None else value, tiebreak(item))

    ranked = sorted(items, key=order)
    previous, position = object(), 0
    for index, item in enumerate(ranked, start=1):
        value = key(item)
        if value is None:
            item.rank = None
            continue
        if value != previous:
            previous, position = value, index
        item.rank = position
    return ranked


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def resolve_round(plan, round=None):
    """The round asked for (an instance or an id) among the plan's rounds, else the first one."""
    from ..models import ReportingRound

    if isinstance(round, ReportingRound):
        if round.plan_id != plan.pk:
            raise ReportingRound.DoesNotExist(_("该计划没有这个轮次"))
        return round
    rounds = ReportingRound.objects.filter(plan=plan).order_by("position")
    if round is not None:
        return rounds.get(pk=round)
    return rounds.first()


def scorecard(plan, round=None, today: dt.date | None = None) -> Scorecard:
    """Both tables for one plan and round (default: the first round), in a constant number of queries."""
    from ..models import SUPERSEDED_STATES, Assignment, PartyRole, Submission, TaskParty

    was_returned = ExpressionWrapper(~Q(return_reason=""), output_field=BooleanField())

    today = today or timezone.localdate()
    round = resolve_round(plan, round)
    if round is None:
        return Scorecard(plan=plan, round=None, today=today, units=[], leads=[])
    days = functools.lru_cache(maxsize=None)(working_days_between)  # many assignments share dates
    limit = review_days()

    assignments = list(Assignment.objects.filter(round=round).exclude(state__in=SUPERSEDED_STATES)
                       .annotate(judged=Coalesce("extended_due_date", "original_due_date", "due_date")).values_list(
        "id", "task_id", "unit_id", "unit__short_name", "unit__order", "state", "judged", "created_at"))
    submissions = defaultdict(list)
    for row in (Submission.objects.filter(assignment__round=round).order_by("assignment_id", "number")
                .annotate(was_returned=was_returned)
                .values_list("assignment_id", "submitted_at", "reviewed_at", "returned_at", "returned_from",
                             "was_returned")):
        submissions[row[0]].append(row)
    leads = {
        task_id: (unit_id, name, order)
        for task_id, unit_id, name, order in TaskParty.objects.filter(
            task__plan=plan, role=PartyRole.LEAD, position=0, unit__isnull=False,
        ).values_list("task_id", "unit_id", "unit__short_name", "unit__order")
    }

    units: dict[int, UnitScore] = {}
    lead_scores: dict[int, LeadScore] = {}
    for pk, task_id, unit_id, unit_name, unit_order, state, due, created_at in assignments:
        score = units.get(unit_id)
        if score is None:
            score = units[unit_id] = UnitScore(unit_id=unit_id, unit=unit_name, order=unit_order)
        history = submissions.get(pk, [])
        score.assignments += 1
        score.accepted += state == "accepted"
        score.returns += sum(1 for row in history if row[5])
        if history:
            first = _local_date(history[0][1])
            score.submitted += 1
            score.due_for_judgement += 1
            score.on_time += first <= due
            score.days_to_submit.append(days(_local_date(created_at), first))
        elif due < today:
            score.due_for_judgement += 1

        lead = leads.get(task_id)
        if lead is None:
            continue
        lead_score = lead_scores.get(lead[0])
        if lead_score is None:
            lead_score = lead_scores[lead[0]] = LeadScore(unit_id=lead[0], unit=lead[1], order=lead[2])
        for _pk, submitted_at, reviewed_at, returned_at, returned_from, _returned in history:
            submitted_on = _local_date(submitted_at)
            decided_at = reviewed_at or (returned_at if returned_from == "submitted" else None)
            if decided_at is not None:
                taken = days(submitted_on, _local_date(decided_at))
                lead_score.reviewed += 1
                lead_score.reviewed_in_time += taken <= limit
                lead_score.review_days.append(taken)
            elif returned_at is None and state == "submitted":
                lead_score.pending += 1
                lead_score.pending_overdue += days(submitted_on, today) > limit

    unit_list = rank(units.values(), key=lambda s: -s.score, tiebreak=lambda s: (s.order, s.unit))
    lead_list = rank(
        lead_scores.values(),
        key=lambda s: None if s.timely_rate is None else (-s.timely_rate, _or_last(s.average_review_days)),
        tiebreak=lambda s: (s.order, s.unit),
    )
    return Scorecard(plan=plan, round=round, today=today, units=unit_list, leads=lead_list)


def unit_scores(plan, round=None, today: dt.date | None = None) -> list[UnitScore]:
    """The responsible units of a round, ranked (see the module docstring for the definitions)."""
    return scorecard(plan, round, today).units


def lead_scores(plan, round=None, today: dt.date | None = None) -> list[LeadScore]:
    """The lead departments of a round, ranked by review turnaround."""
    return scorecard(plan, round, today).leads


def _or_last(value: float | None) -> float:
    return float("inf") if value is None else value
