"""节点计划: the unit (or the office) sets dated milestones; a period report says which are done; an
undone milestone past its date turns the light red, and yellow as it nears; removing one keeps the
record; who may do what; each change audited."""
import datetime as dt
import json

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from tests.world import build_world
from workflows.lights import GREEN, RED, YELLOW, light_for_due
from workflows.models import Assignment, InboxItem, Milestone, PeriodReport
from workflows.services import periods as svc
from workflows.services.dispatch import assignment_set_due_date
from workflows.services.errors import Invalid, NotAllowed, NotFound, WrongState

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def world():
    world = build_world()
    Assignment.objects.filter(pk=world.assignment.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    assignment_set_due_date(actor=world.supervisor, assignment_id=world.assignment.pk,
                            due_date=TODAY + dt.timedelta(days=200))
    return world


def add(world, days, actor=None, title="完成方案起草"):
    return svc.milestone_add(actor=actor or world.submitter, assignment_id=world.assignment.pk, title=title,
                             target="形成征求意见稿", due_on=TODAY + dt.timedelta(days=days))


def light(world):
    a = Assignment.objects.get(pk=world.assignment.pk)
    return light_for_due(a.light_due, TODAY), a


def test_an_undone_milestone_sets_the_light_and_the_inbox_and_done_it_no_longer_counts(world):
    assert light(world)[0] == GREEN
    soon = add(world, 2)
    colour, a = light(world)
    assert colour == YELLOW and a.light_due == soon.due_on
    assert set(InboxItem.objects.filter(assignment=a).values_list("due_date", flat=True)) == {soon.due_on}
    late = add(world, -3, title="完成调研")
    colour, a = light(world)
    assert colour == RED and a.light_due == late.due_on
    svc.milestone_done(actor=world.submitter, assignment_id=a.pk, milestone_id=late.pk)
    assert light(world)[0] == YELLOW
    svc.milestone_remove(actor=world.supervisor, assignment_id=a.pk, milestone_id=soon.pk)
    colour, a = light(world)
    assert colour == GREEN and a.light_due == a.due_date
    assert Milestone.objects.filter(pk=soon.pk, removed_at__isnull=False).exists()  # kept in the record
    actions = list(AuditEvent.objects.filter(action__startswith="milestone.").order_by("seq")
                   .values_list("action", flat=True))
    assert actions == ["milestone.added", "milestone.added", "milestone.done", "milestone.removed"]
    assert json.loads(AuditEvent.objects.filter(action="milestone.added").order_by("seq").first().details)["title"] == "完成方案起草"


def test_a_period_report_says_which_milestones_it_completes(world):
    svc.plan_set_cadence(actor=world.supervisor, plan_id=world.plan.pk, cadence="monthly", day=5)
    first = PeriodReport.objects.filter(assignment=world.assignment).order_by("starts_on").first()
    one, two = add(world, 10), add(world, 30, title="完成征求意见")
    svc.period_report_file(actor=world.submitter, assignment_id=world.assignment.pk, report_id=first.pk,
                           text="方案已起草", milestones_done=[one.pk])
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.done_on == TODAY and one.done_in_id == first.pk and two.done_on is None
    details = json.loads(AuditEvent.objects.get(action="period_report.submitted").details)
    assert details["milestones_done"] == ["完成方案起草"]
    second = PeriodReport.objects.filter(assignment=world.assignment, status="pending").order_by("starts_on").first()
    with pytest.raises(Invalid) as refused:  # already done: refused, the report is not filed
        svc.period_report_file(actor=world.submitter, assignment_id=world.assignment.pk, report_id=second.pk,
                               text="继续推进", milestones_done=[one.pk])
    assert "milestones" in refused.value.fields
    assert PeriodReport.objects.get(pk=second.pk).status == "pending"


@pytest.mark.parametrize(("title", "days", "field"), [("", 5, "title"), ("节点", None, "due_on"),
                                                       ("节点", 400, "due_on"), ("节点", -60, "due_on")])
def test_a_milestone_needs_a_title_and_a_date_between_dispatch_and_the_due_date(world, title, days, field):
    with pytest.raises(Invalid) as refused:
        svc.milestone_add(actor=world.submitter, assignment_id=world.assignment.pk, title=title,
                          due_on=None if days is None else TODAY + dt.timedelta(days=days))
    assert field in refused.value.fields and not Milestone.objects.exists()


def test_who_may_set_remove_and_complete_milestones(world):
    with pytest.raises(NotAllowed):
        add(world, 5, actor=world.reviewer)
    with pytest.raises(NotFound):
        add(world, 5, actor=world.other_submitter)
    with pytest.raises(NotAllowed):
        add(world, 5, actor=world.auditor)
    by_office = add(world, 5, actor=world.supervisor)
    with pytest.raises(NotAllowed):
        svc.milestone_done(actor=world.supervisor, assignment_id=world.assignment.pk, milestone_id=by_office.pk)
    svc.milestone_done(actor=world.submitter, assignment_id=world.assignment.pk, milestone_id=by_office.pk)
    with pytest.raises(WrongState, match="已完成"):
        svc.milestone_remove(actor=world.submitter, assignment_id=world.assignment.pk, milestone_id=by_office.pk)
