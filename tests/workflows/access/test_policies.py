"""Who may do what (workflows.access.policies), asked directly: no screen, no API, and no service
except those that build the world (import, dispatch, unit roles).

An assignment is put into each state by writing the state (and refreshing 我的待办's table, which
follows it): the rules read only the state, the object permissions and the latest submission.
"""
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Permission
from django.utils import timezone

from tests.factories import PlanAdministratorFactory, UserFactory, fresh, inactive
from tests.world import build_world, person
from workflows.access.policies import (
    ASSIGNMENT_ACTIONS,
    assignment_permissions,
    available_actions,
    can_import_plans,
    can_manage_roles,
    can_manage_units,
    can_read_audit,
    can_revise_plan,
    can_select_units,
    can_supervise,
    can_view_plans,
    can_view_supervision,
    decide,
    decide_hand_over,
    decide_transfer_decision,
    decide_transfer_request,
    holds_role,
    may_decide_transfers,
    sees_all_assignments,
)
from workflows.models import Assignment, Submission, TransferRequest, Unit
from workflows.services.inbox import refresh_inbox
from workflows.services.memberships import membership_grant

pytestmark = pytest.mark.django_db

STATES = ("assigned", "in_progress", "submitted", "lead_reviewed", "accepted")
NOWHERE = (403,) * len(STATES)  # no right to it: 403 in every state
MISSING = (404,) * len(STATES)  # cannot see the assignment: 404 in every state

# The answers of ``decide``, written out by hand per role: for each action, the status in each of
# STATES (已交办, 办理中, 已报送, 牵头审核通过, 已验收办结), for task 1 × 市财政局.
SUBMITTER = {  # 市财政局 承办人: the responsible unit
    "start": (200, 409, 409, 409, 409),
    "submit": (409, 200, 409, 409, 409),
    "recall": (409, 409, 200, 409, 409),  # until a reviewer opens it (tests/workflows/services/test_recall.py)
    "approve": NOWHERE,
    "return": NOWHERE,
    "accept": NOWHERE,
    "upload_evidence": (200, 200, 409, 409, 409),
}
LEAD_REVIEWER = {  # 市编办 牵头审核人: a lead department of task 1
    "start": NOWHERE,
    "submit": NOWHERE,
    "recall": NOWHERE,
    "approve": (409, 409, 200, 409, 409),
    "return": (409, 409, 200, 409, 409),
    "accept": NOWHERE,
    "upload_evidence": NOWHERE,
}
SUPERVISOR = {  # 市政府法制办 督办验收人: the plan's supervising office
    "start": NOWHERE,
    "submit": NOWHERE,
    "recall": NOWHERE,
    "approve": NOWHERE,
    "return": (409, 409, 409, 200, 409),
    "accept": (409, 409, 409, 200, 409),
    "upload_evidence": NOWHERE,
}
AUDITOR = dict.fromkeys(ASSIGNMENT_ACTIONS, NOWHERE)  # reads everything, does nothing
STRANGER = dict.fromkeys(ASSIGNMENT_ACTIONS, MISSING)  # 市民政局 承办人: another unit's work only


@pytest.fixture
def world():
    return build_world()


def put_in(assignment, state: str) -> Assignment:
    """Write ``state`` (no transition, no event) and keep 我的待办's table in step with it."""
    Assignment.objects.filter(pk=assignment.pk).update(state=state)
    refresh_inbox([assignment.pk])
    return Assignment.objects.get(pk=assignment.pk)


def answers(assignment, user) -> dict[str, tuple[int, ...]]:
    """{action: (the status ``decide`` gives in each of STATES)} for ``user`` on ``assignment``."""
    table = {action: [] for action in ASSIGNMENT_ACTIONS}
    for state in STATES:
        current = put_in(assignment, state)
        for action in ASSIGNMENT_ACTIONS:
            decision = decide(fresh(user), current, action)
            assert decision.allowed == (decision.status == 200), (state, action, decision)
            table[action].append(decision.status)
    return {action: tuple(statuses) for action, statuses in table.items()}


def allowed_in(table: dict, state: str) -> list[str]:
    """The actions a hand-written table allows in ``state``, in the order the buttons show them."""
    return [action for action in ASSIGNMENT_ACTIONS if table[action][STATES.index(state)] == 200]




def own_assignment_of_the_legal_office(world) -> Assignment:
    """Task 1 × 市政府法制办: the office is a lead department of task 1 and one of its responsible units."""
    return Assignment.objects.get(round__plan=world.plan, task__number=1, unit__short_name="市政府法制办")


def submitted(assignment, by, *, number=1, reviewed_by=None, state="submitted") -> Assignment:
    Submission.objects.create(assignment=assignment, number=number, report="已完成", no_file_statement="无",
                              submitted_by=by, submitted_at=timezone.now(), reviewed_by=reviewed_by)
    return put_in(assignment, state)


def with_permission(*codenames: str):
    user = UserFactory()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames, content_type__app_label="workflows"))
    return fresh(user)


def superuser():
    return get_user_model().objects.create_superuser("root", password="pass-1234")


def transfer_request(assignment, by, *, status="pending") -> TransferRequest:
    return TransferRequest.objects.create(assignment=assignment, kind="not_applicable", reason="不涉及本单位职责",
                                          requested_by=by, status=status)


# --- decide: each action × each state × each role ---------------------------------------------------


def test_the_responsible_units_submitter_may_start_submit_and_upload_only_while_the_work_is_theirs(world):
    assert answers(world.assignment, world.submitter) == SUBMITTER


def test_every_submitter_of_the_unit_gets_the_same_answers(world):
    assert answers(world.assignment, world.colleague) == SUBMITTER


def test_a_lead_reviewer_may_approve_or_return_only_a_submitted_assignment(world):
    assert answers(world.assignment, world.reviewer) == LEAD_REVIEWER


def test_the_reviewer_of_either_lead_department_may_review(world):
    assert answers(world.assignment, world.second_reviewer) == LEAD_REVIEWER


def test_the_supervisor_may_accept_or_return_only_a_lead_reviewed_assignment(world):
    assert answers(world.assignment, world.supervisor) == SUPERVISOR


def test_an_auditor_sees_every_assignment_but_is_refused_every_action_in_every_state(world):
    assert answers(world.assignment, world.auditor) == AUDITOR


def test_a_submitter_of_another_unit_is_told_the_assignment_does_not_exist_whatever_its_state(world):
    assert answers(world.assignment, world.other_submitter) == STRANGER


def test_someone_without_a_role_an_inactive_submitter_and_the_signed_out_are_all_told_404(world):
    nobody = UserFactory(username="nobody")
    for user in (nobody, inactive(world.colleague), AnonymousUser()):
        for action in ASSIGNMENT_ACTIONS:
            assert decide(user, world.assignment, action).status == 404, (user, action)


def test_the_documented_order_is_not_visible_then_no_right_then_wrong_state(world):
    accepted = put_in(world.assignment, "accepted")
    # Not visible beats everything: the stranger is not told the state or that the right exists.
    assert decide(world.other_submitter, accepted, "start").status == 404
    # No right beats a wrong state: the reviewer may never start, so the state does not matter.
    assert decide(world.reviewer, accepted, "start").status == 403
    # A right in the wrong state: 409.
    assert decide(world.submitter, accepted, "start").status == 409


def test_each_refusal_says_why_and_an_allowance_names_the_right_and_role_it_comes_from(world):
    a = world.assignment
    missing = decide(world.other_submitter, a, "approve")
    assert (missing.allowed, missing.status, missing.message, missing.permission) == (False, 404, "承办件不存在", "")
    no_right = decide(world.submitter, a, "approve")
    assert (no_right.status, no_right.message, no_right.role) == (403, "您无权对该承办件执行“审核通过”", "")
    wrong_state = decide(world.reviewer, a, "approve")
    assert (wrong_state.status, wrong_state.message) == (409, "承办件当前状态为“已交办”，不能执行“审核通过”")
    started = decide(world.submitter, a, "start")
    assert (started.allowed, started.message, started.permission, started.role) == (
        True, "", "work_assignment", "submitter")
    a = put_in(a, "submitted")
    assert (decide(world.reviewer, a, "return").permission, decide(world.reviewer, a, "return").role) == (
        "review_assignment", "reviewer")
    a = put_in(a, "lead_reviewed")
    assert (decide(world.supervisor, a, "return").permission, decide(world.supervisor, a, "accept").role) == (
        "accept_assignment", "supervisor")


def test_an_unknown_action_is_a_mistake_in_the_caller_not_a_refusal(world):
    with pytest.raises(ValueError, match="delete"):
        decide(world.submitter, world.assignment, "delete")


def test_each_role_holds_its_own_object_permissions_through_its_units_group(world):
    a = world.assignment
    held = {role: assignment_permissions(fresh(getattr(world, role)), a)
            for role in ("submitter", "reviewer", "supervisor", "auditor", "other_submitter")}
    assert held == {
        "submitter": {"view_assignment", "work_assignment"},
        "reviewer": {"view_assignment", "review_assignment"},
        "supervisor": {"view_assignment", "accept_assignment"},
        "auditor": {"view_assignment"},
        "other_submitter": set(),
    }
    assert assignment_permissions(AnonymousUser(), a) == set()
    assert assignment_permissions(inactive(world.submitter), a) == set()


# --- separation of duties -----------------------------------------------------------------------------


def test_a_reviewer_who_submitted_the_report_may_neither_approve_nor_return_it(world):
    both = person("both", "市政府法制办", "submitter")
    membership_grant(actor=None, user=both, unit=Unit.objects.get(short_name="市政府法制办"), role="reviewer")
    own = submitted(own_assignment_of_the_legal_office(world), both)
    for action in ("approve", "return"):
        refusal = decide(fresh(both), own, action)
        assert (refusal.status, refusal.message, refusal.permission) == (
            403, "不能审核或验收本人报送的材料", "review_assignment"), action
        assert decide(world.second_reviewer, own, action).allowed, action  # a colleague of the same office may
        assert decide(world.reviewer, own, action).allowed, action  # and the other lead department


def test_only_the_latest_round_counts_for_who_submitted(world):
    both = person("both", "市政府法制办", "submitter")
    membership_grant(actor=None, user=both, unit=Unit.objects.get(short_name="市政府法制办"), role="reviewer")
    colleague = person("fazhi-submitter", "市政府法制办", "submitter")
    own = submitted(own_assignment_of_the_legal_office(world), both, number=1)
    assert decide(fresh(both), own, "approve").status == 403
    own = submitted(own, colleague, number=2)  # returned once, then submitted again by a colleague
    assert decide(fresh(both), own, "approve").allowed


def test_an_accepter_who_reviewed_the_same_round_may_neither_accept_nor_return_it(world):
    membership_grant(actor=None, user=world.supervisor, unit=world.plan.supervising_unit, role="reviewer")
    reviewed = submitted(world.assignment, world.submitter, reviewed_by=world.supervisor, state="lead_reviewed")
    other_supervisor = person("fazhi-sup2", "市政府法制办", "supervisor")
    for action in ("accept", "return"):
        refusal = decide(fresh(world.supervisor), reviewed, action)
        assert (refusal.status, refusal.message, refusal.permission) == (
            403, "验收人不能是同一轮的审核人", "accept_assignment"), action
        assert decide(other_supervisor, reviewed, action).allowed, action


def test_an_accepter_who_submitted_the_report_may_not_accept_it(world):
    both = person("both", "市政府法制办", "submitter")
    membership_grant(actor=None, user=both, unit=Unit.objects.get(short_name="市政府法制办"), role="supervisor")
    own = submitted(own_assignment_of_the_legal_office(world), both, reviewed_by=world.reviewer,
                    state="lead_reviewed")
    assert decide(fresh(both), own, "accept").message == "不能审核或验收本人报送的材料"
    assert decide(world.supervisor, own, "accept").allowed


def test_a_wrong_state_is_answered_before_separation_of_duties(world):
    both = person("both", "市政府法制办", "submitter")
    membership_grant(actor=None, user=both, unit=Unit.objects.get(short_name="市政府法制办"), role="reviewer")
    own = submitted(own_assignment_of_the_legal_office(world), both, reviewed_by=world.reviewer,
                    state="lead_reviewed")
    assert decide(fresh(both), own, "approve").status == 409


def test_decide_asks_the_database_nothing_when_given_the_permissions_and_the_latest_submission(
        world, django_assert_num_queries):
    both = person("both", "市政府法制办", "submitter")
    membership_grant(actor=None, user=both, unit=Unit.objects.get(short_name="市政府法制办"), role="reviewer")
    own = submitted(own_assignment_of_the_legal_office(world), both)
    both = fresh(both)
    perms = assignment_permissions(both, own)
    latest = own.submissions.get()
    with django_assert_num_queries(0):
        given = decide(both, own, "approve", perms=perms, submission=latest)
        none_given = decide(both, own, "approve", perms=perms, submission=None)  # "there is none"
    assert given.status == 403 == decide(both, own, "approve").status  # the same as looked up
    assert none_given.allowed


# --- available_actions: what the buttons show ------------------------------------------------------


@pytest.mark.parametrize("state", STATES)
def test_the_actions_offered_are_exactly_the_ones_decide_allows(world, state):
    a = put_in(world.assignment, state)
    tables = {"submitter": SUBMITTER, "colleague": SUBMITTER, "reviewer": LEAD_REVIEWER,
              "second_reviewer": LEAD_REVIEWER, "supervisor": SUPERVISOR, "auditor": AUDITOR,
              "other_submitter": STRANGER}
    for role, table in tables.items():
        user = fresh(getattr(world, role))
        offered = available_actions(user, a)
        assert offered == [action for action in ASSIGNMENT_ACTIONS if decide(user, a, action).allowed], role
        assert offered == allowed_in(table, state), role


def test_the_reviewer_who_submitted_is_offered_nothing_while_a_colleague_is_offered_both_answers(world):
    both = person("both", "市政府法制办", "submitter")
    membership_grant(actor=None, user=both, unit=Unit.objects.get(short_name="市政府法制办"), role="reviewer")
    own = submitted(own_assignment_of_the_legal_office(world), both)
    assert available_actions(fresh(both), own) == ["recall"]  # as its submitter: taking it back, not judging it
    assert available_actions(world.second_reviewer, own) == ["approve", "return"]


# --- rights that are not about one assignment -------------------------------------------------------


def test_administrators_import_plans_and_nobody_else(world):
    administrator = fresh(PlanAdministratorFactory(username="admin"))
    assert can_import_plans(administrator) and can_import_plans(superuser())
    for user in (world.supervisor, world.auditor, UserFactory(), inactive(administrator), AnonymousUser()):
        assert not can_import_plans(user), user


def test_managing_the_unit_directory_needs_its_own_permission(world):
    assert can_manage_units(fresh(PlanAdministratorFactory(username="admin")))
    importer_only = with_permission("add_plan")
    assert can_import_plans(importer_only) and not can_manage_units(importer_only)
    assert not can_manage_units(world.supervisor) and not can_manage_units(AnonymousUser())


def test_unit_roles_are_managed_only_by_holders_of_add_membership(world):
    granter = with_permission("add_membership")
    assert can_manage_roles(granter) and can_manage_roles(superuser())
    assert not can_manage_roles(fresh(PlanAdministratorFactory(username="admin")))  # importing is not granting
    for user in (world.supervisor, inactive(granter), AnonymousUser()):
        assert not can_manage_roles(user), user


def test_auditors_and_superusers_read_the_audit_trail_and_nobody_else(world):
    assert can_read_audit(fresh(world.auditor)) and can_read_audit(superuser())
    for user in (world.supervisor, world.reviewer, world.submitter, inactive(world.auditor), AnonymousUser()):
        assert not can_read_audit(user), user


def test_auditors_and_superusers_see_all_assignments_and_everyone_else_only_their_own(world):
    assert sees_all_assignments(fresh(world.auditor)) and sees_all_assignments(superuser())
    for user in (world.supervisor, world.reviewer, world.submitter, inactive(world.auditor), AnonymousUser()):
        assert not sees_all_assignments(user), user


def test_anyone_signed_in_and_active_may_read_the_plans(world):
    assert can_view_plans(world.submitter) and can_view_plans(UserFactory())
    assert not can_view_plans(inactive(world.auditor)) and not can_view_plans(AnonymousUser())


def test_holding_a_role_is_about_one_unit_and_one_role(world):
    finance = Unit.objects.get(short_name="市财政局")
    assert holds_role(world.submitter, finance.pk, "submitter")
    assert not holds_role(world.submitter, finance.pk, "reviewer")
    assert not holds_role(world.submitter, Unit.objects.get(short_name="市民政局").pk, "submitter")
    assert not holds_role(world.other_submitter, finance.pk, "submitter")
    assert not holds_role(inactive(world.colleague), finance.pk, "submitter")
    assert not holds_role(AnonymousUser(), finance.pk, "submitter")


def test_only_the_supervising_offices_supervisors_supervise_the_plan(world):
    assert can_supervise(world.supervisor, world.plan)
    # The same office in another role, another office in the same role, and an auditor: no.
    elsewhere = person("jiancha-sup", "市监察局", "supervisor")
    for user in (world.second_reviewer, elsewhere, world.auditor, world.submitter, AnonymousUser()):
        assert not can_supervise(user, world.plan), user
    world.plan.supervising_unit = None
    assert not can_supervise(world.supervisor, world.plan)  # a plan without a supervising office


def test_the_supervising_office_and_auditors_view_supervision_and_nobody_else(world):
    assert can_view_supervision(world.supervisor, world.plan)
    assert can_view_supervision(fresh(world.auditor), world.plan)
    for user in (world.reviewer, world.submitter, world.other_submitter, AnonymousUser()):
        assert not can_view_supervision(user, world.plan), user


def test_a_lead_reviewer_selects_units_only_for_the_tasks_their_department_leads(world):
    task_1 = world.plan.tasks.get(number=1)  # led by 市编办 and 市政府法制办
    task_12 = world.plan.tasks.get(number=12)  # led by 市政府法制办 alone
    assert can_select_units(world.reviewer, task_1) and can_select_units(world.second_reviewer, task_1)
    assert not can_select_units(world.reviewer, task_12) and can_select_units(world.second_reviewer, task_12)
    # The supervising office is not a reviewer; a responsible unit is not a lead.
    for user in (world.supervisor, world.submitter, world.auditor, AnonymousUser()):
        assert not can_select_units(user, task_1), user


def test_administrators_and_the_supervising_office_revise_a_plan_and_nobody_else(world):
    assert can_revise_plan(fresh(PlanAdministratorFactory(username="admin")), world.plan)
    assert can_revise_plan(world.supervisor, world.plan)
    for user in (world.reviewer, world.second_reviewer, world.auditor, world.submitter, AnonymousUser()):
        assert not can_revise_plan(user, world.plan), user


# --- changes after dispatch: transfer requests, their decisions, handing over -------------------------


def transfer_request_answers(assignment, user) -> tuple[int, ...]:
    return tuple(decide_transfer_request(fresh(user), put_in(assignment, state)).status for state in STATES)


def test_only_the_responsible_units_submitters_may_ask_for_a_transfer_while_the_work_is_theirs(world):
    a = world.assignment
    assert transfer_request_answers(a, world.submitter) == (200, 200, 409, 409, 409)
    assert transfer_request_answers(a, world.colleague) == (200, 200, 409, 409, 409)
    for role in ("reviewer", "supervisor", "auditor"):
        assert transfer_request_answers(a, getattr(world, role)) == NOWHERE, role
    assert transfer_request_answers(a, world.other_submitter) == MISSING
    refusal = decide_transfer_request(world.reviewer, a)
    assert refusal.message == "只有承办单位的承办人可以申请调整承办单位"
    late = decide_transfer_request(world.submitter, put_in(a, "submitted"))
    assert late.message == "承办件当前状态为“已报送”，不能申请调整承办单位"


def test_an_assignment_has_one_pending_transfer_request_at_a_time(world):
    request = transfer_request(world.assignment, world.submitter)
    second = decide_transfer_request(world.colleague, world.assignment)
    assert (second.status, second.message) == (409, "该承办件已有待审批的调整申请")
    assert decide_transfer_request(world.colleague, world.assignment, pending=None).allowed  # told there is none
    TransferRequest.objects.filter(pk=request.pk).update(status="rejected")
    again = decide_transfer_request(world.colleague, world.assignment)
    assert (again.allowed, again.permission) == (True, "work_assignment")


def test_the_supervising_office_decides_a_pending_request_while_the_assignment_is_open(world):
    request = transfer_request(world.assignment, world.submitter)
    statuses = []
    for state in STATES:
        request.assignment = put_in(world.assignment, state)
        statuses.append(decide_transfer_decision(world.supervisor, request).status)
    assert statuses == [200, 200, 200, 200, 409]
    request.assignment = put_in(world.assignment, "in_progress")
    decision = decide_transfer_decision(world.supervisor, request)
    assert (decision.permission, decision.role) == ("accept_assignment", "supervisor")
    request.assignment = put_in(world.assignment, "accepted")
    assert decide_transfer_decision(world.supervisor, request).message == "承办件当前状态为“已验收办结”，不能再调整承办单位"


def test_nobody_else_decides_a_transfer_request_unless_the_plan_lets_its_lead_departments(world):
    request = transfer_request(world.assignment, world.submitter)
    assert decide_transfer_decision(world.other_submitter, request).status == 404
    for user in (world.submitter, world.colleague, world.reviewer, world.second_reviewer, world.auditor):
        assert decide_transfer_decision(user, request).status == 403, user
    assert may_decide_transfers(world.supervisor, world.assignment.task) == "supervisor"
    assert may_decide_transfers(world.reviewer, world.assignment.task) == ""
    world.plan.lead_may_decide_transfers = True
    world.plan.save(update_fields=["lead_may_decide_transfers"])
    request = TransferRequest.objects.get(pk=request.pk)
    for user in (world.reviewer, world.second_reviewer):
        decision = decide_transfer_decision(user, request)
        assert (decision.status, decision.permission, decision.role) == (200, "review_assignment", "reviewer")
    task = Assignment.objects.get(pk=world.assignment.pk).task
    assert may_decide_transfers(world.reviewer, task) == "reviewer"
    assert may_decide_transfers(world.supervisor, task) == "supervisor"  # the office still decides as such
    assert may_decide_transfers(world.submitter, task) == ""


def test_a_decided_request_is_not_decided_again(world):
    for status, label in (("approved", "已同意"), ("rejected", "已驳回")):
        request = transfer_request(world.assignment, world.submitter, status=status)
        decision = decide_transfer_decision(world.supervisor, request)
        assert (decision.status, decision.message) == (409, f"该申请已审批（{label}）")
        # The order: not visible (404) and no right (403) come before the request's state.
        assert decide_transfer_decision(world.other_submitter, request).status == 404
        assert decide_transfer_decision(world.submitter, request).status == 403
        request.delete()


def test_nobody_decides_their_own_transfer_request(world):
    both = person("both", "市政府法制办", "submitter")
    membership_grant(actor=None, user=both, unit=Unit.objects.get(short_name="市政府法制办"), role="supervisor")
    request = transfer_request(own_assignment_of_the_legal_office(world), both)
    refusal = decide_transfer_decision(fresh(both), request)
    assert (refusal.status, refusal.message) == (403, "不能审批本人提出的申请")
    assert decide_transfer_decision(world.supervisor, request).allowed


def test_only_the_responsible_units_submitters_hand_work_over_while_it_is_theirs(world):
    a = world.assignment
    for user in (world.submitter, world.colleague):
        assert tuple(decide_hand_over(user, put_in(a, s)).status for s in STATES) == (200, 200, 409, 409, 409)
    for user in (world.reviewer, world.supervisor, world.auditor):
        assert tuple(decide_hand_over(user, put_in(a, s)).status for s in STATES) == NOWHERE, user
    assert tuple(decide_hand_over(world.other_submitter, put_in(a, s)).status for s in STATES) == MISSING
    assert decide_hand_over(world.reviewer, a).message == "只有承办单位的承办人可以转交"
    assert decide_hand_over(world.submitter, put_in(a, "lead_reviewed")).message == (
        "承办件当前状态为“牵头审核通过”，不能转交")
    assert decide_hand_over(world.submitter, put_in(a, "assigned")).permission == "work_assignment"
