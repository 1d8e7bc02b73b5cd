"""撤回报送: the unit takes back a submission until the lead department opens it."""
import pytest

from approvals.flows import open_tasks_of
from audit.models import AuditEvent
from tests.world import build_world
from workflows.models import Submission
from workflows.services.assignments import (
    assignment_recall,
    assignment_start,
    assignment_submit,
    submission_mark_opened,
)
from workflows.services.drafts import draft_for
from workflows.services.errors import ActionError

pytestmark = pytest.mark.django_db


def submitted_world(report: str = "第一稿：已完成清单编制。", no_file_statement: str = "清单尚在公示，暂无文件。"):
    """The small world with task 1 × 市财政局 submitted by its submitter and not yet opened."""
    world = build_world()
    assignment_start(actor=world.submitter, assignment_id=world.assignment.pk)
    assignment_submit(actor=world.submitter, assignment_id=world.assignment.pk, report=report,
                      no_file_statement=no_file_statement)
    world.reload()
    return world


@pytest.fixture
def world():
    return submitted_world()


def refused(call) -> ActionError:
    with pytest.raises(ActionError) as caught:
        call()
    return caught.value


def test_a_submission_is_recalled_before_it_is_opened_and_the_work_step_opens_again(world):
    submission = assignment_recall(actor=world.submitter, assignment_id=world.assignment.pk, reason="漏报一项数据")
    assignment = world.reload()
    assert assignment.state == "in_progress"
    assert submission.recalled_by == world.submitter and submission.recalled_at is not None
    event = AuditEvent.objects.filter(assignment_id=assignment.pk).order_by("-seq").first()
    assert (event.action, event.from_state, event.to_state, event.reason, event.role) == (
        "assignment.recalled", "submitted", "in_progress", "漏报一项数据", "submitter")
    assert [t.flow_task.name for t in open_tasks_of(assignment)] == ["work"]
    # The recalled report opens the 报送 form again, for the person and for a colleague.
    for person in (world.submitter, world.colleague):
        draft = draft_for(person, assignment, assignment.submissions.order_by("-number").first())
        assert draft.from_recalled and draft.report == "第一稿：已完成清单编制。"
    # Submitting again makes a second submission; the recalled one stays in the history.
    assignment_submit(actor=world.colleague, assignment_id=assignment.pk, report="第二稿。",
                      no_file_statement="清单尚在公示。")
    rows = Submission.objects.filter(assignment=assignment).order_by("number")
    assert [(s.number, s.recalled_at is not None) for s in rows] == [(1, True), (2, False)]
    assert [t.flow_task.name for t in open_tasks_of(world.reload())] == ["review"]


def test_once_a_reviewer_has_opened_it_the_unit_cannot_recall_it(world):
    submission = world.assignment.submissions.get()
    # The unit's own people looking at it do not count as opening it.
    assert not submission_mark_opened(actor=world.submitter, assignment=world.assignment, submission=submission)
    assert submission_mark_opened(actor=world.reviewer, assignment=world.assignment, submission=submission)
    assert not submission_mark_opened(actor=world.second_reviewer, assignment=world.assignment,
                                      submission=Submission.objects.get(pk=submission.pk))
    submission.refresh_from_db()
    assert submission.opened_by == world.reviewer
    assert AuditEvent.objects.filter(action="assignment.submission_opened").count() == 1
    error = refused(lambda: assignment_recall(actor=world.submitter, assignment_id=world.assignment.pk))
    assert error.status == 409 and "已于" in error.message and "查阅" in error.message and "退回" in error.message
    assert world.reload().state == "submitted"
    assert not AuditEvent.objects.filter(action="assignment.recalled").exists()


def test_only_the_units_submitters_may_recall(world):
    assert refused(lambda: assignment_recall(actor=world.reviewer, assignment_id=world.assignment.pk)).status == 403
    assert refused(lambda: assignment_recall(actor=world.other_submitter,
                                             assignment_id=world.assignment.pk)).status == 404
    assert world.reload().state == "submitted"
    assignment_recall(actor=world.colleague, assignment_id=world.assignment.pk)  # a colleague of the same unit
    assert refused(lambda: assignment_recall(actor=world.submitter, assignment_id=world.assignment.pk)).status == 409
