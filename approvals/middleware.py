"""Idle and absolute session timeouts.

A session ends after ``SESSION_IDLE_TIMEOUT`` without a request, and in any case
``SESSION_ABSOLUTE_TIMEOUT`` after signing in. The ending is recorded in the audit trail
(approvals.services.session_expired); the request then goes on as anonymous, so pages send
the person to the login page and the API answers 401.
"""
from __future__ import annotations

import time

from django.conf import settings

from . import services

SIGNED_IN_AT = "_signed_in_at"
SEEN_AT = "_seen_at"
TOUCH_EVERY = 60  # seconds: record activity at most once a minute, not on every request


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            signed_in = request.session.get(SIGNED_IN_AT)
            seen = request.session.get(SEEN_AT, signed_in)
            if signed_in is None:  # a session from before timeouts existed: start counting now
                request.session[SIGNED_IN_AT] = request.session[SEEN_AT] = now
            elif now - signed_in > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
                services.session_expired(request=request, reason="absolute")
            elif seen is not None and now - seen > settings.SESSION_IDLE_TIMEOUT.total_seconds():
                services.session_expired(request=request, reason="idle")
            elif seen is None or now - seen > TOUCH_EVERY:
                request.session[SEEN_AT] = now
        return self.get_response(request)
