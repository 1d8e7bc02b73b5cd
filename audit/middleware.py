"""Record every refused attempt to change something (a 403 on an unsafe method)."""
from django.http import HttpRequest

from .services import escape_label, record_anonymous, record_refusal

_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class RefusalAuditMiddleware:
    """Write one ``access.denied`` event for each 403 answered to a POST, PUT, PATCH or DELETE.

    Views refuse by raising PermissionDenied (or returning 403); this one place records it,
    so no view can forget. A refusal already recorded (CSRF) is not recorded twice. A source that
    has not signed in writes within its limits (``record_anonymous``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if (
            response.status_code == 403
            and request.method in _UNSAFE
            and not getattr(request, "audit_refusal_recorded", False)
        ):
            user = getattr(request, "user", None)
            fields = {"target_type": "url", "target_label": escape_label(request.path),
                      "details": {"method": request.method, "path": escape_label(request.path, 500)}}
            if user is not None and user.is_authenticated:
                record_refusal(action="access.denied", actor=user, **fields)
            else:  # bounded per address: see record_anonymous
                record_anonymous(action="access.denied", path=request.path, **fields)
        return response
