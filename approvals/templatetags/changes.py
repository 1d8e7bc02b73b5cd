"""The assignment page's panel for changes after dispatch, and "B for A" in its timeline."""
from __future__ import annotations

import json

from django import template
from django.utils.translation import gettext as _

from workflows.access.policies import (
    assignment_permissions,
    decide_hand_over,
    decide_transfer_decision,
    decide_transfer_request,
)
from workflows.access.scopes import assignments_visible_to
from workflows.models import Assignment, Membership, TaskChange
from workflows.models.changes import CHANGE_FIELD_LABELS
from workflows.selectors.directory import transfer_targets

from ..forms.changes import (
    HandOverForm,
    TransferApproveForm,
    TransferRejectForm,
    TransferRequestForm,
)

register = template.Library()


@register.inclusion_tag("approvals/_changes_panel.html", takes_context=True)
def assignment_changes(context, assignment):
    """What changed after dispatch and what this person may do about it: only allowed forms show."""
    user = context["request"].user
    perms = assignment_permissions(user, assignment)
    requests = list(assignment.transfer_requests.select_related("target_unit", "requested_by", "decided_by",
                                                                "successor__unit"))
    pending = next((r for r in requests if r.status == "pending"), None)
    may_decide = pending is not None and decide_transfer_decision(user, pending, perms=perms).allowed
    may_hand_over = decide_hand_over(user, assignment, perms=perms).allowed
    request_form = (TransferRequestForm(auto_id="id_transfer_%s")
                    if decide_transfer_request(user, assignment, perms=perms, pending=pending).allowed else None)
    colleagues = []
    if may_hand_over:
        colleagues = [m.user for m in Membership.objects.filter(unit_id=assignment.unit_id, role="submitter",
                                                                user__is_active=True)
                      .select_related("user").order_by("user__username") if m.user_id not in (assignment.handler_id, user.pk)]
    predecessor = (Assignment.objects.select_related("unit").filter(pk=assignment.predecessor_id).first()
                   if assignment.predecessor_id else None)
    successor = Assignment.objects.select_related("unit").filter(predecessor=assignment).first()
    return {
        "assignment": assignment, "requests": requests, "pending": pending,
        "request_form": request_form,
        "transfer_units": transfer_targets(assignment) if request_form else [],
        "approve_form": TransferApproveForm(auto_id="id_transfer_approve_%s") if may_decide else None,
        "reject_form": TransferRejectForm(auto_id="id_transfer_reject_%s") if may_decide else None,
        "hand_over_form": HandOverForm(colleagues=colleagues, auto_id="id_hand_over_%s") if colleagues else None,
        "predecessor": predecessor, "successor": successor,
        # The linked assignment belongs to another unit: link to it only when this person may open it.
        "linked_visible": set(assignments_visible_to(user).filter(pk__in=[a.pk for a in (predecessor, successor) if a])
                              .values_list("pk", flat=True)),
        "task_changes": list(TaskChange.objects.filter(task_id=assignment.task_id).select_related("revision")
                             .order_by("-revision__number")),
        "handler": assignment.handler,
    }


@register.filter
def change_field_label(name: str) -> str:
    return str(CHANGE_FIELD_LABELS.get(name, name))


@register.filter
def acting_for_label(event) -> str:
    """"（代 A）" when the event records that the actor stood in for someone (a delegation)."""
    try:
        details = json.loads(event.details or "{}")
    except ValueError:
        return ""
    on_behalf = details.get("on_behalf_of") if isinstance(details, dict) else None
    if not isinstance(on_behalf, dict) or not on_behalf.get("label"):
        return ""
    return _("（代 %(name)s）") % {"name": on_behalf["label"]}
