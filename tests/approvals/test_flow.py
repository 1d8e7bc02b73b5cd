"""The viewflow process follows every assignment's state machine, and its pages answer from our policies."""
from __future__ import annotations

import secrets

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from approvals.flows import (
    NODE_OF_STATE,
    AssignmentFlow,
    done_tasks_for,
    flow_tasks,
    open_tasks_for,
    processes_of,
)
from approvals.views.flow import assignment_url
from tests.factories import UnitFactory, UserFactory
from workflows.models import Assignment, Plan, Section, TaskParty, Unit
from workflows.models import Task as PlanTask
from workflows.selectors.inbox import assignments_awaiting
from workflows.services import errors
from workflows.services.assignments import (
    assignment_accept,
    assignment_approve,
    assignment_return,
    assignment_start,
    assignment_submit,
)
from workflows.services.dispatch import plan_dispatch
from workflows.services.memberships import membership_grant

pytestmark = pytest.mark.django_db


# --- building a small plan -----------------------------------------------------------------

def make_plan(n_tasks: int, *, lead: Unit, responsible: Unit, supervising: Unit) -> Plan:
    plan = Plan.objects.create(title="测试计划（2016—2020年）", supervising_unit=supervising,
                               source_file="plans/test.txt", source_name="test.txt",
                               source_sha256=secrets.token_hex(32), source_size=1, source_format="txt")
    section = Section.objects.create(plan=plan, numeral="（一）", title="测试", position=1)
    for number in range(1, n_tasks + 1):
        task = PlanTask.objects.create(plan=plan, section=section, number=number, text=f"第{number}项任务")
        TaskParty.objects.create(task=task, role="lead", position=0, name=lead.short_name, unit=lead)
        TaskParty.objects.create(task=task, role="responsible", position=0, name=responsible.short_name,
                                 unit=responsible)
    return plan


def person(username: str, unit: Unit, *roles: str):
    user = UserFactory(username=username)
    for role in roles:
        membership_grant(actor=None, user=user, unit=unit, role=role)
    return user


@pytest.fixture
def world():
    return make_world()


def make_world() -> dict:
    """One plan dispatched to one unit: two submitters, a reviewer, a supervisor, an outsider."""
    responsible, lead = UnitFactory(short_name="承办局"), UnitFactory(short_name="牵头局")
    supervising, other = UnitFactory(short_name="督办室"), UnitFactory(short_name="无关局")
    people = {
        "submitter": person("submitter", responsible, "submitter"),
        "colleague": person("colleague", responsible, "submitter"),
        "reviewer": person("reviewer", lead, "reviewer"),
        "supervisor": person("supervisor", supervising, "supervisor"),
        "outsider": person("outsider", other, "submitter"),
    }
    plan = make_plan(3, lead=lead, responsible=responsible, supervising=supervising)
    result = plan_dispatch(actor=people["supervisor"], plan_id=plan.pk)
    return {"plan": plan, "assignments": result.created, **people}


def flow_snapshot(assignment) -> list[tuple]:
    return list(flow_tasks().filter(process__artifact_object_id=assignment.pk)
                .order_by("id").values_list("id", "flow_task", "status", "owner_id"))


def assert_flow_agrees(assignment) -> None:
    """Exactly one open human task whose step matches the FSM state; none (and DONE) once accepted."""
    assignment.refresh_from_db()
    [process] = processes_of([assignment.pk])
    open_tasks = list(process.task_set.filter(flow_task_type="HUMAN",
                                              status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]))
    expected = NODE_OF_STATE[assignment.state]
    if expected is None:
        assert open_tasks == []
        assert process.status == STATUS.DONE and process.finished is not None
    else:
        assert [t.flow_task.name for t in open_tasks] == [expected]
        assert process.status == "NEW" and process.finished is None
    assert not process.task_set.filter(status=STATUS.ERROR).exists()


def submit(actor, assignment, report="已完成"):
    return assignment_submit(actor=actor, assignment_id=assignment.pk, report=report,
                             no_file_statement="本项工作无书面材料")


# --- the walk ------------------------------------------------------------------------------

def test_dispatch_starts_one_process_per_assignment_with_an_open_work_step(world):
    assignments = world["assignments"]
    assert len(assignments) == 3
    assert processes_of([a.pk for a in assignments]).count() == 3
    for assignment in assignments:
        assert_flow_agrees(assignment)
        [task] = open_tasks_of_assignment(assignment)
        assert task.status == STATUS.NEW and task.owner_id is None
        assert task.owner_permission == "workflows.work_assignment"
        assert task.owner_permission_obj == assignment


def open_tasks_of_assignment(assignment):
    return list(flow_tasks().filter(process__artifact_object_id=assignment.pk, flow_task_type="HUMAN",
                                    status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]))


def test_the_straight_path_keeps_flow_and_state_machine_in_step(world):
    a, submitter, reviewer, supervisor = world["assignments"][0], world["submitter"], world["reviewer"], world["supervisor"]

    assignment_start(actor=submitter, assignment_id=a.pk)
    assert_flow_agrees(a)
    [work] = open_tasks_of_assignment(a)
    assert (work.status, work.owner) == (STATUS.STARTED, submitter)

    submit(submitter, a)
    assert_flow_agrees(a)
    assignment_approve(actor=reviewer, assignment_id=a.pk, opinion="同意")
    assert_flow_agrees(a)
    assignment_accept(actor=supervisor, assignment_id=a.pk, opinion="验收通过")
    assert_flow_agrees(a)

    done = flow_tasks().filter(process__artifact_object_id=a.pk, flow_task_type="HUMAN").order_by("id")
    assert [(t.flow_task.name, t.status, t.owner, t.data["outcome"]) for t in done] == [
        ("work", STATUS.DONE, submitter, "submit"),
        ("review", STATUS.DONE, reviewer, "approve"),
        ("acceptance", STATUS.DONE, supervisor, "accept"),
    ]


def test_a_colleague_who_submits_what_another_started_owns_the_completed_step(world):
    a, submitter, colleague = world["assignments"][0], world["submitter"], world["colleague"]
    assignment_start(actor=submitter, assignment_id=a.pk)
    submit(colleague, a)
    assert [(t.flow_task.name, t.process.artifact_object_id) for t in done_tasks_for(colleague)] == [("work", a.pk)]
    assert list(done_tasks_for(submitter)) == []
    assert_flow_agrees(a)


def test_every_return_opens_a_new_work_step_and_the_flow_follows_to_the_end(world):
    a = world["assignments"][0]
    submitter, colleague = world["submitter"], world["colleague"]
    reviewer, supervisor = world["reviewer"], world["supervisor"]
    steps = [
        lambda: assignment_start(actor=submitter, assignment_id=a.pk),
        lambda: submit(submitter, a),
        lambda: assignment_return(actor=reviewer, assignment_id=a.pk, reason="材料不全"),
        lambda: submit(colleague, a, "已补充材料"),  # a colleague finishes what another started
        lambda: assignment_approve(actor=reviewer, assignment_id=a.pk),
        lambda: assignment_return(actor=supervisor, assignment_id=a.pk, reason="数据有误"),
        lambda: submit(submitter, a, "已更正数据"),
        lambda: assignment_approve(actor=reviewer, assignment_id=a.pk),
        lambda: assignment_accept(actor=supervisor, assignment_id=a.pk),
    ]
    states = []
    for step in steps:
        step()
        assert_flow_agrees(a)
        states.append(a.state)
    assert states == ["in_progress", "submitted", "in_progress", "submitted", "lead_reviewed",
                      "in_progress", "submitted", "lead_reviewed", "accepted"]

    human = flow_tasks().filter(process__artifact_object_id=a.pk, flow_task_type="HUMAN").order_by("id")
    assert [(t.flow_task.name, t.owner.username, t.data["outcome"]) for t in human] == [
        ("work", "submitter", "submit"), ("review", "reviewer", "return"),
        ("work", "colleague", "submit"), ("review", "reviewer", "approve"),
        ("acceptance", "supervisor", "return"),
        ("work", "submitter", "submit"), ("review", "reviewer", "approve"),
        ("acceptance", "supervisor", "accept"),
    ]
    assert all(t.status == STATUS.DONE for t in human)
    # Each new work step follows the gate that sent it back.
    reopened = human[2]
    assert [p.flow_task.name for p in reopened.previous.all()] == ["review_outcome"]


@pytest.mark.parametrize("who, call, status", [
    ("outsider", lambda u, a: assignment_start(actor=u, assignment_id=a.pk), 404),
    ("reviewer", lambda u, a: assignment_start(actor=u, assignment_id=a.pk), 403),
    ("submitter", lambda u, a: submit(u, a), 409),
    ("reviewer", lambda u, a: assignment_approve(actor=u, assignment_id=a.pk), 409),
    ("supervisor", lambda u, a: assignment_accept(actor=u, assignment_id=a.pk), 409),
])
def test_a_refused_action_leaves_the_flow_unchanged(world, who, call, status):
    a = world["assignments"][0]
    before = flow_snapshot(a)
    with pytest.raises(errors.ActionError) as refused:
        call(world[who], a)
    assert refused.value.status == status
    assert flow_snapshot(a) == before
    assert_flow_agrees(a)


def test_refusals_in_later_states_leave_the_flow_unchanged(world):
    a, submitter, reviewer = world["assignments"][0], world["submitter"], world["reviewer"]
    assignment_start(actor=submitter, assignment_id=a.pk)
    submit(submitter, a)
    before = flow_snapshot(a)
    for refused in (
        lambda: assignment_approve(actor=submitter, assignment_id=a.pk),            # not a reviewer
        lambda: assignment_accept(actor=world["supervisor"], assignment_id=a.pk),   # wrong state
        lambda: assignment_return(actor=reviewer, assignment_id=a.pk, reason=""),  # no reason
        lambda: submit(submitter, a),                                               # wrong state
    ):
        with pytest.raises(errors.ActionError):
            refused()
        assert flow_snapshot(a) == before
    assert_flow_agrees(a)


@pytest.mark.django_db(transaction=True)
def test_after_twenty_threads_race_to_approve_and_return_the_flow_still_agrees(postgres_only):
    import threading

    from django.db import connections

    world = make_world()
    a, reviewer = world["assignments"][0], world["reviewer"]
    assignment_start(actor=world["submitter"], assignment_id=a.pk)
    submit(world["submitter"], a)
    barrier, outcomes = threading.Barrier(20), []

    def race(index: int) -> None:
        try:
            barrier.wait()
            if index % 2:
                assignment_return(actor=reviewer, assignment_id=a.pk, reason="退回")
            else:
                assignment_approve(actor=reviewer, assignment_id=a.pk)
            outcomes.append("ok")
        except errors.ActionError as exc:
            outcomes.append(exc.status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=race, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(str, outcomes)) == ["409"] * 19 + ["ok"]
    assert_flow_agrees(a)
    reviews = flow_tasks().filter(process__artifact_object_id=a.pk, flow_task=AssignmentFlow.review)
    assert list(reviews.values_list("status", flat=True)) == [STATUS.DONE]


# --- inbox, queue and history agree with our own lists -------------------------------------

def assert_queues_agree(world) -> None:
    for who in ("submitter", "colleague", "reviewer", "supervisor", "outsider"):
        user = world[who]
        from_tasks = sorted(t.process.artifact_object_id for t in open_tasks_for(user))
        assert from_tasks == sorted(assignments_awaiting(user).values_list("pk", flat=True)), who


def test_open_tasks_list_exactly_the_assignments_awaiting_each_person(world):
    a, b, _c = world["assignments"]
    submitter, reviewer, supervisor = world["submitter"], world["reviewer"], world["supervisor"]
    assert_queues_agree(world)
    assert open_tasks_for(reviewer).count() == 0
    assert open_tasks_for(submitter).count() == 3

    assignment_start(actor=submitter, assignment_id=a.pk)
    submit(submitter, a)
    assignment_start(actor=submitter, assignment_id=b.pk)
    submit(submitter, b)
    assert_queues_agree(world)
    assert open_tasks_for(reviewer).count() == 2

    assignment_approve(actor=reviewer, assignment_id=a.pk)
    assignment_return(actor=reviewer, assignment_id=b.pk, reason="请补充")
    assert_queues_agree(world)
    assert [t.process.artifact_object_id for t in open_tasks_for(supervisor)] == [a.pk]

    assignment_accept(actor=supervisor, assignment_id=a.pk)
    assert_queues_agree(world)
    assert open_tasks_for(supervisor).count() == 0
    assert open_tasks_for(submitter).count() == 2


def test_viewflows_own_queue_misses_our_direct_permissions_and_ours_does_not(world):
    a, reviewer = world["assignments"][0], world["reviewer"]
    assignment_start(actor=world["submitter"], assignment_id=a.pk)
    submit(world["submitter"], a)
    viewflows = Task.objects.filter(process__flow_class=AssignmentFlow, status=STATUS.NEW).user_queue(reviewer)
    assert not viewflows.exists()  # the gap in viewflow 2.4.0 this module closes
    assert [t.process.artifact_object_id for t in open_tasks_for(reviewer)] == [a.pk]


def test_who_may_take_a_step_is_decided_by_our_policies(world):
    a = world["assignments"][0]
    [work] = open_tasks_of_assignment(a)
    node = work.flow_task
    assert node.can_execute(world["submitter"], work) and node.can_assign(world["colleague"], work)
    assert not node.can_execute(world["reviewer"], work)
    assert not node.can_assign(world["outsider"], work)
    assignment_start(actor=world["submitter"], assignment_id=a.pk)
    submit(world["submitter"], a)
    [review] = open_tasks_of_assignment(a)
    assert review.flow_task.can_execute(world["reviewer"], review)
    assert not review.flow_task.can_execute(world["submitter"], review)


def test_an_anonymous_visitor_has_no_open_or_done_tasks(world):
    from django.contrib.auth.models import AnonymousUser

    assert open_tasks_for(AnonymousUser()).count() == 0
    assert done_tasks_for(AnonymousUser()).count() == 0


def test_done_tasks_list_what_each_person_did_newest_first(world):
    a, b, _c = world["assignments"]
    submitter, reviewer, supervisor = world["submitter"], world["reviewer"], world["supervisor"]
    for assignment in (a, b):
        assignment_start(actor=submitter, assignment_id=assignment.pk)
        submit(submitter, assignment)
    assignment_approve(actor=reviewer, assignment_id=a.pk)
    assignment_return(actor=reviewer, assignment_id=b.pk, reason="请补充")
    assignment_accept(actor=supervisor, assignment_id=a.pk)

    def done(user):
        return [(t.flow_task.name, t.process.artifact_object_id, t.data["outcome"]) for t in done_tasks_for(user)]

    assert done(submitter) == [("work", b.pk, "submit"), ("work", a.pk, "submit")]
    assert done(reviewer) == [("review", b.pk, "return"), ("review", a.pk, "approve")]
    assert done(supervisor) == [("acceptance", a.pk, "accept")]
    assert done(world["colleague"]) == []


# --- pages ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["flow:queue", "flow:done"])
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse(settings.LOGIN_URL) + "?next=")


def test_the_task_link_of_an_invisible_assignment_is_not_found(client, world):
    [task] = open_tasks_of_assignment(world["assignments"][0])
    client.force_login(world["outsider"])
    assert client.get(reverse("flow:task", args=[task.pk])).status_code == 404
    client.force_login(world["submitter"])
    response = client.get(reverse("flow:task", args=[task.pk]))
    assert response.status_code == 302
    assert response.url == assignment_url(world["assignments"][0].pk)


def test_the_pages_show_chinese_labels(client, world):
    a = world["assignments"][0]
    assignment_start(actor=world["submitter"], assignment_id=a.pk)
    submit(world["submitter"], a)
    client.force_login(world["submitter"])
    queue = client.get(reverse("flow:queue")).content.decode()
    assert "本单位待办队列" in queue and "承办" in queue and "待办" in queue and "承办局" in queue
    assert "NEW" not in queue.replace("flow-new", "")
    done = client.get(reverse("flow:done")).content.decode()
    assert "我的已办" in done and "已完成" in done and "报送" in done and "第1项" in done
    client.force_login(world["reviewer"])
    assert "牵头审核" in client.get(reverse("flow:queue")).content.decode()


def page_queries(client, user, name) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name))
    assert response.status_code == 200
    return len(captured)


def walk_all(plan_size: int):
    responsible, lead = UnitFactory(short_name=f"承办{plan_size}"), UnitFactory(short_name=f"牵头{plan_size}")
    supervising = UnitFactory(short_name=f"督办{plan_size}")
    submitter = person(f"s{plan_size}", responsible, "submitter")
    reviewer = person(f"r{plan_size}", lead, "reviewer")
    supervisor = person(f"v{plan_size}", supervising, "supervisor")
    plan = make_plan(plan_size, lead=lead, responsible=responsible, supervising=supervising)
    created = plan_dispatch(actor=supervisor, plan_id=plan.pk).created
    for assignment in created:
        assignment_start(actor=submitter, assignment_id=assignment.pk)
        submit(submitter, assignment)
    return submitter, reviewer


def test_the_pages_cost_the_same_queries_for_5_and_50_assignments(client):
    small_submitter, small_reviewer = walk_all(5)
    large_submitter, large_reviewer = walk_all(50)
    assert done_tasks_for(large_submitter).count() == 50 and open_tasks_for(large_reviewer).count() == 50

    assert page_queries(client, small_submitter, "flow:done") == page_queries(client, large_submitter, "flow:done")
    assert page_queries(client, small_reviewer, "flow:queue") == page_queries(client, large_reviewer, "flow:queue")


# --- starting processes --------------------------------------------------------------------

def test_the_bulk_start_writes_the_rows_viewflows_own_start_handle_writes(world):
    via_viewflow, via_bulk = world["assignments"][1], world["assignments"][2]
    Process.objects.filter(artifact_object_id=via_viewflow.pk).delete()
    AssignmentFlow.start.run(assignment=via_viewflow)

    def shape(assignment):
        [process] = processes_of([assignment.pk])
        rows = [(t.flow_task.name, t.flow_task_type, t.status, t.token.token, t.owner_permission,
                 t.owner_permission_obj_pk, t.finished is None, [p.flow_task.name for p in t.previous.all()])
                for t in process.task_set.order_by("id")]
        return process.status, process.flow_class, rows

    assert shape(via_viewflow)[2][1][5] == str(via_viewflow.pk)
    bulk_shape = shape(via_bulk)
    assert shape(via_viewflow)[:2] == bulk_shape[:2]
    assert [r[:5] + r[6:] for r in shape(via_viewflow)[2]] == [r[:5] + r[6:] for r in bulk_shape[2]]


def test_an_assignment_without_a_process_is_adopted_at_its_current_step(world):
    a, submitter = world["assignments"][0], world["submitter"]
    assignment_start(actor=submitter, assignment_id=a.pk)
    submit(submitter, a)
    Process.objects.filter(artifact_object_id=a.pk).delete()  # as if dispatched before the flow existed

    assignment_approve(actor=world["reviewer"], assignment_id=a.pk)
    assert_flow_agrees(a)
    assert [t.owner for t in done_tasks_for(world["reviewer"])] == [world["reviewer"]]


def test_a_process_out_of_step_is_repaired_from_the_state_machine(world):
    a, submitter = world["assignments"][0], world["submitter"]
    assignment_start(actor=submitter, assignment_id=a.pk)
    submit(submitter, a)
    [stray] = open_tasks_of_assignment(a)
    Task.objects.filter(pk=stray.pk).update(flow_task=AssignmentFlow.acceptance)  # a step the FSM never implied

    assignment_approve(actor=world["reviewer"], assignment_id=a.pk)
    assert_flow_agrees(a)
    stray.refresh_from_db()
    assert stray.status == STATUS.CANCELED
    assert [t.flow_task.name for t in done_tasks_for(world["reviewer"])] == ["review"]


def test_dispatching_the_reference_plan_starts_exactly_one_process_per_assignment(reference_bytes):
    from workflows.services import plan_import

    office = Unit.objects.get(short_name="市政府法制办")
    supervisor = person("fzb", office, "supervisor")
    plan = plan_import(actor=None, data=reference_bytes, filename="169号.txt", supervising_unit=office)
    result = plan_dispatch(actor=supervisor, plan_id=plan.pk)

    ids = [a.pk for a in result.created]
    assert len(ids) > 800 and len(ids) == Assignment.objects.count()
    linked = list(processes_of(ids).values_list("artifact_object_id", flat=True))
    assert sorted(linked) == sorted(ids)
    assert Process.objects.count() == len(ids)
    assert Task.objects.filter(flow_task=AssignmentFlow.work, status=STATUS.NEW).count() == len(ids)
