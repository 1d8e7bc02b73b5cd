"""Plan revisions (计划修订): compare a revised document with the plan and apply the difference.

Tasks are matched by number (``workflows.importers.diff``). Applying, in one transaction:
added tasks are created and dispatched into every reporting round of the plan; removed tasks
are marked withdrawn and their open assignments closed as 任务已撤销 (history kept, accepted
ones untouched); changed tasks keep their assignments, are rewritten, and record the change
(``TaskChange``) that their units see on the assignment page. A task whose lead departments
changed moves the review right to the new leads.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import PurePath

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event

from ..access.policies import Decision, can_revise_plan, can_supervise
from ..directory import find_unknown_names
from ..importers import LayoutMapping, ParsedPlan, PlanParseError, parse_plan_file
from ..importers.diff import PlanDiff, TaskSnapshot, diff_tasks, snapshots_of
from ..models import (
    OPEN_STATES,
    Assignment,
    PartyRole,
    Plan,
    PlanRevision,
    Section,
    Task,
    TaskChange,
    TaskDeadline,
    TaskParty,
    TaskTarget,
)
from ..selectors.directory import unit_directory
from .assignments import _transition
from .dispatch import (
    DispatchResult,
    _active_units_by_kind,
    _create,
    _pairs,
    _tasks,
    grant_permissions,
    revoke_work,
)
from .errors import Invalid, NotAllowed, NotFound, WrongState
from .inbox import refresh_inbox
from .plans import task_fields, task_rows


@dataclass
class RevisionPreview:
    plan: Plan
    parsed: ParsedPlan
    filename: str
    sha256: str
    diff: PlanDiff
    # Per removed task number: how many open assignments would close, and how many accepted stay.
    closing: dict[int, int] = field(default_factory=dict)
    kept_accepted: dict[int, int] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        return self.diff.fingerprint()

    def to_dict(self) -> dict:
        return {"plan": self.plan.pk, "plan_title": self.plan.title, "doc_number": self.plan.doc_number,
                "filename": self.filename, "sha256": self.sha256, "fingerprint": self.fingerprint,
                **self.diff.to_dict(),
                "assignments_to_withdraw": sum(self.closing.values()),
                "accepted_kept": sum(self.kept_accepted.values())}


def current_snapshots(plan: Plan) -> list[TaskSnapshot]:
    """The plan's tasks as they stand (withdrawn ones left out), in comparable form."""
    tasks = (plan.tasks.filter(withdrawn_at__isnull=True).select_related("section")
             .prefetch_related("party_set").order_by("number"))
    return [TaskSnapshot(number=t.number, section=f"{t.section.numeral}{t.section.title}", text=t.text,
                         lead_units=tuple(t.lead_names), responsible_terms=tuple(t.responsible_names),
                         cooperating_units=tuple(t.cooperating_names)) for t in tasks]


def _target_plan(parsed: ParsedPlan | None, plan_id: int | None) -> Plan:
    if plan_id is not None:
        plan = Plan.objects.filter(pk=plan_id).first()
        if plan is None:
            raise NotFound(_("计划不存在"))
        return plan
    plan = Plan.objects.filter(doc_number=parsed.doc_number).order_by("pk").first() if parsed.doc_number else None
    if plan is None:
        raise Invalid(_("找不到文号为“%(number)s”的计划；请指明要修订的计划")
                      % {"number": parsed.doc_number or "—"}, fields={"plan": [_("请指明要修订的计划")]})
    return plan


def _may_revise(actor, plan: Plan) -> None:
    # actor None: the command line, run by the system's operator.
    if actor is not None and not can_revise_plan(actor, plan):
        raise NotAllowed(_("只有管理员或该计划的督办单位可以修订计划"))


def plan_revision_preview(*, actor, data: bytes, filename: str, plan_id: int | None = None,
                          mapping: LayoutMapping | None = None) -> RevisionPreview:
    """Parse the revised document (with ``mapping``, a layout profile's, when given) and compare
    it with the plan; write nothing.

    Refuses in this order: 404 (no such plan), 403 (may not revise it), 400 (unreadable file,
    unknown unit names), 409 (this file was imported or applied already).
    """
    if plan_id is not None:
        _may_revise(actor, _target_plan(None, plan_id))
    try:
        parsed = parse_plan_file(data, filename, mapping=mapping)
    except PlanParseError as exc:
        raise Invalid(_("无法读取修订文件：%(error)s") % {"error": exc.display()},
                      fields={"file": [exc.display()]}) from exc
    plan = _target_plan(parsed, plan_id)
    _may_revise(actor, plan)
    sha256 = hashlib.sha256(data).hexdigest()
    if sha256 == plan.source_sha256 or plan.revisions.filter(source_sha256=sha256).exists():
        raise WrongState(_("该文件已导入或已应用于本计划，不能重复修订"))
    unknown, bad_leads = find_unknown_names(parsed, unit_directory())
    if unknown or bad_leads:
        lines = [u.message() for u in unknown] + [b.message() for b in bad_leads]
        raise Invalid(_("修订文件中有单位库未知的名称，请先在单位库中补充：\n%(lines)s") % {"lines": "\n".join(lines)},
                      fields={"file": lines})
    diff = diff_tasks(current_snapshots(plan), snapshots_of(parsed))
    preview = RevisionPreview(plan=plan, parsed=parsed, filename=PurePath(filename).name[:255], sha256=sha256,
                              diff=diff)
    removed = [t.number for t in diff.removed]
    for number, state in Assignment.objects.filter(task__plan=plan, task__number__in=removed).values_list(
            "task__number", "state"):
        if state in OPEN_STATES:
            preview.closing[number] = preview.closing.get(number, 0) + 1
        elif state == "accepted":
            preview.kept_accepted[number] = preview.kept_accepted.get(number, 0) + 1
    return preview


def plan_revise(*, actor, data: bytes, filename: str, plan_id: int | None = None,
                fingerprint: str | None = None, mapping: LayoutMapping | None = None) -> PlanRevision:
    """Apply a revised document to its plan, all or nothing (see the module's docstring).

    ``fingerprint`` is the diff shown to the person confirming; if the plan has changed since,
    the revision is refused (409) rather than applying something nobody saw.
    """
    with transaction.atomic(durable=True):
        preview = plan_revision_preview(actor=actor, data=data, filename=filename, plan_id=plan_id,
                                        mapping=mapping)
        plan = Plan.objects.select_for_update().get(pk=preview.plan.pk)
        if fingerprint and fingerprint != preview.fingerprint:
            raise WrongState(_("计划在预览之后已有变化，请重新预览后再确认"))
        diff = preview.diff
        if diff.empty:
            raise Invalid(_("修订文件与当前计划没有差异"), fields={"file": [_("修订文件与当前计划没有差异")]})
        number = (plan.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        revision = PlanRevision.objects.create(plan=plan, number=number, source_name=preview.filename,
                                               source_sha256=preview.sha256,
                                               applied_by=actor if getattr(actor, "pk", None) else None)
        writer = _Writer(plan, preview.parsed, revision, actor)
        withdrawn = writer.remove([t.number for t in diff.removed])
        writer.change(diff.changed)
        added = writer.add([t.number for t in diff.added])
        dispatched = writer.dispatch(added)
        revision.diff = {**diff.to_dict(), "withdrawn_assignments": withdrawn, **dispatched}
        revision.save(update_fields=["diff"])
        record_event(action="plan.revised", actor=actor, unit=plan.supervising_unit if actor else None,
                     role="supervisor" if actor is not None and can_supervise(actor, plan) else "",
                     target=plan, plan_id=plan.pk, details={
                         "revision": number, "filename": preview.filename, "sha256": preview.sha256,
                         "added": [t.number for t in diff.added], "removed": [t.number for t in diff.removed],
                         "changed": [n for n, _f in diff.changed], "withdrawn_assignments": withdrawn,
                         "created_assignments": dispatched["created_assignments"],
                         "awaiting_selection": dispatched["awaiting_selection"]})
    return revision


class _Writer:
    """Writes one revision's task changes; used only inside ``plan_revise``'s transaction."""

    def __init__(self, plan: Plan, parsed: ParsedPlan, revision: PlanRevision, actor):
        self.plan, self.revision, self.actor = plan, revision, actor
        self.parsed = {t.number: (s, t) for s in parsed.sections for t in s.tasks}
        self.tasks = {t.number: t for t in plan.tasks.all()}
        self.directory = unit_directory()
        self.now = timezone.now()
        self.changed_ids: list[int] = []

    def remove(self, numbers: list[int]) -> list[int]:
        """Withdraw the tasks; close their open assignments (one audit event each)."""
        closed = []
        decision = Decision(True, 200)
        for number in numbers:
            task = self.tasks[number]
            task.withdrawn_at = self.now
            task.save(update_fields=["withdrawn_at"])
            TaskChange.objects.create(revision=self.revision, task=task, kind="removed")
            for assignment in (Assignment.objects.select_for_update(of=("self",))
                               .select_related("task__plan", "unit", "round")
                               .filter(task=task, state__in=OPEN_STATES).order_by("pk")):
                revoke_work(assignment)
                _transition(assignment, "withdraw", decision, self.actor,
                            reason=_("计划第 %(n)s 次修订撤销了本任务") % {"n": self.revision.number},
                            details={"revision": self.revision.number})
                closed.append(assignment.pk)
        return closed

    def change(self, changed) -> None:
        for number, fields in changed:
            task = self.tasks[number]
            old_leads = {p.unit_id for p in task.party_set.all() if p.role == PartyRole.LEAD}
            self._write(task, number)
            TaskChange.objects.create(revision=self.revision, task=task, kind="changed",
                                      fields={k: list(v) for k, v in fields.items()})
            if "lead_units" in fields:
                self._move_review(task, old_leads)
            self.changed_ids.append(task.pk)

    def add(self, numbers: list[int]) -> list[int]:
        ids = []
        for number in numbers:
            task = self.tasks.get(number)  # a withdrawn task of that number comes back
            if task is None:
                section, parsed_task = self.parsed[number]
                task = Task.objects.create(plan=self.plan, section=self._section(section), number=number,
                                           **task_fields(parsed_task))
            task.withdrawn_at = None
            self._write(task, number)
            TaskChange.objects.create(revision=self.revision, task=task, kind="added")
            ids.append(task.pk)
        return ids

    def dispatch(self, added_ids: list[int]) -> dict:
        """New tasks into every round; changed ones into the rounds they were already dispatched in
        (units a narrowed or widened term now names explicitly)."""
        created, awaiting, problems = 0, [], []
        units_by_kind = _active_units_by_kind()
        for round_ in self.plan.rounds.order_by("position"):
            ids = list(added_ids) + list(Assignment.objects.filter(round=round_, task_id__in=self.changed_ids)
                                         .values_list("task_id", flat=True).distinct())
            if not ids:
                continue
            result = DispatchResult(round=round_)
            created += len(_create(round_, _pairs(_tasks(self.plan, ids), units_by_kind, result)))
            # A "relevant" term of a changed task whose lead already chose units in this round waits for nobody.
            chosen = set(Assignment.objects.filter(round=round_, task_id__in=ids, source_party__isnull=False)
                         .values_list("task__number", "source_party__name"))
            awaiting += [f"{round_.name}:{n}:{t}" for n, t in result.awaiting_selection if (n, t) not in chosen]
            problems += result.problems
        return {"created_assignments": created, "awaiting_selection": awaiting, "problems": problems}

    def _section(self, parsed_section) -> Section:
        section = self.plan.sections.filter(numeral=parsed_section.numeral, title=parsed_section.title).first()
        if section is None:
            position = (self.plan.sections.aggregate(p=Max("position"))["p"] or 0) + 1
            section = Section.objects.create(plan=self.plan, numeral=parsed_section.numeral,
                                             title=parsed_section.title, position=position)
        return section

    def _write(self, task: Task, number: int) -> None:
        """Rewrite the task from the revision; assignments keep it, re-linked to their term by name."""
        parsed_section, parsed_task = self.parsed[number]
        task.section = self._section(parsed_section)
        for name, value in task_fields(parsed_task).items():
            setattr(task, name, value)
        task.save()
        old = {p.pk: (p.role, p.name) for p in TaskParty.objects.filter(task=task)}
        linked = list(Assignment.objects.filter(task=task, source_party_id__in=list(old))
                      .values_list("pk", "source_party_id"))
        Assignment.objects.filter(task=task).update(source_party=None)
        TaskParty.objects.filter(task=task).delete()
        TaskDeadline.objects.filter(task=task).delete()
        TaskTarget.objects.filter(task=task).delete()
        parties, deadlines, targets = task_rows(task, parsed_task, self.directory)
        TaskParty.objects.bulk_create(parties)
        TaskDeadline.objects.bulk_create(deadlines)
        TaskTarget.objects.bulk_create(targets)
        by_name = {(p.role, p.name): p.pk for p in TaskParty.objects.filter(task=task)}
        for assignment_id, party_id in linked:
            new_party = by_name.get(old[party_id])
            if new_party:
                Assignment.objects.filter(pk=assignment_id).update(source_party_id=new_party)

    def _move_review(self, task: Task, old_leads: set[int]) -> None:
        """Departments no longer leading lose the review right; new leads gain it on open assignments."""
        from guardian.shortcuts import remove_perm

        from ..access.groups import unit_role_group
        from ..models import Unit

        task = Task.objects.prefetch_related("party_set").select_related("plan").get(pk=task.pk)
        new_leads = {p.unit_id for p in task.party_set.all() if p.role == PartyRole.LEAD}
        assignments = list(Assignment.objects.filter(task=task).select_related("task__plan"))
        for unit in Unit.objects.filter(pk__in=old_leads - new_leads):
            group = unit_role_group(unit, "reviewer")
            for assignment in assignments:
                remove_perm("workflows.review_assignment", group, assignment)
        refresh_inbox(a.pk for a in assignments)
        open_ones = [a for a in assignments if a.state in OPEN_STATES]
        for assignment in open_ones:
            assignment.task = task
        grant_permissions(open_ones)
