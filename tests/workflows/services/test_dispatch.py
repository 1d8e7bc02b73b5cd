"""Dispatch (交办): all-terms expand, relevant terms wait for a lead's choice, problems are shown."""
import datetime as dt

import pytest

from audit.models import AuditEvent
from tests.world import build_world, person
from workflows.access.scopes import assignments_visible_to
from workflows.models import Assignment, Unit
from workflows.selectors.inbox import assignments_awaiting
from workflows.services import dispatch
from workflows.services.errors import ActionError

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world(whole_plan=True)


def active(kind: str) -> set[str]:
    return set(Unit.objects.filter(kind=kind, is_active=True).values_list("short_name", flat=True))


def units_of(world, number: int) -> set[str]:
    return set(Assignment.objects.filter(round__plan=world.plan, task__number=number)
               .values_list("unit__short_name", flat=True))


def test_all_terms_expand_into_one_assignment_per_active_unit(world):
    assert units_of(world, 1) == active("municipal")
    assert units_of(world, 4) == active("municipal") | active("district")


def test_relevant_terms_wait_for_the_lead_and_the_rest_of_the_task_is_dispatched(world):
    assert units_of(world, 7) == active("district")  # 市政府相关部门 waits; 各区镇 does not
    assert units_of(world, 16) == set()  # 市政府相关部门 and 有关区镇 both wait


def test_a_term_that_names_no_unit_is_reported_as_a_problem(world):
    result = dispatch.plan_dispatch(actor=world.supervisor, plan_id=world.plan.pk)
    assert "第 2 项任务：“各城市管理办事处”在单位库中没有对应的启用单位" in result.problems
    assert (16, "有关区镇") in result.awaiting_selection


def test_dispatching_again_creates_nothing_new_and_is_recorded(world):
    before = Assignment.objects.count()
    result = dispatch.plan_dispatch(actor=world.supervisor, plan_id=world.plan.pk)
    assert result.created == [] and Assignment.objects.count() == before
    assert AuditEvent.objects.filter(action="plan.dispatched").count() == 2


def test_due_dates_default_to_the_earliest_deadline_else_the_plans_end(world):
    due = dict(Assignment.objects.filter(round__plan=world.plan, unit__short_name="市财政局")
               .values_list("task__number", "due_date"))
    assert due[24] == dt.date(2019, 12, 31)
    assert due[9] == dt.date(2017, 12, 31)
    assert due[1] == dt.date(2020, 12, 31)  # "2016—2020年" in the title


def test_only_the_supervising_office_may_dispatch(world):
    with pytest.raises(ActionError) as refused:
        dispatch.plan_dispatch(actor=world.reviewer, plan_id=world.plan.pk)
    assert refused.value.status == 403
    with pytest.raises(ActionError) as missing:
        dispatch.plan_dispatch(actor=world.supervisor, plan_id=999999)
    assert missing.value.status == 404


def test_a_lead_reviewer_chooses_the_relevant_units(world):
    task15 = world.plan.tasks.get(number=15)  # leads 市编办, 市政府法制办, 市城管局; 有关区镇
    result = dispatch.task_select_units(actor=world.reviewer, task_id=task15.pk, unit_names=["张浦镇", "周市镇"])
    assert {a.unit.short_name for a in result.created} == {"张浦镇", "周市镇"}
    assert {"张浦镇", "周市镇"} <= units_of(world, 15)
    event = AuditEvent.objects.filter(action="task.units_selected").get()
    assert '"units":["张浦镇","周市镇"]' in event.details


def test_choosing_units_is_refused_for_non_leads_unknown_units_and_the_wrong_kind(world):
    task15 = world.plan.tasks.get(number=15)
    cases = [
        (world.submitter, ["张浦镇"], 403),
        (world.reviewer, ["不存在镇"], 400),
        (world.reviewer, ["市财政局"], 400),  # a municipal department is not one of 有关区镇
        (world.reviewer, [], 400),
    ]
    before = Assignment.objects.count()
    for user, names, status in cases:
        with pytest.raises(ActionError) as refused:
            dispatch.task_select_units(actor=user, task_id=task15.pk, unit_names=names)
        assert refused.value.status == status, names
    assert Assignment.objects.count() == before


def test_a_new_round_gets_fresh_assignments_and_leaves_the_old_ones(world):
    old = Assignment.objects.get(round__plan=world.plan, task__number=1, unit__short_name="市财政局")
    from workflows.services import assignments as services

    services.assignment_start(actor=world.submitter, assignment_id=old.pk)
    round_ = dispatch.round_open(actor=world.supervisor, plan_id=world.plan.pk, name="2018年度")
    dispatch.plan_dispatch(actor=world.supervisor, plan_id=world.plan.pk, round_id=round_.pk)
    fresh = Assignment.objects.get(round=round_, task__number=1, unit__short_name="市财政局")
    assert fresh.state == "assigned"
    old.refresh_from_db()
    assert old.state == "in_progress"
    with pytest.raises(ActionError):
        dispatch.round_open(actor=world.supervisor, plan_id=world.plan.pk, name="2018年度")


def test_each_person_sees_exactly_their_assignments(world):
    finance = assignments_visible_to(world.submitter)
    assert set(finance.values_list("unit__short_name", flat=True)) == {"市财政局"}
    led_by_bianban = set(world.plan.tasks.filter(party_set__role="lead", party_set__unit__short_name="市编办")
                         .values_list("number", flat=True)) - {16}  # task 16 waits for its relevant units
    assert set(assignments_visible_to(world.reviewer).values_list("task__number", flat=True)) == led_by_bianban
    everything = Assignment.objects.filter(round__plan=world.plan).count()
    assert assignments_visible_to(world.supervisor).count() == everything
    assert assignments_visible_to(world.auditor).count() == everything


def test_the_inbox_holds_what_each_person_must_do(world):
    finance_open = Assignment.objects.filter(unit__short_name="市财政局").count()
    assert assignments_awaiting(world.submitter).count() == finance_open
    assert assignments_awaiting(world.reviewer).count() == 0
    assert assignments_awaiting(world.auditor).count() == 0


def test_revoking_a_role_withdraws_the_rights_it_gave(world):
    from workflows.models import Membership
    from workflows.services.memberships import membership_revoke

    newcomer = person("newcomer", "市财政局", "submitter")
    assert assignments_visible_to(newcomer).exists()
    membership_revoke(actor=None, membership=Membership.objects.get(user=newcomer))
    assert not assignments_visible_to(newcomer).exists()


def test_only_the_supervisor_changes_a_due_date(world):
    assignment = Assignment.objects.get(round__plan=world.plan, task__number=1, unit__short_name="市财政局")
    dispatch.assignment_set_due_date(actor=world.supervisor, assignment_id=assignment.pk, due_date=dt.date(2019, 6, 30))
    assignment.refresh_from_db()
    assert assignment.due_date == dt.date(2019, 6, 30)
    with pytest.raises(ActionError) as refused:
        dispatch.assignment_set_due_date(actor=world.submitter, assignment_id=assignment.pk, due_date=dt.date(2030, 1, 1))
    assert refused.value.status == 403
