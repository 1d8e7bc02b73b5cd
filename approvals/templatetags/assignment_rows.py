"""``{% assignment_rows items today as rows %}``: the rows of an assignment table, as ready HTML.

A page of 50 assignments rendered cell by cell through the template language costs more than the
queries behind it (a URL reversal, translations, two filters and a dozen lookups per row). Here each
row is formatted (and escaped) once in Python: one URL reversal per page, one translation per state
and per light, one truncation per plan title.
"""
from __future__ import annotations

import datetime as dt
import html
from functools import lru_cache
from types import SimpleNamespace

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from workflows.lights import CLOSED
from workflows.models import AssignmentState
from workflows.selectors.marks import countdown_label

from .lights import light_badge

register = template.Library()

_PK = 2**62  # a placeholder id in the reversed URL, replaced per row
ROW = ('<tr>\n<td class="nowrap{}" data-label="{}">{}{}</td>\n<td class="nowrap" data-label="{}">{}</td>\n'
       '<td data-label="{}"><span class="state state-{}">{}</span></td>\n'
       '<td class="text" data-label="{}"><a href="{}">{}</a> {}{}</td>\n<td class="nowrap" data-label="{}">{}</td>\n'
       '<td data-label="{}">{}</td>\n<td class="nowrap" data-label="{}">{}</td>\n</tr>')
COLUMNS = ("办理期限", "灯号", "状态", "任务", "责任单位", "计划", "轮次")


# What a row shows, as ``QuerySet.values(*ROW_FIELDS)`` names (plus ``light``): a view may pass such
# dicts instead of Assignments, and skip building model instances for a page.
ROW_FIELDS = ("pk", "state", "due_date", "on_time", "task__number", "task__text", "task__plan",
              "task__plan__title", "unit__short_name", "round__name")


def _values(a) -> dict:
    if isinstance(a, dict):
        return a
    task = a.task
    return {"pk": a.pk, "state": a.state, "due_date": a.due_date, "on_time": a.on_time,
            "task__number": task.number, "task__text": task.text, "task__plan": task.plan_id,
            "task__plan__title": task.plan.title, "unit__short_name": a.unit.short_name,
            "round__name": a.round.name, "light": getattr(a, "light", None), "assignment": a}


@lru_cache(maxsize=8192)
def _truncated(text: str, length: int, language: str | None) -> str:
    """``truncatechars``, remembered: task texts and plan titles recur on every page."""
    return Truncator(text).chars(length)


def _escaped(value) -> str:
    return value if isinstance(value, SafeString) else html.escape(str(value))


def _marks_html(marks) -> tuple[str, str]:
    """(what the due cell adds, the badges after the task) for one row's ``RowMarks``."""
    if marks is None:
        return "", ""
    due = ""
    if marks.working_days is not None:
        due = format_html('<br><small{} data-days>{}</small>', mark_safe(' class="error"') if marks.working_days < 0
                          else "", countdown_label(marks.working_days))
    badges = []
    if marks.returned_reason:
        badges.append(format_html('<span class="badge badge-returned" data-returned>{}</span>',
                                  _("已退回：%(reason)s") % {"reason": marks.returned_reason}))
    if marks.reminders:
        badges.append(format_html('<span class="badge" data-reminded>{}</span>',
                                  _("已催办 ×%(n)s") % {"n": marks.reminders}))
    if marks.level:
        badges.append(format_html('<span class="badge badge-level-{}" data-level>{}</span>', marks.level,
                                  marks.level_label))
    return due, mark_safe(f'<span class="badges">{"".join(badges)}</span>') if badges else ""


PICK = ('<tr>\n<td class="pick"><input type="checkbox" name="ids" value="{}" form="batch" aria-label="{}" '
        'data-pick></td>\n')


@register.simple_tag
def assignment_rows(items, today=None, marks=None, pick=False) -> list[SafeString]:
    """``items``: Assignments with ``task__plan``, ``unit`` and ``round`` selected (and ``light`` annotated),
    or dicts of ``ROW_FIELDS`` with ``light``; ``marks``: ``{pk: RowMarks}`` for the work queue;
    ``pick``: a first cell with a checkbox for the page's 批量操作 form."""
    url = reverse("approvals:assignment_detail", args=[_PK])
    placeholder = str(_PK)
    overdue_mark = format_html('<br><small class="error">{}</small>', _("已超期"))
    state_labels = dict(AssignmentState.choices)
    task_number = _("第 %(n)s 项")
    labels = [_(name) for name in COLUMNS]
    language = get_language()
    states, plans, badges = {}, {}, {}
    rows = []
    for a in map(_values, items):
        due, state, plan = a["due_date"], a["state"], a["task__plan"]
        if state not in states:
            states[state] = str(state_labels.get(state, state))
        if plan not in plans:
            plans[plan] = _truncated(a["task__plan__title"], 40, language)
        light = a.get("light")
        if light is None:
            badge = light_badge(a["assignment"], today or None)
        else:  # the light decides the badge, with on_time for closed ones
            key = (light, a["on_time"])
            if key not in badges:
                badges[key] = light_badge(SimpleNamespace(light=light, on_time=a["on_time"]), today or None)
            badge = badges[key]
        overdue = isinstance(today, dt.date) and due < today and state not in CLOSED
        due_extra, row_badges = _marks_html(marks.get(a["pk"]) if marks else None)
        # format_html's work, with the standard library's escape: the same output, a fraction of the calls.
        row = ROW.format(*map(_escaped, (
            " overdue" if overdue else "", labels[0], f"{due.year:04d}年{due.month}月{due.day}日",
            due_extra or (overdue_mark if overdue else ""), labels[1], badge, labels[2], state, states[state],
            labels[3], url.replace(placeholder, str(a["pk"])), task_number % {"n": a["task__number"]},
            _truncated(a["task__text"], 60, language), row_badges, labels[4], a["unit__short_name"],
            labels[5], plans[plan], labels[6], a["round__name"])))
        if pick:
            row = PICK.format(a["pk"], html.escape(_("选择第 %(n)s 项 · %(unit)s") % {
                "n": a["task__number"], "unit": a["unit__short_name"]})) + row[len("<tr>\n"):]
        rows.append(mark_safe(row))
    return rows
