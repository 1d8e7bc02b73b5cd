"""The dashboard's pictures, drawn on the server: inline SVG charts and the task × unit matrix.

No script and no library: each chart is an ``<svg role="img">`` with a title, a description and
text labels, so it reads without colour and without a mouse, and renders in the PDF report too
(the colours are attributes, not classes, for that reason). The matrix is written here rather than
in a template because at 100 tasks × 80 units the template engine alone would take longer than
the whole page may.
"""
from __future__ import annotations

import math
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ..calendar import cn_date
from ..lights import DONE, GREEN, RED, YELLOW
from .progress import (
    LIGHT_ORDER,
    STATES,
    Progress,
    TaskRow,
    UnitColumn,
    light_labels,
    percent,
    state_labels,
)

# Stronger shades of the state colours in static/css/app.css (.state-*), readable as bar fills.
STATE_COLOURS = {"assigned": "#54aeff", "in_progress": "#d4a72c", "submitted": "#a475f9",
                 "lead_reviewed": "#4ac26b", "accepted": "#1a7f37"}
# The light colours of app.css (.light-*); accepted work is grey: it needs no attention.
LIGHT_COLOURS = {RED: "#cf222e", YELLOW: "#d4a72c", GREEN: "#1a7f37", DONE: "#8c959f"}
FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"


def _svg(chart_id: str, width: int, height: int, title: str, desc: str, body: str) -> SafeString:
    return mark_safe(
        f'<svg class="chart" id="{chart_id}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="{FONT}" font-size="13" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
        f"{body}</svg>")


def _summary(counts: dict[str, int], labels: dict[str, str]) -> str:
    return "；".join(_("%(label)s %(count)s 件") % {"label": labels[k], "count": n} for k, n in counts.items())


def _share(label: str, n: int, total: int) -> str:
    """A part of a chart as its tooltip names it: label, count and share (已报送 3 件（25.0%）)."""
    return _("%(label)s %(count)s 件（%(percent)s%%）") % {"label": label, "count": n, "percent": percent(n, total)}


def _stack(counts: dict[str, int], colours: dict[str, str], labels: dict[str, str], x: float, y: float,
           width: float, height: float) -> str:
    """One horizontal bar split by ``counts``; an empty bar is a grey outline."""
    total = sum(counts.values())
    parts = [f'<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="#f6f8fa" stroke="#d0d7de"/>']
    for key, n in counts.items():
        if not n:
            continue
        w = width * n / total
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{height}" fill="{colours[key]}">'
                     f"<title>{escape(_share(labels[key], n, total))}</title></rect>")
        x += w
    return "".join(parts)


def _legend(keys, colours: dict[str, str], labels: dict[str, str], counts: dict[str, int], x: int, y: int,
            step: int = 20) -> str:
    parts = []
    for i, key in enumerate(keys):
        parts.append(f'<rect x="{x}" y="{y + i * step - 10}" width="12" height="12" fill="{colours[key]}"/>'
                     f'<text x="{x + 18}" y="{y + i * step}">{escape(labels[key])} {counts.get(key, 0)}</text>')
    return "".join(parts)


def state_bar(progress: Progress, chart_id: str = "chart-states") -> SafeString:
    """The round's assignments as one bar stacked by state, with a legend of counts."""
    labels = state_labels()
    width, bar_y = 720, 8
    body = _stack(progress.by_state, STATE_COLOURS, labels, 0, bar_y, width, 28)
    x = 0
    for key in STATES:
        text = f"{labels[key]} {progress.by_state[key]}"
        body += (f'<rect x="{x}" y="50" width="12" height="12" fill="{STATE_COLOURS[key]}"/>'
                 f'<text x="{x + 17}" y="61">{escape(text)}</text>')
        x += 20 + 14 * len(text)
    return _svg(chart_id, width, 72, _("各状态承办件"), _summary(progress.by_state, labels), body)


def light_donut(progress: Progress, chart_id: str = "chart-lights") -> SafeString:
    """The round's assignments as a ring by light (red, yellow, green, done), total in the middle."""
    labels = light_labels()
    counts = {k: progress.by_light.get(k, 0) for k in LIGHT_ORDER}
    total = sum(counts.values())
    r, cx, cy, stroke = 48, 70, 70, 22
    circumference = 2 * math.pi * r
    body = [f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="none" stroke="#eaeef2" stroke-width="{stroke}"/>']
    offset = 0.0
    for key, n in counts.items():
        if not n:
            continue
        length = circumference * n / total
        body.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="none" stroke="{LIGHT_COLOURS[key]}" '
                    f'stroke-width="{stroke}" stroke-dasharray="{length:.2f} {circumference - length:.2f}" '
                    f'stroke-dashoffset="{-offset:.2f}" transform="rotate(-90 {cx} {cy})">'
                    f"<title>{escape(_share(labels[key], n, total))}</title></circle>")
        offset += length
    body.append(f'<text x="{cx}" y="{cy - 2}" text-anchor="middle" font-size="22" font-weight="bold">{total}</text>'
                f'<text x="{cx}" y="{cy + 18}" text-anchor="middle" fill="#57606a">{escape(_("件"))}</text>')
    body.append(_legend(LIGHT_ORDER, LIGHT_COLOURS, labels, counts, 160, 40, 24))
    return _svg(chart_id, 300, 140, _("红黄绿灯分布"), _summary(counts, labels), "".join(body))


def section_bars(progress: Progress, chart_id: str = "chart-sections") -> SafeString:
    """Per section: a bar stacked by state and the share accepted (已办结 x/y, z%)."""
    labels = state_labels()
    row, label_w, bar_w = 30, 250, 340
    width = label_w + bar_w + 150
    body = []
    for i, section in enumerate(progress.sections):
        y = i * row + 4
        name = section.label if len(section.label) <= 17 else section.label[:16] + "…"
        body.append(f'<text x="0" y="{y + 15}"><title>{escape(section.label)}</title>{escape(name)}</text>')
        body.append(_stack(section.by_state, STATE_COLOURS, labels, label_w, y, bar_w, 20))
        done = _("已办结 %(done)s/%(all)s（%(pct)s%%）") % {
            "done": section.accepted, "all": section.assignments, "pct": section.percent}
        body.append(f'<text x="{label_w + bar_w + 8}" y="{y + 15}">{escape(done)}</text>')
    desc = "；".join(_("%(section)s：承办件 %(all)s 件，已办结 %(done)s 件（%(pct)s%%）") % {
        "section": s.label, "all": s.assignments, "done": s.accepted, "pct": s.percent} for s in progress.sections)
    return _svg(chart_id, width, max(len(progress.sections), 1) * row + 8, _("各部分办理进度"), desc, "".join(body))


def matrix_table(units: list[UnitColumn], rows: list[TaskRow], light: str | None = None) -> SafeString:
    """The task × unit table: a link per assignment, coloured by state (background) and light (mark).

    Accepted work shows ✓ (green on time, red late); open work a dot in its light's colour. With
    ``light`` given, the other cells are dimmed. Every cell says all of it in its title.
    """
    states, lights = state_labels(), light_labels()
    done_labels = {True: _("按期办结"), False: _("逾期办结"), None: lights[DONE]}
    url = reverse("approvals:assignment_detail", args=[987654321]).replace("987654321", "{}")
    pattern = _("第%(n)s项 · %(unit)s · %(state)s · %(light)s · 办理期限 %(due)s")  # translated once, not per cell
    head = [f'<th scope="col" class="corner">{escape(_("任务＼单位"))}</th>']
    for unit in units:
        head.append(f'<th scope="col" title="{escape(unit.full_name or unit.short_name)}">'
                    f"<span>{escape(unit.short_name)}</span></th>")
    names = [u.short_name for u in units]
    dates: dict = {}
    body = []
    for row in rows:
        text = row.text if len(row.text) <= 12 else row.text[:11] + "…"
        cells = [f'<th scope="row" title="{escape(row.text)}">{escape(_("第%(n)s项") % {"n": row.number})} '
                 f"<small>{escape(text)}</small></th>"]
        for unit_name, cell in zip(names, row.cells, strict=True):
            if cell is None:
                cells.append("<td></td>")
                continue
            if cell.due_date not in dates:
                dates[cell.due_date] = cn_date(cell.due_date)
            if cell.light == DONE:
                mark, kind, light_label = "✓", "ontime" if cell.on_time is not False else "late", done_labels[cell.on_time]
            else:
                mark, kind, light_label = "●", cell.light, lights[cell.light]
            dim = " dim" if light and cell.light != light else ""
            title = escape(pattern % {"n": row.number, "unit": unit_name, "state": states[cell.state],
                                      "light": light_label, "due": dates[cell.due_date]})
            cells.append(f'<td class="state-{cell.state}{dim}"><a class="mc mc-{kind}" href="{url.format(cell.assignment_id)}"'
                         f' title="{title}" aria-label="{title}">{mark}</a></td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    return mark_safe(f'<table class="matrix"><thead><tr>{"".join(head)}</tr></thead>'
                     f'<tbody>{"".join(body)}</tbody></table>')
