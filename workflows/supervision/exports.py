"""Exports of a plan's progress: the XLSX workbook (openpyxl) and the progress report PDF.

Both are written from the same ``Progress`` the dashboard shows (and the scorecard the scorecard
page shows), so every number in them is the page's number. The PDF goes through the archive's
renderer but is a report of the moment, marked as such; it is never stored or archived.
"""
from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter

from ..archive.typeset import title_parts
from ..calendar import WorkingDays, cn_date, cn_datetime
from ..lights import CLOSED, DONE, GREEN, RED, YELLOW, lights_for_dues
from ..models import AssignmentState
from ..selectors.marks import countdown_label
from ..spreadsheets import xlsx_append, xlsx_cell, xlsx_put, xlsx_row
from . import charts
from .progress import LIGHT_ORDER, STATES, Progress, light_labels, state_labels
from .scorecard import LEAD_COLUMNS, UNIT_COLUMNS, scorecard

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
REPORT_MARK = "进度报告（非归档文件）"
# Pale fills by light, readable under black text (the page's colours, lightened for print).
FILLS = {RED: "FFFFD8D3", YELLOW: "FFFFF3B0", GREEN: "FFDAFBE1", DONE: "FFEAEEF2"}
LATE_DONE_FILL = "FFF5C2C7"
HEADER_FILL = PatternFill("solid", fgColor="FFF2F2F2")
BOLD = Font(bold=True)


def _fill(colour: str) -> PatternFill:
    return PatternFill("solid", fgColor=colour)


def _named_styles(book) -> None:
    """One named style per light (named as the cells say it: 红灯, 按期办结…) and one for dates.

    Applying a named style is a copy; setting a fill on each of thousands of cells is a lookup
    of the fill among the workbook's each time, ten times slower.
    """
    lights = light_labels()
    fills = {**{lights[k]: FILLS[k] for k in LIGHT_ORDER}, done_label(True): FILLS[DONE],
             done_label(False): LATE_DONE_FILL}
    for name, colour in fills.items():
        book.add_named_style(NamedStyle(name=name, fill=_fill(colour)))
    book.add_named_style(NamedStyle(name="日期", number_format=DATE_FORMAT))


def cell_text(state_label: str, light_label: str) -> str:
    """What a matrix cell of the workbook says: "办理中·红灯", "已验收办结·按期办结"."""
    return f"{state_label}·{light_label}"


def done_label(on_time: bool | None) -> str:
    return {True: "按期办结", False: "逾期办结"}.get(on_time, light_labels()[DONE])


def _header(ws, columns: list[str], row: int = 1, widths: list[float] | None = None) -> None:
    for index, title in enumerate(columns, start=1):
        cell = xlsx_put(ws, row=row, column=index, value=title)
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for index, width in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def _width(texts, minimum: float = 6, maximum: float = 40) -> float:
    """A column width for texts of mostly Chinese characters (each about two Latin widths)."""
    longest = max((sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(t)) for t in texts if t is not None), default=0)
    return max(minimum, min(maximum, longest + 2))


def _summary_sheet(ws, progress: Progress) -> None:
    states, lights = state_labels(), light_labels()
    xlsx_append(ws, ["计划", progress.plan.title])
    xlsx_append(ws, ["文号", progress.plan.doc_number or ""])
    xlsx_append(ws, ["报送轮次", progress.round.name if progress.round else "（尚未交办）"])
    xlsx_append(ws, ["统计日期", progress.today])
    ws["B4"].style = "日期"
    ws.freeze_panes = "A5"  # which plan, round and day these are stays in view
    xlsx_put(ws, row=6, column=1, value="承办件总数")
    xlsx_put(ws, row=6, column=2, value=progress.total)
    for key in STATES:
        xlsx_append(ws, [states[key], progress.by_state[key]])
    for key in LIGHT_ORDER:
        xlsx_append(ws, [lights[key], progress.by_light[key]])
        ws.cell(row=ws.max_row, column=1).style = lights[key]
    xlsx_append(ws, ["办结率（%）", progress.percent])
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=1):
        row[0].font = BOLD
    columns = ["部分", "任务数", "承办件数", *[states[k] for k in STATES], *[lights[k] for k in LIGHT_ORDER],
               "办结率（%）"]
    _header(ws, columns, row=ws.max_row + 2)
    for section in progress.sections:
        xlsx_append(ws, [section.label, section.tasks, section.assignments, *[section.by_state[k] for k in STATES],
                   *[section.by_light[k] for k in LIGHT_ORDER], section.percent])
    ws.column_dimensions["A"].width = _width([s.label for s in progress.sections] + ["承办件总数"], maximum=50)
    for index in range(2, len(columns) + 1):
        ws.column_dimensions[get_column_letter(index)].width = 12


def _matrix_sheet(ws, progress: Progress) -> None:
    states, lights = state_labels(), light_labels()
    columns = ["任务编号", "工作任务", *[u.short_name for u in progress.units]]
    _header(ws, columns, widths=[9, 40])
    for index, unit in enumerate(progress.units, start=3):
        ws.column_dimensions[get_column_letter(index)].width = max(_width([unit.short_name]), 16)
    for number, row in enumerate(progress.tasks, start=2):  # openpyxl's max_row is a scan: count rows here
        values, styles = [row.number, row.text], []
        for cell in row.cells:
            if cell is None:
                values.append(None)
                styles.append(None)
                continue
            light = done_label(cell.on_time) if cell.light == DONE else lights[cell.light]
            values.append(cell_text(states[cell.state], light))
            styles.append(light)
        xlsx_append(ws, values)
        for column, style in enumerate(styles, start=3):
            if style:
                ws.cell(row=number, column=column).style = style
    ws.freeze_panes = "C2"  # the header row and the task columns stay in view


OVERDUE_COLUMNS = ["序号", "任务编号", "工作任务", "责任单位", "办理期限", "逾期工作日", "状态", "催办次数", "最近催办",
                   "督办级别"]


def overdue_rows(progress: Progress) -> list[list]:
    """The overdue list as the workbook writes it (and the page shows it), in ``OVERDUE_COLUMNS`` order."""
    states = state_labels()
    return [[i, item.task_number, item.task_text, item.unit, item.due_date, item.overdue_working_days,
             states[item.state], item.reminders, item.last_reminded_on, item.escalation_label or None]
            for i, item in enumerate(progress.overdue, start=1)]


def _overdue_sheet(ws, progress: Progress) -> None:
    _header(ws, OVERDUE_COLUMNS, widths=[6, 9, 50, 16, 16, 11, 14, 9, 16, 14])
    red = light_labels()[RED]
    for row, values in enumerate(overdue_rows(progress), start=2):
        xlsx_append(ws, values)
        for column in (5, 9):
            ws.cell(row=row, column=column).style = "日期"
        ws.cell(row=row, column=6).style = red
    ws.freeze_panes = "A2"


def _scorecard_sheet(ws, card) -> None:
    """The units' table, then (after a blank row) the lead departments' table, as the scorecard page has them."""
    units, leads = [s.as_row() for s in card.units], [s.as_row() for s in card.leads]
    _header(ws, UNIT_COLUMNS)
    for values in units:
        xlsx_append(ws, values)
    _header(ws, LEAD_COLUMNS, row=ws.max_row + 2)
    for values in leads:
        xlsx_append(ws, values)
    for index in range(max(len(UNIT_COLUMNS), len(LEAD_COLUMNS))):
        texts = [columns[index] for columns in (UNIT_COLUMNS, LEAD_COLUMNS) if index < len(columns)]
        texts += [row[index] for row in units + leads if index < len(row)]
        ws.column_dimensions[get_column_letter(index + 1)].width = _width(texts, minimum=8, maximum=24)
    ws.freeze_panes = "A2"


def progress_workbook(progress: Progress) -> Workbook:
    """汇总, 矩阵, 逾期清单 and 考核 sheets, Chinese headers, frozen header rows, fills by light."""
    with translation.override("zh-hans"):
        book = Workbook()
        _named_styles(book)
        summary = book.active
        summary.title = "汇总"
        _summary_sheet(summary, progress)
        _matrix_sheet(book.create_sheet("矩阵"), progress)
        _overdue_sheet(book.create_sheet("逾期清单"), progress)
        _scorecard_sheet(book.create_sheet("考核"), scorecard(progress.plan, progress.round, progress.today))
    book.properties.title = f"{progress.plan.title} 督办进度"
    book.properties.creator = str(progress.plan.supervising_unit or "")
    return book


def workbook_bytes(progress: Progress) -> bytes:
    out = io.BytesIO()
    progress_workbook(progress).save(out)
    return out.getvalue()


# ----- a filtered list of assignments (承办件 → 导出 Excel) ---------------------------------------

LIST_EXPORT_LIMIT = 20_000  # more rows than an office reads; the page asks to narrow the filters
LIST_COLUMNS = (_l("任务编号"), _l("工作任务"), _l("责任单位"), _l("计划"), _l("文号"), _l("报送轮次"),
                _l("办理期限"), _l("灯号"), _l("状态"), _l("剩余或超期工作日"))


def assignment_list_workbook(assignments, today: dt.date) -> bytes:
    """One sheet, one row per assignment in the order given (with ``task__plan``, ``unit``, ``round``
    selected), the light and working days as the list shows them; written row by row."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(_l("承办件")))
    for column, width in zip("ABCDEFGHIJ", (9, 60, 16, 36, 22, 12, 16, 10, 14, 16), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    xlsx_append(sheet, [str(c) for c in LIST_COLUMNS])
    states = dict(AssignmentState.choices)
    lights = light_labels()
    light_of_due = lights_for_dues(today)
    days = WorkingDays()
    for a in assignments:
        closed = a.state in CLOSED
        left = None if closed else days(today, a.due_date)
        days_text = countdown_label(left) or (done_label(a.on_time) if a.state == AssignmentState.ACCEPTED else "")
        due = xlsx_cell(sheet, a.due_date, number_format=DATE_FORMAT)
        row = xlsx_row(sheet, [a.task.number, a.task.text, a.unit.short_name, a.task.plan.title,
                               a.task.plan.doc_number, a.round.name])
        light = "" if closed and a.state != AssignmentState.ACCEPTED else \
            lights[DONE if closed else light_of_due(a.light_due)]
        row += [due] + xlsx_row(sheet, [light,
                                        str(states.get(a.state, a.state)), days_text])
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_name(progress: Progress, kind: str, suffix: str) -> str:
    """"<plan>-<round>-督办进度-20261128.xlsx": the plan's document number when it has one."""
    plan = progress.plan.doc_number or progress.plan.title[:40]
    round_name = f"-{progress.round.name}" if progress.round else ""
    return f"{plan}{round_name}-{kind}-{progress.today:%Y%m%d}{suffix}"


# ----- the progress report PDF ------------------------------------------------------------------

def report_context(progress: Progress, generated_at: dt.datetime | None = None) -> dict:
    """Plain values for ``workflows/progress_report.html``.

    ``render_pdf`` reads the page header's plan and time from ``plan`` and ``generated_at``.
    """
    states, lights = state_labels(), light_labels()
    plan = progress.plan
    with translation.override("zh-hans"):
        return {
            "mark": REPORT_MARK,
            "plan": {"title": plan.title, **title_parts(plan.title), "doc_number": plan.doc_number,
                     "supervising_unit": str(plan.supervising_unit or "")},
            "generated_at": cn_datetime(generated_at or timezone.now()),
            "round": progress.round.name if progress.round else "",
            "today": cn_date(progress.today),
            "total": progress.total, "accepted": progress.accepted, "percent": progress.percent,
            "states": [{"label": states[k], "count": progress.by_state[k]} for k in STATES],
            "lights": [{"key": k, "label": lights[k], "count": progress.by_light[k]} for k in LIGHT_ORDER],
            "state_labels": [states[k] for k in STATES],
            "sections": [{"label": s.label, "tasks": s.tasks, "assignments": s.assignments, "accepted": s.accepted,
                          "percent": s.percent, "states": [s.by_state[k] for k in STATES],
                          "red": s.by_light[RED], "yellow": s.by_light[YELLOW]} for s in progress.sections],
            "tasks": [{"number": t.number, "text": t.text, "assignments": len(t.assigned),
                       "accepted": sum(c.light == DONE for c in t.assigned),
                       "red": sum(c.light == RED for c in t.assigned),
                       "yellow": sum(c.light == YELLOW for c in t.assigned),
                       "green": sum(c.light == GREEN for c in t.assigned)} for t in progress.tasks],
            "overdue": [{"task": i.task_number, "text": i.task_text, "unit": i.unit, "due": cn_date(i.due_date),
                         "days": i.overdue_working_days, "state": states[i.state],
                         "reminded": cn_date(i.last_reminded_on), "reminders": i.reminders,
                         "escalation": i.escalation_label} for i in progress.overdue],
            "overdue_units": [{"unit": u.short_name, "count": u.count} for u in progress.overdue_units],
            "charts": {"states": charts.state_bar(progress, "pdf-states"),
                       "lights": charts.light_donut(progress, "pdf-lights"),
                       "sections": charts.section_bars(progress, "pdf-sections")},
        }


def progress_report_parts(progress: Progress) -> tuple[dict, dict]:
    """(context, render options) of the progress report: through the archive's renderer, a plain
    PDF with no manifest, never stored as an archive."""
    context = report_context(progress)
    right = " · ".join(part for part in (REPORT_MARK, context["round"]) if part)
    return context, {"template": "workflows/progress_report.html", "variant": None,
                     "attach_manifest": False, "header_right": right}


def progress_report_pdf(progress: Progress) -> bytes:
    """The progress report's PDF, rendered in this process (the background job bounds it instead)."""
    from ..archive.render import render_pdf

    context, options = progress_report_parts(progress)
    return render_pdf(context, **options)
