import time

from workflows.access.policies import can_import_plans, can_read_audit
from workflows.access.scopes import extension_requests_to_decide, transfer_requests_to_decide
from workflows.selectors.inbox import waiting_total

# What the menu shows is remembered in the session for a minute: it spares every page the
# permission, role and count queries. It only decides which links appear and the numbers beside
# them; each page and service asks the policy itself, so a right taken away is refused at once and
# its link goes within a minute. The person's own POST forgets it (``forget_menu``), so what they
# just did shows in the counts at once; what others did shows within the minute.
MAY_KEY = "_may"
MAY_SECONDS = 60


def forget_menu(request) -> None:
    session = getattr(request, "session", None)
    if session is not None and MAY_KEY in session:
        del session[MAY_KEY]


def _menu(user) -> dict:
    return {
        "may": {"import_plans": can_import_plans(user), "read_audit": can_read_audit(user)},
        "counts": {"inbox": waiting_total(user), "transfers": transfer_requests_to_decide(user).count()
                   + extension_requests_to_decide(user).count()},
    }


def policies(request):
    """Let templates ask the same policy functions the services enforce, and show the menu's counts."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    session = getattr(request, "session", None)
    now = time.time()
    kept = session.get(MAY_KEY) if session is not None else None
    if not (kept and kept.get("user") == user.pk and 0 <= now - kept.get("at", 0) < MAY_SECONDS
            and "counts" in kept):
        kept = {"user": user.pk, "at": now, **_menu(user)}
        if session is not None:
            session[MAY_KEY] = kept
    counts = dict(kept["counts"])
    fresh = getattr(request, "menu_counts", None)  # a page that has just counted says so
    if fresh:
        counts.update(fresh)
    return {"may": kept["may"], "menu_counts": counts}
