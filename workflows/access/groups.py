"""The auth group behind each unit role."""
from django.contrib.auth.models import Group, Permission

from ..models import UnitRoleGroup


def unit_role_group(unit, role: str) -> Group:
    """Return (creating it once) the group that holds ``role`` for ``unit``."""
    link = UnitRoleGroup.objects.select_related("group").filter(unit=unit, role=role).first()
    if link is not None:
        return link.group
    group, _created = Group.objects.get_or_create(name=f"unit-{unit.pk}-{role}")
    UnitRoleGroup.objects.get_or_create(unit=unit, role=role, defaults={"group": group})
    if role == "auditor":
        # Auditors read every assignment: a global view permission, and nothing that writes.
        group.permissions.add(Permission.objects.get(codename="view_assignment", content_type__app_label="workflows"))
    return group


def unit_role_groups(units, role: str) -> dict[int, Group]:
    """Return {unit id: group} for many units at once."""
    found = {link.unit_id: link.group for link in
             UnitRoleGroup.objects.select_related("group").filter(unit__in=units, role=role)}
    for unit in units:
        if unit.pk not in found:
            found[unit.pk] = unit_role_group(unit, role)
    return found
