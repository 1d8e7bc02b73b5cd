"""Record every refused attempt to change something (a 403 on an unsafe method)."""
from django.http import HttpRequest

from .services import escape_label, record_refusal

_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class RefusalAuditMiddleware:
    """Write one ``access.denied`` event for each 403 answered to a POST, PUT, PATCH or DELETE.

    Views refuse by raising PermissionDenied (or returning 403); this one place records it,
    so no view can forget. A refusal already recorded (CSRF) is not recorded twice.
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
            record_refusal(
                action="access.denied",
                actor=user if user is not None and user.is_authenticated else None,
                target_type="url",
                target_id="",
                target_label=escape_label(request.path),
                details={"method": request.method, "path": escape_label(request.path, 500)},
            )
        return response
