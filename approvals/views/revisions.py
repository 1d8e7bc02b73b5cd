"""Screens for plan revisions: upload the revised document, see the diff, confirm or cancel.

The file is kept aside between the two steps as the import page keeps it (``approvals.views.plans``),
and the confirmation carries the diff's fingerprint, so what is applied is what was shown.
"""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods

from workflows.access.policies import can_revise_plan
from workflows.importers import LayoutMapping
from workflows.models import Plan
from workflows.models.changes import CHANGE_FIELD_LABELS
from workflows.services import revisions
from workflows.services.errors import ActionError

from ..forms.plans import PlanUploadForm
from .plans import _mapping_of, _stage, _staged, _unstage


class RevisionUploadForm(forms.Form):
    file = forms.FileField(label=_l("修订后的计划文件"), help_text=_l("支持 .txt / .csv / .docx / .xlsx"),
                           error_messages={"required": _l("请选择文件")})
    profile = PlanUploadForm.base_fields["profile"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _plan(request, plan_id: int) -> Plan:
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise Http404
    if not can_revise_plan(request.user, plan):
        raise PermissionDenied
    return plan


@login_required
@require_http_methods(["GET", "POST"])
def plan_revise_upload(request, plan_id: int):
    """Take the revised document and keep it aside for the diff."""
    plan = _plan(request, plan_id)
    form = RevisionUploadForm(request.POST or None, request.FILES or None)
    error, status = "", 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            profile = form.cleaned_data["profile"]
            mapping = LayoutMapping.from_dict(profile.mapping) if profile is not None else None
            data = upload.read()
            try:
                revisions.plan_revision_preview(actor=request.user, data=data, filename=upload.name, plan_id=plan.pk,
                                                mapping=mapping)
            except ActionError as exc:
                error, status = exc.message, exc.status
            else:
                return redirect("plans:plan_revise_preview", plan_id=plan.pk,
                                token=_stage(request, data, upload.name, mapping=mapping,
                                             profile=profile.name if profile else ""))
    return render(request, "approvals/plans/plan_revise.html", {"plan": plan, "form": form, "error": error},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def plan_revise_preview(request, plan_id: int, token: str):
    """Show the diff; apply it on confirmation (with the fingerprint of what was shown)."""
    plan = _plan(request, plan_id)
    data, staged = _staged(request, token)
    filename, mapping = staged["filename"], _mapping_of(staged)
    if request.method == "POST" and "cancel" in request.POST:
        _unstage(request, token)
        messages.info(request, _("已取消修订，未作任何修改。"))
        return redirect(plan)
    try:
        preview = revisions.plan_revision_preview(actor=request.user, data=data, filename=filename, plan_id=plan.pk,
                                                  mapping=mapping)
    except ActionError as exc:
        return render(request, "approvals/plans/plan_revise.html", {"plan": plan, "form": RevisionUploadForm(),
                                                              "error": exc.message}, status=exc.status)
    error, status = "", 200
    if request.method == "POST":
        try:
            revision = revisions.plan_revise(actor=request.user, data=data, filename=filename, plan_id=plan.pk,
                                             fingerprint=request.POST.get("fingerprint", ""), mapping=mapping)
        except ActionError as exc:
            error, status = exc.message, exc.status
        else:
            _unstage(request, token)
            messages.success(request, _("已应用第 %(n)s 次修订：关闭 %(closed)s 件承办件，新交办 %(created)s 件。") % {
                "n": revision.number, "closed": len(revision.diff["withdrawn_assignments"]),
                "created": revision.diff["created_assignments"]})
            return redirect(plan)
    changed = [{"number": n, "fields": [(str(CHANGE_FIELD_LABELS.get(k, k)), before, after)
                                        for k, (before, after) in fields.items()]}
               for n, fields in preview.diff.changed]
    return render(request, "approvals/plans/plan_revise_preview.html", {
        "plan": plan, "preview": preview, "diff": preview.diff, "changed": changed, "filename": filename,
        "error": error, "closing": sum(preview.closing.values()), "kept": sum(preview.kept_accepted.values()),
    }, status=status)

