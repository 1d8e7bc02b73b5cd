"""Idle and absolute session timeouts (``approvals.sessions.session_check``).

The ending is recorded in the audit trail; the request then goes on as anonymous, so pages send
the person to the login page and the API answers 401.
"""
from __future__ import annotations

from .context_processors import forget_menu
from .sessions import session_check


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            session_check(request)
        return self.get_response(request)


class MenuRefreshMiddleware:
    """The person's own POST forgets the menu kept in the session, so its counts follow what they did."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            forget_menu(request)
        return self.get_response(request)
