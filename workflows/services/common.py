"""What the assignment services share: the row lock, how the trail names an assignment, and the unit
a person acts (or reads) for. One copy of each, imported by every service that needs it."""
from __future__ import annotations

from django.utils.translation import gettext as _

from ..access.policies import Decision
from ..models import Assignment, Membership
from .errors import NotFound


def locked_assignment(assignment_id: int) -> Assignment:
    """The assignment, locked for this transaction (its own row only), with task, plan, unit and round."""
    try:
        return (Assignment.objects.select_for_update(of=("self",))
                .select_related("task__plan", "unit", "round").get(pk=assignment_id))
    except Assignment.DoesNotExist:
        raise NotFound(_("承办件不存在")) from None


def assignment_label(assignment: Assignment) -> str:
    """How the audit trail names an assignment: plan, task number and unit."""
    return f"{assignment.task.plan.title[:60]} · 第{assignment.task.number}项 · {assignment.unit.short_name}"


def acting_unit(assignment: Assignment, decision: Decision, actor):
    """The unit the actor acts for: the responsible unit, a lead department, or the supervisor."""
    if decision.role == "submitter":
        return assignment.unit
    if decision.role == "supervisor":
        return assignment.task.plan.supervising_unit
    if decision.role != "reviewer":
        return None
    lead_ids = [p.unit_id for p in assignment.task.party_set.all() if p.role == "lead"]
    membership = (Membership.objects.filter(user=actor, role="reviewer", unit_id__in=lead_ids)
                  .select_related("unit").order_by("unit__order").first())
    return membership.unit if membership else None


def viewer_of(actor, assignment: Assignment, perms: set[str]):
    """Return (unit, role) the actor reads the assignment as, for the audit record."""
    for permission in ("work_assignment", "review_assignment", "accept_assignment"):
        if permission in perms:
            decision = Decision(True, 200, "", permission)
            return acting_unit(assignment, decision, actor), decision.role
    membership = (Membership.objects.filter(user=actor, role="auditor").select_related("unit")
                  .order_by("unit__order").first())
    return (membership.unit, "auditor") if membership else (None, "")


def plain_lines(text: str | None) -> str:
    """Text with CRLF and CR line breaks (as browsers send a textarea) made plain newlines."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def locked_request(model, request_id: int, missing: str):
    """A transfer or extension request and its assignment, both locked (the request's row first);
    NotFound(``missing``) when there is no such request."""
    request = model.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        raise NotFound(missing)
    assignment = locked_assignment(request.assignment_id)
    request.assignment = assignment
    return request, assignment
