"""generate_load_data: the rows dispatch writes, a history that agrees with itself, a valid audit chain."""
import io
import json
import logging
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from approvals.flows import NODE_OF_STATE, open_tasks_of, processes_of
from audit.models import AuditEvent, AuditHead
from workflows.access.scopes import assignments_visible_to
from workflows.lights import RED, YELLOW, light_of, submitted_on_time
from workflows.models import (
    Assignment,
    AssignmentGroupObjectPermission,
    Membership,
    PartyRole,
    Plan,
    ReportingRound,
    Section,
    Submission,
    TaskParty,
)
from workflows.selectors.inbox import assignments_awaiting
from workflows.services.assignments import (
    assignment_accept,
    assignment_approve,
    assignment_start,
    assignment_submit,
)
from workflows.services.dispatch import grant_permissions

pytestmark = pytest.mark.django_db

SMALL = ["--plans", "2", "--units", "5", "--rounds", "2", "--seed", "7", "--users-per-unit", "2"]


def generate(*extra) -> dict:
    out = io.StringIO()
    call_command("generate_load_data", *SMALL, *extra, "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


@pytest.fixture(autouse=True)
def _no_checkpoints(settings, tmp_path):
    """Verify this test's chain only: a checkpoint file from elsewhere would name other hashes."""
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "no-checkpoints.jsonl"


@pytest.fixture
def summary() -> dict:
    return generate()


def member(role: str, unit_id: int | None = None):
    memberships = Membership.objects.filter(role=role, user__username__startswith="load-").select_related("user")
    if unit_id is not None:
        memberships = memberships.filter(unit_id=unit_id)
    return memberships.order_by("unit__order", "user__username").first().user


def lead_ids(task_id: int) -> set[int]:
    return set(TaskParty.objects.filter(task_id=task_id, role=PartyRole.LEAD).values_list("unit_id", flat=True))


def test_counts(summary):
    counts = summary["counts"]
    assert counts["plans"] == Plan.objects.count() == 2
    assert counts["tasks"] == 62 and Section.objects.count() == 14
    assert len({p.title for p in Plan.objects.all()}) == 2
    assert len({p.doc_number for p in Plan.objects.all()}) == 2
    assert len({p.source_sha256 for p in Plan.objects.all()}) == 2
    assert TaskParty.objects.count() == 2 * TaskParty.objects.filter(task__plan_id=summary["plan_ids"][0]).count()
    rounds = ReportingRound.objects.order_by("plan", "position")
    assert [(r.name, r.position) for r in rounds] == [("首轮", 1), ("第2轮", 2)] * 2
    assert counts["assignments"] == Assignment.objects.count()
    assert counts["submissions"] == Submission.objects.count()
    assert counts["audit_events"] + 1 == AuditEvent.objects.count()  # and the reference plan's plan.imported
    # Each task goes to about M/R = 2.5 units, the same ones in both rounds.
    units_of: dict = {}
    for round_id, task_id, unit_id in Assignment.objects.values_list("round_id", "task_id", "unit_id"):
        units_of.setdefault(task_id, {}).setdefault(round_id, set()).add(unit_id)
    assert len(units_of) == 62
    for by_round in units_of.values():
        first, second = by_round.values()
        assert first == second and 2 <= len(first) <= 3
    assert len({u for by_round in units_of.values() for units in by_round.values() for u in units}) <= 5
    # Two submitters per unit, a reviewer per lead unit, a supervisor per supervising unit, two auditors.
    roles = Counter(Membership.objects.values_list("role", flat=True))
    leads = set(TaskParty.objects.filter(role=PartyRole.LEAD).values_list("unit_id", flat=True))
    assert roles == {"submitter": 10, "reviewer": len(leads), "supervisor": 2, "auditor": 2}
    assert get_user_model().objects.filter(username__startswith="load-").count() == sum(roles.values())


def test_object_permissions_are_what_dispatch_grants(summary):
    """Drop the generated permission rows, let dispatch's own grant_permissions write them: the same rows."""
    generated = set(AssignmentGroupObjectPermission.objects.values_list("group_id", "permission__codename",
                                                                          "content_object_id"))
    AssignmentGroupObjectPermission.objects.all().delete()
    assignments = list(Assignment.objects.select_related("task__plan").prefetch_related("task__party_set"))
    grant_permissions(assignments)
    granted = set(AssignmentGroupObjectPermission.objects.values_list("group_id", "permission__codename",
                                                                        "content_object_id"))
    assert generated == granted
    assert len(generated) == summary["counts"]["permissions"]


def test_each_role_sees_what_it_should(summary):
    submitter = member("submitter")
    unit_id = submitter.memberships.get().unit_id
    own = set(Assignment.objects.filter(unit_id=unit_id).values_list("pk", flat=True))
    assert own and set(assignments_visible_to(submitter).values_list("pk", flat=True)) == own
    waiting = set(Assignment.objects.filter(unit_id=unit_id, state__in=["assigned", "in_progress"])
                  .values_list("pk", flat=True))
    assert set(assignments_awaiting(submitter).values_list("pk", flat=True)) == waiting

    reviewer = Membership.objects.get(role="reviewer", unit__short_name="市编办").user
    led = set(Assignment.objects.filter(task__party_set__role=PartyRole.LEAD,
                                        task__party_set__unit__short_name="市编办").values_list("pk", flat=True))
    assert led and set(assignments_visible_to(reviewer).values_list("pk", flat=True)) == led
    assert set(assignments_awaiting(reviewer).values_list("pk", flat=True)) == set(
        Assignment.objects.filter(pk__in=led, state="submitted").values_list("pk", flat=True))

    for supervisor in [m.user for m in Membership.objects.filter(role="supervisor")]:
        unit = supervisor.memberships.get().unit
        supervised = set(Assignment.objects.filter(task__plan__supervising_unit=unit).values_list("pk", flat=True))
        assert supervised and set(assignments_visible_to(supervisor).values_list("pk", flat=True)) == supervised

    auditor = member("auditor")
    assert assignments_visible_to(auditor).count() == Assignment.objects.count()


def test_states_submissions_process_and_trail_agree(summary):
    submitters = {}
    for user_id, unit_id, role in Membership.objects.values_list("user_id", "unit_id", "role"):
        submitters.setdefault((unit_id, role), set()).add(user_id)
    lights, states = set(), set()
    for a in Assignment.objects.select_related("task__plan", "unit"):
        states.add(a.state)
        subs = list(a.submissions.order_by("number"))
        events = list(AuditEvent.objects.filter(assignment_id=a.pk).order_by("seq"))
        state = "assigned"
        for event in events:  # the trail replays to the assignment's state
            assert event.from_state == state
            state = event.to_state
        assert state == a.state
        assert [e.action for e in events].count("assignment.submitted") == len(subs)
        assert [s.number for s in subs] == list(range(1, len(subs) + 1))
        assert all(s.returned_at for s in subs[:-1])
        assert all(s.submitted_by_id in submitters[(a.unit_id, "submitter")] for s in subs)
        last = subs[-1] if subs else None
        reviewers = set().union(*(submitters.get((u, "reviewer"), set()) for u in lead_ids(a.task_id)))
        supervisors = submitters[(a.task.plan.supervising_unit_id, "supervisor")]
        if a.state == "assigned":
            assert not subs and not events
        elif a.state == "in_progress":
            assert last is None or (last.returned_at and last.returned_from in ("submitted", "lead_reviewed"))
        elif a.state == "submitted":
            assert last.reviewed_at is None and last.returned_at is None
        elif a.state == "lead_reviewed":
            assert last.reviewed_by_id in reviewers and last.accepted_at is None and last.returned_at is None
        else:
            assert last.reviewed_by_id in reviewers and last.accepted_by_id in supervisors
            assert a.on_time == submitted_on_time(last.submitted_at, a.due_date)
        if a.state != "accepted":
            assert a.on_time is None
            lights.add(light_of(a))
        # The viewflow process follows the FSM state: one open step, or none once accepted.
        assert [t.flow_task.name for t in open_tasks_of(a)] == ([NODE_OF_STATE[a.state]] if a.state != "accepted"
                                                                else [])
        process = processes_of([a.pk]).get()
        assert (process.status == "DONE") == (a.state == "accepted")
    assert states == {"assigned", "in_progress", "submitted", "lead_reviewed", "accepted"}
    assert {RED, YELLOW} <= lights and len(lights) == 3  # overdue, due soon and later ones


def test_audit_chain_verifies_and_reads_in_time_order(summary):
    call_command("verify_audit", stdout=io.StringIO())  # exits 1 on any fault
    times = list(AuditEvent.objects.order_by("seq").values_list("occurred_at", flat=True))
    assert times == sorted(times)
    head = AuditHead.objects.get()
    assert head.seq == AuditEvent.objects.count() == summary["counts"]["audit_events"] + 1
    actions = Counter(AuditEvent.objects.values_list("action", flat=True))
    assert actions["plan.imported"] == 2
    assert actions["plan.dispatched"] == 4 and actions["round.opened"] == 2  # one per round
    assert actions["auth.membership_granted"] == Membership.objects.count()


def test_the_services_carry_on_from_generated_data(summary, caplog):
    """Real transitions on generated assignments: no process out of step, the chain still verifies."""
    caplog.set_level(logging.WARNING, logger="approvals.flows")
    todo = Assignment.objects.filter(state="assigned").select_related("task__plan").first()
    worker = member("submitter", todo.unit_id)
    assignment_start(actor=worker, assignment_id=todo.pk)
    assignment_submit(actor=worker, assignment_id=todo.pk, report="已完成", no_file_statement="无纸质材料")
    reviewer = member("reviewer", TaskParty.objects.get(task_id=todo.task_id, role="lead", position=0).unit_id)
    assignment_approve(actor=reviewer, assignment_id=todo.pk, opinion="同意")
    assignment_accept(actor=member("supervisor", todo.task.plan.supervising_unit_id), assignment_id=todo.pk)
    assert Assignment.objects.get(pk=todo.pk).state == "accepted"
    assert not [r for r in caplog.records if "out of step" in r.getMessage()]
    call_command("verify_audit", stdout=io.StringIO())


def test_refuses_a_database_with_assignments_unless_appending(summary):
    with pytest.raises(CommandError) as refused:
        generate()
    assert "已有" in str(refused.value) and "--append" in str(refused.value)
    before = Assignment.objects.count()
    again = generate("--append")
    assert Assignment.objects.count() == before + again["counts"]["assignments"]
    assert Plan.objects.count() == 4 and again["counts"]["users_created"] == 0
    assert len(set(Plan.objects.values_list("source_sha256", flat=True))) == 4
    call_command("verify_audit", stdout=io.StringIO())
