"""An assignment's year on its page: filing a period report (进展报告), 已阅 and 退回补报; and the
supervising office's reporting cadence of a plan (报送周期)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from workflows.access.policies import can_supervise
from workflows.models import PeriodReport, Plan
from workflows.periods import CADENCES, effective
from workflows.services import periods as period_services
from workflows.services.errors import ActionError, Invalid

from ..forms.periods import CadenceForm, MilestoneForm, PeriodReportForm, PeriodReturnForm
from .assignments import _not_found, _page, _visible


def _back(assignment) -> str:
    return reverse("approvals:assignment_detail", args=[assignment.pk]) + "#periods"


def _refused(request, assignment, exc: ActionError, *, period_form=None, report_id=None):
    if exc.status == 404:
        return _not_found(request, exc.message)
    return _page(request, assignment, error=exc.message, status=exc.status,
                 period_form=period_form, period_report_id=report_id)


@require_POST
@login_required
def period_report_file(request, pk: int, report_id: int):
    """报送进展报告: the text (and 完成进度); a refusal keeps what was typed on the page."""
    assignment = _visible(request, pk)
    if assignment is None:
        return _not_found(request)
    form = PeriodReportForm(request.POST, milestones=list(assignment.milestones.filter(
        done_on__isnull=True, removed_at__isnull=True)))
    if not form.is_valid():
        return _page(request, assignment, error=_("请检查填写的内容。"), status=400, period_form=form,
                     period_report_id=report_id)
    try:
        report = period_services.period_report_file(actor=request.user, assignment_id=pk, report_id=report_id,
                                                    text=form.cleaned_data["text"],
                                                    percent=form.cleaned_data["percent"],
                                                    milestones_done=form.cleaned_data["milestones"])
    except ActionError as exc:
        return _refused(request, assignment, exc, period_form=form, report_id=report_id)
    messages.success(request, _("已报送%(label)s的进展报告%(late)s。")
                     % {"label": report.label, "late": _("（逾期报送）") if report.late else ""})
    return redirect(_back(assignment))


@require_POST
@login_required
def period_report_read(request, pk: int, report_id: int):
    assignment = _visible(request, pk)
    if assignment is None:
        return _not_found(request)
    try:
        report = period_services.period_report_read(actor=request.user, assignment_id=pk, report_id=report_id)
    except ActionError as exc:
        return _refused(request, assignment, exc)
    messages.success(request, _("已阅%(label)s的进展报告。") % {"label": report.label})
    return redirect(_back(assignment))


@require_POST
@login_required
def period_report_return(request, pk: int, report_id: int):
    assignment = _visible(request, pk)
    if assignment is None:
        return _not_found(request)
    form = PeriodReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("请填写退回理由"))
        report = period_services.period_report_return(actor=request.user, assignment_id=pk, report_id=report_id,
                                                      reason=form.cleaned_data["reason"])
    except ActionError as exc:
        return _refused(request, assignment, exc)
    messages.success(request, _("已退回%(label)s的进展报告，承办单位将看到退回理由。") % {"label": report.label})
    return redirect(_back(assignment))


@require_POST
@login_required
def milestone_add(request, pk: int):
    """设置节点: what, by when, its target; a refusal keeps what was typed."""
    assignment = _visible(request, pk)
    if assignment is None:
        return _not_found(request)
    form = MilestoneForm(request.POST, auto_id="id_milestone_%s")
    if not form.is_valid():
        return _page(request, assignment, error=_("请检查填写的内容。"), status=400, milestone_form=form)
    try:
        milestone = period_services.milestone_add(actor=request.user, assignment_id=pk, **form.cleaned_data)
    except ActionError as exc:
        if exc.status == 404:
            return _not_found(request, exc.message)
        form.add_refusal(exc)
        return _page(request, assignment, error=exc.message, status=exc.status, milestone_form=form)
    messages.success(request, _("已设置节点“%(title)s”。") % {"title": milestone.title})
    return redirect(reverse("approvals:assignment_detail", args=[assignment.pk]) + "#milestones")


def _milestone_change(request, pk: int, milestone_id: int, change, done: str):
    assignment = _visible(request, pk)
    if assignment is None:
        return _not_found(request)
    try:
        milestone = change(actor=request.user, assignment_id=pk, milestone_id=milestone_id)
    except ActionError as exc:
        return _refused(request, assignment, exc)
    messages.success(request, done % {"title": milestone.title})
    return redirect(reverse("approvals:assignment_detail", args=[assignment.pk]) + "#milestones")


@require_POST
@login_required
def milestone_remove(request, pk: int, milestone_id: int):
    return _milestone_change(request, pk, milestone_id, period_services.milestone_remove, _("已删除节点“%(title)s”。"))


@require_POST
@login_required
def milestone_done(request, pk: int, milestone_id: int):
    return _milestone_change(request, pk, milestone_id, period_services.milestone_done,
                             _("已将节点“%(title)s”标记为完成。"))


@require_http_methods(["GET", "POST"])
@login_required
def plan_cadence(request, plan_id: int):
    """The plan's 报送周期 for its supervising office; the periods follow, those filed are kept."""
    plan = Plan.objects.select_related("supervising_unit").filter(pk=plan_id).first()
    if plan is None:
        return _not_found(request, _("计划不存在"))
    if not can_supervise(request.user, plan):
        return render(request, "approvals/refused.html", {"plan": plan,
                      "message": _("只有该计划的督办单位可以设置报送周期。")}, status=403)
    initial = {"report_cadence": plan.report_cadence, "report_day": plan.report_day, "ends_on": plan.ends_on}
    form = CadenceForm(request.POST or None, initial=initial)
    status, error = 200, ""
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = period_services.plan_set_cadence(actor=request.user, plan_id=plan.pk,
                                                          cadence=data["report_cadence"], day=data["report_day"],
                                                          ends_on=data["ends_on"])
            except ActionError as exc:
                error, status = exc.message, exc.status
            else:
                messages.success(request, _("报送周期已设置：新增报告期 %(created)s 个，取消未报送的报告期 %(removed)s 个；"
                                            "已报送的进展报告保持不变。") % result)
                return redirect(plan.get_absolute_url())
        else:
            error, status = _("请检查填写的内容。"), 400
    overrides = [(t.number, effective(plan.report_cadence, plan.report_day, t.cadence).label(), t.deadline_text)
                 for t in plan.tasks.exclude(cadence="").order_by("number")]
    filed = PeriodReport.objects.filter(assignment__task__plan=plan).exclude(status="pending").count()
    return render(request, "approvals/plan_cadence.html", {
        "plan": plan, "form": form, "error": error, "overrides": overrides, "filed": filed,
        "current": effective(plan.report_cadence, plan.report_day).label(), "cadences": CADENCES,
    }, status=status)
