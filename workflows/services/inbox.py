"""我的待办, kept ready (``InboxItem``): which unit-role group has work to do on which assignment now.

The rows are derived, never edited otherwise: an assignment is waiting for the groups that hold
the object permission its state asks for (``WAITING_STATES``: 承办 for 已交办/办理中, 审核 for
已报送, 验收 for 已审核). Every write that changes a state, a due date or those permissions calls
``refresh_inbox`` for the assignments it touched, inside its own transaction, so the table moves
with them or not at all. ``inbox_drift`` compares the whole table with what the permissions say
(``python manage.py rebuild_inbox --check``), and ``rebuild_inbox`` rewrites it.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from ..models import WAITING_STATES, AssignmentGroupObjectPermission, InboxItem

BATCH = 5000


def _expected(assignment_ids: list[int] | None):
    """(group id, assignment id, state, light date) for every waiting pair, from the permission rows:
    the inbox sorts and lights by the date the light counts from (workflows.lights)."""
    for codename, states in WAITING_STATES.items():
        held = AssignmentGroupObjectPermission.objects.filter(
            permission__codename=codename, permission__content_type__app_label="workflows",
            content_object__state__in=states)
        if assignment_ids is not None:
            held = held.filter(content_object_id__in=assignment_ids)
        yield from held.values_list("group_id", "content_object_id", "content_object__state",
                                    "content_object__light_due").iterator(chunk_size=BATCH)


def refresh_inbox(assignment_ids: Iterable[int] | None = None) -> int:
    """Rewrite the inbox rows of these assignments (all of them when None); returns the rows written."""
    ids = None if assignment_ids is None else sorted(set(assignment_ids))
    if ids == []:
        return 0
    written = 0
    with transaction.atomic():
        for start in range(0, len(ids), BATCH) if ids is not None else [None]:
            chunk = None if start is None else ids[start:start + BATCH]
            stale = InboxItem.objects.all() if chunk is None else InboxItem.objects.filter(assignment_id__in=chunk)
            stale.delete()
            rows = [InboxItem(group_id=g, assignment_id=a, state=s, due_date=d) for g, a, s, d in _expected(chunk)]
            InboxItem.objects.bulk_create(rows, batch_size=BATCH)
            written += len(rows)
    return written


def inbox_drift() -> dict[str, list[tuple]]:
    """Rows the table lacks and rows it holds in excess, against the permissions (both empty when sound)."""
    expected = set(_expected(None))
    held = set(InboxItem.objects.values_list("group_id", "assignment_id", "state", "due_date").iterator(
        chunk_size=BATCH))
    return {"missing": sorted(expected - held), "extra": sorted(held - expected)}
