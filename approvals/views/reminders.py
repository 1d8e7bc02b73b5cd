"""催办: the supervisor urges a unit about one assignment, or about all its overdue ones in a plan.

Thin views: look the object up, call one service (workflows.services.reminders), map a refusal to
its status (400 no message, 403 not the plan's supervisor, 404 not visible, 409 accepted or already
reminded today). A form post is answered with a redirect; an XHR with JSON.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from workflows.access.policies import can_supervise, can_view_supervision
from workflows.archive.render import RenderError
from workflows.models import Plan, Reminder, Unit
from workflows.services import reminders as reminder_services
from workflows.services.errors import ActionError
from workflows.services.evidence import content_disposition
from workflows.supervision import notices
from workflows.supervision.word import DOCX_TYPE

from .assignments import _is_xhr, _not_found, _page, _visible
from .dashboard import unit_notice_links


def _done(unit_name: str, count: int, reminder) -> str:
    recipients = reminder.recipients
    if getattr(reminder, "mail_failures", None):
        return _("已向%(unit)s催办 %(count)s 项并记录在案，但邮件发送失败，请稍后电话联系该单位。") % {
            "unit": unit_name, "count": count}
    if recipients:
        return _("已向%(unit)s催办 %(count)s 项，邮件已发送给 %(n)s 位承办人。") % {
            "unit": unit_name, "count": count, "n": len(recipients)}
    return _("已向%(unit)s催办 %(count)s 项；该单位的承办人均未登记邮箱，催办仅在系统中显示。") % {
        "unit": unit_name, "count": count}


def _refusal_json(exc: ActionError) -> JsonResponse:
    return JsonResponse({"ok": False, "message": exc.message, "errors": exc.fields}, status=exc.status)


@require_POST
@login_required
def remind_assignment(request, pk: int):
    """POST ``message``: a 催办 to the responsible unit about this assignment; back to its page."""
    assignment = _visible(request, pk)
    if assignment is None:
        if _is_xhr(request):
            return JsonResponse({"ok": False, "message": _("承办件不存在")}, status=404)
        return _not_found(request)
    try:
        reminder = reminder_services.assignment_remind(actor=request.user, assignment_id=pk,
                                                       message=request.POST.get("message", ""))
    except ActionError as exc:
        if _is_xhr(request):
            return _refusal_json(exc)
        assignment = _visible(request, pk)  # fresh: a 409 may mean the state moved under us
        if exc.status == 404 or assignment is None:
            return _not_found(request, exc.message)
        return _page(request, assignment, error=exc.message, status=exc.status)
    done = _done(assignment.unit.short_name, 1, reminder)
    if _is_xhr(request):
        return JsonResponse({"ok": True, "message": done})
    messages.success(request, done)
    return redirect(assignment)


def _back(request, plan_id: int) -> str:
    """Where to go after the unit-wide 催办: a safe local ``next``, else the plan's dashboard."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return wanted
    return reverse("approvals:dashboard", args=[plan_id])


@require_http_methods(["GET", "POST"])
@login_required
def remind_overdue(request, plan_id: int, unit_id: int):
    """GET: the unit's overdue assignments in the plan and the 催办 form. POST ``message`` (and an
    optional local ``next``): one 催办 for all of them, one mail; then back to ``next`` or the dashboard."""
    plan = Plan.objects.select_related("supervising_unit").filter(pk=plan_id).first()
    unit = Unit.objects.filter(pk=unit_id).first()
    if plan is None or unit is None:
        return _not_found(request, _("计划或单位不存在"))
    today, supervise = timezone.localdate(), can_supervise(request.user, plan)
    context = {"plan": plan, "unit": unit, "next": _back(request, plan.pk), "message": "", "error": "",
               "fields": {}, "supervise": supervise}
    status = 200
    if request.method == "POST":
        context["message"] = request.POST.get("message", "")
        try:
            reminders = reminder_services.unit_remind_overdue(actor=request.user, plan_id=plan.pk, unit_id=unit.pk,
                                                              message=context["message"])
        except ActionError as exc:
            if _is_xhr(request):
                return _refusal_json(exc)
            if exc.status == 404:
                return _not_found(request, exc.message)
            context.update(error=exc.message, fields=exc.fields)
            status = exc.status
        else:
            done = _done(unit.short_name, len(reminders), reminders[0])
            if _is_xhr(request):
                return JsonResponse({"ok": True, "message": done, "redirect": context["next"]})
            messages.success(request, done)
            return redirect(context["next"])
    elif not supervise:
        context["error"], status = _("只有该计划的督办单位可以催办"), 403
    if supervise:
        overdue = list(reminder_services.overdue_of_unit(plan.pk, unit.pk, today))
        reminded = set(Reminder.objects.filter(assignment__in=overdue, sent_on=today)
                       .values_list("assignment_id", flat=True))
        for assignment in overdue:
            assignment.reminded_today = assignment.pk in reminded
        context.update(overdue=overdue, pending=sum(1 for a in overdue if not a.reminded_today), today=today,
                       notice_links=unit_notice_links(plan.pk, unit.pk))
    return render(request, "approvals/remind_result.html", context, status=status)


@require_GET
@login_required
def assignment_notice(request, pk: int, kind: str, fmt: str):
    """The printable 催办通知单 or 督办单 of one assignment, as PDF or Word: for the plan's supervising
    office and auditors; the state of the moment, not stored."""
    assignment = _visible(request, pk)
    if assignment is None or kind not in notices.KINDS or fmt not in ("pdf", "docx"):
        return _not_found(request)
    if not can_view_supervision(request.user, assignment.task.plan):
        return render(request, "approvals/refused.html",
                      {"message": _("只有督办单位和审计人员可以打印督办单和催办通知单。")}, status=403)
    return notice_response(request, notices.notice(assignment, kind), fmt)


@require_GET
@login_required
def unit_notice(request, plan_id: int, unit_id: int, kind: str, fmt: str):
    """The printable 催办通知单 or 督办单 of a unit's overdue items in a plan, as PDF or Word: for the
    plan's supervising office and auditors."""
    plan = Plan.objects.select_related("supervising_unit").filter(pk=plan_id).first()
    unit = Unit.objects.filter(pk=unit_id).first()
    if plan is None or unit is None or kind not in notices.KINDS or fmt not in ("pdf", "docx"):
        return _not_found(request, _("计划或单位不存在"))
    if not can_view_supervision(request.user, plan):
        return render(request, "approvals/refused.html",
                      {"message": _("只有督办单位和审计人员可以打印督办单和催办通知单。")}, status=403)
    overdue = list(reminder_services.overdue_of_unit(plan.pk, unit.pk, timezone.localdate()).select_related("task"))
    return notice_response(request, notices.unit_notice(plan, unit, overdue, kind), fmt)


def notice_response(request, form: dict, fmt: str):
    """A notice as its PDF or Word file, named after it."""
    if fmt == "docx":
        response = HttpResponse(notices.notice_docx(form), content_type=DOCX_TYPE)
    else:
        try:
            response = HttpResponse(notices.notice_pdf(form), content_type="application/pdf")
        except RenderError as exc:
            return render(request, "approvals/refused.html", {"message": str(exc)}, status=500)
    response["Content-Disposition"] = content_disposition(f"{form['file_name']}.{fmt}")
    return response
