"""Signing in and out, and the session's timeouts: the sign-in events the audit trail keeps.

A session ends after ``SESSION_IDLE_TIMEOUT`` without a request, and in any case
``SESSION_ABSOLUTE_TIMEOUT`` after signing in (``SessionTimeoutMiddleware`` asks ``session_check``).
"""
from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import escape_label, record_anonymous, record_event

SIGNED_IN_AT = "_signed_in_at"
SEEN_AT = "_seen_at"
TOUCH_EVERY = 60  # seconds: record activity at most once a minute, not on every request


def sign_in(*, request, user) -> None:
    """Log ``user`` in (a new session key) and record it; the session's timeouts start now."""
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


def session_check(request) -> None:
    """End the session of a signed-in person if it timed out; else note that it is in use."""
    now = time.time()
    signed_in = request.session.get(SIGNED_IN_AT)
    seen = request.session.get(SEEN_AT, signed_in)
    if signed_in is None:  # a session from before timeouts existed: start counting now
        request.session[SIGNED_IN_AT] = request.session[SEEN_AT] = now
    elif now - signed_in > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
        session_expired(request=request, reason="absolute")
    elif seen is not None and now - seen > settings.SESSION_IDLE_TIMEOUT.total_seconds():
        session_expired(request=request, reason="idle")
    elif seen is None or now - seen > TOUCH_EVERY:
        request.session[SEEN_AT] = now


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
