"""Dispatch (交办): turn tasks into assignments, one per responsible unit and reporting round."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event

from ..access.policies import can_select_units, can_supervise
from ..importers.deadlines import plan_year
from ..models import (
    Assignment,
    AssignmentState,
    GroupTerm,
    PartyRole,
    Plan,
    ReportingRound,
    Task,
    TaskParty,
    TermScope,
    Unit,
)
from ..periods import ONGOING
from ..signals import assignments_opened
from . import extensions
from . import periods as period_services
from .common import plain_lines
from .errors import Invalid, NotAllowed, NotFound
from .inbox import refresh_inbox

DEFAULT_ROUND_NAME = "首轮"
_PERIOD = re.compile(r"(\d{4})\s*[—–\-－~至到]+\s*(\d{4})\s*年")


@dataclass
class DispatchResult:
    round: ReportingRound
    created: list[Assignment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    awaiting_selection: list[tuple[int, str]] = field(default_factory=list)  # (task number, term)


def plan_end(plan: Plan) -> dt.date:
    """The plan's end: the later year of a period in its title (2016—2020年), else the end of the
    year its title names (2018年重点工作), its issue year, or this year."""
    match = _PERIOD.search(plan.title)
    if match:
        return dt.date(int(match.group(2)), 12, 31)
    year = plan_year([plan.title]) or (plan.issued_on.year if plan.issued_on else timezone.localdate().year)
    return dt.date(year, 12, 31)


def default_due_date(task: Task, plan: Plan) -> dt.date:
    """The task's due date (its deadline column or label), else its earliest deadline in the text,
    else the plan's end."""
    if task.due_date is not None:
        return task.due_date
    dates = [d.date for d in task.deadlines.all()]
    return min(dates) if dates else plan_end(plan)


def default_round(plan: Plan, actor=None) -> ReportingRound:
    existing = plan.rounds.order_by("position").first()
    if existing is not None:
        return existing
    return ReportingRound.objects.create(plan=plan, name=DEFAULT_ROUND_NAME, position=1,
                                         opened_by=actor if getattr(actor, "pk", None) else None)


def _expand(party: TaskParty, units_by_kind: dict[str, list[Unit]]) -> tuple[list[Unit] | None, str]:
    """Units a responsible party means; None for a "relevant" term that waits for a choice."""
    if party.unit_id is not None:
        return ([party.unit] if party.unit.is_active else []), ""
    term: GroupTerm = party.group_term
    if term.scope == TermScope.RELEVANT:
        return None, ""
    units = units_by_kind.get(term.kind, [])
    return units, "" if units else _("“%(term)s”在单位库中没有对应的启用单位") % {"term": term.term}


def _create(round_: ReportingRound, pairs: list[tuple[Task, Unit, TaskParty]]) -> list[Assignment]:
    existing = set(Assignment.objects.filter(round=round_, task__in={t for t, _u, _p in pairs})
                   .values_list("task_id", "unit_id"))
    plan = round_.plan
    fresh, seen = [], set()
    for task, unit, party in pairs:
        key = (task.pk, unit.pk)
        if key in existing or key in seen:
            continue
        seen.add(key)
        due = default_due_date(task, plan)
        fresh.append(Assignment(round=round_, task=task, unit=unit, source_party=party, due_date=due,
                                original_due_date=due, standing=task.cadence == ONGOING))
    created = Assignment.objects.bulk_create(fresh)
    if created and not created[0].pk:  # backends that return no ids from bulk_create
        created = list(Assignment.objects.filter(round=round_, task__in={a.task_id for a in created},
                                                 unit__in={a.unit_id for a in created}))
    open_assignments(created)
    return created


def open_assignments(created: Sequence[Assignment]) -> None:
    """Give new assignments their permissions and their workflow process (dispatch, transfers)."""
    grant_permissions(created)
    period_services.generate_for(list(created))
    assignments_opened.send(sender=Assignment, assignments=created)


def grant_permissions(assignments: Sequence[Assignment]) -> None:
    """Give each unit-role group the object permissions it needs on these assignments."""
    from guardian.shortcuts import assign_perm

    from ..access.groups import unit_role_group

    by_group: dict[tuple[str, int], list[Assignment]] = {}
    for assignment in assignments:
        task = assignment.task
        by_group.setdefault(("submitter", assignment.unit_id), []).append(assignment)
        for party in task.party_set.all():
            if party.role == PartyRole.LEAD:
                by_group.setdefault(("reviewer", party.unit_id), []).append(assignment)
        if task.plan.supervising_unit_id:
            by_group.setdefault(("supervisor", task.plan.supervising_unit_id), []).append(assignment)
    units = Unit.objects.in_bulk({unit_id for _role, unit_id in by_group})
    rights = {"submitter": "work_assignment", "reviewer": "review_assignment", "supervisor": "accept_assignment"}
    for (role, unit_id), items in by_group.items():
        group = unit_role_group(units[unit_id], role)
        for codename in ("view_assignment", rights[role]):
            assign_perm(f"workflows.{codename}", group, items)
    refresh_inbox(a.pk for a in assignments)


def revoke_work(assignment: Assignment) -> None:
    """A closed assignment: its unit keeps reading it (history) but no longer works on it."""
    from guardian.shortcuts import remove_perm

    from ..access.groups import unit_role_group

    remove_perm("workflows.work_assignment", unit_role_group(assignment.unit, "submitter"), assignment)
    refresh_inbox([assignment.pk])


def _pairs(tasks, units_by_kind, result: DispatchResult) -> list:
    pairs = []
    for task in tasks:
        for party in task.party_set.all():
            if party.role != PartyRole.RESPONSIBLE:
                continue
            units, problem = _expand(party, units_by_kind)
            if units is None:
                result.awaiting_selection.append((task.number, party.name))
                continue
            if problem:
                result.problems.append(_("第 %(n)s 项任务：%(problem)s") % {"n": task.number, "problem": problem})
            pairs += [(task, unit, party) for unit in units]
    return pairs


def _active_units_by_kind() -> dict[str, list[Unit]]:
    units_by_kind: dict[str, list[Unit]] = {}
    for unit in Unit.objects.filter(is_active=True).order_by("order", "short_name"):
        units_by_kind.setdefault(unit.kind, []).append(unit)
    return units_by_kind


def _tasks(plan: Plan, task_ids=None):
    tasks = (Task.objects.filter(plan=plan, withdrawn_at__isnull=True).select_related("plan")
             .prefetch_related("party_set__unit", "party_set__group_term", "deadlines").order_by("number"))
    return tasks.filter(pk__in=task_ids) if task_ids is not None else tasks


def plan_dispatch(*, actor, plan_id: int, round_id: int | None = None, task_id: int | None = None) -> DispatchResult:
    """Dispatch a plan (or one of its tasks): one assignment per unit an "all" term names.

    "Relevant" terms wait for a lead reviewer's choice; a term that names no unit is reported as a
    problem, not skipped silently. Dispatching again creates only what is missing.
    """
    with transaction.atomic(durable=True):
        plan = Plan.objects.select_for_update().filter(pk=plan_id).first()
        if plan is None:
            raise NotFound(_("计划不存在"))
        if not can_supervise(actor, plan):
            raise NotAllowed(_("只有该计划的督办单位可以交办"))
        if task_id is not None and not plan.tasks.filter(pk=task_id).exists():
            raise Invalid(_("该任务不属于此计划"), fields={"task": [_("该任务不属于此计划")]})
        round_ = _round(plan, round_id, actor)
        result = DispatchResult(round=round_)
        tasks = _tasks(plan, [task_id] if task_id else None)
        result.created = _create(round_, _pairs(tasks, _active_units_by_kind(), result))
        record_event(action="plan.dispatched", actor=actor, unit=plan.supervising_unit, role="supervisor",
                     target=plan, plan_id=plan.pk, task_id=task_id, details={
                         "round": round_.name, "created": len(result.created), "problems": result.problems,
                         "awaiting_selection": [f"{n}:{t}" for n, t in result.awaiting_selection]})
    return result


def _round(plan: Plan, round_id, actor) -> ReportingRound:
    if round_id is None:
        return default_round(plan, actor)
    round_ = plan.rounds.filter(pk=round_id).first()
    if round_ is None:
        raise Invalid(_("该轮次不属于此计划"), fields={"round": [_("该轮次不属于此计划")]})
    return round_


def task_select_units(*, actor, task_id: int, unit_names: Sequence[str], round_id: int | None = None) -> DispatchResult:
    """A lead reviewer names the units behind the task's "relevant" terms; each gets an assignment."""
    with transaction.atomic(durable=True):
        task = (Task.objects.select_related("plan").prefetch_related("party_set__unit", "party_set__group_term",
                                                                      "deadlines").filter(pk=task_id).first())
        if task is None:
            raise NotFound(_("任务不存在"))
        if not can_select_units(actor, task):
            raise NotAllowed(_("只有该任务牵头部门的审核人可以选定承办单位"))
        relevant = [p for p in task.party_set.all() if p.role == PartyRole.RESPONSIBLE
                    and p.group_term_id and p.group_term.scope == TermScope.RELEVANT]
        if not relevant:
            raise Invalid(_("该任务没有需要选定单位的“相关”类责任部门"))
        names = [n.strip() for n in unit_names if n and n.strip()]
        if not names:
            raise Invalid(_("请至少选择一个单位"), fields={"units": [_("请至少选择一个单位")]})
        units = {u.short_name: u for u in Unit.objects.filter(short_name__in=names, is_active=True)}
        missing = [n for n in names if n not in units]
        if missing:
            message = _("单位库中没有这些启用单位：%(names)s") % {"names": "、".join(missing)}
            raise Invalid(message, fields={"units": [message]})
        pairs = []
        for name in names:
            unit = units[name]
            party = next((p for p in relevant if p.group_term.kind == unit.kind), None)
            if party is None:
                message = (_("“%(unit)s”不属于本任务的相关责任部门（%(terms)s）")
                           % {"unit": name, "terms": "、".join(p.name for p in relevant)})
                raise Invalid(message, fields={"units": [message]})
            pairs.append((task, unit, party))
        round_ = _round(task.plan, round_id, actor)
        result = DispatchResult(round=round_, created=_create(round_, pairs))
        record_event(action="task.units_selected", actor=actor, role="reviewer", target=task,
                     plan_id=task.plan_id, task_id=task.pk,
                     details={"round": round_.name, "units": names, "created": len(result.created)})
    return result


def round_open(*, actor, plan_id: int, name: str) -> ReportingRound:
    """Open a new reporting round (e.g. 2018年度); earlier rounds' assignments stay untouched."""
    name = (name or "").strip()
    with transaction.atomic(durable=True):
        plan = Plan.objects.select_for_update().filter(pk=plan_id).first()
        if plan is None:
            raise NotFound(_("计划不存在"))
        if not can_supervise(actor, plan):
            raise NotAllowed(_("只有该计划的督办单位可以开启新的报送轮次"))
        if not name:
            raise Invalid(_("请填写轮次名称"), fields={"name": [_("请填写轮次名称")]})
        if plan.rounds.filter(name=name).exists():
            message = _("已有名为“%(name)s”的轮次") % {"name": name}
            raise Invalid(message, fields={"name": [message]})
        default_round(plan, actor)
        position = plan.rounds.order_by("-position").values_list("position", flat=True).first() + 1
        round_ = ReportingRound.objects.create(plan=plan, name=name, position=position, opened_by=actor)
        record_event(action="round.opened", actor=actor, unit=plan.supervising_unit, role="supervisor",
                     target=plan, plan_id=plan.pk, details={"round": name})
    return round_


def assignment_set_due_date(*, actor, assignment_id: int, due_date: dt.date, reason: str = "") -> Assignment:
    """The supervising office sets an assignment's due date.

    Before the unit has begun (已交办, nothing approved yet) the new date is the original one. Once
    the work has begun a change needs a reason: a later date is an extension the office grants
    (kept as an approved 延期申请 beside the original date), an earlier one moves only the date due
    now; the scorecard keeps counting from the original date unless an extension was approved.
    """
    reason = plain_lines(reason or "").strip()
    with transaction.atomic(durable=True):
        assignment = (Assignment.objects.select_for_update(of=("self",)).select_related("task__plan", "unit")
                      .filter(pk=assignment_id).first())
        if assignment is None:
            raise NotFound(_("承办件不存在"))
        if not can_supervise(actor, assignment.task.plan):
            raise NotAllowed(_("只有督办单位可以调整办理期限"))
        before = assignment.due_date
        if due_date == before:
            return assignment
        details = {"from": before.isoformat(), "to": due_date.isoformat()}
        begun = assignment.state != AssignmentState.ASSIGNED or assignment.extended_due_date is not None
        if not begun:
            assignment.due_date = assignment.original_due_date = due_date
            assignment.save(update_fields=["due_date", "original_due_date", "updated_at"])
        elif not reason:
            message = _("承办单位已开始办理，调整办理期限须填写理由（记入延期记录，考核仍按原定期限计算，经批准延期的除外）")
            raise Invalid(message, fields={"reason": [message]})
        elif due_date > before:
            details["extension"] = extensions.office_extension(assignment, actor, due_date, reason).pk
        else:
            original = assignment.original_due_date or before
            assignment.due_date = due_date
            assignment.extended_due_date = due_date if due_date > original else None
            assignment.save(update_fields=["due_date", "extended_due_date", "updated_at"])
        if "extension" not in details:
            refresh_inbox([assignment.pk])
            period_services.periods_generate([assignment.pk])  # its periods now run to the new date
        record_event(action="assignment.due_date_changed", actor=actor, unit=assignment.task.plan.supervising_unit,
                     role="supervisor", target=assignment, plan_id=assignment.task.plan_id,
                     task_id=assignment.task_id, assignment_id=assignment.pk, reason=reason, details=details)
    return assignment
