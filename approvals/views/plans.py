"""Screens for plans: list, detail, and the administrator's import (upload, preview, confirm)."""
from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from workflows import services
from workflows.access.policies import can_import_plans, can_view_plans
from workflows.access.scopes import assignments_visible_to
from workflows.importers import PlanParseError
from workflows.models import Plan
from workflows.selectors import directory as selectors

from ..forms.plans import PlanConfirmForm, PlanUploadForm
from .dispatch import plan_panels

_STAGING = "plan_import_staging"


@login_required
def home(request):
    """Start where the work is: 我的待办."""
    return redirect("approvals:inbox")


@login_required
def plan_list(request):
    if not can_view_plans(request.user):
        raise PermissionDenied
    return render(request, "approvals/plans/plan_list.html", {
        "plans": selectors.plans_for_list(),
        "can_import": can_import_plans(request.user),
    })


@login_required
def plan_detail(request, plan_id: int):
    if not can_view_plans(request.user):
        raise PermissionDenied
    try:
        plan = selectors.plan_with_tasks(plan_id, assignments=assignments_visible_to(request.user))
    except Plan.DoesNotExist:
        raise Http404 from None
    return render(request, "approvals/plans/plan_detail.html", {"plan": plan, **plan_panels(request.user, plan)})


def _staging_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "staging"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _staged(request, token: str) -> tuple[bytes, str]:
    staged = request.session.get(_STAGING, {}).get(token)
    path = _staging_dir() / f"{token}.upload"
    if not staged or not token.isalnum() or not path.exists():
        raise Http404
    return path.read_bytes(), staged["filename"]


def _stage(request, data: bytes, filename: str) -> str:
    """Keep an uploaded file aside between the preview and the confirmation; return its token."""
    token = secrets.token_hex(16)
    (_staging_dir() / f"{token}.upload").write_bytes(data)
    staging = request.session.get(_STAGING, {})
    staging[token] = {"filename": Path(filename).name}
    request.session[_STAGING] = staging
    return token


def _unstage(request, token: str) -> None:
    staging = request.session.get(_STAGING, {})
    staging.pop(token, None)
    request.session[_STAGING] = staging
    (_staging_dir() / f"{token}.upload").unlink(missing_ok=True)


@login_required
@require_http_methods(["GET", "POST"])
def plan_import_upload(request):
    """Take the administrator's file, parse it, and keep it aside for the preview."""
    if not can_import_plans(request.user):
        raise PermissionDenied
    form = PlanUploadForm(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            services.plan_preview(data=data, filename=upload.name)
        except PlanParseError as exc:
            error = exc
        else:
            return redirect("plans:plan_import_preview", token=_stage(request, data, upload.name))
    return render(request, "approvals/plans/plan_import.html", {"form": form, "error": error},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def plan_import_preview(request, token: str):
    """Show what will be stored, let the administrator map unknown names, and store on confirm."""
    if not can_import_plans(request.user):
        raise PermissionDenied
    data, filename = _staged(request, token)
    preview = services.plan_preview(data=data, filename=filename)
    form = PlanConfirmForm(request.POST or None, unknown=preview.unknown)
    refusal = None
    if request.method == "POST" and "cancel" in request.POST:
        _unstage(request, token)
        messages.info(request, _("已取消导入，未保存任何内容。"))
        return redirect("plans:plan_list")
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_import(
                actor=request.user, data=data, filename=filename, mappings=form.mappings(),
                supervising_unit=form.cleaned_data["supervising_unit"],
            )
        except services.PlanImportError as exc:
            refusal = exc.message
        else:
            _unstage(request, token)
            messages.success(request, _("已导入《%(title)s》，共 %(count)s 项任务。")
                             % {"title": plan.title, "count": len(preview.parsed.tasks)})
            return redirect(plan)
    status = 200 if request.method == "GET" else (409 if refusal else 400)
    return render(request, "approvals/plans/plan_import_preview.html", {
        "preview": preview, "parsed": preview.parsed, "form": form, "refusal": refusal,
        "filename": filename, "token": token,
    }, status=status)
