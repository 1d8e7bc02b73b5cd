"""A plan's progress in one reporting round: totals, sections, the task × unit matrix, what is late.

Everything is read in a fixed number of queries whatever the plan's size: the round's assignments
once, as plain values with their light computed by the database (``workflows.lights.with_light``),
and the totals per section, state and light in one grouped query. The dashboard, the progress API,
the XLSX export and the progress report all read the same ``Progress``, so their numbers agree.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ..calendar import working_days_between
from ..lights import DONE, GREEN, LIGHTS, RED, YELLOW, light_q, with_light
from ..models import (
    SUPERSEDED_STATES,
    Assignment,
    AssignmentState,
    EscalationLevel,
    EscalationNotice,
    Plan,
    Reminder,
    ReportingRound,
    Section,
    Task,
)

# The states of work as it stands: superseded assignments (transferred, not applicable, withdrawn)
# are left out of progress; their successors count instead.
STATES = [state for state, _label in AssignmentState.choices if state not in SUPERSEDED_STATES]
LIGHT_ORDER = [RED, YELLOW, GREEN, DONE]  # most urgent first, as the page and the export list them


def state_labels() -> dict[str, str]:
    return {state: str(label) for state, label in AssignmentState.choices}  # every state: a cell may link to any


def light_labels() -> dict[str, str]:
    return {**{k: str(v) for k, v in LIGHTS.items()}, DONE: _("已办结")}


def percent(part: int, whole: int) -> float:
    """Share in percent, one decimal rounded half up as the scorecard rounds (0.0 when there is nothing)."""
    if not whole:
        return 0.0
    return float((Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass
class Cell:
    """One assignment in the matrix."""

    assignment_id: int
    task_id: int
    unit_id: int
    state: str
    light: str  # green / yellow / red, or done when accepted
    due_date: dt.date
    on_time: bool | None


@dataclass
class UnitColumn:
    id: int
    short_name: str
    full_name: str
    order: int


@dataclass
class TaskRow:
    id: int
    number: int
    text: str
    section_id: int
    cells: list[Cell | None] = field(default_factory=list)  # one per column, None where nothing is assigned

    @property
    def assigned(self) -> list[Cell]:
        return [c for c in self.cells if c is not None]


@dataclass
class SectionProgress:
    id: int
    numeral: str
    title: str
    tasks: int
    assignments: int = 0
    accepted: int = 0
    by_state: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    by_light: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LIGHT_ORDER, 0))

    @property
    def label(self) -> str:
        return f"{self.numeral}{self.title}"

    @property
    def percent(self) -> float:
        return percent(self.accepted, self.assignments)


@dataclass
class OverdueItem:
    assignment_id: int
    task_id: int
    task_number: int
    task_text: str
    unit_id: int
    unit: str
    state: str
    due_date: dt.date
    overdue_working_days: int
    overdue_days: int  # calendar days
    reminders: int = 0
    last_reminded_on: dt.date | None = None
    escalation_level: int | None = None

    @property
    def state_label(self) -> str:
        return str(AssignmentState(self.state).label)

    @property
    def escalation_label(self) -> str:
        return str(EscalationLevel(self.escalation_level).label) if self.escalation_level else ""


@dataclass
class OverdueUnit:
    id: int
    short_name: str
    count: int


@dataclass
class Progress:
    plan: Plan
    round: ReportingRound | None
    rounds: list[ReportingRound]
    today: dt.date
    by_state: dict[str, int]
    by_light: dict[str, int]
    sections: list[SectionProgress]
    units: list[UnitColumn]
    tasks: list[TaskRow]
    overdue: list[OverdueItem]
    overdue_units: list[OverdueUnit]

    @property
    def total(self) -> int:
        return sum(self.by_state.values())

    @property
    def accepted(self) -> int:
        return self.by_state.get(AssignmentState.ACCEPTED, 0)

    @property
    def percent(self) -> float:
        return percent(self.accepted, self.total)

    def cells(self):
        for row in self.tasks:
            yield from row.assigned


def plan_progress(plan: Plan, round_: ReportingRound | None = None, today: dt.date | None = None, *,
                  rounds: list[ReportingRound] | None = None) -> Progress:
    """Read the plan's progress in ``round_`` (default: its first round) as of ``today``.

    ``rounds`` are the plan's rounds by position when the caller has read them already.
    """
    today = today or timezone.localdate()
    if rounds is None:
        rounds = list(ReportingRound.objects.filter(plan=plan).order_by("position"))
    if round_ is None:
        round_ = rounds[0] if rounds else None
    sections = {s["id"]: SectionProgress(s["id"], s["numeral"], s["title"], 0)
                for s in Section.objects.filter(plan=plan).order_by("position").values("id", "numeral", "title")}
    all_tasks = list(Task.objects.filter(plan=plan).order_by("number")
                     .values("id", "number", "text", "section_id", "withdrawn_at"))
    tasks = [TaskRow(t["id"], t["number"], t["text"], t["section_id"]) for t in all_tasks if t["withdrawn_at"] is None]
    for task in tasks:
        sections[task.section_id].tasks += 1
    by_state, by_light = dict.fromkeys(STATES, 0), dict.fromkeys(LIGHT_ORDER, 0)
    if round_ is None:
        return Progress(plan, None, rounds, today, by_state, by_light, list(sections.values()), [], tasks, [], [])

    in_round = with_light(Assignment.objects.filter(round=round_).exclude(state__in=SUPERSEDED_STATES),
                          today).order_by()
    # The totals: counted by the database, per section, state and light.
    for row in in_round.values("task__section_id", "state", "light").annotate(n=Count("id")):
        section, n = sections[row["task__section_id"]], row["n"]
        for counts, key in ((by_state, row["state"]), (by_light, row["light"]),
                            (section.by_state, row["state"]), (section.by_light, row["light"])):
            counts[key] = counts.get(key, 0) + n
        section.assignments += n
        if row["state"] == AssignmentState.ACCEPTED:
            section.accepted += n

    # The matrix: every assignment of the round, once, as plain values.
    units: dict[int, UnitColumn] = {}
    cells: list[Cell] = []
    for a in in_round.values("id", "task_id", "unit_id", "state", "light", "due_date", "on_time",
                             "unit__short_name", "unit__full_name", "unit__order"):
        cells.append(Cell(a["id"], a["task_id"], a["unit_id"], a["state"], a["light"], a["due_date"], a["on_time"]))
        if a["unit_id"] not in units:
            units[a["unit_id"]] = UnitColumn(a["unit_id"], a["unit__short_name"], a["unit__full_name"],
                                             a["unit__order"])
    columns = sorted(units.values(), key=lambda u: (u.order, u.short_name))
    position = {u.id: i for i, u in enumerate(columns)}
    # A task withdrawn by a revision keeps its row only while work accepted under it remains.
    withdrawn = [TaskRow(t["id"], t["number"], t["text"], t["section_id"]) for t in all_tasks if t["withdrawn_at"]]
    if withdrawn:
        kept = {c.task_id for c in cells}
        tasks = sorted(tasks + [t for t in withdrawn if t.id in kept], key=lambda t: t.number)
    row_of = {t.id: t for t in tasks}
    for task in tasks:
        task.cells = [None] * len(columns)
    for cell in cells:
        row_of[cell.task_id].cells[position[cell.unit_id]] = cell

    overdue = _overdue(round_, today, [c for c in cells if c.light == RED], row_of, units)
    late_units: dict[int, int] = {}
    for item in overdue:
        late_units[item.unit_id] = late_units.get(item.unit_id, 0) + 1
    overdue_units = [OverdueUnit(u.id, u.short_name, late_units[u.id]) for u in columns if u.id in late_units]
    return Progress(plan, round_, rounds, today, by_state, by_light, list(sections.values()), columns, tasks,
                    overdue, overdue_units)


def _overdue(round_, today, red: list[Cell], row_of: dict[int, TaskRow], units: dict[int, UnitColumn]):
    """The red ones, most overdue first, with their latest 催办 and 督办 (two queries for all of them)."""
    if not red:
        return []
    red_q = light_q(RED, today, prefix="assignment__")
    reminded = {r["assignment_id"]: r for r in Reminder.objects.filter(red_q, assignment__round=round_).order_by()
                .values("assignment_id").annotate(n=Count("id"), last=Max("sent_on"))}
    escalated = dict(EscalationNotice.objects.filter(red_q, assignment__round=round_).order_by()
                     .values("assignment_id").annotate(level=Max("level")).values_list("assignment_id", "level"))
    late_by: dict[dt.date, int] = {}  # few distinct due dates: count each one's working days once
    items = []
    for cell in red:
        if cell.due_date not in late_by:
            late_by[cell.due_date] = working_days_between(cell.due_date, today)
        task, reminder = row_of[cell.task_id], reminded.get(cell.assignment_id, {})
        items.append(OverdueItem(
            cell.assignment_id, task.id, task.number, task.text, cell.unit_id, units[cell.unit_id].short_name,
            cell.state, cell.due_date, late_by[cell.due_date], (today - cell.due_date).days,
            reminder.get("n", 0), reminder.get("last"), escalated.get(cell.assignment_id)))
    orders = {u.id: (u.order, u.short_name) for u in units.values()}
    items.sort(key=lambda i: (-i.overdue_working_days, i.due_date, i.task_number, orders[i.unit_id]))
    return items


def filter_matrix(progress: Progress, light: str | None) -> tuple[list[UnitColumn], list[TaskRow]]:
    """The matrix limited to the tasks and units that have an assignment of ``light`` (all when None).

    Cells of another light stay in the kept rows and columns; the page shows them dimmed.
    """
    if not light:
        return progress.units, progress.tasks
    keep_columns = sorted({i for row in progress.tasks for i, c in enumerate(row.cells)
                           if c is not None and c.light == light})
    rows = [TaskRow(t.id, t.number, t.text, t.section_id, [t.cells[i] for i in keep_columns])
            for t in progress.tasks if any(c is not None and c.light == light for c in t.cells)]
    return [progress.units[i] for i in keep_columns], rows
