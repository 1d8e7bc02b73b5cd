"""The auditors' screens: read everything, change nothing."""
from __future__ import annotations

import datetime as dt
import tempfile
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.http import require_GET, require_POST

from audit.services import escape_label, record_anonymous, record_event, verify_trail
from workflows.access.policies import can_read_audit
from workflows.models import Plan, Task
from workflows.selectors import trail as selectors
from workflows.spreadsheets import CsvRows, xlsx_cell, xlsx_row

from ..forms.audit import TimelineForm

EXPORT_COLUMNS = [
    ("seq", _("序号")), ("occurred_at", _("时间")), ("actor_label", _("操作人")), ("unit_label", _("所在单位")),
    ("role", _("角色")), ("action", _("操作")), ("target_type", _("对象类型")), ("target_id", _("对象编号")),
    ("target_label", _("对象")), ("from_state", _("原状态")), ("to_state", _("新状态")), ("reason", _("理由")),
    ("details", _("详情")), ("request_id", _("请求编号")), ("ip", _("IP 地址")), ("hash", _("哈希")),
]
XLSX_MAX_ROWS = 1_048_575  # Excel's limit, less the header row
AS_OF_PAGE_SIZE = 200


def _require_auditor(request) -> None:
    if not can_read_audit(request.user):
        raise PermissionDenied


def csrf_failure(request, reason=""):
    """Record a request refused for a missing or wrong CSRF token, then answer as Django does."""
    user = getattr(request, "user", None)
    fields = {"target_type": "url", "target_label": escape_label(request.path),
              "details": {"method": request.method, "path": escape_label(request.path, 500), "reason": reason}}
    if user is not None and user.is_authenticated:
        with transaction.atomic():
            record_event(action="access.csrf_refused", actor=user, **fields)
    else:
        record_anonymous(action="access.csrf_refused", path=request.path, **fields)
    request.audit_refusal_recorded = True
    return django_csrf_failure(request, reason=reason)


def _page(request, template: str, context: dict, flt_extra: dict | None = None):
    form = TimelineForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, template, {**context, "form": form, "page": None,
                                          "verification": selectors.latest_verification()}, status=400)
    if not request.GET:
        form = TimelineForm({})
        form.is_valid()
    flt = form.to_filter(**(flt_extra or {}))
    page = selectors.timeline_page(flt, before=form.cleaned_data.get("before"), size=settings.AUDIT_PAGE_SIZE)
    query = {k: v for k, v in request.GET.items() if k != "before" and v}
    # A history page's subject goes into the export links, so they export what the page shows.
    export_query = {**query, **{k: v for k, v in (flt_extra or {}).items() if v is not None}}
    return render(request, template, {
        **context,
        "form": form,
        "page": page,
        "query": urlencode(query),
        "export_query": urlencode(export_query),
        "next_query": urlencode({**query, "before": page.next_before}) if page.next_before else "",
        "verification": selectors.latest_verification(),
    })


@login_required
@require_GET
def timeline(request):
    _require_auditor(request)
    return _page(request, "approvals/audit/timeline.html", {"title": _("审计日志")})


HISTORY_KINDS = {
    "plan": (Plan, "plan"),
    "task": (Task, "task"),
    "assignment": (None, "assignment"),
    "user": (get_user_model(), "user"),
}


@login_required
@require_GET
def history(request, kind: str, object_id: int):
    _require_auditor(request)
    if kind not in HISTORY_KINDS:
        raise Http404
    model, field = HISTORY_KINDS[kind]
    subject = get_object_or_404(model, pk=object_id) if model is not None else None
    label = str(subject) if subject is not None else f"#{object_id}"
    return _page(request, "approvals/audit/timeline.html", {
        "title": _("历史记录：%(label)s") % {"label": label}, "subject": subject,
    }, flt_extra={field: object_id})


@login_required
@require_GET
def plan_as_of(request, plan_id: int):
    """Every assignment's state at a chosen moment, replayed from the trail."""
    _require_auditor(request)
    plan = get_object_or_404(Plan, pk=plan_id)
    raw = request.GET.get("at", "")
    at = timezone.now()
    if raw:
        try:
            at = timezone.make_aware(dt.datetime.fromisoformat(raw))
            if not 1900 <= at.year <= 9000:
                raise ValueError(raw)
        except (ValueError, OverflowError):
            return HttpResponseBadRequest(_("时间格式应为 YYYY-MM-DDTHH:MM（1900 年至 9000 年）"))
    page = Paginator(selectors.plan_assignments_at(plan.pk, at), AS_OF_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "approvals/audit/plan_as_of.html", {
        "plan": plan, "at": at, "at_value": timezone.localtime(at).strftime("%Y-%m-%dT%H:%M"),
        "page": page, "states": selectors.states_at(page.object_list, at),
        "page_query": urlencode({"at": raw} if raw else {}),
    })


@login_required
@require_POST
def verify_now(request):
    """立即校验: verify the whole chain now and show the result on the timeline."""
    _require_auditor(request)
    verify_trail()
    return redirect("audit:timeline")


class _Echo:
    def write(self, value):
        return value


@login_required
@require_GET
def export(request, fmt: str):
    """Export the filtered timeline as CSV (streamed) or XLSX."""
    _require_auditor(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form = TimelineForm(request.GET or {})
    if not form.is_valid():
        return HttpResponseBadRequest("；".join(e for errors in form.errors.values() for e in errors))
    events = selectors.events_for_export(form.to_filter())
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    if fmt == "csv":
        writer = CsvRows(_Echo())

        def rows():
            yield "\ufeff" + writer.writerow([str(label) for _f, label in EXPORT_COLUMNS])
            for event in events:
                yield writer.writerow(_export_row(event))

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
        return response
    return _xlsx_response(events, stamp)


def _export_row(event) -> list:
    values = []
    for field, _label in EXPORT_COLUMNS:
        value = selectors.readable(event, field)
        if field == "occurred_at":
            value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
        values.append(value)
    return values


def _xlsx_response(events, stamp: str):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("审计日志"))
    sheet.freeze_panes = "A2"
    for index, width in enumerate([8, 20, 20, 16, 10, 26, 16, 10, 30, 12, 12, 30, 40, 34, 16, 66], start=1):
        sheet.column_dimensions[chr(64 + index)].width = width
    sheet.append([xlsx_cell(sheet, str(label), font=Font(bold=True)) for _field, label in EXPORT_COLUMNS])
    for count, event in enumerate(events, start=1):
        if count > XLSX_MAX_ROWS:
            return HttpResponseBadRequest(_("超过 Excel 的行数上限，请缩小筛选范围或导出 CSV"))
        sheet.append(xlsx_row(sheet, _export_row(event)))
    handle = tempfile.TemporaryFile()
    book.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"audit-{stamp}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
