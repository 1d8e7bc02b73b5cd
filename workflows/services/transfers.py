"""Transfer requests (申请调整承办单位): a unit asks, the supervisor (or lead) decides.

Until decided the assignment stays the unit's, with its due date and light. Approval closes it
(已调整承办单位, or 经核定不适用 without a successor) with its history kept, and a transfer opens a
linked assignment for the named unit with the rights dispatch would give it. Each service writes
exactly one audit event; a refusal writes none and changes nothing.
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event

from ..access.policies import decide_transfer_decision, decide_transfer_request
from ..models import Assignment, TransferKind, TransferRequest, TransferStatus, Unit
from .assignments import _transition
from .common import acting_unit, assignment_label, locked_assignment, locked_request
from .delegation import acting_for
from .dispatch import open_assignments, revoke_work
from .errors import Invalid, raise_for


def _required(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise Invalid(message, fields={field: [message]})
    return text


def transfer_request(*, actor, assignment_id: int, kind: str, reason: str, unit_name: str = "") -> TransferRequest:
    """Ask, with a reason, that the assignment go to ``unit_name`` or be closed as not applicable."""
    with transaction.atomic(durable=True):
        assignment = locked_assignment(assignment_id)
        decision = decide_transfer_request(actor, assignment)
        raise_for(decision)
        if kind not in TransferKind.values:
            raise Invalid(_("申请类型无效"), fields={"kind": [_("请选择“改由其他单位承办”或“本单位不适用”")]})
        reason = _required(reason, "reason", _("请填写申请理由"))
        target = None
        if kind == TransferKind.TRANSFER:
            name = _required(unit_name, "unit", _("请填写建议承办的单位"))
            target = Unit.objects.filter(short_name=name, is_active=True).first()
            if target is None:
                message = _("单位库中没有启用的单位“%(name)s”") % {"name": name[:64]}
                raise Invalid(message, fields={"unit": [message]})
            if target.pk == assignment.unit_id:
                message = _("建议承办的单位不能是本单位")
                raise Invalid(message, fields={"unit": [message]})
            if _holds_task(assignment, target):
                message = _("“%(unit)s”在本轮次已有本任务的承办件，不能再转给该单位；如需由其承办，请选择“本单位不适用”并说明理由") % {
                    "unit": target.short_name}
                raise Invalid(message, fields={"unit": [message]})
        request = TransferRequest.objects.create(assignment=assignment, kind=kind, target_unit=target,
                                                 reason=reason, requested_by=actor)
        unit = acting_unit(assignment, decision, actor)
        record_event(action="assignment.transfer_requested", actor=actor, unit=unit, role=decision.role,
                     target=assignment, target_label=assignment_label(assignment), plan_id=assignment.task.plan_id,
                     task_id=assignment.task_id, assignment_id=assignment.pk, reason=reason,
                     details={"request": request.pk, "kind": kind, "to_unit": target.short_name if target else "",
                              **acting_for(actor, assignment, unit, decision.role)})
    return request


def _holds_task(assignment: Assignment, unit: Unit) -> bool:
    """Does ``unit`` already have this task in this round (one assignment per round, task and unit)?"""
    return Assignment.objects.filter(round=assignment.round, task=assignment.task, unit=unit).exists()


def _locked_request(request_id: int) -> tuple[TransferRequest, Assignment]:
    return locked_request(TransferRequest, request_id, _("调整申请不存在"))


def transfer_approve(*, actor, request_id: int, opinion: str = "") -> TransferRequest:
    """Approve: close the assignment and, for a transfer, open a linked one for the named unit."""
    with transaction.atomic(durable=True):
        request, assignment = _locked_request(request_id)
        decision = decide_transfer_decision(actor, request)
        raise_for(decision)
        successor = None
        if request.kind == TransferKind.TRANSFER:
            unit = request.target_unit
            if not unit.is_active:
                raise Invalid(_("“%(unit)s”已停用，不能承办") % {"unit": unit.short_name})
            if _holds_task(assignment, unit):
                raise Invalid(_("“%(unit)s”在本轮次已有本任务的承办件") % {"unit": unit.short_name})
            successor = Assignment.objects.create(round=assignment.round, task=assignment.task, unit=unit,
                                                  due_date=assignment.due_date, predecessor=assignment,
                                                  original_due_date=assignment.original_due_date,
                                                  extended_due_date=assignment.extended_due_date,
                                                  standing=assignment.standing)
            open_assignments([successor])
        request.status, request.decided_by, request.decided_at = TransferStatus.APPROVED, actor, timezone.now()
        request.decision_reason, request.successor = (opinion or "").strip(), successor
        request.save()
        revoke_work(assignment)
        action = "transfer" if successor is not None else "not_applicable"
        _transition(assignment, action, decision, actor, reason=request.decision_reason, details={
            "request": request.pk, "requested_by": request.requested_by_id, "request_reason": request.reason,
            **({"successor": successor.pk, "to_unit": successor.unit.short_name} if successor else {})})
    return request


def transfer_reject(*, actor, request_id: int, reason: str) -> TransferRequest:
    """Reject with a reason; the assignment stays the unit's, unchanged."""
    with transaction.atomic(durable=True):
        request, assignment = _locked_request(request_id)
        decision = decide_transfer_decision(actor, request)
        raise_for(decision)
        reason = _required(reason, "reason", _("驳回必须填写理由"))
        request.status, request.decided_by, request.decided_at = TransferStatus.REJECTED, actor, timezone.now()
        request.decision_reason = reason
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        unit = acting_unit(assignment, decision, actor)
        record_event(action="assignment.transfer_rejected", actor=actor, unit=unit, role=decision.role,
                     target=assignment, target_label=assignment_label(assignment), plan_id=assignment.task.plan_id,
                     task_id=assignment.task_id, assignment_id=assignment.pk, reason=reason,
                     details={"request": request.pk, "kind": request.kind,
                              **acting_for(actor, assignment, unit, decision.role)})
    return request
