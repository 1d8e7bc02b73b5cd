"""Plan revisions: the pure diff, the service (added, removed, changed tasks), the command, and refusals."""
import json

import pytest
from django.core.management import call_command

from approvals.flows import processes_of
from audit.models import AuditEvent
from tests.conftest import REFERENCE_PLAN
from tests.factories import PlanAdministratorFactory
from tests.revised import narrowed_16_plus_32, without_31
from tests.world import build_world
from workflows.access.policies import decide
from workflows.importers import parse_plan_file
from workflows.importers.diff import diff_tasks, snapshots_of
from workflows.models import Assignment, PlanRevision, Task, TaskChange
from workflows.services import assignments as services
from workflows.services import revisions
from workflows.services.dispatch import task_select_units
from workflows.services.errors import ActionError


def test_the_diff_matches_tasks_by_number_and_names_what_changed():
    before = snapshots_of(parse_plan_file(REFERENCE_PLAN.read_bytes(), "169.txt"))
    diff = diff_tasks(before, snapshots_of(parse_plan_file(narrowed_16_plus_32(), "169修订.txt")))
    assert [t.number for t in diff.added] == [32] and diff.added[0].value("lead_units") == "市政府法制办"
    assert diff.removed == []
    assert diff.changed == [(16, {"responsible_terms": ("市政府相关部门、有关区镇",
                                                        "市政府相关部门、昆山开发区、昆山高新区")})]
    removed = diff_tasks(before, snapshots_of(parse_plan_file(without_31(), "169.txt")))
    assert [t.number for t in removed.removed] == [31] and not removed.added and not removed.changed
    assert diff_tasks(before, before).empty


@pytest.fixture
def world(db):
    world = build_world(whole_plan=True)
    task_select_units(actor=world.reviewer, task_id=world.plan.tasks.get(number=16).pk,
                      unit_names=["市发改委", "张浦镇"])
    return world


def write(tmp_path, data: bytes, name="169修订.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def state(plan):
    return (list(Assignment.objects.filter(task__plan=plan).order_by("pk").values_list("pk", "state", "unit_id")),
            AuditEvent.objects.count(), Task.objects.filter(plan=plan).count(), PlanRevision.objects.count())


@pytest.mark.django_db
def test_dry_run_prints_the_diff_and_changes_nothing(world, tmp_path, capsys):
    before = state(world.plan)
    call_command("import_plan", str(write(tmp_path, narrowed_16_plus_32())), "--revise", "--dry-run", "--json")
    shown = json.loads(capsys.readouterr().out)
    assert [t["number"] for t in shown["added"]] == [32] and [c["number"] for c in shown["changed"]] == [16]
    assert shown["applied"] is False and shown["plan"] == world.plan.pk
    call_command("import_plan", str(write(tmp_path, narrowed_16_plus_32())), "--revise", "--dry-run")
    text = capsys.readouterr().out
    assert "新增任务 32" in text and "修改任务 16 的责任部门" in text
    assert state(world.plan) == before


@pytest.mark.django_db
def test_applying_the_revision_adds_32_narrows_16_and_keeps_its_assignments(world, tmp_path, capsys):
    kept = {a.unit.short_name: a.pk for a in Assignment.objects.filter(task__plan=world.plan, task__number=16)}
    assert set(kept) == {"市发改委", "张浦镇"}
    call_command("import_plan", str(write(tmp_path, narrowed_16_plus_32())), "--revise", "--json", "--no-input")
    result = json.loads(capsys.readouterr().out)
    assert result["applied"] is True and result["revision"] == 1 and result["withdrawn_assignments"] == 0
    task16 = world.plan.tasks.get(number=16)
    assert task16.responsible_names == ["市政府相关部门", "昆山开发区", "昆山高新区"]
    now16 = {a.unit.short_name: a for a in Assignment.objects.filter(task=task16)}
    assert {n: now16[n].pk for n in kept} == kept  # kept, same rows, same state
    assert {"昆山开发区", "昆山高新区"} <= set(now16)  # now named explicitly: dispatched
    assert now16["市发改委"].source_party.name == "市政府相关部门" and now16["张浦镇"].source_party is None
    task32 = world.plan.tasks.get(number=32)
    new32 = Assignment.objects.filter(task=task32)
    assert new32.filter(unit__short_name="市财政局").exists() and new32.count() == result["created_assignments"] - 2
    assert decide(world.submitter, new32.get(unit__short_name="市财政局"), "start").allowed
    change = TaskChange.objects.get(task=task16)
    assert change.kind == "changed" and change.fields["responsible_terms"][1] == "市政府相关部门、昆山开发区、昆山高新区"
    event = AuditEvent.objects.filter(action="plan.revised").get()
    assert json.loads(event.details)["added"] == [32] and json.loads(event.details)["changed"] == [16]
    call_command("verify_audit", json=True)
    assert json.loads(capsys.readouterr().out)["ok"] is True
    # The same file again is refused; nothing more is written.
    before = state(world.plan)
    with pytest.raises(Exception, match="不能重复修订"):
        call_command("import_plan", str(write(tmp_path, narrowed_16_plus_32())), "--revise", "--no-input")
    assert state(world.plan) == before


@pytest.mark.django_db
def test_a_removed_task_closes_open_assignments_as_withdrawn_and_leaves_accepted_ones(world):
    plan, pk = world.plan, None
    accepted = Assignment.objects.get(task__plan=plan, task__number=31, unit__short_name="市财政局")
    pk = accepted.pk
    services.assignment_start(actor=world.submitter, assignment_id=pk)
    services.assignment_submit(actor=world.submitter, assignment_id=pk, report="已完成", no_file_statement="无")
    services.assignment_approve(actor=world.second_reviewer, assignment_id=pk)
    services.assignment_accept(actor=world.supervisor, assignment_id=pk)
    open_ones = list(Assignment.objects.filter(task__number=31, task__plan=plan).exclude(pk=pk))
    before_events = AuditEvent.objects.count()
    revision = revisions.plan_revise(actor=world.supervisor, data=without_31(), filename="169删31.txt")
    assert Assignment.objects.get(pk=pk).state == "accepted"
    states = set(Assignment.objects.filter(pk__in=[a.pk for a in open_ones]).values_list("state", flat=True))
    assert states == {"withdrawn"}
    assert Task.objects.get(plan=plan, number=31).withdrawn_at is not None
    events = list(AuditEvent.objects.filter(seq__gt=before_events).order_by("seq").values_list("action", flat=True))
    assert events.count("assignment.withdrawn") == len(open_ones) and events[-1] == "plan.revised"
    assert len(events) == len(open_ones) + 1
    assert sorted(revision.diff["withdrawn_assignments"]) == sorted(a.pk for a in open_ones)
    assert processes_of([open_ones[0].pk]).get().status == "CANCELED"
    other = Assignment.objects.get(pk=open_ones[0].pk)
    assert decide(world.submitter, other, "start").status in (403, 404, 409)


@pytest.mark.django_db
def test_who_may_revise_and_refusals_write_nothing(world):
    before = state(world.plan)
    for user, status in ((world.submitter, 403), (world.reviewer, 403), (world.auditor, 403)):
        with pytest.raises(ActionError) as refused:
            revisions.plan_revise(actor=user, data=narrowed_16_plus_32(), filename="x.txt")
        assert refused.value.status == status
    with pytest.raises(ActionError) as refused:
        revisions.plan_revise(actor=world.supervisor, data=REFERENCE_PLAN.read_bytes() + b"\n", filename="x.txt")
    assert refused.value.status == 400  # no difference
    with pytest.raises(ActionError) as refused:
        revisions.plan_revise(actor=world.supervisor, data=narrowed_16_plus_32(), filename="x.txt",
                              fingerprint="0" * 16)
    assert refused.value.status == 409  # not the diff that was shown
    with pytest.raises(ActionError) as refused:
        revisions.plan_revise(actor=world.supervisor, data=narrowed_16_plus_32(), filename="x.txt", plan_id=10**9)
    assert refused.value.status == 404
    assert state(world.plan) == before
    admin = PlanAdministratorFactory(username="admin2")  # administrators may revise too
    assert revisions.plan_revision_preview(actor=admin, data=narrowed_16_plus_32(), filename="x.txt").plan == world.plan
