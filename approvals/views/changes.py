"""Screens for changes after dispatch: transfer requests and their decisions, handing work over
inside a unit, and delegations. Each view looks up through a scoped selector (hidden and absent
both 404), calls one service and answers a refusal with its message and HTTP status."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from workflows.access.scopes import (
    assignments_visible_to,
    extension_requests_to_decide,
    extension_requests_visible_to,
    transfer_requests_to_decide,
    transfer_requests_visible_to,
)
from workflows.models import Membership, Role
from workflows.selectors.directory import substitute_choices
from workflows.services import delegation as delegation_services
from workflows.services import transfers as transfer_services
from workflows.services.errors import ActionError

from ..forms import changes as forms


def _not_found(request, message=""):
    return render(request, "approvals/not_found.html",
                  {"message": message or _("承办件不存在，或您无权查看。")}, status=404)


def _refused(request, exc: ActionError, form=None, action_url=""):
    """The refusal page with the service's message, the form as typed and the same status."""
    if exc.status == 404:
        return _not_found(request, exc.message)
    if form is not None:
        form.add_refusal(exc)
    return render(request, "approvals/refused.html", {"message": exc.message, "form": form,
                                                      "action_url": action_url}, status=exc.status)


def _invalid(request, form, action_url):
    return render(request, "approvals/refused.html", {"message": _("请检查填写的内容。"), "form": form,
                                                      "action_url": action_url}, status=400)


@require_POST
@login_required
def transfer_request(request, pk: int):
    """申请调整承办单位: the responsible unit asks, with a reason."""
    assignment = assignments_visible_to(request.user).filter(pk=pk).first()
    if assignment is None:
        return _not_found(request)
    url = reverse("approvals:transfer_request", args=[pk])
    form = forms.TransferRequestForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, url)
    try:
        transfer_services.transfer_request(actor=request.user, assignment_id=pk, kind=form.cleaned_data["kind"],
                                           unit_name=form.cleaned_data["unit"], reason=form.cleaned_data["reason"])
    except ActionError as exc:
        return _refused(request, exc, form, url)
    messages.success(request, _("已提交调整申请；审批之前仍由本单位办理。"))
    return redirect(assignment)


def _decide(request, pk: int, decision: str):
    transfer = transfer_requests_visible_to(request.user).filter(pk=pk).first()
    if transfer is None:
        return _not_found(request, _("调整申请不存在，或您无权查看。"))
    url = reverse(f"approvals:transfer_{decision}", args=[pk])
    form = (forms.TransferApproveForm if decision == "approve" else forms.TransferRejectForm)(request.POST)
    if not form.is_valid():
        return _invalid(request, form, url)
    try:
        if decision == "approve":
            transfer_services.transfer_approve(actor=request.user, request_id=pk,
                                               opinion=form.cleaned_data["opinion"])
            messages.success(request, _("已同意调整申请。"))
        else:
            transfer_services.transfer_reject(actor=request.user, request_id=pk, reason=form.cleaned_data["reason"])
            messages.success(request, _("已驳回调整申请，承办单位将看到驳回理由。"))
    except ActionError as exc:
        return _refused(request, exc, form, url)
    return redirect(transfer.assignment)


@require_POST
@login_required
def transfer_approve(request, pk: int):
    return _decide(request, pk, "approve")


@require_POST
@login_required
def transfer_reject(request, pk: int):
    return _decide(request, pk, "reject")


@require_GET
@login_required
def transfer_list(request):
    """调整与延期申请: the pending transfer and extension requests I may decide, and my units'
    requests (the latest 100 of each)."""
    return render(request, "approvals/transfers.html", {
        "to_decide": list(transfer_requests_to_decide(request.user)[:100]),
        "mine": list(transfer_requests_visible_to(request.user)
                     .filter(assignment__unit__memberships__user=request.user)
                     .distinct().order_by("-requested_at", "-id")[:100]),
        "extensions_to_decide": list(extension_requests_to_decide(request.user)[:100]),
        "extensions_mine": list(extension_requests_visible_to(request.user)
                                .filter(assignment__unit__memberships__user=request.user)
                                .distinct().order_by("-requested_at", "-id")[:100]),
    })


@require_POST
@login_required
def hand_over(request, pk: int):
    """单位内转交: hand the assignment to another 承办人 of the unit."""
    assignment = assignments_visible_to(request.user).filter(pk=pk).first()
    if assignment is None:
        return _not_found(request)
    url = reverse("approvals:assignment_hand_over", args=[pk])
    colleagues = [m.user for m in Membership.objects.filter(unit_id=assignment.unit_id, role="submitter")
                  .select_related("user")]
    form = forms.HandOverForm(request.POST, colleagues=colleagues)
    if not form.is_valid():
        return _invalid(request, form, url)
    try:
        delegation_services.assignment_hand_over(actor=request.user, assignment_id=pk,
                                                 to_username=form.cleaned_data["to"], note=form.cleaned_data["note"])
    except ActionError as exc:
        return _refused(request, exc, form, url)
    messages.success(request, _("已转交。"))
    return redirect(assignment)


def _memberships(user):
    return list(Membership.objects.filter(user=user).select_related("unit"))


@require_http_methods(["GET", "POST"])
@login_required
def delegations(request):
    """代理: the delegations I gave and received, and a form to name a substitute."""
    from ..api.changes import my_delegations

    form = forms.DelegationForm(request.POST or None, memberships=_memberships(request.user))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            unit_id, role = form.unit_and_role()
            try:
                delegation_services.delegation_create(
                    actor=request.user, substitute_username=form.cleaned_data["substitute"], unit_id=unit_id,
                    role=role, starts_on=form.cleaned_data["starts_on"], ends_on=form.cleaned_data["ends_on"],
                    reason=form.cleaned_data["reason"])
            except ActionError as exc:
                return _refused(request, exc, form, reverse("approvals:delegations"))
            messages.success(request, _("已设定代理人。"))
            return redirect("approvals:delegations")
        status = 400
    today = timezone.localdate()
    rows = list(my_delegations(request.user)[:200])
    for row in rows:
        row.active = row.revoked_at is None and row.starts_on <= today <= row.ends_on
        row.may_revoke = row.revoked_at is None and row.ends_on >= today
    labels = dict(Role.choices)
    colleagues = [{"username": m.user.username, "label": f"{m.user.get_full_name() or m.user.username} · "
                   f"{m.unit.short_name} · {labels.get(m.role, m.role)}"}
                  for m in substitute_choices(request.user, delegation_services.DELEGABLE_ROLES)]
    return render(request, "approvals/delegations.html", {"form": form, "rows": rows, "colleagues": colleagues},
                  status=status)


@require_POST
@login_required
def delegation_revoke(request, pk: int):
    try:
        delegation_services.delegation_revoke(actor=request.user, delegation_id=pk)
    except ActionError as exc:
        return _refused(request, exc)
    messages.success(request, _("已撤销代理。"))
    return redirect("approvals:delegations")
