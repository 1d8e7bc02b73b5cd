"""延期申请 on the assignment page: the unit asks (before its due date, with a reason and a date),
withdraws; the supervising office (or the lead where the plan allows) approves or refuses. Each
view looks the request up through a scoped selector (hidden and absent both 404), calls one
service and answers a refusal on the assignment page with what was typed kept."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workflows.access.scopes import extension_requests_visible_to
from workflows.calendar import cn_date
from workflows.services import extensions as extension_services
from workflows.services.errors import ActionError

from ..forms.periods import ExtensionApproveForm, ExtensionRejectForm, ExtensionRequestForm
from .assignments import _not_found, _page, _visible

FORMS = {"request": ExtensionRequestForm, "approve": ExtensionApproveForm, "reject": ExtensionRejectForm}


def _back(assignment) -> str:
    return reverse("approvals:assignment_detail", args=[assignment.pk]) + "#extension"


def _again(request, assignment, which: str, form, exc: ActionError | None = None):
    """The assignment page again, the refusal on top and the form as typed (with its field's error)."""
    if exc is None:
        return _page(request, assignment, error=_("请检查填写的内容。"), status=400, extension_forms={which: form})
    if exc.status == 404:
        return _not_found(request, exc.message)
    form.add_refusal(exc)
    return _page(request, assignment, error=exc.message, status=exc.status, extension_forms={which: form})


@require_POST
@login_required
def extension_request(request, pk: int):
    assignment = _visible(request, pk)
    if assignment is None:
        return _not_found(request)
    form = ExtensionRequestForm(request.POST, auto_id="id_extension_%s")
    if not form.is_valid():
        return _again(request, assignment, "request", form)
    try:
        asked = extension_services.extension_request(actor=request.user, assignment_id=pk,
                                                     requested_due=form.cleaned_data["requested_due"],
                                                     reason=form.cleaned_data["reason"])
    except ActionError as exc:
        return _again(request, assignment, "request", form, exc)
    messages.success(request, _("已提交延期申请（申请延期至 %(date)s）；批准之前，办理期限不变。")
                     % {"date": cn_date(asked.requested_due)})
    return redirect(_back(assignment))


def _decide(request, pk: int, which: str):
    asked = extension_requests_visible_to(request.user).filter(pk=pk).first()
    if asked is None:
        return _not_found(request, _("延期申请不存在，或您无权查看。"))
    assignment = _visible(request, asked.assignment_id)
    form = FORMS[which](request.POST, auto_id=f"id_extension_{which}_%s") if which in FORMS else None
    if form is not None and not form.is_valid():
        return _again(request, assignment, which, form)
    try:
        if which == "approve":
            done = extension_services.extension_approve(actor=request.user, request_id=pk,
                                                        opinion=form.cleaned_data["opinion"])
            messages.success(request, _("已批准延期，办理期限改为 %(date)s；原定期限 %(original)s 一并保留。")
                             % {"date": cn_date(done.requested_due), "original": cn_date(done.due_before)})
        elif which == "reject":
            extension_services.extension_reject(actor=request.user, request_id=pk, reason=form.cleaned_data["reason"])
            messages.success(request, _("已作出不予批准的决定，承办单位将看到理由；办理期限不变。"))
        else:
            extension_services.extension_withdraw(actor=request.user, request_id=pk)
            messages.success(request, _("已撤回延期申请。"))
    except ActionError as exc:
        return _again(request, assignment, which, form or ExtensionApproveForm(), exc)
    return redirect(_back(assignment))


@require_POST
@login_required
def extension_approve(request, pk: int):
    return _decide(request, pk, "approve")


@require_POST
@login_required
def extension_reject(request, pk: int):
    return _decide(request, pk, "reject")


@require_POST
@login_required
def extension_withdraw(request, pk: int):
    return _decide(request, pk, "withdraw")
