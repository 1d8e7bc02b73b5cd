"""Who is asking, from where: request facts the audit writer adds to every event."""
from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import uuid
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str = ""
    user_agent: str = ""


_NO_REQUEST = RequestContext()
_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("audit_request_context", default=None)


def current() -> RequestContext:
    """The running request's facts, or empty ones (a command, a background job)."""
    return _current.get() or _NO_REQUEST


@contextlib.contextmanager
def outside_request():
    """Write events as a background job would: no request id, address or browser of the running request."""
    token = _current.set(_NO_REQUEST)
    try:
        yield
    finally:
        _current.reset(token)


_as_of: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar("audit_as_of", default=None)


def now() -> dt.datetime:
    """When the event being written happens: now, or the time a data load replays (``as_of``)."""
    return _as_of.get() or timezone.now()


@contextlib.contextmanager
def as_of(when: dt.datetime):
    """Write events as having happened at ``when``: for a command that builds a past (the load
    generator), never in a request."""
    token = _as_of.set(when)
    try:
        yield
    finally:
        _as_of.reset(token)


class AuditContextMiddleware:
    """Give each request an id and remember its IP and user agent for the audit writer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        token = _current.set(RequestContext(
            request_id=request.request_id,
            # REMOTE_ADDR only: X-Forwarded-For is whatever the client says unless a proxy we
            # trust rewrites it, and production puts that proxy's address handling in front.
            ip=request.META.get("REMOTE_ADDR", "")[:64],
            user_agent=request.headers.get("User-Agent", "")[:300],
        ))
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response.headers.setdefault("X-Request-ID", request.request_id)
        return response
