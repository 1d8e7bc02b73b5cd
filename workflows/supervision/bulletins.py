"""A reporting period of a plan as the office reads it (报送情况), and its 通报 as Word and PDF.

``period_summary`` counts, for one period of the plan and as of a day, each unit's progress reports
due in it: 按时报送, 逾期报送, 未报送 (a report still pending or returned for 补报 once its due date has
passed); reports not yet due are not counted. A report counts in the period its own period ends in,
so a quarterly task's report is in the bulletin of the quarter's last month. The tasks behind
schedule (进度滞后) are the open assignments whose light is red that day, each with why: the due date
passed, a milestone (节点) overdue, period reports missing.

The 通报 follows GB/T 9704-2012 as far as a generated document can: 发文机关标志 in red over the
文号 and a red separating line, 标题, 主送机关, 正文 (headings 一、二、…), 发文机关署名 and 成文日期,
and the 版记 (印发机关 and 印发日期) between two lines; A4, 仿宋 三号 body on 28-point lines. The
PDF is the same document through the archive's renderer (fonts checked, nothing fetched).
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from ..archive.report import NUMERALS
from ..calendar import cn_date
from ..lights import CLOSED, RED, light_q
from ..models import Assignment, Milestone, PeriodBulletin, PeriodReport, Plan
from ..selectors.marks import first_line
from .word import a4_document, add_grid, docx_bytes, set_font

DEFAULT_PREFIX = "督查通报"
NUMBER_RE = re.compile(r"^(?P<prefix>.*?)〔(?P<year>\d{4})〕(?P<n>\d+)号$")
TASK_CHARS = 50  # of each task's text in the body: it names the task; the system holds the whole text
DEFAULT_REQUIREMENTS = (
    "请未报送和逾期报送的单位于收到本通报后3个工作日内补报，并书面说明原因；"
    "各单位要对照节点计划倒排工期，按期报送进展情况，确保各项任务按时完成。")


@dataclass(frozen=True)
class PeriodKey:
    starts_on: dt.date
    ends_on: dt.date
    label: str

    @property
    def value(self) -> str:
        """How a query string names it: the first and last day."""
        return f"{self.starts_on:%Y-%m-%d}_{self.ends_on:%Y-%m-%d}"


def plan_periods(plan: Plan) -> list[PeriodKey]:
    """The plan's reporting periods (those of its own cadence and any a task's differs by), in order."""
    rows = (PeriodReport.objects.filter(assignment__task__plan=plan)
            .values_list("starts_on", "ends_on", "label").distinct().order_by("starts_on", "ends_on"))
    return [PeriodKey(*row) for row in rows]


def period_of(plan: Plan, value: str | None, today: dt.date) -> tuple[list[PeriodKey], PeriodKey | None]:
    """(the plan's periods, the one ``value`` names, else the latest whose reports are due by today)."""
    keys = plan_periods(plan)
    if value:
        return keys, next((k for k in keys if k.value == value), None)
    ended = [k for k in keys if k.ends_on < today]
    return keys, (ended[-1] if ended else (keys[0] if keys else None))


@dataclass
class UnitPeriod:
    unit_id: int
    name: str
    full_name: str
    expected: int = 0  # reports due by the day counted, filed or not
    on_time: int = 0
    late: int = 0
    missing: int = 0
    not_yet: int = 0

    @property
    def rate(self) -> float | None:
        return self.on_time / self.expected if self.expected else None

    @property
    def standing(self) -> str:
        if self.missing:
            return "missing"
        if self.late:
            return "late"
        return "on_time" if self.expected else "not_yet"


@dataclass
class BehindItem:
    task_number: str
    task_text: str
    unit: str
    assignment_id: int
    reasons: list[str] = field(default_factory=list)


@dataclass
class PeriodSummary:
    plan: Plan
    period: PeriodKey
    as_of: dt.date
    units: list[UnitPeriod] = field(default_factory=list)
    behind: list[BehindItem] = field(default_factory=list)

    def _sum(self, name: str) -> int:
        return sum(getattr(u, name) for u in self.units)

    @property
    def expected(self) -> int:
        return self._sum("expected")

    @property
    def on_time(self) -> int:
        return self._sum("on_time")

    @property
    def late(self) -> int:
        return self._sum("late")

    @property
    def missing(self) -> int:
        return self._sum("missing")

    @property
    def rate(self) -> float | None:
        return self.on_time / self.expected if self.expected else None

    def behind_by_task(self) -> list[tuple]:
        return _behind_by_task(self.behind)

    def of(self, standing: str) -> list[UnitPeriod]:
        return [u for u in self.units if u.standing == standing]


def percent_text(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def period_summary(plan: Plan, period: PeriodKey, as_of: dt.date) -> PeriodSummary:
    """The period's counts per unit and the tasks behind schedule; four queries however big the plan."""
    summary = PeriodSummary(plan=plan, period=period, as_of=as_of)
    rows = (PeriodReport.objects.filter(assignment__task__plan=plan, ends_on__gte=period.starts_on,
                                        ends_on__lte=period.ends_on)
            .values_list("status", "late", "due_on", "assignment__state", "assignment__unit_id",
                         "assignment__unit__short_name", "assignment__unit__full_name",
                         "assignment__unit__order"))
    units: dict[int, UnitPeriod] = {}
    order: dict[int, tuple] = {}
    for status, late, due_on, state, unit_id, short, full, position in rows:
        unit = units.get(unit_id)
        if unit is None:
            unit = units[unit_id] = UnitPeriod(unit_id=unit_id, name=short, full_name=full or short)
            order[unit_id] = (position, short)
        if status in ("submitted", "read"):
            unit.expected += 1
            if late:
                unit.late += 1
            else:
                unit.on_time += 1
        elif state in CLOSED:
            continue  # closed before the report was owed: nothing to report
        elif due_on < as_of:
            unit.expected += 1
            unit.missing += 1
        else:
            unit.not_yet += 1
    summary.units = sorted(units.values(), key=lambda u: order[u.unit_id])
    summary.behind = behind_schedule(plan, as_of)
    return summary


def behind_schedule(plan: Plan, as_of: dt.date) -> list[BehindItem]:
    """The plan's open assignments red on ``as_of``, by task and unit, each with its reasons (three queries)."""
    red = list(Assignment.objects.filter(task__plan=plan).filter(light_q(RED, as_of))
               .values_list("pk", "due_date", "standing", "task__number", "task__text", "unit__short_name",
                            "unit__order")
               .order_by("task__number", "unit__order", "unit__short_name"))
    ids = [row[0] for row in red]
    missing = dict(PeriodReport.objects.filter(assignment_id__in=ids, due_on__lt=as_of)
                   .filter(Q(status="pending") | Q(status="returned"))
                   .values("assignment_id").annotate(n=Count("id")).values_list("assignment_id", "n"))
    late_milestones: dict[int, list[str]] = defaultdict(list)
    for assignment_id, title, due_on in (Milestone.objects.filter(
            assignment_id__in=ids, removed_at__isnull=True, done_on__isnull=True, due_on__lt=as_of)
            .order_by("due_on").values_list("assignment_id", "title", "due_on")):
        late_milestones[assignment_id].append(_("节点“%(title)s”（%(date)s）逾期未完成") % {
            "title": title, "date": cn_date(due_on)})
    items = []
    for pk, due_date, standing, number, text, unit, _order in red:
        reasons = []
        if not standing and due_date < as_of:
            reasons.append(_("已超过办理期限（%(date)s）") % {"date": cn_date(due_date)})
        if missing.get(pk):
            reasons.append(_("%(n)s期进展报告逾期未报") % {"n": missing[pk]})
        reasons.extend(late_milestones.get(pk, []))
        items.append(BehindItem(task_number=number, task_text=first_line(text, TASK_CHARS), unit=unit,
                                assignment_id=pk, reasons=reasons))
    return items


# ----- the document -----------------------------------------------------------------------------

def next_number(today: dt.date) -> str:
    """The next 文号 of the year in the style of the last one issued (督查通报〔2026〕3号)."""
    last = PeriodBulletin.objects.order_by("-issued_at", "-id").values_list("number", flat=True).first()
    match = NUMBER_RE.match(last or "")
    prefix = match["prefix"] if match else DEFAULT_PREFIX
    used = [NUMBER_RE.match(n) for n in PeriodBulletin.objects.filter(
        number__startswith=f"{prefix}〔{today.year}〕").values_list("number", flat=True)]
    n = max((int(m["n"]) for m in used if m), default=0) + 1
    return f"{prefix}〔{today.year}〕{n}号"


def issuer_of(plan: Plan) -> str:
    unit = plan.supervising_unit
    return (unit.full_name or unit.short_name) if unit else ""


def defaults(plan: Plan, summary: PeriodSummary, today: dt.date) -> dict:
    """What the form starts with; every field can be changed before the 通报 is issued."""
    issuer = issuer_of(plan)
    return {"masthead": f"{issuer}文件" if issuer else _("督查通报"), "number": next_number(today),
            "title": _("关于%(period)s任务进展报告报送情况的通报") % {"period": summary.period.label},
            "addressees": _("各牵头单位、责任单位"), "requirements": DEFAULT_REQUIREMENTS,
            "issuer": issuer, "issued_on": today}


def _names(units: list[UnitPeriod], count: str = "") -> str:
    if not count:
        return "、".join(u.name for u in units)
    return "、".join(f"{u.name}（{getattr(u, count)}份）" for u in units)


def _behind_by_task(items: list[BehindItem]) -> list[tuple]:
    """(task number, text, ["unit、unit（reasons）", …]) per task, units with the same reasons together."""
    tasks: dict[int, tuple[str, dict[str, list[str]]]] = {}
    for item in items:
        _text, by_reason = tasks.setdefault(item.task_number, (item.task_text, {}))
        by_reason.setdefault("，".join(item.reasons), []).append(item.unit)
    return [(number, text, [f"{'、'.join(units)}（{reasons}）" for reasons, units in by_reason.items()])
            for number, (text, by_reason) in tasks.items()]


def content_of(plan: Plan, summary: PeriodSummary, fields: dict) -> dict:
    """The whole document as plain values (what is stored, and what both writers read)."""
    doc = f"（{plan.doc_number}）" if plan.doc_number else ""
    body: list[dict] = [{"kind": "text", "text": _(
        "根据《%(plan)s》%(doc)s工作安排，各单位应于应报日期前报送%(period)s任务进展情况。"
        "截至%(date)s，现将报送情况通报如下：") % {"plan": plan.title, "doc": doc, "period": summary.period.label,
                                          "date": cn_date(summary.as_of)}}]
    parts: list[tuple[str, list[str]]] = []
    overall = _("本期应报送进展报告%(expected)s份，按时报送%(on_time)s份，逾期报送%(late)s份，未报送%(missing)s份，"
                "按时报送率%(rate)s。") % {"expected": summary.expected, "on_time": summary.on_time,
                                       "late": summary.late, "missing": summary.missing,
                                       "rate": percent_text(summary.rate)}
    parts.append((_("总体情况"), [overall]))
    on_time, late, missing = summary.of("on_time"), summary.of("late"), summary.of("missing")
    if on_time:
        parts.append((_("按时报送的单位"), [_("%(names)s共%(n)s个单位按时报送了全部进展报告，予以通报表扬。") % {
            "names": _names(on_time), "n": len(on_time)}]))
    if late:
        parts.append((_("逾期报送的单位"), [_("%(names)s共%(n)s个单位逾期报送，请引起重视。") % {
            "names": _names(late, "late"), "n": len(late)}]))
    if missing:
        parts.append((_("未报送的单位"), [_("截至统计之日，%(names)s共%(n)s个单位仍未报送，予以通报批评。") % {
            "names": _names(missing, "missing"), "n": len(missing)}]))
    if summary.behind:
        tasks = _behind_by_task(summary.behind)
        lines = [_("以下%(n)s项任务进度滞后：") % {"n": len(tasks)}]
        lines += [f"{i}. " + _("第%(number)s项“%(text)s”：%(units)s。") % {
            "number": number, "text": text, "units": "；".join(units)}
            for i, (number, text, units) in enumerate(tasks, 1)]
        parts.append((_("进度滞后的任务"), lines))
    requirements = [line.strip() for line in (fields.get("requirements") or "").splitlines() if line.strip()]
    if requirements:
        parts.append((_("有关要求"), requirements))
    for i, (heading, lines) in enumerate(parts):
        body.append({"kind": "heading", "text": f"{NUMERALS[i]}、{heading}"})
        body += [{"kind": "text", "text": line} for line in lines]
    issued_on = fields["issued_on"]
    return {
        "masthead": fields["masthead"], "number": fields["number"], "title": fields["title"],
        "addressees": fields["addressees"].rstrip("：:") + "：", "body": body, "issuer": fields["issuer"],
        "date": cn_date(issued_on), "issued_on": issued_on.isoformat(),
        "period": {"label": summary.period.label, "starts_on": summary.period.starts_on.isoformat(),
                   "ends_on": summary.period.ends_on.isoformat()},
        "as_of": summary.as_of.isoformat(),
        "plan": {"title": plan.title, "doc_number": plan.doc_number},
        "totals": {"expected": summary.expected, "on_time": summary.on_time, "late": summary.late,
                   "missing": summary.missing, "rate": percent_text(summary.rate)},
        "annex": {"title": _("附件：各单位%(period)s进展报告报送情况") % {"period": summary.period.label},
                  "columns": [_("序号"), _("单位"), _("应报"), _("按时报送"), _("逾期报送"), _("未报送"), _("按时报送率")],
                  "rows": [[str(i), u.name, str(u.expected), str(u.on_time), str(u.late), str(u.missing),
                            percent_text(u.rate)] for i, u in enumerate(
                      [u for u in summary.units if u.expected], 1)]},
        "units": {"on_time": [u.name for u in on_time], "late": [u.name for u in late],
                  "missing": [u.name for u in missing]},
    }


def bulletin_pdf(content: dict) -> bytes:
    from ..archive.render import render_pdf

    return render_pdf({**content, "plan": {**content["plan"], "supervising_unit": content["issuer"]},
                       "generated_at": content["date"]},
                      template="workflows/bulletin.html", variant=None, attach_manifest=False,
                      header_right=content["number"])


def bulletin_docx(content: dict) -> bytes:
    """The 通报 in Word, in the GB/T 9704 layout (see the module's docstring)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    def para(text: str = "", font: str = "仿宋_GB2312", size: float = 16, *, align=None, indent: float = 0,
             right: float = 0):
        p = document.add_paragraph()
        fmt = p.paragraph_format
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(28)
        fmt.space_before = fmt.space_after = Pt(0)
        if align is not None:
            p.alignment = align
        if indent:
            fmt.first_line_indent = Pt(indent)
        if right:
            fmt.right_indent = Pt(right)
        if text:
            set_font(p.add_run(text), font, size)
        return p

    def rule(p, colour: str, size: int):
        """A line under the paragraph across the type area (the 分隔线 and the 版记's lines)."""
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", colour)):
            bottom.set(qn(key), value)
        borders.append(bottom)
        p._p.get_or_add_pPr().append(borders)

    document = a4_document()
    masthead = para(align=WD_ALIGN_PARAGRAPH.CENTER)
    masthead.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    set_font(masthead.add_run(content["masthead"]), "方正小标宋简体", 36, colour=RGBColor(0xE6, 0x00, 0x12))
    para()
    number = para(content["number"], align=WD_ALIGN_PARAGRAPH.CENTER)
    rule(number, "E60012", 12)
    para()
    para(content["title"], "方正小标宋简体", 22, align=WD_ALIGN_PARAGRAPH.CENTER)
    para()
    para(content["addressees"])
    for block in content["body"]:
        p = para(block["text"], "黑体" if block["kind"] == "heading" else "仿宋_GB2312", indent=32)
        p.paragraph_format.keep_with_next = block["kind"] == "heading"
    para()
    para(content["issuer"], align=WD_ALIGN_PARAGRAPH.RIGHT, right=64)
    para(content["date"], align=WD_ALIGN_PARAGRAPH.RIGHT, right=32)
    annex = content["annex"]
    if annex["rows"]:
        document.add_page_break()
        para(annex["title"], "黑体")
        add_grid(document, annex["columns"], annex["rows"])
    para()
    rule(para(), "000000", 8)
    printed = para(indent=14)
    set_font(printed.add_run(content["issuer"]), "仿宋_GB2312", 14)
    set_font(printed.add_run(f"\t{content['date']}印发"), "仿宋_GB2312", 14)
    printed.paragraph_format.tab_stops.add_tab_stop(Cm(15.0), alignment=WD_TAB_ALIGNMENT.RIGHT)
    rule(printed, "000000", 8)
    footer = document.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(footer.add_run("— "), "宋体", 14)
    page = OxmlElement("w:fldSimple")
    page.set(qn("w:instr"), "PAGE")
    footer._p.append(page)
    set_font(footer.add_run(" —"), "宋体", 14)
    document.core_properties.title = content["title"]
    document.core_properties.author = content["issuer"]
    return docx_bytes(document)
