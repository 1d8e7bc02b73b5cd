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


def has_role(user, role: str) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    cache = getattr(user, "_role_cache", None)
    if cache is None:
        from .models import Membership

        cache = set(Membership.objects.filter(user=user).values_list("role", flat=True))
        user._role_cache = cache
    return role in cache


def can_read_audit(user) -> bool:
    """Auditors (审计人员) read the whole history; superusers may too. Nobody edits it."""
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or has_role(user, "auditor")))
