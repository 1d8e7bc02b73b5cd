"""延期申请: asked before the due date with a reason and a later date, decided by the supervising
office (or the lead where the plan allows), audited; both dates kept; the scorecard counts from the
original date unless an extension was approved; the office's own change of a date once work began."""
import datetime as dt
import json

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from tests.world import build_world
from workflows.models import Assignment, ExtensionRequest, InboxItem, PeriodReport, Submission
from workflows.services import assignments as flow
from workflows.services import extensions as svc
from workflows.services import periods as period_svc
from workflows.services.dispatch import assignment_set_due_date
from workflows.services.errors import Invalid, NotAllowed, NotFound, WrongState
from workflows.services.inbox import refresh_inbox
from workflows.supervision.scorecard import unit_scores

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DUE = TODAY + dt.timedelta(days=20)
LATER = TODAY + dt.timedelta(days=60)


@pytest.fixture
def world():
    world = build_world()
    assignment_set_due_date(actor=world.supervisor, assignment_id=world.assignment.pk, due_date=DUE)
    flow.assignment_start(actor=world.submitter, assignment_id=world.assignment.pk)
    return world


def fresh(world) -> Assignment:
    return Assignment.objects.get(pk=world.assignment.pk)


def ask(world, due=LATER, reason="需等待省厅批复，预计两个月内完成"):
    return svc.extension_request(actor=world.submitter, assignment_id=world.assignment.pk, requested_due=due,
                                 reason=reason)


def details(action):
    return json.loads(AuditEvent.objects.get(action=action).details)


def test_before_dispatch_work_begins_a_due_date_set_by_the_office_is_the_original_one(world):
    a = fresh(world)
    assert a.original_due_date == DUE == a.due_date and a.extended_due_date is None


def test_a_request_is_kept_pending_and_audited_and_the_due_date_stands_until_decided(world):
    request = ask(world)
    assert request.status == "pending" and request.due_before == DUE and request.requested_due == LATER
    assert fresh(world).due_date == DUE
    event = AuditEvent.objects.get(action="assignment.extension_requested")
    assert event.reason == "需等待省厅批复，预计两个月内完成" and event.actor_id == world.submitter.pk
    assert details("assignment.extension_requested")["to"] == LATER.isoformat()
    with pytest.raises(WrongState, match="已有待审批的延期申请"):
        ask(world)


@pytest.mark.parametrize(("due", "reason", "field"), [
    (None, "理由", "requested_due"), (DUE, "理由", "requested_due"), (DUE - dt.timedelta(days=1), "理由", "requested_due"),
    (DUE + dt.timedelta(days=4 * 366), "理由", "requested_due"), (LATER, "  ", "reason"),
])
def test_a_request_needs_a_later_date_and_a_reason_and_nothing_is_written_otherwise(world, due, reason, field):
    with pytest.raises(Invalid) as refused:
        ask(world, due=due, reason=reason)
    assert field in refused.value.fields
    assert not ExtensionRequest.objects.exists() and not AuditEvent.objects.filter(
        action="assignment.extension_requested").exists()


def test_only_the_units_submitter_asks_and_not_once_the_due_date_has_passed(world):
    with pytest.raises(NotAllowed):
        svc.extension_request(actor=world.reviewer, assignment_id=world.assignment.pk, requested_due=LATER, reason="x")
    with pytest.raises(NotFound):
        svc.extension_request(actor=world.other_submitter, assignment_id=world.assignment.pk, requested_due=LATER,
                              reason="x")
    with pytest.raises(WrongState, match="办理期限.*已过"):
        svc.extension_request(actor=world.submitter, assignment_id=world.assignment.pk, requested_due=LATER,
                              reason="x", today=DUE + dt.timedelta(days=1))
    Assignment.objects.filter(pk=world.assignment.pk).update(standing=True)
    refresh_inbox([world.assignment.pk])
    with pytest.raises(WrongState, match="长期坚持"):
        ask(world)


def test_approval_moves_the_due_date_keeps_the_original_and_the_inbox_and_periods_follow(world):
    period_svc.plan_set_cadence(actor=world.supervisor, plan_id=world.plan.pk, cadence="monthly", day=5)
    last_before = PeriodReport.objects.filter(assignment=world.assignment).order_by("-ends_on").first().ends_on
    request = ask(world)
    svc.extension_approve(actor=world.supervisor, request_id=request.pk, opinion="同意")
    a = fresh(world)
    assert (a.due_date, a.extended_due_date, a.original_due_date) == (LATER, LATER, DUE)
    assert a.judged_due == LATER
    assert set(InboxItem.objects.filter(assignment=a).values_list("due_date", flat=True)) <= {LATER, a.light_due}
    assert PeriodReport.objects.filter(assignment=a).order_by("-ends_on").first().ends_on >= last_before
    assert max(PeriodReport.objects.filter(assignment=a).values_list("starts_on", flat=True)) <= LATER
    d = details("assignment.extension_approved")
    assert (d["from"], d["to"], d["original"]) == (DUE.isoformat(), LATER.isoformat(), DUE.isoformat())
    with pytest.raises(WrongState, match="已处理"):
        svc.extension_reject(actor=world.supervisor, request_id=request.pk, reason="晚了")


def test_who_decides_the_office_or_the_lead_where_the_plan_allows_never_the_asker(world):
    request = ask(world)
    with pytest.raises(NotAllowed, match="督办单位"):
        svc.extension_approve(actor=world.reviewer, request_id=request.pk)
    with pytest.raises(NotAllowed):
        svc.extension_approve(actor=world.submitter, request_id=request.pk)
    world.plan.lead_may_decide_extensions = True
    world.plan.save(update_fields=["lead_may_decide_extensions"])
    svc.extension_approve(actor=world.reviewer, request_id=request.pk)
    assert fresh(world).due_date == LATER
    assert AuditEvent.objects.get(action="assignment.extension_approved").role == "reviewer"


def test_refusal_needs_a_reason_and_leaves_the_date_and_the_unit_may_withdraw(world):
    request = ask(world)
    with pytest.raises(Invalid):
        svc.extension_reject(actor=world.supervisor, request_id=request.pk, reason=" ")
    svc.extension_reject(actor=world.supervisor, request_id=request.pk, reason="理由不充分，请按期完成")
    assert fresh(world).due_date == DUE and ExtensionRequest.objects.get().status == "rejected"
    again = ask(world, reason="补充说明：省厅批复已下达，仍需一个月")
    with pytest.raises(NotAllowed):
        svc.extension_withdraw(actor=world.reviewer, request_id=again.pk)
    svc.extension_withdraw(actor=world.submitter, request_id=again.pk)
    assert ExtensionRequest.objects.get(pk=again.pk).status == "withdrawn" and fresh(world).due_date == DUE
    assert AuditEvent.objects.filter(action__startswith="assignment.extension_").count() == 4


def test_once_work_began_the_office_changes_a_date_only_with_a_reason_and_a_later_one_is_an_extension(world):
    with pytest.raises(Invalid) as refused:
        assignment_set_due_date(actor=world.supervisor, assignment_id=world.assignment.pk, due_date=LATER)
    assert "reason" in refused.value.fields and fresh(world).due_date == DUE
    assignment_set_due_date(actor=world.supervisor, assignment_id=world.assignment.pk, due_date=LATER,
                            reason="市政府常务会议决定延后")
    a = fresh(world)
    assert (a.due_date, a.extended_due_date, a.original_due_date) == (LATER, LATER, DUE)
    granted = ExtensionRequest.objects.get()
    assert granted.status == "approved" and granted.decided_by == world.supervisor
    earlier = DUE - dt.timedelta(days=5)
    assignment_set_due_date(actor=world.supervisor, assignment_id=world.assignment.pk, due_date=earlier,
                            reason="提前完成要求")
    a = fresh(world)
    assert (a.due_date, a.extended_due_date, a.original_due_date, a.judged_due) == (earlier, None, DUE, DUE)


def _submitted_on(world, day: dt.date) -> None:
    flow.assignment_submit(actor=world.submitter, assignment_id=world.assignment.pk, report="报告",
                           no_file_statement="无")
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    Submission.objects.filter(assignment=world.assignment).update(submitted_at=moment)


@pytest.mark.parametrize(("how", "on_time"), [("none", 0), ("approved", 1), ("rejected", 0), ("tightened", 0)])
def test_the_scorecard_counts_from_the_original_date_unless_an_extension_was_approved(world, how, on_time):
    if how in ("approved", "rejected"):
        request = ask(world)
        if how == "approved":
            svc.extension_approve(actor=world.supervisor, request_id=request.pk)
        else:
            svc.extension_reject(actor=world.supervisor, request_id=request.pk, reason="不同意")
    elif how == "tightened":  # moved later then back: what counts is the original date
        assignment_set_due_date(actor=world.supervisor, assignment_id=world.assignment.pk, due_date=LATER,
                                reason="延后")
        assignment_set_due_date(actor=world.supervisor, assignment_id=world.assignment.pk, due_date=DUE,
                                reason="恢复原期限")
    late = DUE + dt.timedelta(days=10)  # after the original date, before the extended one
    _submitted_on(world, late)
    (score,) = [s for s in unit_scores(world.plan, today=late) if s.unit_id == world.assignment.unit_id]
    assert (score.due_for_judgement, score.on_time) == (1, on_time)


def test_a_request_left_pending_when_the_work_closes_leaves_the_deciders_list(world):
    from workflows.access.scopes import extension_requests_to_decide

    request = ask(world)
    assert list(extension_requests_to_decide(world.supervisor)) == [request]
    flow.assignment_submit(actor=world.submitter, assignment_id=world.assignment.pk, report="报告",
                           no_file_statement="无")
    flow.assignment_approve(actor=world.reviewer, assignment_id=world.assignment.pk)
    flow.assignment_accept(actor=world.supervisor, assignment_id=world.assignment.pk)
    assert not extension_requests_to_decide(world.supervisor).exists()
    with pytest.raises(WrongState, match="不能再延期"):
        svc.extension_approve(actor=world.supervisor, request_id=request.pk)
