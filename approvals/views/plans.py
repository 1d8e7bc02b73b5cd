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
from workflows.access.policies import (
    can_add_plan_item,
    can_enter_plans,
    can_import_plans,
    can_view_plans,
)
from workflows.access.scopes import assignments_visible_to
from workflows.importers import LayoutMapping, PlanParseError
from workflows.models import Plan
from workflows.periods import effective
from workflows.selectors import directory as selectors
from workflows.services.errors import ActionError

from ..forms.plans import LayoutMappingForm, PlanConfirmForm, PlanUploadForm
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
        "can_enter": can_enter_plans(request.user),
    })


@login_required
def plan_detail(request, plan_id: int):
    if not can_view_plans(request.user):
        raise PermissionDenied
    try:
        plan = selectors.plan_with_tasks(plan_id, assignments=assignments_visible_to(request.user))
    except Plan.DoesNotExist:
        raise Http404 from None
    return render(request, "approvals/plans/plan_detail.html", {
        "plan": plan, "may_add_item": can_add_plan_item(request.user, plan), **plan_panels(request.user, plan),
        "cadence_label": effective(plan.report_cadence, plan.report_day).label()})


def _staging_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "staging"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _staged(request, token: str) -> tuple[bytes, dict]:
    """The staged file and what is known of it: its name, and the layout mapping chosen so far."""
    staged = request.session.get(_STAGING, {}).get(token)
    path = _staging_dir() / f"{token}.upload"
    if not staged or not token.isalnum() or not path.exists():
        raise Http404
    return path.read_bytes(), staged


def _stage(request, data: bytes, filename: str, *, mapping: LayoutMapping | None = None, profile: str = "") -> str:
    """Keep an uploaded file aside between the preview and the confirmation; return its token."""
    token = secrets.token_hex(16)
    (_staging_dir() / f"{token}.upload").write_bytes(data)
    staging = request.session.get(_STAGING, {})
    staging[token] = {"filename": Path(filename).name}
    request.session[_STAGING] = staging
    _set_mapping(request, token, mapping, profile)
    return token


def _set_mapping(request, token: str, mapping: LayoutMapping | None, profile: str) -> None:
    staging = request.session.get(_STAGING, {})
    staging[token]["mapping"] = mapping.to_dict() if mapping is not None else None
    staging[token]["profile"] = profile
    request.session[_STAGING] = staging


def _mapping_of(staged: dict) -> LayoutMapping | None:
    return LayoutMapping.from_dict(staged["mapping"]) if staged.get("mapping") else None


def _unstage(request, token: str) -> None:
    staging = request.session.get(_STAGING, {})
    staging.pop(token, None)
    request.session[_STAGING] = staging
    (_staging_dir() / f"{token}.upload").unlink(missing_ok=True)


@login_required
@require_http_methods(["GET", "POST"])
def plan_import_upload(request):
    """Take the administrator's file, parse it, and keep it aside for the preview.

    A file that can be read but gives no task goes to the mapping step, with what was seen.
    """
    if not can_import_plans(request.user):
        raise PermissionDenied
    form = PlanUploadForm(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        profile = form.cleaned_data["profile"]
        mapping = LayoutMapping.from_dict(profile.mapping) if profile is not None else None
        data = upload.read()
        try:
            services.plan_preview(data=data, filename=upload.name, mapping=mapping)
        except PlanParseError as exc:
            error = exc
            if _readable(data, upload.name):
                token = _stage(request, data, upload.name, mapping=mapping, profile=profile.name if profile else "")
                return redirect("plans:plan_import_map", token=token)
        else:
            token = _stage(request, data, upload.name, mapping=mapping, profile=profile.name if profile else "")
            return redirect("plans:plan_import_preview", token=token)
    return render(request, "approvals/plans/plan_import.html", {"form": form, "error": error},
                  status=400 if request.method == "POST" else 200)


def _readable(data: bytes, filename: str) -> bool:
    """Whether the file's text and tables can be read at all (not a .doc, not a damaged file)."""
    try:
        services.plan_layout(data=data, filename=filename)
    except PlanParseError:
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def plan_import_map(request, token: str):
    """The mapping step: say what each column (or label) means, re-preview, optionally save the profile."""
    if not can_import_plans(request.user):
        raise PermissionDenied
    data, staged = _staged(request, token)
    filename, mapping = staged["filename"], _mapping_of(staged)
    layout = services.plan_layout(data=data, filename=filename, mapping=mapping)
    form = LayoutMappingForm(request.POST or None, layout=layout)
    error = None
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        profile = ""
        name = form.cleaned_data["profile_name"].strip()
        try:
            services.plan_preview(data=data, filename=filename, mapping=mapping)
        except PlanParseError as exc:
            error = exc
        else:
            if name:
                try:
                    services.layout_profile_save(actor=request.user, name=name, mapping=mapping)
                except ActionError as exc:
                    form.add_error("profile_name", exc.message)
                else:
                    profile = name
                    messages.success(request, _("已保存版式方案“%(name)s”。") % {"name": name})
            if not form.errors:
                _set_mapping(request, token, mapping, profile)
                return redirect("plans:plan_import_preview", token=token)
        layout = services.plan_layout(data=data, filename=filename, mapping=mapping)
    elif request.method == "GET":
        try:
            services.plan_preview(data=data, filename=filename, mapping=mapping)
        except PlanParseError as exc:
            error = exc
    return render(request, "approvals/plans/plan_import_map.html", {
        "form": form, "layout": layout, "error": error, "filename": filename, "token": token,
        "profile": staged.get("profile", ""),
    }, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def plan_import_preview(request, token: str):
    """Show what will be stored, let the administrator map unknown names, and store on confirm."""
    if not can_import_plans(request.user):
        raise PermissionDenied
    data, staged = _staged(request, token)
    filename, mapping, profile = staged["filename"], _mapping_of(staged), staged.get("profile", "")
    try:
        preview = services.plan_preview(data=data, filename=filename, mapping=mapping)
    except PlanParseError:
        return redirect("plans:plan_import_map", token=token)
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
                supervising_unit=form.cleaned_data["supervising_unit"], mapping=mapping, profile=profile,
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
        "filename": filename, "token": token, "mapping": mapping, "profile": profile,
        "problems": preview.problems_by_task(),
    }, status=status)
