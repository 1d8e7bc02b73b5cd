"""Unit roles: let a person act for a unit in a role, or take that away (one audit event each).

``actor`` None is the installation itself (a management command run on the server, the demo).
"""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record_event

from ..access.groups import unit_role_group
from ..access.policies import can_manage_roles
from ..models import Membership, Role
from .errors import Invalid, NotAllowed


class MembershipError(Invalid):
    """A role that cannot be granted or revoked as asked (unknown role, held already, gone)."""


def _allowed(actor) -> None:
    if actor is not None and not can_manage_roles(actor):
        raise NotAllowed(_("您无权授予或撤销单位角色"))


def membership_grant(*, actor, user, unit, role: str) -> Membership:
    """Let ``user`` act for ``unit`` in ``role``; one audit event."""
    _allowed(actor)
    if role not in Role.values:
        raise MembershipError(_("无效的角色：%(role)s") % {"role": role})
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
        if not created:
            raise MembershipError(_("%(user)s 已是 %(unit)s 的%(role)s")
                                  % {"user": user, "unit": unit, "role": membership.get_role_display()})
        user.groups.add(unit_role_group(unit, role))
        record_event(action="auth.membership_granted", actor=actor, target=user, unit=unit, role=role,
                     details={"user": user.get_username(), "unit": unit.short_name, "role": role})
    return membership


def membership_revoke(*, actor, membership: Membership) -> None:
    """Withdraw a unit role; one audit event."""
    _allowed(actor)
    with transaction.atomic():
        locked = Membership.objects.select_for_update().filter(pk=membership.pk).first()
        if locked is None:
            raise MembershipError(_("该角色已被撤销"))
        details = {"user": locked.user.get_username(), "unit": locked.unit.short_name, "role": locked.role}
        locked.user.groups.remove(unit_role_group(locked.unit, locked.role))
        locked.delete()
        record_event(action="auth.membership_revoked", actor=actor, target=membership.user,
                     unit=membership.unit, role=membership.role, details=details)
