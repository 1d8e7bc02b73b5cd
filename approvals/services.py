"""Writes about people: unit roles, and the sign-in events the audit trail keeps."""
from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import login, logout
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import escape_label, record_anonymous, record_event

from .groups import unit_role_group
from .models import Membership, Role


class MembershipError(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def membership_grant(*, actor, user, unit, role: str) -> Membership:
    """Let ``user`` act for ``unit`` in ``role``; one audit event."""
    if role not in Role.values:
        raise MembershipError(f"无效的角色：{role}")
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
        if not created:
            raise MembershipError(f"{user} 已是 {unit} 的{membership.get_role_display()}")
        user.groups.add(unit_role_group(unit, role))
        record_event(action="auth.membership_granted", actor=actor, target=user, unit=unit, role=role,
                     details={"user": user.get_username(), "unit": unit.short_name, "role": role})
    return membership


def membership_revoke(*, actor, membership: Membership) -> None:
    """Withdraw a unit role; one audit event."""
    with transaction.atomic():
        locked = Membership.objects.select_for_update().filter(pk=membership.pk).first()
        if locked is None:
            raise MembershipError("该角色已被撤销")
        details = {"user": locked.user.get_username(), "unit": locked.unit.short_name, "role": locked.role}
        locked.user.groups.remove(unit_role_group(locked.unit, locked.role))
        locked.delete()
        record_event(action="auth.membership_revoked", actor=actor, target=membership.user,
                     unit=membership.unit, role=membership.role, details=details)


def sign_in(*, request, user) -> None:
    """Log ``user`` in (a new session key) and record it; the session's timeouts start now."""
    from .middleware import SEEN_AT, SIGNED_IN_AT

    with transaction.atomic():
        login(request, user)
        request.session[SIGNED_IN_AT] = request.session[SEEN_AT] = time.time()
        record_event(action="auth.login", actor=user, target=user)


def session_expired(*, request, reason: str) -> None:
    """End a session that was idle too long or is too old; record it (reason: idle / absolute)."""
    user = request.user
    with transaction.atomic():
        record_event(action="auth.session_expired", actor=user, target=user, details={"reason": reason})
        logout(request)
    messages.info(request, _("登录已超时，请重新登录。") if reason == "idle" else _("登录时间已到上限，请重新登录。"))


def sign_out(*, request) -> None:
    user = request.user if request.user.is_authenticated else None
    with transaction.atomic():
        if user is not None:
            record_event(action="auth.logout", actor=user, target=user)
        logout(request)


def sign_in_failed(*, username: str, locked_out: bool = False, path: str = "") -> None:
    """Record a failed sign-in, or one refused because the name is locked out after repeated
    wrong passwords, within what an address that has not signed in may write to the trail; the
    name typed is escaped so it cannot forge log lines."""
    record_anonymous(action="auth.locked_out" if locked_out else "auth.login_failed", path=path,
                     target_type="auth.user", target_label=escape_label(username, 150),
                     details={"username": escape_label(username, 150)})


def user_changed(*, actor, user, changes: dict) -> None:
    """Record an administrator's change to an account (flags, groups, permissions)."""
    record_event(action="auth.user_changed", actor=actor, target=user, details=changes)
