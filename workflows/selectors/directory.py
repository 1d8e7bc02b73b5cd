"""The unit directory and plan reads that screens, commands and services share."""
from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from ..directory import Directory, DirectoryEntry
from ..models import (
    OPEN_STATES,
    Assignment,
    GroupTerm,
    Membership,
    Plan,
    Section,
    Task,
    TaskParty,
    Unit,
    UnitAlias,
)


def unit_directory() -> Directory:
    """Snapshot every name the directory knows (inactive units included: old plans name them)."""
    directory = Directory()
    for unit in Unit.objects.only("id", "short_name", "full_name"):
        entry = DirectoryEntry("unit", unit.id, unit.short_name)
        directory.add(unit.short_name, entry)
        directory.add(unit.full_name, entry)
    for alias in UnitAlias.objects.select_related("unit").only("name", "unit__short_name"):
        directory.add(alias.name, DirectoryEntry("unit", alias.unit_id, alias.unit.short_name))
    for term in GroupTerm.objects.only("id", "term"):
        directory.add(term.term, DirectoryEntry("term", term.id, term.term))
    return directory


def entry_names() -> tuple[list[str], list[str]]:
    """The names a typed item may use: active units (in directory order) and group terms."""
    units = list(Unit.objects.filter(is_active=True).order_by("order", "short_name").values_list("short_name", flat=True))
    terms = list(GroupTerm.objects.order_by("term").values_list("term", flat=True))
    return units, terms


def transfer_targets(assignment) -> list[Unit]:
    """The units a 调整申请 may name for ``assignment`` (the chooser's list): active ones that do not
    already hold the task in its round, in directory order."""
    holding = Assignment.objects.filter(task_id=assignment.task_id, round_id=assignment.round_id,
                                        state__in=OPEN_STATES).values("unit_id")
    return list(Unit.objects.filter(is_active=True).exclude(pk__in=holding).order_by("order", "short_name")
                .only("short_name", "full_name"))


def substitute_choices(user, roles) -> list[Membership]:
    """Who ``user`` may name as 代理人: colleagues holding one of the same unit roles (of ``roles``)."""
    mine = list(Membership.objects.filter(user=user, role__in=roles).values_list("unit_id", "role"))
    if not mine:
        return []
    same = Q()
    for unit_id, role in mine:
        same |= Q(unit_id=unit_id, role=role)
    return list(Membership.objects.filter(same, user__is_active=True).exclude(user=user)
                .select_related("user", "unit").order_by("unit__order", "role", "user__username"))


def plans_for_list() -> QuerySet[Plan]:
    return Plan.objects.select_related("supervising_unit", "imported_by").order_by("-imported_at", "-id")


def plan_with_tasks(plan_id: int, *, assignments: QuerySet | None = None) -> Plan:
    """Load a plan with its sections, tasks, parties, deadlines and targets in a fixed number of queries.

    ``assignments``, when given, is the caller's visible assignments (already scoped to the user);
    each task then carries ``visible_assignments`` with their units and rounds, in one more query.
    """
    prefetches = [
        Prefetch("party_set", queryset=TaskParty.objects.select_related("group_term").order_by("role", "position")),
        "deadlines",
        "targets",
    ]
    if assignments is not None:
        prefetches.append(Prefetch(
            "assignments", to_attr="visible_assignments",
            queryset=assignments.select_related(None).select_related("unit", "round")
            .order_by("round__position", "unit__order", "unit__short_name", "id"),
        ))
    tasks = Task.objects.order_by("number").prefetch_related(*prefetches)
    sections = Section.objects.order_by("position").prefetch_related(Prefetch("tasks", queryset=tasks))
    return (
        Plan.objects.select_related("supervising_unit", "imported_by")
        .prefetch_related(Prefetch("sections", queryset=sections))
        .get(pk=plan_id)
    )
