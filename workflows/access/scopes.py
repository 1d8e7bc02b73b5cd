"""What a person may see: the assignments and the transfer and extension requests scoped to them.

Absent and invisible objects are alike to the caller: both are simply not in these querysets (404).
"""
from __future__ import annotations

from django.contrib.auth.models import Permission, User
from django.db.models import Q, QuerySet

from ..models import (
    OPEN_STATES,
    Assignment,
    AssignmentGroupObjectPermission,
    ExtensionRequest,
    Membership,
    PartyRole,
    TransferRequest,
)
from .policies import sees_all_assignments


def groups_of(user) -> QuerySet:
    return User.groups.through.objects.filter(user_id=user.pk).values("group_id")


def _held(user, codename: str) -> Q:
    """Assignments on which the user's groups hold ``codename``.

    Written as ``pk IN (…)`` from the permission table, whose (group, permission, object) index
    answers it directly; an EXISTS per assignment row would scan every assignment. The group and
    permission ids come from their own small subqueries (no join), so the database looks up
    (group, permission) in that index instead of reading every permission row of the group.
    """
    groups = groups_of(user)
    permissions = Permission.objects.filter(codename=codename).values("pk")
    ids = AssignmentGroupObjectPermission.objects.filter(
        group_id__in=groups, permission_id__in=permissions).values("content_object_id")
    return Q(pk__in=ids)


def assignments_visible_to(user) -> QuerySet[Assignment]:
    """Every assignment ``user`` may see: their units' ones, or all of them for auditors.

    Absent and invisible assignments are alike to the caller: both are simply not here (404).
    """
    base = Assignment.objects.select_related("task__plan", "task__section", "unit", "round")
    if not (user.is_authenticated and user.is_active):
        return base.none()
    if sees_all_assignments(user):
        return base
    return base.filter(_held(user, "view_assignment"))


def transfer_requests_visible_to(user):
    """Transfer requests of the assignments ``user`` may see (the same 404 rule as the assignments)."""
    return (TransferRequest.objects.select_related("assignment__task__plan", "assignment__unit", "target_unit",
                                                   "requested_by", "decided_by")
            .filter(assignment__in=assignments_visible_to(user).values("pk")))


def transfer_requests_to_decide(user):
    """Pending requests this person may decide: the plans they supervise, the tasks they lead where allowed."""
    if not (user.is_authenticated and user.is_active):
        return TransferRequest.objects.none()
    supervised = Membership.objects.filter(user=user, role="supervisor").values("unit_id")
    led = Membership.objects.filter(user=user, role="reviewer").values("unit_id")
    return (transfer_requests_visible_to(user).filter(status="pending")
            .filter(Q(assignment__task__plan__supervising_unit__in=supervised)
                    | Q(assignment__task__plan__lead_may_decide_transfers=True,
                        assignment__task__party_set__role=PartyRole.LEAD,
                        assignment__task__party_set__unit__in=led))
            .distinct().order_by("requested_at", "id"))


def extension_requests_visible_to(user):
    """Extension requests (延期申请) of the assignments ``user`` may see."""
    return (ExtensionRequest.objects.select_related("assignment__task__plan", "assignment__unit", "requested_by",
                                                    "decided_by")
            .filter(assignment__in=assignments_visible_to(user).values("pk")))


def extension_requests_to_decide(user):
    """Pending extension requests this person may decide: the plans they supervise, the tasks they
    lead where the plan allows it; never their own, nor one whose assignment has closed meanwhile."""
    if not (user.is_authenticated and user.is_active):
        return ExtensionRequest.objects.none()
    supervised = Membership.objects.filter(user=user, role="supervisor").values("unit_id")
    led = Membership.objects.filter(user=user, role="reviewer").values("unit_id")
    return (extension_requests_visible_to(user).filter(status="pending", assignment__state__in=OPEN_STATES)
            .exclude(requested_by=user)
            .filter(Q(assignment__task__plan__supervising_unit__in=supervised)
                    | Q(assignment__task__plan__lead_may_decide_extensions=True,
                        assignment__task__party_set__role=PartyRole.LEAD,
                        assignment__task__party_set__unit__in=led))
            .distinct().order_by("requested_at", "id"))
