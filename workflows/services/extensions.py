"""Extension requests (延期申请): the unit asks for more time before its due date, with a reason and a
new date; the supervising office (or the lead where the plan allows) approves or refuses.

The assignment keeps both dates: ``original_due_date`` (what was set at 交办, never moved by an
extension) and ``extended_due_date`` (the latest approved one); ``due_date`` is the date the work
is due now. The scorecard counts lateness from the approved extension, else from the original
date (``judged_due``). The supervising office's own change of a due date once the work has begun
is recorded the same way: an extension it grants with a reason (``office_extension``). Each
service writes one audit event; a refusal writes none and changes nothing.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event

from ..access.policies import (
    decide_extension_decision,
    decide_extension_request,
    decide_extension_withdrawal,
)
from ..calendar import cn_date
from ..models import Assignment, ExtensionRequest, ExtensionStatus
from .common import acting_unit, assignment_label, locked_assignment, locked_request, plain_lines
from .delegation import acting_for
from .errors import Invalid, raise_for
from .inbox import refresh_inbox
from .periods import periods_generate

REASON_LIMIT = 2000
LONGEST_EXTENSION_DAYS = 3 * 366  # a typing slip (2062 for 2026) is refused, not granted


def _reason(text: str, field: str, message: str) -> str:
    text = plain_lines(text or "").strip()
    if not text:
        raise Invalid(message, fields={field: [message]})
    if len(text) > REASON_LIMIT:
        message = _("理由不能超过 %(n)s 字") % {"n": REASON_LIMIT}
        raise Invalid(message, fields={field: [message]})
    return text


def _later_date(assignment: Assignment, new_due: dt.date | None) -> dt.date:
    if new_due is None:
        message = _("请填写申请延期至的日期")
        raise Invalid(message, fields={"requested_due": [message]})
    if new_due <= assignment.due_date:
        message = _("延期后的日期须晚于现办理期限（%(date)s）") % {"date": cn_date(assignment.due_date)}
        raise Invalid(message, fields={"requested_due": [message]})
    if (new_due - assignment.due_date).days > LONGEST_EXTENSION_DAYS:
        message = _("延期后的日期离现办理期限超过三年，请核对年份")
        raise Invalid(message, fields={"requested_due": [message]})
    return new_due


def _record(action: str, actor, assignment, decision, request: ExtensionRequest, *, reason: str = "",
            details: dict | None = None) -> None:
    unit = acting_unit(assignment, decision, actor)
    record_event(action=action, actor=actor, unit=unit, role=decision.role, target=assignment,
                 target_label=assignment_label(assignment), plan_id=assignment.task.plan_id,
                 task_id=assignment.task_id, assignment_id=assignment.pk, reason=reason,
                 details={"request": request.pk, "from": request.due_before.isoformat(),
                          "to": request.requested_due.isoformat(), **(details or {}),
                          **acting_for(actor, assignment, unit, decision.role)})


def extend(assignment: Assignment, new_due: dt.date) -> None:
    """Move a locked assignment's due date to an approved ``new_due``: its inbox rows and periods follow."""
    assignment.due_date = assignment.extended_due_date = new_due
    assignment.save(update_fields=["due_date", "extended_due_date", "updated_at"])
    refresh_inbox([assignment.pk])
    periods_generate([assignment.pk])  # its periods now run to the new date


def extension_request(*, actor, assignment_id: int, requested_due: dt.date | None, reason: str,
                      today: dt.date | None = None) -> ExtensionRequest:
    """申请延期: before the due date, with a reason and the date asked for. Until decided the due date stands."""
    today = today or timezone.localdate()
    with transaction.atomic(durable=True):
        assignment = locked_assignment(assignment_id)
        decision = decide_extension_request(actor, assignment, today=today)
        raise_for(decision)
        requested_due = _later_date(assignment, requested_due)
        reason = _reason(reason, "reason", _("请填写延期理由"))
        request = ExtensionRequest.objects.create(
            assignment=assignment, requested_by=actor, requested_at=timezone.now(), reason=reason,
            due_before=assignment.due_date, requested_due=requested_due)
        _record("assignment.extension_requested", actor, assignment, decision, request, reason=reason)
    return request


def _locked_request(request_id: int) -> tuple[ExtensionRequest, Assignment]:
    return locked_request(ExtensionRequest, request_id, _("延期申请不存在"))


def _decide(actor, request_id: int, status: str, note: str) -> ExtensionRequest:
    with transaction.atomic(durable=True):
        request, assignment = _locked_request(request_id)
        decision = (decide_extension_withdrawal if status == ExtensionStatus.WITHDRAWN
                    else decide_extension_decision)(actor, request)
        raise_for(decision)
        if status == ExtensionStatus.REJECTED:
            note = _reason(note, "reason", _("不予批准须填写理由"))
        request.status, request.decided_by, request.decided_at = status, actor, timezone.now()
        request.decision_note = plain_lines(note or "").strip()[:REASON_LIMIT]
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if status == ExtensionStatus.APPROVED:
            if request.requested_due <= assignment.due_date:
                raise Invalid(_("现办理期限（%(date)s）已不早于申请延期的日期，无需批准；请作“不予批准”并说明")
                              % {"date": cn_date(assignment.due_date)})
            extend(assignment, request.requested_due)
        action = {ExtensionStatus.APPROVED: "assignment.extension_approved",
                  ExtensionStatus.REJECTED: "assignment.extension_rejected",
                  ExtensionStatus.WITHDRAWN: "assignment.extension_withdrawn"}[status]
        _record(action, actor, assignment, decision, request, reason=request.decision_note,
                details={"original": (assignment.original_due_date or request.due_before).isoformat()})
    return request


def extension_approve(*, actor, request_id: int, opinion: str = "") -> ExtensionRequest:
    """批准: the due date becomes the date asked for; the original date is kept beside it."""
    return _decide(actor, request_id, ExtensionStatus.APPROVED, opinion)


def extension_reject(*, actor, request_id: int, reason: str) -> ExtensionRequest:
    """不予批准, with a reason: the due date stands."""
    return _decide(actor, request_id, ExtensionStatus.REJECTED, reason)


def extension_withdraw(*, actor, request_id: int) -> ExtensionRequest:
    """The unit takes its pending request back."""
    return _decide(actor, request_id, ExtensionStatus.WITHDRAWN, "")


def office_extension(assignment: Assignment, actor, new_due: dt.date, reason: str) -> ExtensionRequest:
    """The supervising office grants more time itself (inside its own locked change of a due date):
    recorded as an approved request so both dates are kept and the scorecard counts from the new one."""
    now = timezone.now()
    request = ExtensionRequest.objects.create(
        assignment=assignment, requested_by=actor, requested_at=now, reason=reason, due_before=assignment.due_date,
        requested_due=new_due, status=ExtensionStatus.APPROVED, decided_by=actor, decided_at=now,
        decision_note=_("督办单位直接调整"))
    extend(assignment, new_due)
    return request
