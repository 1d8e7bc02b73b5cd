"""Who may do what. Screens and services ask these same functions.

Only the administrator's decisions exist so far; the per-unit roles of the assignment
workflow join them here.
"""
from __future__ import annotations


def can_import_plans(user) -> bool:
    """Administrators (the ``workflows.add_plan`` permission) import plans and map unit names."""
    return bool(user.is_authenticated and user.is_active and user.has_perm("workflows.add_plan"))


def can_view_plans(user) -> bool:
    """Any signed-in, active user may read the plans and their tasks."""
    return bool(user.is_authenticated and user.is_active)


def can_manage_units(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm("workflows.change_unit"))
