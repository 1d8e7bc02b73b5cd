import time

from workflows.access.policies import can_import_plans, can_read_audit

# What the menu shows is remembered in the session for a minute: it spares every page the three
# permission and role queries. It only decides which links appear; each page and service asks
# the policy itself, so a right taken away is refused at once and its link goes within a minute.
MAY_KEY = "_may"
MAY_SECONDS = 60


def policies(request):
    """Let templates ask the same policy functions the services enforce."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    session = getattr(request, "session", None)
    now = time.time()
    kept = session.get(MAY_KEY) if session is not None else None
    if kept and kept.get("user") == user.pk and 0 <= now - kept.get("at", 0) < MAY_SECONDS:
        return {"may": kept["may"]}
    may = {"import_plans": can_import_plans(user), "read_audit": can_read_audit(user)}
    if session is not None:
        session[MAY_KEY] = {"user": user.pk, "at": now, "may": may}
    return {"may": may}
