"""A plan's 通报 (进展通报): the period's 报送情况 with the draft the supervising office checks and
issues; the issued ones, each as Word and PDF, for the office, auditors and the units' people."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from workflows.access.policies import can_read_bulletins, can_supervise, can_view_supervision
from workflows.calendar import cn_date
from workflows.models import PeriodBulletin, Plan
from workflows.services import bulletins as bulletin_services
from workflows.services.errors import ActionError
from workflows.services.evidence import content_disposition
from workflows.supervision.bulletins import percent_text
from workflows.supervision.word import DOCX_TYPE

from ..forms.periods import BulletinForm
from .assignments import _not_found


@require_GET
@login_required
def plan_bulletins(request, plan_id: int):
    """The plan's issued 通报, newest first."""
    plan = Plan.objects.select_related("supervising_unit").filter(pk=plan_id).first()
    if plan is None or not can_read_bulletins(request.user, plan):
        return _not_found(request, _("计划不存在，或您无权查看其通报。"))
    issued = PeriodBulletin.objects.filter(plan=plan).defer("docx", "pdf").select_related("issued_by")
    return render(request, "approvals/bulletins.html", {
        "plan": plan, "bulletins": issued, "supervise": can_view_supervision(request.user, plan)})


@require_http_methods(["GET", "POST"])
@login_required
def bulletin_new(request, plan_id: int):
    """The chosen period's 报送情况 per unit and the tasks behind schedule, with the draft 通报."""
    period = request.POST.get("period") if request.method == "POST" else request.GET.get("period")
    try:
        plan, keys, key, summary, initial = bulletin_services.bulletin_draft(
            actor=request.user, plan_id=plan_id, period=period)
    except ActionError as exc:
        if exc.status == 404:
            return _not_found(request, exc.message)
        plan = Plan.objects.filter(pk=plan_id).first()
        return render(request, "approvals/refused.html", {"plan": plan, "message": exc.message},
                      status=exc.status)
    supervise = can_supervise(request.user, plan)
    form = BulletinForm(request.POST or None, initial=initial) if supervise else None
    status = 200
    if request.method == "POST" and form is None:
        return render(request, "approvals/refused.html", {"plan": plan,
                      "message": _("只有该计划的督办单位可以印发通报。")}, status=403)
    if request.method == "POST":
        if form.is_valid():
            try:
                bulletin = bulletin_services.bulletin_issue(actor=request.user, plan_id=plan.pk, period=key.value,
                                                            fields=form.cleaned_data)
            except ActionError as exc:
                form.add_refusal(exc)
                status = exc.status
            else:
                messages.success(request, _("通报已印发，并已发送给 %(n)s 位承办单位人员。") % {
                    "n": len(bulletin.recipients)})
                return redirect("approvals:bulletin_detail", bulletin_id=bulletin.pk)
        else:
            status = 400
    return render(request, "approvals/bulletin_new.html", {
        "plan": plan, "periods": keys, "period": key, "summary": summary, "form": form,
        "as_of": cn_date(summary.as_of), "rate": percent_text(summary.rate),
        "units": [{"unit": u, "rate": percent_text(u.rate)} for u in summary.units],
        "issued": PeriodBulletin.objects.filter(plan=plan, starts_on=key.starts_on, ends_on=key.ends_on)
                  .defer("docx", "pdf").order_by("-issued_at"),
    }, status=status)


@require_GET
@login_required
def bulletin_detail(request, bulletin_id: int):
    try:
        bulletin = bulletin_services.bulletin_for(actor=request.user, bulletin_id=bulletin_id)
    except ActionError as exc:
        return _not_found(request, exc.message)
    return render(request, "approvals/bulletin_detail.html", {
        "bulletin": bulletin, "plan": bulletin.plan, "c": bulletin.content,
        "issued_at": timezone.localtime(bulletin.issued_at)})


@require_GET
@login_required
def bulletin_download(request, bulletin_id: int, fmt: str):
    if fmt not in ("pdf", "docx"):
        return _not_found(request, _("没有这种格式的文件。"))
    try:
        bulletin = bulletin_services.bulletin_for(actor=request.user, bulletin_id=bulletin_id, content=True)
    except ActionError as exc:
        return _not_found(request, exc.message)
    data, kind = (bytes(bulletin.pdf), "application/pdf") if fmt == "pdf" else (bytes(bulletin.docx), DOCX_TYPE)
    response = HttpResponse(data, content_type=kind)
    response["Content-Disposition"] = content_disposition(f"{bulletin.number}{bulletin.title}.{fmt}")
    return response
