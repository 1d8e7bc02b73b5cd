from .policies import can_import_plans, can_read_audit


def policies(request):
    """Let templates ask the same policy functions the services enforce."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"may": {"import_plans": can_import_plans(user), "read_audit": can_read_audit(user)}}
