"""The plan dashboard (督办看板), its XLSX export and the progress report PDF (made in the background).

All three are for those who may view the plan's supervision (its supervising office, auditors);
anyone else gets the not-found page. They read one ``Progress`` (a fixed number of queries) for
the round asked for by ``?round=<id>`` (default: the first round).
"""
from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from workflows.access.policies import can_supervise
from workflows.calendar import cn_date
from workflows.lights import LIGHT_HELP
from workflows.models import GeneratedReportStatus
from workflows.services import reports
from workflows.services.errors import ActionError
from workflows.services.evidence import content_disposition
from workflows.supervision import charts, exports, notices
from workflows.supervision.progress import (
    LIGHT_ORDER,
    filter_matrix,
    light_labels,
    plan_progress,
    state_labels,
)

from .assignments import _not_found
from .scorecard import chosen_round, supervised_plan

OVERDUE_SHOWN = 200  # the page lists the most overdue; the export lists them all
REFRESH_SECONDS = 3  # the waiting page looks again this often


def progress_for(request, plan_id: int, *, read: bool = True):
    """(plan, progress) for the caller and ``round`` (of the query, or of the form when posted), or
    (None, the not-found response); with ``read`` False, (plan, the round) without reading progress."""
    plan = supervised_plan(request.user, plan_id)
    if plan is None:
        return None, _not_found(request, _("计划不存在，或您无权查看其督办情况。"))
    data = request.POST if request.method == "POST" else request.GET
    rounds, round_, valid = chosen_round(plan, data.get("round"))
    if not valid:
        return None, _not_found(request, _("该计划没有这个报送轮次。"))
    if not read:
        return plan, round_
    return plan, plan_progress(plan, round_, timezone.localdate(), rounds=rounds)


@require_GET
@login_required
def dashboard(request, plan_id: int):
    """Totals, charts, per-section bars, the task × unit matrix, the overdue list and 催办 forms."""
    plan, progress = progress_for(request, plan_id)
    if plan is None:
        return progress
    light = request.GET.get("light")
    light = light if light in LIGHT_ORDER else ""
    keep = {"round": progress.round.pk} if progress.round and request.GET.get("round") else {}
    labels = light_labels()
    lights = [{"light": key, "label": labels[key], "help": LIGHT_HELP.get(key, ""), "count": progress.by_light[key],
               "chosen": key == light, "query": "?" + urlencode({**keep, "light": key})} for key in LIGHT_ORDER]
    units, rows = filter_matrix(progress, light)
    supervise = can_supervise(request.user, plan)
    round_query = f"?round={progress.round.pk}" if progress.round else ""
    return render(request, "approvals/dashboard.html", {
        "plan": plan, "progress": progress, "round": progress.round, "rounds": progress.rounds,
        "today_cn": cn_date(progress.today), "light": light, "lights": lights,
        "all_query": "?" + urlencode(keep) if keep else "?",
        "charts": {"states": charts.state_bar(progress), "lights": charts.light_donut(progress),
                   "sections": charts.section_bars(progress)},
        "matrix": charts.matrix_table(units, rows, light), "matrix_rows": len(rows), "matrix_units": len(units),
        "overdue": progress.overdue[:OVERDUE_SHOWN], "overdue_more": max(0, len(progress.overdue) - OVERDUE_SHOWN),
        "supervise": supervise,
        "remind": [{"unit": u, "url": reverse("approvals:unit_remind_overdue", args=[plan.pk, u.id]) if supervise else "",
                    "notices": unit_notice_links(plan.pk, u.id)} for u in progress.overdue_units],
        "round_query": round_query, "state_legend": list(state_labels().items()),
    })


def unit_notice_links(plan_id: int, unit_id: int) -> list[dict]:
    """督办单 / 催办通知单 of a unit's overdue items, each as PDF and Word."""
    return [{"label": str(label), "fmt": fmt, "url": reverse("approvals:unit_notice", args=[plan_id, unit_id, kind, fmt])}
            for kind, label in notices.KINDS.items() for fmt in ("pdf", "docx")]


@require_GET
@login_required
def export_xlsx(request, plan_id: int):
    """The workbook: 汇总, 矩阵, 逾期清单, 考核 (the page's numbers)."""
    plan, progress = progress_for(request, plan_id)
    if plan is None:
        return progress
    return xlsx_response(progress)


def xlsx_response(progress) -> HttpResponse:
    response = HttpResponse(exports.workbook_bytes(progress), content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition(exports.export_name(progress, "督办进度", ".xlsx"))
    return response


@require_POST
@login_required
def progress_report_request(request, plan_id: int):
    """Ask for the progress report (进度报告) PDF: it is made in the background; the answer is the
    page that waits for it (the same report when one is being made or nothing has changed since)."""
    plan, progress_or_refusal = progress_for(request, plan_id, read=False)
    if plan is None:
        return progress_or_refusal
    try:
        report = reports.report_request(actor=request.user, plan=plan, round_=progress_or_refusal,
                                        today=timezone.localdate(), fresh=request.POST.get("fresh") == "1")
    except ActionError as exc:
        return _not_found(request, exc.message)
    return redirect("approvals:generated_report", report_id=report.pk)


@require_GET
@login_required
def generated_report(request, report_id: int):
    """The report being made (生成中, the page looks again every few seconds), ready (a link), or failed."""
    try:
        report = reports.report_for(actor=request.user, report_id=report_id)
    except ActionError as exc:
        return _not_found(request, exc.message)
    pending = report.status == GeneratedReportStatus.PENDING
    waited = int((timezone.now() - report.requested_at).total_seconds())
    return render(request, "approvals/generated_report.html", {
        "report": report, "plan": report.plan, "pending": pending, "waited": waited,
        "refresh": REFRESH_SECONDS if pending else 0, "keep_hours": settings.GENERATED_REPORT_KEEP_HOURS,
        "again_url": reverse("approvals:dashboard_report", args=[report.plan_id]),
        "round_id": report.round_id or "",
        "dashboard_url": reverse("approvals:dashboard", args=[report.plan_id])
                         + (f"?round={report.round_id}" if report.round_id else ""),
    })


@require_GET
@login_required
def generated_report_download(request, report_id: int):
    try:
        report = reports.report_for(actor=request.user, report_id=report_id, content=True)
    except ActionError as exc:
        return _not_found(request, exc.message)
    if report.status != GeneratedReportStatus.DONE:
        return redirect("approvals:generated_report", report_id=report.pk)
    response = HttpResponse(bytes(report.content), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(report.file_name)
    return response
