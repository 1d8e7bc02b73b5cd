"""The assignment transitions: start, submit, approve, return for rework, accept.

Each service owns the transaction, the row lock, the permission check, the transition, the
save and exactly one audit event, in that order; side effects leave through on_commit.
"""
from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from audit.services import record_event

from ..access.policies import Decision, decide
from ..lights import submitted_on_time
from ..models import Assignment, AssignmentState, Evidence, ReportDraft, Submission
from ..signals import assignment_transitioned
from .archive import archive_request
from .common import acting_unit, assignment_label, locked_assignment, plain_lines
from .delegation import acting_for
from .errors import Invalid, WrongState, raise_for
from .inbox import refresh_inbox

EVENT_OF_ACTION = {"start": "assignment.started", "submit": "assignment.submitted",
                   "approve": "assignment.approved", "return": "assignment.returned",
                   "accept": "assignment.accepted", "transfer": "assignment.transferred",
                   "not_applicable": "assignment.not_applicable", "withdraw": "assignment.withdrawn",
                   "recall": "assignment.recalled"}


def _transition(assignment: Assignment, action: str, decision: Decision, actor, *, reason: str = "",
                details: dict | None = None, submission: Submission | None = None) -> None:
    """Apply the FSM transition, save under the optimistic state check, record one event."""
    method = {"start": assignment.start, "submit": assignment.submit, "approve": assignment.approve,
              "return": assignment.return_for_rework, "accept": assignment.accept,
              "transfer": assignment.transfer, "not_applicable": assignment.close_not_applicable,
              "withdraw": assignment.withdraw, "recall": assignment.recall}[action]
    from_state = assignment.state
    try:
        method()
        assignment.save()
    except (TransitionNotAllowed, ConcurrentTransition) as exc:
        current = Assignment.objects.filter(pk=assignment.pk).values_list("state", flat=True).first()
        label = dict(AssignmentState.choices).get(current, current)
        raise WrongState(_("承办件状态已变为“%(state)s”，请刷新后重试") % {"state": label}) from exc
    refresh_inbox([assignment.pk])
    assignment_transitioned.send(sender=Assignment, assignment=assignment, action=action, actor=actor)
    _record(assignment, EVENT_OF_ACTION[action], decision, actor, from_state=from_state, to_state=assignment.state,
            reason=reason, details=details, submission=submission)


def _record(assignment: Assignment, action: str, decision: Decision, actor, *, submission: Submission | None,
            details: dict | None = None, **fields) -> None:
    """The one event of a service on an assignment: who, for which unit (and on whose behalf), in which role."""
    unit = acting_unit(assignment, decision, actor)
    record_event(
        action=action, actor=actor, unit=unit, role=decision.role, target=assignment,
        target_label=assignment_label(assignment),
        plan_id=assignment.task.plan_id, task_id=assignment.task_id, assignment_id=assignment.pk,
        details={**(details or {}), **({"submission": submission.number} if submission else {}),
                 **acting_for(actor, assignment, unit, decision.role)},
        **fields,
    )


def _prepare(actor, assignment_id: int, action: str) -> tuple[Assignment, Decision, Submission | None]:
    assignment = locked_assignment(assignment_id)
    submission = assignment.submissions.order_by("-number").first()
    decision = decide(actor, assignment, action, submission=submission)
    raise_for(decision)
    return assignment, decision, submission


def assignment_start(*, actor, assignment_id: int) -> Assignment:
    """Begin work on an assignment (已交办 → 办理中)."""
    with transaction.atomic(durable=True):
        assignment, decision, _sub = _prepare(actor, assignment_id, "start")
        _transition(assignment, "start", decision, actor)
    return assignment


def assignment_submit(*, actor, assignment_id: int, report: str, no_file_statement: str = "",
                      evidence_ids: Sequence[int] | None = None) -> Submission:
    """Submit a written report with evidence files, or an explicit "no file" statement (报送).

    The files and the report are frozen into a new Submission; ``evidence_ids`` picks which of
    the assignment's current files go in (default: all of them).
    """
    # Browsers send a textarea's line breaks as CRLF; the report is kept with plain newlines.
    report, no_file_statement = (plain_lines(report).strip(), plain_lines(no_file_statement).strip())
    with transaction.atomic(durable=True):
        assignment, decision, previous = _prepare(actor, assignment_id, "submit")
        files = list(Evidence.objects.filter(assignment=assignment, withdrawn_at__isnull=True).order_by("id"))
        if evidence_ids is not None:
            wanted = set(evidence_ids)
            unknown = wanted - {f.pk for f in files}
            if unknown:
                raise Invalid(_("所选佐证材料不属于该承办件"), fields={"evidence_ids": [str(sorted(unknown))]})
            files = [f for f in files if f.pk in wanted]
        errors = {}
        if not report:
            errors["report"] = [_("请填写书面报告")]
        if not files and not no_file_statement:
            errors["files"] = [_("请上传至少一份佐证材料，或说明无佐证材料的原因")]
        if errors:
            raise Invalid(_("报送内容不完整"), fields=errors)
        submission = Submission.objects.create(
            assignment=assignment, number=(previous.number + 1 if previous else 1), report=report,
            no_file_statement=no_file_statement if not files else "", submitted_by=actor,
            submitted_at=timezone.now(),
        )
        submission.files.set(files)
        ReportDraft.objects.filter(assignment=assignment, user=actor).delete()  # submitted: no longer a draft
        _transition(assignment, "submit", decision, actor, submission=submission, details={
            "report_chars": len(report),
            "files": [{"name": f.original_name, "sha256": f.sha256, "size": f.size} for f in files],
            "no_file_statement": submission.no_file_statement,
            "changes": _changes(previous, submission, files),
        })
    return submission


def _changes(previous: Submission | None, current: Submission, files: list[Evidence]) -> dict:
    """What the new submission changed against the one before it."""
    if previous is None:
        return {}
    before = {f.pk: f.original_name for f in previous.files.all()}
    after = {f.pk: f.original_name for f in files}
    return {
        "report_changed": previous.report != current.report,
        "files_added": [after[k] for k in after.keys() - before.keys()],
        "files_removed": [before[k] for k in before.keys() - after.keys()],
    }


def assignment_approve(*, actor, assignment_id: int, opinion: str = "") -> Assignment:
    """The lead department approves the submitted work (已报送 → 牵头审核通过)."""
    with transaction.atomic(durable=True):
        assignment, decision, submission = _prepare(actor, assignment_id, "approve")
        submission.reviewed_by, submission.reviewed_at = actor, timezone.now()
        submission.review_opinion = (opinion or "").strip()
        submission.save(update_fields=["reviewed_by", "reviewed_at", "review_opinion"])
        _transition(assignment, "approve", decision, actor, submission=submission,
                    details={"opinion": submission.review_opinion})
    return assignment


def assignment_recall(*, actor, assignment_id: int, reason: str = "") -> Submission:
    """The unit takes back what it submitted, before the lead department has opened it (撤回报送:
    已报送 → 办理中). The recalled submission stays in the history as submitted; its report opens
    the 报送 form again (``drafts.draft_for``), so nothing typed is lost."""
    reason = (reason or "").strip()
    with transaction.atomic(durable=True):
        assignment, decision, submission = _prepare(actor, assignment_id, "recall")
        submission.recalled_by, submission.recalled_at = actor, timezone.now()
        submission.save(update_fields=["recalled_by", "recalled_at"])
        _transition(assignment, "recall", decision, actor, reason=reason, submission=submission)
    return submission


_LATEST = object()  # "not given": look the latest submission up, once it is known to matter


def submission_mark_opened(*, actor, assignment: Assignment, submission=_LATEST) -> bool:
    """Note the first time a person who may review the submission opens it; from then on the unit
    cannot recall it. Returns whether this was that first time (one UPDATE, one event).

    ``submission`` is the latest submission when the caller has it; otherwise it is looked up, and
    only while the assignment waits for review."""
    if assignment.state != AssignmentState.SUBMITTED:
        return False
    if submission is _LATEST:
        submission = assignment.submissions.order_by("-number").first()
    if submission is None or submission.opened_at is not None:
        return False
    decision = decide(actor, assignment, "approve", submission=submission)
    if not decision.allowed:
        return False
    with transaction.atomic():
        now = timezone.now()
        if not Submission.objects.filter(pk=submission.pk, opened_at__isnull=True).update(opened_by=actor,
                                                                                          opened_at=now):
            return False  # a colleague opened it a moment ago
        submission.opened_by, submission.opened_at = actor, now
        _record(assignment, "assignment.submission_opened", decision, actor, submission=submission)
    return True


def assignment_return(*, actor, assignment_id: int, reason: str) -> Assignment:
    """Send work back for rework with a reason, from review or from acceptance (退回)."""
    reason = (reason or "").strip()
    with transaction.atomic(durable=True):
        assignment, decision, submission = _prepare(actor, assignment_id, "return")
        if not reason:
            raise Invalid(_("退回必须填写理由"), fields={"reason": [_("请填写退回理由")]})
        submission.returned_by, submission.returned_at = actor, timezone.now()
        submission.returned_from, submission.return_reason = assignment.state, reason
        submission.save(update_fields=["returned_by", "returned_at", "returned_from", "return_reason"])
        _transition(assignment, "return", decision, actor, reason=reason, submission=submission)
    return assignment


def assignment_accept(*, actor, assignment_id: int, opinion: str = "") -> Assignment:
    """The supervising office accepts and closes the work (牵头审核通过 → 已验收办结) and archives it."""
    with transaction.atomic(durable=True):
        assignment, decision, submission = _prepare(actor, assignment_id, "accept")
        submission.accepted_by, submission.accepted_at = actor, timezone.now()
        submission.acceptance_opinion = (opinion or "").strip()
        submission.save(update_fields=["accepted_by", "accepted_at", "acceptance_opinion"])
        assignment.on_time = submitted_on_time(submission.submitted_at, assignment.judged_due)
        _transition(assignment, "accept", decision, actor, submission=submission,
                    details={"opinion": submission.acceptance_opinion, "on_time": assignment.on_time})
        # The archive row is part of the acceptance; the PDF is built after the commit.
        archive_request(assignment=assignment, submission=submission)
    return assignment

