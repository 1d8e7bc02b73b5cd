"""The printable 催办通知单 and 督办单 of one assignment, or of a unit's overdue items in a plan, as PDF
and as Word (.docx).

Both carry what an office's form carries: 督办编号, 承办单位, 督办事项, 办理时限, 督办要求, 督办单位 and
the date, in that order, one table under a red title, the 督办单位 and date bottom right where the
seal goes. The PDF goes through the archive's renderer (fonts checked, nothing fetched); neither is
stored: each is the state of the moment it is printed.

督办编号 is 督字〔year〕第 N 号 (催字 for the 催办通知单), N being the assignment's number in the system
(for a unit's form, the plan's and the unit's: 第 P-U 号), so a printed form leads back to what it
is about; it is not a register of issued forms.
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _l

from ..calendar import WorkingDays, cn_date, cn_datetime
from ..models import Assignment
from ..selectors.marks import countdown_label, first_line
from .word import a4_document, add_grid, docx_bytes, set_font

KINDS = {"urge": _l("催办通知单"), "supervise": _l("督办单")}
_PREFIX = {"urge": "催字", "supervise": "督字"}
FIELDS = ("督办编号", "承办单位", "督办事项", "办理时限", "督办要求", "督办单位", "日期")
DEFAULT_URGE = "请抓紧办理，于办理时限前通过系统报送办理情况和佐证材料。"
DEFAULT_SUPERVISE = "该事项已超过办理时限，请于收到本单后尽快报送办理情况，并说明逾期原因和整改措施。"


def notice(assignment: Assignment, kind: str, today: dt.date | None = None) -> dict:
    """The form's values (plain strings), read from the assignment, its plan and its 催办/督办 records."""
    today = today or timezone.localdate()
    task, plan = assignment.task, assignment.task.plan
    unit = assignment.unit
    left = WorkingDays()(today, assignment.due_date)
    if kind == "urge":
        latest = assignment.reminders.order_by("-sent_at").first()
        requirement = latest.message if latest else DEFAULT_URGE
    else:
        level = assignment.escalations.order_by("-level").first()
        requirement = (f"{level.get_level_display()}：{DEFAULT_SUPERVISE}" if level else DEFAULT_SUPERVISE)
    issuer = plan.supervising_unit
    values = {
        "督办编号": f"{_PREFIX[kind]}〔{today.year}〕第 {assignment.pk} 号",
        "承办单位": unit.full_name or unit.short_name,
        "督办事项": f"《{plan.title}》{('（' + plan.doc_number + '）') if plan.doc_number else ''}"
                    f"第 {task.number} 项：{task.text}",
        "办理时限": f"{cn_date(assignment.due_date)}（{countdown_label(left)}）",
        "督办要求": requirement,
        "督办单位": (issuer.full_name or issuer.short_name) if issuer else "",
        "日期": cn_date(today),
    }
    return _form(kind, plan, values, f"{KINDS[kind]}-第{task.number}项-{unit.short_name}-{today:%Y%m%d}")


def _form(kind: str, plan, values: dict, file_name: str, attachment: dict | None = None) -> dict:
    """What the PDF template and the Word writer read, for either kind of form."""
    return {"kind": kind, "title": str(KINDS[kind]), "fields": [(name, values[name]) for name in FIELDS],
            "values": values, "plan": {"title": plan.title, "doc_number": plan.doc_number,
                                        "supervising_unit": values["督办单位"]},
            "attachment": attachment, "generated_at": cn_datetime(timezone.now()), "file_name": file_name}


ITEM_CHARS = 60  # of each task's text in the 附件: it names the item; the system holds the whole text
ATTACHMENT_COLUMNS = ("序号", "事项", "办理时限", "逾期情况")


def unit_notice(plan, unit, assignments: list[Assignment], kind: str, today: dt.date | None = None) -> dict:
    """The form for a unit's overdue items in a plan: 督办事项 says how many and points to the 附件, the
    list of them (task, 办理时限, working days over) printed after the form; 办理时限 names the earliest."""
    today = today or timezone.localdate()
    days = WorkingDays()
    title = f"《{plan.title}》{('（' + plan.doc_number + '）') if plan.doc_number else ''}"
    earliest = assignments[0].due_date if assignments else None
    issuer = plan.supervising_unit
    values = {
        "督办编号": f"{_PREFIX[kind]}〔{today.year}〕第 {plan.pk}-{unit.pk} 号",
        "承办单位": unit.full_name or unit.short_name,
        "督办事项": (f"{title}中贵单位承办的 {len(assignments)} 项任务已超过办理时限（清单见附件）。" if assignments
                     else f"{title}中贵单位承办的任务目前没有超过办理时限的。"),
        "办理时限": (f"最早 {cn_date(earliest)}（{countdown_label(days(today, earliest))}）" if earliest else "—"),
        "督办要求": DEFAULT_URGE if kind == "urge" else DEFAULT_SUPERVISE,
        "督办单位": (issuer.full_name or issuer.short_name) if issuer else "",
        "日期": cn_date(today),
    }
    attachment = {"title": "附件：逾期事项清单", "columns": ATTACHMENT_COLUMNS,
                  "rows": [[str(n), f"第 {a.task.number} 项：{first_line(a.task.text, ITEM_CHARS)}",
                            cn_date(a.due_date), countdown_label(days(today, a.due_date))]
                           for n, a in enumerate(assignments, 1)]} if assignments else None
    return _form(kind, plan, values, f"{KINDS[kind]}-{unit.short_name}-逾期{len(assignments)}项-{today:%Y%m%d}",
                 attachment)


def notice_pdf(form: dict) -> bytes:
    from ..archive.render import render_pdf

    return render_pdf(form, template="workflows/notice.html", variant=None, attach_manifest=False,
                      header_right=form["title"])


def notice_docx(form: dict) -> bytes:
    """The same form in Word: A4, 仿宋 body under a red 小标宋 title, one two-column table."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, RGBColor

    red = RGBColor(0xC0, 0x00, 0x00)
    document = a4_document()
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(title.add_run(form["title"]), "方正小标宋简体", 22, colour=red)
    values = form["values"]
    number = document.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    set_font(number.add_run(values["督办编号"]), "仿宋_GB2312", 14)
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for name in FIELDS[1:5]:
        cells = table.add_row().cells
        cells[0].width, cells[1].width = Cm(3.2), Cm(12.4)
        set_font(cells[0].paragraphs[0].add_run(name), "黑体", 14)
        set_font(cells[1].paragraphs[0].add_run(values[name]), "仿宋_GB2312", 14)
    document.add_paragraph()
    for text in (values["督办单位"], values["日期"]):
        line = document.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        set_font(line.add_run(text), "仿宋_GB2312", 16)
    attachment = form.get("attachment")
    if attachment:
        document.add_page_break()
        set_font(document.add_paragraph().add_run(attachment["title"]), "黑体", 16)
        add_grid(document, attachment["columns"], attachment["rows"])
    return docx_bytes(document)
