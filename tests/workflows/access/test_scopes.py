"""What a person may see (workflows.access.scopes): the assignments and the transfer requests scoped
to them, each checked against the rule written with the ORM from the plans' parties and the people's
unit roles (not from the object permissions the scopes read)."""
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from tests.conftest import REFERENCE_PLAN
from tests.factories import UserFactory, fresh, inactive
from tests.world import build_world, person
from workflows.access.scopes import (
    assignments_visible_to,
    transfer_requests_to_decide,
    transfer_requests_visible_to,
)
from workflows.models import Assignment, PartyRole, TransferRequest, Unit
from workflows.services import plan_import
from workflows.services.dispatch import plan_dispatch
from workflows.services.memberships import membership_grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """The reference plan, all 31 tasks dispatched, and a second plan supervised by 市监察局 (task 1)."""
    world = build_world(whole_plan=True)
    data = REFERENCE_PLAN.read_bytes().replace("169号".encode(), "170号".encode())
    second = plan_import(actor=None, data=data, filename="170.txt",
                         supervising_unit=Unit.objects.get(short_name="市监察局"))
    world.second_supervisor = person("jiancha-sup", "市监察局", "supervisor")
    plan_dispatch(actor=world.second_supervisor, plan_id=second.pk, task_id=second.tasks.get(number=1).pk)
    world.second_plan = second
    return world


@pytest.fixture
def small_world():
    return build_world()


def ids(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def visible(user) -> set[int]:
    return ids(assignments_visible_to(user))


def unit(short_name: str) -> Unit:
    return Unit.objects.get(short_name=short_name)




# --- assignments_visible_to ------------------------------------------------------------------------


def test_a_submitter_sees_exactly_their_own_units_assignments_in_every_plan(world):
    own = ids(Assignment.objects.filter(unit=unit("市财政局")))
    assert len(own) > 2 and {a.round.plan_id for a in Assignment.objects.filter(pk__in=own)} == {
        world.plan.pk, world.second_plan.pk}
    assert visible(world.submitter) == own
    assert visible(world.colleague) == own


def test_a_submitter_of_another_unit_sees_only_that_units_assignments(world):
    theirs = ids(Assignment.objects.filter(unit=unit("市民政局")))
    assert visible(world.other_submitter) == theirs
    assert not theirs & visible(world.submitter)


def test_a_lead_reviewer_sees_every_units_assignments_of_the_tasks_their_department_leads_and_no_more(world):
    led = ids(Assignment.objects.filter(task__party_set__role=PartyRole.LEAD, task__party_set__unit=unit("市编办")))
    assert visible(world.reviewer) == led
    # Being a reviewer of 市编办 shows nothing of 市编办's own work on tasks it does not lead.
    own_elsewhere = ids(Assignment.objects.filter(unit=unit("市编办")).exclude(pk__in=led))
    assert own_elsewhere and not own_elsewhere & visible(world.reviewer)


def test_a_supervisor_sees_every_assignment_of_the_plans_their_office_supervises(world):
    assert visible(world.supervisor) == ids(Assignment.objects.filter(round__plan=world.plan))
    assert visible(world.second_supervisor) == ids(Assignment.objects.filter(round__plan=world.second_plan))
    assert not visible(world.supervisor) & visible(world.second_supervisor)


def test_an_auditor_and_a_superuser_see_every_assignment_of_every_plan(world):
    everything = ids(Assignment.objects.all())
    assert visible(world.auditor) == everything
    root = get_user_model().objects.create_superuser("root", password="pass-1234")
    assert visible(root) == everything


def test_a_person_in_two_roles_sees_both_scopes_together(world):
    membership_grant(actor=None, user=world.submitter, unit=unit("市政府法制办"), role="reviewer")
    led = Assignment.objects.filter(task__party_set__role=PartyRole.LEAD, task__party_set__unit=unit("市政府法制办"))
    assert visible(fresh(world.submitter)) == ids(Assignment.objects.filter(unit=unit("市财政局"))) | ids(led)


def test_someone_without_a_role_an_inactive_person_and_the_signed_out_see_nothing(world):
    for user in (UserFactory(username="nobody"), inactive(world.colleague), inactive(world.auditor),
                 AnonymousUser()):
        assert visible(user) == set(), user


def test_a_visible_assignment_comes_with_its_task_plan_unit_and_round_in_one_query(
        world, django_assert_num_queries):
    scoped = assignments_visible_to(world.submitter)
    with django_assert_num_queries(1):
        rows = [(a.task.number, a.task.plan.title, a.task.section_id, a.unit.short_name, a.round.name)
                for a in scoped]
    assert len(rows) == len(visible(world.submitter)) and {row[3] for row in rows} == {"市财政局"}


# --- transfer requests -------------------------------------------------------------------------------


def requested(assignment, by) -> TransferRequest:
    return TransferRequest.objects.create(assignment=assignment, kind="not_applicable", reason="不涉及本单位职责",
                                          requested_by=by)


@pytest.fixture
def requests(small_world):
    """One pending request from 市财政局 and, a little later, one from 市民政局 (both task 1)."""
    w = small_world
    finance = requested(w.assignment, w.submitter)
    civil = requested(Assignment.objects.get(round__plan=w.plan, task__number=1, unit__short_name="市民政局"),
                      w.other_submitter)
    TransferRequest.objects.filter(pk=civil.pk).update(requested_at=timezone.now() + timezone.timedelta(minutes=1))
    return finance, civil


def test_transfer_requests_are_visible_with_their_assignments(small_world, requests):
    w, (finance, civil) = small_world, requests
    assert ids(transfer_requests_visible_to(w.submitter)) == {finance.pk}
    assert ids(transfer_requests_visible_to(w.colleague)) == {finance.pk}
    assert ids(transfer_requests_visible_to(w.other_submitter)) == {civil.pk}
    for user in (w.supervisor, w.reviewer, w.second_reviewer, w.auditor):
        assert ids(transfer_requests_visible_to(user)) == {finance.pk, civil.pk}, user
    for user in (UserFactory(username="nobody"), inactive(w.auditor), AnonymousUser()):
        assert ids(transfer_requests_visible_to(user)) == set(), user


def test_the_supervising_office_has_every_pending_request_of_its_plans_to_decide_oldest_first(small_world,
                                                                                             requests):
    w, (finance, civil) = small_world, requests
    assert list(transfer_requests_to_decide(w.supervisor)) == [finance, civil]
    TransferRequest.objects.filter(pk=finance.pk).update(status="rejected")
    assert list(transfer_requests_to_decide(w.supervisor)) == [civil]


def test_a_lead_department_has_requests_to_decide_only_where_the_plan_allows_it(small_world, requests):
    w, (finance, civil) = small_world, requests
    assert list(transfer_requests_to_decide(w.reviewer)) == []
    w.plan.lead_may_decide_transfers = True
    w.plan.save(update_fields=["lead_may_decide_transfers"])
    assert list(transfer_requests_to_decide(w.reviewer)) == [finance, civil]
    assert list(transfer_requests_to_decide(w.second_reviewer)) == [finance, civil]
    # A reviewer of both lead departments of task 1 gets each request once.
    both = person("both-leads", "市编办", "reviewer")
    membership_grant(actor=None, user=both, unit=unit("市政府法制办"), role="reviewer")
    assert list(transfer_requests_to_decide(both)) == [finance, civil]
    # A reviewer of a department that does not lead the task has none.
    assert list(transfer_requests_to_decide(person("mz-reviewer", "市民政局", "reviewer"))) == []


def test_those_who_only_see_requests_have_none_to_decide(small_world, requests):
    w = small_world
    for user in (w.submitter, w.other_submitter, w.auditor, UserFactory(username="nobody")):
        assert list(transfer_requests_to_decide(user)) == [], user
    assert list(transfer_requests_to_decide(inactive(w.supervisor))) == []


def test_the_signed_out_have_no_requests_to_decide(small_world, requests):
    assert list(transfer_requests_to_decide(AnonymousUser())) == []
