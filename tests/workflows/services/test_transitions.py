"""The whole transition table, per role: allowed pairs move the state and write one event;
forbidden pairs answer 403, 404 or 409 and change nothing."""
import pytest

from audit.models import AuditEvent
from tests.world import build_world, person
from workflows.access.policies import available_actions, decide
from workflows.models import Assignment, Submission
from workflows.services import assignments as services
from workflows.services.errors import ActionError

pytestmark = pytest.mark.django_db

STATES = ["assigned", "in_progress", "submitted", "lead_reviewed", "accepted"]
ACTIONS = ["start", "submit", "approve", "return", "accept"]
ROLES = ["submitter", "reviewer", "supervisor", "auditor", "other_submitter"]

# The table, written out by hand: (role, action) -> the state it is allowed from.
ALLOWED = {
    ("submitter", "start"): "assigned",
    ("submitter", "submit"): "in_progress",
    ("reviewer", "approve"): "submitted",
    ("reviewer", "return"): "submitted",
    ("supervisor", "return"): "lead_reviewed",
    ("supervisor", "accept"): "lead_reviewed",
}
# Roles that may take an action in some state (a wrong state is then 409, not 403).
TARGET = {"start": "in_progress", "submit": "submitted", "approve": "lead_reviewed", "return": "in_progress",
          "accept": "accepted"}


def expected(role: str, action: str, state: str) -> int:
    if role == "other_submitter":
        return 404
    allowed_from = [s for (r, a), s in ALLOWED.items() if r == role and a == action]
    if not allowed_from:
        return 403
    return 200 if state in allowed_from else 409


def bring_to(world, state: str) -> None:
    """Walk the assignment along the happy path to ``state`` through the services."""
    pk = world.assignment.pk
    steps = [
        lambda: services.assignment_start(actor=world.submitter, assignment_id=pk),
        lambda: services.assignment_submit(actor=world.submitter, assignment_id=pk, report="已完成",
                                           no_file_statement="无纸质材料"),
        lambda: services.assignment_approve(actor=world.reviewer, assignment_id=pk),
        lambda: services.assignment_accept(actor=world.supervisor, assignment_id=pk),
    ]
    for step in steps[: STATES.index(state)]:
        step()


def act(world, user, action: str):
    pk = world.assignment.pk
    call = {
        "start": lambda: services.assignment_start(actor=user, assignment_id=pk),
        "submit": lambda: services.assignment_submit(actor=user, assignment_id=pk, report="报告",
                                                     no_file_statement="无"),
        "approve": lambda: services.assignment_approve(actor=user, assignment_id=pk),
        "return": lambda: services.assignment_return(actor=user, assignment_id=pk, reason="请补充材料"),
        "accept": lambda: services.assignment_accept(actor=user, assignment_id=pk),
    }[action]
    return call()


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_transition_table(role, action, state):
    world = build_world()
    bring_to(world, state)
    user = getattr(world, role)
    before_events = AuditEvent.objects.count()
    before_submissions = list(Submission.objects.values())
    want = expected(role, action, state)

    assert decide(user, world.reload(), action).status == want
    if want == 200:
        act(world, user, action)
        assert world.reload().state == TARGET[action]
        assert AuditEvent.objects.count() == before_events + 1
        event = AuditEvent.objects.order_by("-seq").first()
        assert (event.from_state, event.to_state, event.assignment_id) == (state, TARGET[action], world.assignment.pk)
        assert event.actor == user
    else:
        with pytest.raises(ActionError) as refused:
            act(world, user, action)
        assert refused.value.status == want
        assert world.reload().state == state
        assert AuditEvent.objects.count() == before_events
        assert list(Submission.objects.values()) == before_submissions


@pytest.mark.parametrize("state", STATES)
def test_the_actions_offered_are_exactly_the_allowed_ones(state):
    world = build_world()
    bring_to(world, state)
    for role in ROLES:
        # Uploads and 撤回报送 have their own tests (test_evidence.py, test_recall.py).
        offered = set(available_actions(getattr(world, role), world.reload())) - {"upload_evidence", "recall"}
        assert offered == {a for a in ACTIONS if expected(role, a, state) == 200}, role


def test_a_return_without_a_reason_is_refused_and_changes_nothing():
    world = build_world()
    bring_to(world, "submitted")
    before = AuditEvent.objects.count()
    with pytest.raises(ActionError) as refused:
        services.assignment_return(actor=world.reviewer, assignment_id=world.assignment.pk, reason="   ")
    assert refused.value.status == 400 and "reason" in refused.value.fields
    assert world.reload().state == "submitted" and AuditEvent.objects.count() == before
    assert Submission.objects.get().return_reason == ""


def test_submitting_needs_a_report_and_a_file_or_a_no_file_statement():
    world = build_world()
    bring_to(world, "in_progress")
    with pytest.raises(ActionError) as refused:
        services.assignment_submit(actor=world.submitter, assignment_id=world.assignment.pk, report="")
    assert refused.value.status == 400 and set(refused.value.fields) == {"report", "files"}
    assert world.reload().state == "in_progress" and not Submission.objects.exists()


def test_a_return_names_the_round_and_the_next_submission_is_a_new_frozen_round():
    world = build_world()
    bring_to(world, "submitted")
    pk = world.assignment.pk
    services.assignment_return(actor=world.reviewer, assignment_id=pk, reason="数据不全")
    services.assignment_submit(actor=world.submitter, assignment_id=pk, report="已补充数据", no_file_statement="无")
    first, second = Submission.objects.order_by("number")
    assert (first.number, first.return_reason, first.returned_from, first.report) == (1, "数据不全", "submitted", "已完成")
    assert (second.number, second.report, second.return_reason) == (2, "已补充数据", "")
    event = AuditEvent.objects.filter(action="assignment.submitted").order_by("-seq").first()
    assert '"report_changed":true' in event.details


def test_nobody_reviews_what_they_submitted():
    world = build_world()
    both = person("both", "市政府法制办", "submitter")
    from workflows.models import Unit
    from workflows.services.memberships import membership_grant

    membership_grant(actor=None, user=both, unit=Unit.objects.get(short_name="市政府法制办"), role="reviewer")
    own = Assignment.objects.get(round__plan=world.plan, task__number=1, unit__short_name="市政府法制办")
    services.assignment_start(actor=both, assignment_id=own.pk)
    services.assignment_submit(actor=both, assignment_id=own.pk, report="本单位已完成", no_file_statement="无")
    with pytest.raises(ActionError) as refused:
        services.assignment_approve(actor=both, assignment_id=own.pk)
    assert refused.value.status == 403 and "本人报送" in refused.value.message
    services.assignment_approve(actor=world.reviewer, assignment_id=own.pk)  # a colleague may


def test_the_acceptor_is_not_the_reviewer_of_the_same_round():
    world = build_world()
    from workflows.services.memberships import membership_grant

    membership_grant(actor=None, user=world.supervisor, unit=world.plan.supervising_unit, role="reviewer")
    bring_to(world, "submitted")
    services.assignment_approve(actor=world.supervisor, assignment_id=world.assignment.pk)
    with pytest.raises(ActionError) as refused:
        services.assignment_accept(actor=world.supervisor, assignment_id=world.assignment.pk)
    assert refused.value.status == 403 and "审核人" in refused.value.message
    assert world.reload().state == "lead_reviewed"


def test_the_state_field_cannot_be_set_directly():
    world = build_world()
    with pytest.raises(AttributeError):
        world.assignment.state = "accepted"


def test_every_step_names_the_acting_unit_and_role():
    world = build_world()
    bring_to(world, "accepted")
    events = AuditEvent.objects.filter(assignment_id=world.assignment.pk).order_by("seq")
    assert [(e.action, e.unit_label, e.role) for e in events] == [
        ("assignment.started", "市财政局", "submitter"),
        ("assignment.submitted", "市财政局", "submitter"),
        ("assignment.approved", "市编办", "reviewer"),
        ("assignment.accepted", "市政府法制办", "supervisor"),
    ]


# --- closing without acceptance (issue 8): transfer requests and plan revisions ------------------

CLOSING = {"transfer": "transferred", "close_not_applicable": "not_applicable", "withdraw": "withdrawn"}
OPEN = ["assigned", "in_progress", "submitted", "lead_reviewed"]
CLOSED = ["accepted", "transferred", "not_applicable", "withdrawn"]


@pytest.mark.parametrize("method", list(CLOSING))
@pytest.mark.parametrize("state", OPEN + CLOSED)
def test_closing_transitions_leave_every_open_state_and_no_closed_one(method, state):
    from django_fsm import TransitionNotAllowed

    assignment = Assignment(state=state)
    if state in OPEN:
        getattr(assignment, method)()
        assert assignment.state == CLOSING[method]
    else:
        with pytest.raises(TransitionNotAllowed):
            getattr(assignment, method)()


@pytest.mark.parametrize("state", ["transferred", "not_applicable", "withdrawn"])
def test_no_workflow_action_applies_to_a_closed_assignment(state):
    from django_fsm import TransitionNotAllowed

    for method in ("start", "submit", "approve", "return_for_rework", "accept", *CLOSING):
        with pytest.raises(TransitionNotAllowed):
            getattr(Assignment(state=state), method)()


# Who may ask for a transfer, per role and state: the responsible unit's 承办人 while the work is theirs.
@pytest.mark.parametrize("state", STATES)
def test_transfer_request_table(state):
    from workflows.access.policies import decide_transfer_request

    world = build_world()
    bring_to(world, state)
    want = {"submitter": 200 if state in ("assigned", "in_progress") else 409,
            "reviewer": 403, "supervisor": 403, "auditor": 403, "other_submitter": 404}
    for role, status in want.items():
        assert decide_transfer_request(getattr(world, role), world.reload()).status == status, role


# Who may decide one, per role and state of the assignment (the request made while it was 已交办).
@pytest.mark.parametrize("state", STATES)
def test_transfer_decision_table(state):
    from workflows.access.policies import decide_transfer_decision
    from workflows.models import TransferRequest

    world = build_world()
    request = TransferRequest.objects.create(assignment=world.assignment, kind="not_applicable", reason="不涉及",
                                             requested_by=world.submitter)
    bring_to(world, state)
    request.assignment = world.reload()
    want = {"supervisor": 200 if state != "accepted" else 409, "submitter": 403, "reviewer": 403,
            "auditor": 403, "other_submitter": 404}
    for role, status in want.items():
        assert decide_transfer_decision(getattr(world, role), request).status == status, role
