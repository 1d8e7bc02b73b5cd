"""Reads scoped to the person asking: what they may see, and what waits for them."""
from __future__ import annotations

from django.contrib.auth.models import Permission, User
from django.db.models import Q, QuerySet

from workflows.models import Assignment, AssignmentGroupObjectPermission, InboxItem

from .policies import sees_all_assignments


def _groups_of(user) -> QuerySet:
    return User.groups.through.objects.filter(user_id=user.pk).values("group_id")


def _held(user, codename: str) -> Q:
    """Assignments on which the user's groups hold ``codename``.

    Written as ``pk IN (…)`` from the permission table, whose (group, permission, object) index
    answers it directly; an EXISTS per assignment row would scan every assignment. The group and
    permission ids come from their own small subqueries (no join), so the database looks up
    (group, permission) in that index instead of reading every permission row of the group.
    """
    groups = _groups_of(user)
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


def inbox_items(user) -> QuerySet[InboxItem]:
    """The user's rows of 我的待办 (``InboxItem``): one per group of theirs that has work on an assignment.

    An assignment may come twice when two of the person's groups hold the waiting right (say two
    lead departments of one task); count and page it with ``distinct``.
    """
    if not (user.is_authenticated and user.is_active):
        return InboxItem.objects.none()
    return InboxItem.objects.filter(group_id__in=_groups_of(user))


def assignments_awaiting(user) -> QuerySet[Assignment]:
    """我的待办: assignments in a state where one of the user's rights has work to do, by due date.

    Read from ``InboxItem``, which ``workflows.services.inbox`` keeps equal to the rule: the state
    asks for a right (``WAITING_STATES``) that one of the user's unit-role groups holds on it.
    Separation of duties is applied when a person acts (and in the buttons shown); an item the
    person submitted still shows here for their colleagues in the same role.
    """
    return (Assignment.objects.select_related("task__plan", "unit", "round")
            .filter(pk__in=inbox_items(user).values("assignment_id")).order_by("due_date", "id"))


def transfer_requests_visible_to(user):
    """Transfer requests of the assignments ``user`` may see (the same 404 rule as the assignments)."""
    from workflows.models import TransferRequest

    return (TransferRequest.objects.select_related("assignment__task__plan", "assignment__unit", "target_unit",
                                                   "requested_by", "decided_by")
            .filter(assignment__in=assignments_visible_to(user).values("pk")))


def transfer_requests_to_decide(user):
    """Pending requests this person may decide: the plans they supervise, the tasks they lead where allowed."""
    from workflows.models import PartyRole, TransferRequest

    from .models import Membership

    supervised = Membership.objects.filter(user=user, role="supervisor").values("unit_id")
    led = Membership.objects.filter(user=user, role="reviewer").values("unit_id")
    if not (user.is_authenticated and user.is_active):
        return TransferRequest.objects.none()
    return (transfer_requests_visible_to(user).filter(status="pending")
            .filter(Q(assignment__task__plan__supervising_unit__in=supervised)
                    | Q(assignment__task__plan__lead_may_decide_transfers=True,
                        assignment__task__party_set__role=PartyRole.LEAD,
                        assignment__task__party_set__unit__in=led))
            .distinct().order_by("requested_at", "id"))
