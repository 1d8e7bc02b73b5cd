"""我的待办, read: what waits for a person, counted, paged and turned into table rows.

``InboxItem`` (kept by ``workflows.services.inbox``) holds one row per assignment and unit-role group
that has work on it. Every page of the inbox asks the questions below, and the ORM spent longer
building them than the database spent answering (for a person with 472 items among 124,000
assignments: the count 1.1 ms against 0.3 ms on SQLite, 1.6 against 0.6 on PostgreSQL; the page of
ids 0.55 against 0.07, and 1.2 against 0.5), so they are written here in SQL. The statements are
fixed; only the user id, dates and the page's bounds are parameters. Table and column names come
from the models' ``_meta``; the ORM versions of the same questions are the oracle in
``tests/workflows/selectors/test_inbox.py``.
"""
from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import QuerySet

from ..access.scopes import groups_of
from ..lights import GREEN, RED, YELLOW
from ..models import Assignment, InboxItem

# What a row of an assignment table shows, as ``QuerySet.values(*ROW_FIELDS)`` names: a view may pass
# such dicts instead of Assignments, and skip building model instances for a page.
ROW_FIELDS = ("pk", "state", "due_date", "light_due", "standing", "on_time", "task__number", "task__text", "task__plan",
              "task__plan__title", "unit__short_name", "round__name")


def _signed_in(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _row_select() -> tuple[str, str]:
    """The SELECT list and the FROM … JOIN clause that read ``ROW_FIELDS`` of assignments ``a``.

    Each name is followed through the models' foreign keys: ``task__plan__title`` joins the task's
    table on its key, then the plan's, and reads the ``title`` column, so a renamed column or table
    changes the statement with the model.
    """
    joins: dict[str, tuple[str, object]] = {"": ("a", Assignment)}  # path → (alias, model)
    clauses = [f"{_quote(Assignment._meta.db_table)} a"]
    columns = []
    for name in ROW_FIELDS:
        parts = ["id" if name == "pk" else p for p in name.split("__")]
        path = ""
        for hop in parts[:-1]:
            alias, model = joins[path]
            field = model._meta.get_field(hop)
            path = f"{path}__{hop}" if path else hop
            if path not in joins:
                target = field.related_model
                joined = f"j{len(joins)}"
                joins[path] = (joined, target)
                clauses.append(f"JOIN {_quote(target._meta.db_table)} {joined} ON {joined}."
                               f"{_quote(target._meta.pk.column)} = {alias}.{_quote(field.column)}")
        alias, model = joins[path]
        columns.append(f"{alias}.{_quote(model._meta.get_field(parts[-1]).column)}")
    return ", ".join(columns), " ".join(clauses)


_LIGHT_SQL = {RED: ("due_date < %s", lambda today, last: [today]),
              YELLOW: ("due_date >= %s AND due_date <= %s", lambda today, last: [today, last]),
              GREEN: ("due_date > %s", lambda today, last: [last])}


def _waiting_rows(columns: str, condition: str = "") -> str:
    """SELECT DISTINCT ``columns`` of the user's InboxItem rows: each assignment once per user."""
    return (f"SELECT DISTINCT {columns} FROM {_quote(InboxItem._meta.db_table)} "
            f"WHERE group_id IN (SELECT group_id FROM {_quote(User.groups.through._meta.db_table)} "
            f"WHERE user_id = %s){' AND ' + condition if condition else ''}")


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def inbox_items(user) -> QuerySet[InboxItem]:
    """The user's rows of 我的待办 (``InboxItem``): one per group of theirs that has work on an assignment.

    An assignment may come twice when two of the person's groups hold the waiting right (say two
    lead departments of one task); count and page it with ``distinct``.
    """
    if not _signed_in(user):
        return InboxItem.objects.none()
    return InboxItem.objects.filter(group_id__in=groups_of(user))


def inbox_counts(user, today: dt.date, last_yellow: dt.date) -> dict[str, int]:
    """How many assignments wait for ``user``, per state and per light (red before ``today``, yellow
    up to ``last_yellow``, green after), each once however many of the user's groups it waits for."""
    counts: dict[str, int] = {}
    if not _signed_in(user):
        return counts
    adapt = connection.ops.adapt_datefield_value
    sql = (f"SELECT state, COUNT(*), SUM(CASE WHEN due_date < %s THEN 1 ELSE 0 END), "
           f"SUM(CASE WHEN due_date <= %s THEN 1 ELSE 0 END) "
           f"FROM ({_waiting_rows('assignment_id, state, due_date')}) waiting GROUP BY state")
    for state, n, red, up_to_yellow in _fetch(sql, [adapt(today), adapt(last_yellow), user.pk]):
        counts[state] = n
        for light, k in ((RED, red), (YELLOW, up_to_yellow - red), (GREEN, n - up_to_yellow)):
            counts[light] = counts.get(light, 0) + k
    return counts


def waiting_total(user) -> int:
    """How many assignments wait for ``user`` (the count on the menu's 我的待办): one query."""
    if not _signed_in(user):
        return 0
    return _fetch(f"SELECT COUNT(*) FROM ({_waiting_rows('assignment_id')}) waiting", [user.pk])[0][0]


class InboxIds:
    """The ids of what waits for ``user`` (of one light, if given), by due date and id, of a known
    length (``inbox_counts``): the paginator slices it, and each slice is one LIMIT/OFFSET query."""

    def __init__(self, user, length: int, light: str = "", today: dt.date | None = None,
                 last_yellow: dt.date | None = None):
        self.user, self.length = user, length
        condition, values = _LIGHT_SQL[light] if light else ("", lambda today, last: [])
        adapt = connection.ops.adapt_datefield_value
        self.sql = (_waiting_rows("assignment_id, due_date", condition)
                    + " ORDER BY due_date, assignment_id LIMIT %s OFFSET %s")
        self.params = [user.pk, *(adapt(d) for d in values(today, last_yellow))]

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: slice) -> list[int]:
        if not _signed_in(self.user) or index.stop <= index.start:
            return []
        return [pk for pk, _due in _fetch(self.sql, [*self.params, index.stop - index.start, index.start])]


def inbox_rows(ids: list[int]) -> list[dict]:
    """The rows of these assignments as ``ROW_FIELDS`` dicts, in the order of ``ids``.

    The same as ``Assignment.objects.filter(pk__in=ids).values(*ROW_FIELDS)``, in fixed SQL for the
    same reason as above (0.7 ms against 0.2 on SQLite, 1.9 against 1.1 on PostgreSQL).
    """
    if not ids:
        return []
    columns, tables = _row_select()
    sql = f"SELECT {columns} FROM {tables} WHERE a.id IN ({', '.join(['%s'] * len(ids))})"
    rows = {}
    for values in _fetch(sql, list(ids)):
        row = dict(zip(ROW_FIELDS, values, strict=True))  # the SELECT lists them in this order
        for name in ("due_date", "light_due"):
            if isinstance(row[name], str):  # SQLite hands dates back as text
                row[name] = dt.date.fromisoformat(row[name])
        row["on_time"] = None if row["on_time"] is None else bool(row["on_time"])
        row["standing"] = bool(row["standing"])
        rows[row["pk"]] = row
    return [rows[pk] for pk in ids if pk in rows]


def assignments_awaiting(user) -> QuerySet[Assignment]:
    """我的待办 as a queryset: assignments in a state where one of the user's rights has work to do,
    by due date (the ORM form of the questions above, for reminders and the API).

    Read from ``InboxItem``, which ``workflows.services.inbox`` keeps equal to the rule: the state
    asks for a right (``WAITING_STATES``) that one of the user's unit-role groups holds on it.
    Separation of duties is applied when a person acts (and in the buttons shown); an item the
    person submitted still shows here for their colleagues in the same role.
    """
    return (Assignment.objects.select_related("task__plan", "unit", "round")
            .filter(pk__in=inbox_items(user).values("assignment_id")).order_by("due_date", "id"))
