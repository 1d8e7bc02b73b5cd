"""Reads that screens, commands and services share."""
from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .directory import Directory, DirectoryEntry
from .models import GroupTerm, Plan, Section, Task, TaskParty, Unit, UnitAlias


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


def plans_for_list() -> QuerySet[Plan]:
    return Plan.objects.select_related("supervising_unit", "imported_by").order_by("-imported_at", "-id")


def plan_with_tasks(plan_id: int) -> Plan:
    """Load a plan with its sections, tasks, parties, deadlines and targets in a fixed number of queries."""
    tasks = Task.objects.order_by("number").prefetch_related(
        Prefetch("party_set", queryset=TaskParty.objects.order_by("role", "position")),
        "deadlines",
        "targets",
    )
    sections = Section.objects.order_by("position").prefetch_related(Prefetch("tasks", queryset=tasks))
    return (
        Plan.objects.select_related("supervising_unit", "imported_by")
        .prefetch_related(Prefetch("sections", queryset=sections))
        .get(pk=plan_id)
    )
