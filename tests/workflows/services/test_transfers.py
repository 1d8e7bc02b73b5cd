"""Transfer requests (申请调整承办单位): who may ask and decide, what approval and rejection do,
and that every refusal changes nothing and writes no audit event."""
import json

import pytest
from django.core.management import call_command

from approvals.flows import open_tasks_of, processes_of
from audit.models import AuditEvent
from tests.world import build_world, person
from workflows.access.policies import decide, decide_transfer_request
from workflows.access.scopes import assignments_visible_to
from workflows.models import Assignment, TransferRequest
from workflows.selectors.inbox import assignments_awaiting
from workflows.services import assignments as services
from workflows.services import transfers
from workflows.services.errors import ActionError

pytestmark = pytest.mark.django_db


def ask(world, kind="transfer", unit="张浦镇", reason="本项工作由区镇承担", actor=None):
    return transfers.transfer_request(actor=actor or world.submitter, assignment_id=world.assignment.pk,
                                      kind=kind, unit_name=unit, reason=reason)


def refused(call, status):
    before = (AuditEvent.objects.count(), list(TransferRequest.objects.values()),
              list(Assignment.objects.values("pk", "state", "unit_id")))
    with pytest.raises(ActionError) as caught:
        call()
    assert caught.value.status == status, caught.value.message
    after = (AuditEvent.objects.count(), list(TransferRequest.objects.values()),
             list(Assignment.objects.values("pk", "state", "unit_id")))
    assert after == before
    return caught.value


def test_a_request_keeps_the_assignment_with_its_unit_until_decided():
    world = build_world()
    due = world.assignment.due_date
    request = ask(world)
    a = world.reload()
    assert (a.state, a.unit.short_name, a.due_date) == ("assigned", "市财政局", due)
    assert request.status == "pending" and request.target_unit.short_name == "张浦镇"
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.assignment_id, event.unit_label, event.role, event.reason) == (
        "assignment.transfer_requested", a.pk, "市财政局", "submitter", "本项工作由区镇承担")
    # Still theirs: it stays in their inbox and they may still work on it.
    assert a in assignments_awaiting(world.submitter)
    assert decide(world.submitter, a, "start").allowed
    services.assignment_start(actor=world.submitter, assignment_id=a.pk)


def test_approval_closes_the_assignment_as_transferred_and_opens_a_linked_one_for_the_named_unit():
    world = build_world()
    town = person("zhangpu", "张浦镇", "submitter")
    services.assignment_start(actor=world.submitter, assignment_id=world.assignment.pk)
    request = ask(world)
    before = AuditEvent.objects.count()
    transfers.transfer_approve(actor=world.supervisor, request_id=request.pk, opinion="同意")
    old = world.reload()
    new = Assignment.objects.get(predecessor=old)
    assert old.state == "transferred" and new.state == "assigned"
    assert (new.unit.short_name, new.task_id, new.round_id, new.due_date) == ("张浦镇", old.task_id, old.round_id,
                                                                             old.due_date)
    request.refresh_from_db()
    assert (request.status, request.successor_id, request.decided_by) == ("approved", new.pk, world.supervisor)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.from_state, event.to_state, event.role, event.unit_label) == (
        "assignment.transferred", "in_progress", "transferred", "supervisor", "市政府法制办")
    assert json.loads(event.details)["successor"] == new.pk
    # The permissions moved: the new unit works on the new one, the old unit only reads the old one.
    assert decide(town, new, "start").allowed
    assert new in assignments_visible_to(town) and old not in assignments_visible_to(town)
    assert old in assignments_visible_to(world.submitter) and new not in assignments_visible_to(world.submitter)
    assert old not in assignments_awaiting(world.submitter)
    assert decide(world.submitter, old, "submit").status == 403
    # The workflow follows: the old process is cancelled, the new one waits at the work step.
    assert open_tasks_of(old) == [] and processes_of([old.pk]).get().status == "CANCELED"
    assert [t.flow_task.name for t in open_tasks_of(new)] == ["work"]
    services.assignment_start(actor=town, assignment_id=new.pk)


def test_not_applicable_closes_without_a_successor():
    world = build_world()
    request = ask(world, kind="not_applicable", unit="")
    transfers.transfer_approve(actor=world.supervisor, request_id=request.pk)
    assert world.reload().state == "not_applicable"
    assert not Assignment.objects.filter(predecessor=world.assignment).exists()
    assert AuditEvent.objects.order_by("-seq").first().action == "assignment.not_applicable"


def test_rejection_records_the_reason_and_leaves_the_assignment_as_it_was():
    world = build_world()
    request = ask(world)
    transfers.transfer_reject(actor=world.supervisor, request_id=request.pk, reason="属本单位职责")
    request.refresh_from_db()
    assert (request.status, request.decision_reason) == ("rejected", "属本单位职责")
    assert world.reload().state == "assigned"
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.reason) == ("assignment.transfer_rejected", "属本单位职责")
    ask(world, reason="补充理由后再次申请")  # a rejected request does not block a new one


def test_who_may_ask_refusals_change_nothing():
    world = build_world()
    refused(lambda: ask(world, actor=world.other_submitter), 404)
    refused(lambda: ask(world, actor=world.reviewer), 403)
    refused(lambda: ask(world, actor=world.auditor), 403)
    refused(lambda: ask(world, reason="  "), 400)
    refused(lambda: ask(world, unit="不存在的单位"), 400)
    refused(lambda: ask(world, unit="市财政局"), 400)
    refused(lambda: ask(world, kind="other"), 400)
    ask(world)
    refused(lambda: ask(world, actor=world.colleague), 409)  # one open request at a time


def test_a_submitted_assignment_cannot_be_asked_away():
    world = build_world()
    services.assignment_start(actor=world.submitter, assignment_id=world.assignment.pk)
    services.assignment_submit(actor=world.submitter, assignment_id=world.assignment.pk, report="已完成",
                               no_file_statement="无")
    assert decide_transfer_request(world.submitter, world.reload()).status == 409
    refused(lambda: ask(world), 409)


def test_who_may_decide_refusals_change_nothing():
    world = build_world()
    request = ask(world)
    approve = lambda user: lambda: transfers.transfer_approve(actor=user, request_id=request.pk)  # noqa: E731
    refused(approve(world.other_submitter), 404)
    refused(approve(world.submitter), 403)
    refused(approve(world.colleague), 403)
    refused(approve(world.reviewer), 403)  # the plan does not let lead departments decide
    refused(approve(world.auditor), 403)
    refused(lambda: transfers.transfer_reject(actor=world.supervisor, request_id=request.pk, reason=""), 400)
    refused(lambda: transfers.transfer_approve(actor=world.supervisor, request_id=10**9), 404)
    transfers.transfer_reject(actor=world.supervisor, request_id=request.pk, reason="不同意")
    refused(approve(world.supervisor), 409)


def test_the_lead_department_decides_where_the_plan_allows_it():
    world = build_world()
    world.plan.lead_may_decide_transfers = True
    world.plan.save(update_fields=["lead_may_decide_transfers"])
    request = ask(world, kind="not_applicable", unit="")
    transfers.transfer_approve(actor=world.reviewer, request_id=request.pk)
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.role, event.unit_label) == ("assignment.not_applicable", "reviewer", "市编办")


def test_a_transfer_to_a_unit_that_got_the_task_after_the_request_is_refused_at_decision():
    from workflows.models import Unit

    world = build_world()
    request = ask(world, unit="张浦镇")
    a = world.assignment  # meanwhile (a revision, say) 张浦镇 is given the task in this round
    Assignment.objects.create(round=a.round, task=a.task, unit=Unit.objects.get(short_name="张浦镇"),
                              due_date=a.due_date)
    refused(lambda: transfers.transfer_approve(actor=world.supervisor, request_id=request.pk), 400)


def test_the_trail_still_verifies_after_a_transfer(capsys):
    world = build_world()
    transfers.transfer_approve(actor=world.supervisor, request_id=ask(world).pk)
    call_command("verify_audit", json=True)  # exits non-zero on a broken chain
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is True and result["events"] == AuditEvent.objects.count()


def test_a_unit_that_already_holds_the_task_is_refused_when_asked_with_the_reason():
    world = build_world()
    holder = (Assignment.objects.filter(task=world.assignment.task, round=world.assignment.round)
              .exclude(pk=world.assignment.pk).select_related("unit").first())
    assert holder is not None, "task 1 has more than one responsible unit"

    error = refused(lambda: ask(world, unit=holder.unit.short_name), 400)

    assert f"“{holder.unit.short_name}”在本轮次已有本任务的承办件" in error.fields["unit"][0]
