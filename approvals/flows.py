"""The people side of the assignment workflow: one viewflow process per assignment.

``Assignment.state`` (the django-fsm field) is the single business state. The process only
follows it: the services send ``workflows.signals`` right after each transition, ``approvals.apps``
connects them to the two receivers below, and each completes the open human task as the acting
person so that viewflow creates the next one.
Nobody is ever allowed or refused by viewflow: ``workflows.access.policies.decide`` decides, and
the inbox and queue come from our own permission tables (viewflow 2.4's queue reads only
guardian's generic ones).

    start ─▶ work (承办) ─▶ review (牵头审核) ─▶ approved? ─yes▶ acceptance (验收) ─▶ accepted? ─yes▶ end
               ▲                                  │no                            │no
               └──────────────────────────────────┴──────────────────────────────┘
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS
from viewflow.workflow.token import Token

from workflows.access.policies import ACTION_LABELS, decide
from workflows.models import Assignment, AssignmentGroupObjectPermission, AssignmentState

logger = logging.getLogger(__name__)

# viewflow 2.4 ships an empty zh_Hans catalogue: our pages use these labels, never its own.
STATUS_LABELS = {
    STATUS.NEW: _("待办"), STATUS.ASSIGNED: _("已分派"), STATUS.STARTED: _("办理中"),
    STATUS.DONE: _("已完成"), STATUS.CANCELED: _("已取消"), STATUS.ERROR: _("出错"),
}
TASK_TITLES = {"work": _("承办"), "review": _("牵头审核"), "acceptance": _("验收")}
OPEN_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
HUMAN = "HUMAN"

# What each human step waits for: the object permission that lets a person do it.
NODE_PERMISSION = {"work": "work_assignment", "review": "review_assignment", "acceptance": "accept_assignment"}
# The one open human step each FSM state implies (none once accepted).
NODE_OF_STATE = {
    AssignmentState.ASSIGNED: "work", AssignmentState.IN_PROGRESS: "work",
    AssignmentState.SUBMITTED: "review", AssignmentState.LEAD_REVIEWED: "acceptance",
    AssignmentState.ACCEPTED: None, AssignmentState.TRANSFERRED: None, AssignmentState.NOT_APPLICABLE: None,
    AssignmentState.WITHDRAWN: None,
}
# Actions that close an assignment without acceptance: its process is cancelled, history kept.
CLOSING_ACTIONS = ("transfer", "not_applicable", "withdraw")
# The steps a service action completes; "start" completes nothing (it only takes the work step).
NODES_COMPLETED_BY = {"submit": ("work",), "approve": ("review",), "return": ("review", "acceptance"),
                      "accept": ("acceptance",)}
# Which of our policy actions a person must be allowed to do at each step.
POLICY_ACTIONS = {"work": ("start", "submit"), "review": ("approve", "return"),
                  "acceptance": ("accept", "return")}


def _assignment_of(process) -> Assignment:
    return process.artifact


def _task_view(request, **kwargs):
    # viewflow wants a view per human step; ours only leads to the assignment page (flow:task).
    return redirect("flow:task", task_pk=kwargs["task_pk"])


class PolicyView(flow.View):
    """A human step whose "who may act" is ``workflows.access.policies.decide``, not viewflow's check.

    viewflow's own ``can_assign``/``can_execute`` consult guardian's generic tables and the task
    owner; ours are direct foreign-key tables, and the services are the only way to act.
    """

    def _allowed(self, user, task) -> bool:
        if user is None or not user.is_authenticated:
            return False
        assignment = task.process.artifact
        return any(decide(user, assignment, action).allowed for action in POLICY_ACTIONS[self.name])

    def can_assign(self, user, task) -> bool:
        return self._allowed(user, task)

    def can_execute(self, user, task) -> bool:
        return self._allowed(user, task)


def _step(name: str, next_node) -> PolicyView:
    return (PolicyView(_task_view).Annotation(title=TASK_TITLES[name])
            .Permission(f"workflows.{NODE_PERMISSION[name]}", obj=_assignment_of).Next(next_node))


class AssignmentFlow(flow.Flow):
    """承办件办理流程"""

    process_title = _("承办件办理流程")

    start = flow.StartHandle(this.start_process).Annotation(title=_("交办")).Next(this.work)
    work = _step("work", this.review)
    review = _step("review", this.review_outcome)
    review_outcome = (flow.If(this.is_lead_reviewed).Annotation(title=_("审核结果"))
                      .Then(this.acceptance).Else(this.work))
    acceptance = _step("acceptance", this.acceptance_outcome)
    acceptance_outcome = (flow.If(this.is_accepted).Annotation(title=_("验收结果"))
                          .Then(this.end).Else(this.work))
    end = flow.End().Annotation(title=_("办结"))

    def start_process(self, activation, assignment: Assignment):
        """Link the new process to its assignment (viewflow's StartHandle entry point)."""
        activation.process.artifact = assignment
        return activation.process

    # The gates read the FSM state the service has just saved: the flow decides nothing.
    def is_lead_reviewed(self, activation) -> bool:
        return activation.process.artifact.state == AssignmentState.LEAD_REVIEWED

    def is_accepted(self, activation) -> bool:
        return activation.process.artifact.state == AssignmentState.ACCEPTED


def _assignment_type() -> ContentType:
    return ContentType.objects.get_for_model(Assignment)


def flow_tasks() -> QuerySet[Task]:
    """Every task of the assignment flow."""
    return Task.objects.filter(process__flow_class=AssignmentFlow)


def processes_of(assignment_ids: Iterable[int]) -> QuerySet[Process]:
    return Process.objects.filter(flow_class=AssignmentFlow, artifact_content_type=_assignment_type(),
                                  artifact_object_id__in=list(assignment_ids))


def open_tasks_of(assignment: Assignment) -> list[Task]:
    """The assignment's open human tasks (exactly one while it is not accepted)."""
    return list(flow_tasks().select_related("process").filter(
        process__artifact_content_type=_assignment_type(), process__artifact_object_id=assignment.pk,
        flow_task_type=HUMAN, status__in=OPEN_STATUSES).order_by("id"))


# --- starting processes --------------------------------------------------------------------

def start_processes(assignments: Sequence[Assignment], nodes: Sequence[str] | None = None) -> list[Process]:
    """Start one process per assignment, its open human step being ``nodes[i]`` (default: work).

    Writes the rows viewflow's ``StartHandle.run`` writes (a NEW process, a DONE start task,
    a NEW human task whose ``previous`` is the start task, with its owner permission and
    object) in four bulk queries instead of about nine queries per process. Needs a database
    that returns ids from bulk inserts (PostgreSQL, SQLite 3.35+), as the project uses.
    """
    if not assignments:
        return []
    nodes = list(nodes) if nodes is not None else ["work"] * len(assignments)
    flow_class, now, ctype = AssignmentFlow, timezone.now(), _assignment_type()
    processes = Process.objects.bulk_create([
        Process(flow_class=flow_class, artifact_content_type=ctype, artifact_object_id=a.pk, created=now)
        for a in assignments])
    starts = Task.objects.bulk_create([
        Task(process=p, flow_task=flow_class.start, flow_task_type=flow_class.start.task_type,
             status=STATUS.DONE, created=now, started=now, finished=now, token=Token("start"))
        for p in processes])
    opened = Task.objects.bulk_create([_human_task(p, a, getattr(flow_class, node), now, ctype)
                                       for p, a, node in zip(processes, assignments, nodes, strict=True)])
    links = Task.previous.through
    links.objects.bulk_create([links(from_task_id=task.pk, to_task_id=start.pk)
                               for task, start in zip(opened, starts, strict=True)])
    return processes


def _human_task(process: Process, assignment: Assignment, node, now, ctype) -> Task:
    return Task(process=process, flow_task=node, flow_task_type=node.task_type, status=STATUS.NEW,
                created=now, token=Token("start"), owner_permission=f"workflows.{NODE_PERMISSION[node.name]}",
                owner_permission_content_type=ctype, owner_permission_obj_pk=str(assignment.pk))


def on_assignments_opened(sender, *, assignments: Sequence[Assignment], **kwargs) -> None:
    """Receiver of ``assignments_opened``: give every new assignment its process, in the
    dispatching transaction."""
    start_processes(assignments, [NODE_OF_STATE[a.state] or "work" for a in assignments])


# --- following the services --------------------------------------------------------------

def on_assignment_transitioned(sender, *, assignment: Assignment, action: str, actor, **kwargs) -> None:
    """Receiver of ``assignment_transitioned``: move the process to where the FSM now is, as ``actor``.

    ``start`` takes the work step (assigned to and started by the actor); every other action
    completes its step as the actor, and viewflow creates the next one.
    """
    if action in CLOSING_ACTIONS:
        close_process(assignment)
        return
    if action == "recall":
        # 撤回报送 is nobody's review: the review step is cancelled and the unit's work step opens again.
        _resync(assignment, open_tasks_of(assignment), "work")
        return
    expected = ("work",) if action == "start" else NODES_COMPLETED_BY[action]
    task = _task_to_act_on(assignment, action, expected)
    process = task.process
    # Cached on the process the activations share: the gates read the new state, no query.
    process.artifact = assignment
    with AssignmentFlow.lock(process.pk):
        activation = task.flow_task.activation_class(task)
        if activation.assign.can_proceed():
            activation.assign(actor)
        # The person who acts owns the step, even when a colleague had taken it.
        task.owner = actor
        if activation.start.can_proceed():
            activation.start(None)  # viewflow's "execute" transition; it never reads the request
        if action == "start":
            task.save()
            return
        task.data = {**(task.data or {}), "outcome": action}
        activation.execute()


def close_process(assignment: Assignment) -> None:
    """Cancel the open steps and the process of an assignment closed without acceptance."""
    now = timezone.now()
    for process in processes_of([assignment.pk]).filter(finished__isnull=True):
        with AssignmentFlow.lock(process.pk):
            process.task_set.filter(status__in=OPEN_STATUSES).update(status=STATUS.CANCELED, finished=now)
            process.status, process.finished = STATUS.CANCELED, now
            process.save(update_fields=["status", "finished"])


def _task_to_act_on(assignment: Assignment, action: str, expected: tuple[str, ...]) -> Task:
    """The open step the action belongs to; repaired from the FSM if the process strayed."""
    tasks = open_tasks_of(assignment)
    if len(tasks) == 1 and tasks[0].flow_task.name in expected:
        return tasks[0]
    node = expected[0] if len(expected) == 1 else _returned_from_node(assignment)
    logger.warning("assignment %s: process out of step for %r (open: %s); re-synchronised at %s",
                   assignment.pk, action, [t.flow_task.name for t in tasks] or "none", node)
    return _resync(assignment, tasks, node)


def _returned_from_node(assignment: Assignment) -> str:
    # The service recorded which step the return came from before the transition.
    submission = assignment.submissions.order_by("-number").first()
    returned_from = submission.returned_from if submission else ""
    return "acceptance" if returned_from == AssignmentState.LEAD_REVIEWED else "review"


def _resync(assignment: Assignment, stray: list[Task], node: str) -> Task:
    """Cancel stray open steps and open ``node`` (starting a process for older assignments)."""
    now = timezone.now()
    process = processes_of([assignment.pk]).filter(finished__isnull=True).order_by("-id").first()
    if process is None:
        start_processes([assignment], [node])
    else:
        for task in stray:
            task.status, task.finished = STATUS.CANCELED, now
            task.save(update_fields=["status", "finished"])
        task = _human_task(process, assignment, getattr(AssignmentFlow, node), now, _assignment_type())
        task.save()
        task.previous.add(*stray)
    return open_tasks_of(assignment)[0]


# --- reads: our inbox, queue and history --------------------------------------------------

def open_tasks_for(user) -> QuerySet[Task]:
    """Open human tasks waiting on a right that the user's unit-role groups hold.

    The same question ``workflows.selectors.inbox.assignments_awaiting`` answers, asked of the tasks:
    each task's ``owner_permission`` names the right it waits for, checked against our direct
    foreign-key permission table (viewflow's own queue would read guardian's generic one).
    """
    if not (user.is_authenticated and user.is_active):
        return Task.objects.none()
    groups = user.groups.all()
    condition = Q()
    for codename in NODE_PERMISSION.values():
        held = Exists(AssignmentGroupObjectPermission.objects.filter(
            content_object_id=OuterRef("process__artifact_object_id"), permission__codename=codename,
            group__in=groups))
        condition |= Q(held, owner_permission=f"workflows.{codename}")
    return (flow_tasks().filter(process__artifact_content_type=_assignment_type(), flow_task_type=HUMAN,
                                status__in=OPEN_STATUSES)
            .filter(condition).select_related("process", "owner")
            .annotate(due_date=Subquery(Assignment.objects.filter(pk=OuterRef("process__artifact_object_id"))
                                        .values("due_date")[:1]))
            .order_by("due_date", "created", "id"))


def done_tasks_for(user) -> QuerySet[Task]:
    """已办: the human tasks this user completed, newest first."""
    if not (user.is_authenticated and user.is_active):
        return Task.objects.none()
    return (flow_tasks().filter(flow_task_type=HUMAN, status=STATUS.DONE, owner=user)
            .select_related("process").order_by("-finished", "-id"))


def attach_assignments(tasks: Sequence[Task]) -> list[Task]:
    """Give each task ``.assignment`` (with task, plan and unit) and Chinese labels, in one query."""
    ids = {t.process.artifact_object_id for t in tasks}
    found = Assignment.objects.select_related("task__plan", "unit", "round").in_bulk(ids)
    for task in tasks:
        task.assignment = found.get(task.process.artifact_object_id)
        name = task.flow_task.name if task.flow_task else ""
        task.title_label = TASK_TITLES.get(name, name)
        task.status_label = STATUS_LABELS.get(task.status, task.status)
        outcome = (task.data or {}).get("outcome", "")
        task.outcome_label = ACTION_LABELS.get(outcome, outcome)
    return list(tasks)
