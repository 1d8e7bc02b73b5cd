"""Screens for plans and items that came without a document: typed in by the 督查室.

The forms only carry what was typed; ``workflows.services.plan_create`` / ``plan_add_item`` check
it and name every field at fault, which is shown beside that field. Adding or removing a row keeps
everything already typed.
"""
from __future__ import annotations

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
    supervised_unit_ids,
)
from workflows.models import Plan, Unit
from workflows.selectors.directory import entry_names
from workflows.services.errors import ActionError

from ..forms.plans import ItemEntryForm, ItemEntryFormSet, PlanEntryForm

_ITEM_FIELDS = ("text", "lead", "responsible", "cooperating", "deadline")


def _entry_units(user):
    units = Unit.objects.filter(is_active=True).order_by("order", "short_name")
    return units if can_import_plans(user) else units.filter(pk__in=supervised_unit_ids(user))


def _item_entry(data: dict) -> services.ItemEntry:
    return services.ItemEntry(**{name: (data.get(name) or "").strip() for name in _ITEM_FIELDS})


def _names_context() -> dict:
    units, terms = entry_names()
    return {"unit_names": units, "term_names": terms}


def _rows(formset) -> list[dict]:
    """What each row holds now (the formset is bound and, its fields being optional, valid)."""
    return [{name: form.cleaned_data.get(name, "") for name in _ITEM_FIELDS} for form in formset.forms]


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request):
    """新建计划（无文件）: the plan's source and its items, saved together or not at all."""
    if not can_enter_plans(request.user):
        raise PermissionDenied
    units = _entry_units(request.user)
    form = PlanEntryForm(request.POST or None, units=units)
    formset = ItemEntryFormSet(request.POST or None, prefix="items")
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        form_ok, rows_ok = form.is_valid(), formset.is_valid()
        if not rows_ok:
            errors.extend(formset.non_form_errors())
        elif "add_item" in request.POST or "remove_item" in request.POST:
            rows = _rows(formset)
            if "add_item" in request.POST:
                rows.append({})
            else:
                index = int(request.POST["remove_item"]) if request.POST["remove_item"].isdigit() else -1
                if 0 <= index < len(rows) and len(rows) > 1:
                    del rows[index]
            return render(request, "approvals/plans/plan_create.html",
                          {"form": form, "formset": ItemEntryFormSet(initial=rows, prefix="items"),
                           "focus_last": "add_item" in request.POST, **_names_context()})
        elif form_ok:
            kept = [(i, f) for i, f in enumerate(formset.forms) if not f.is_blank()]
            try:
                plan = services.plan_create(
                    actor=request.user, items=[_item_entry(f.cleaned_data) for _i, f in kept],
                    **{name: form.cleaned_data[name] for name in
                       ("title", "origin", "origin_reference", "supervising_unit", "doc_number", "issued_on")},
                )
            except ActionError as exc:
                if exc.status == 403:
                    raise PermissionDenied(exc.message) from None
                errors.extend(_place_errors(exc, form, [f for _i, f in kept]))
            else:
                messages.success(request, _("已新建《%(title)s》，共 %(count)s 项事项。可在本页交办。")
                                 % {"title": plan.title, "count": len(kept)})
                return redirect(plan)
        status = 400
    return render(request, "approvals/plans/plan_create.html",
                  {"form": form, "formset": formset, "errors": errors, **_names_context()}, status=status)


def _place_errors(exc: ActionError, form, item_forms) -> list[str]:
    """Put each field's messages beside it; return those that belong to no field."""
    loose: list[str] = []
    for key, messages_ in exc.fields.items():
        head, _sep, rest = key.partition(".")
        if head == "items" and rest:
            index, _sep, name = rest.partition(".")
            if index.isdigit() and int(index) < len(item_forms) and name in _ITEM_FIELDS:
                for message in messages_:
                    item_forms[int(index)].add_error(name, message)
                continue
        if form is not None and key in form.fields:
            for message in messages_:
                form.add_error(key, message)
            continue
        if key in _ITEM_FIELDS and item_forms:
            for message in messages_:
                item_forms[0].add_error(key, message)
            continue
        loose.extend(messages_)
    if not exc.fields:
        loose.append(exc.message)
    return loose


@login_required
@require_http_methods(["GET", "POST"])
def plan_item_add(request, plan_id: int):
    """添加督办事项: one more item on a plan that came without a document."""
    plan = Plan.objects.select_related("supervising_unit").filter(pk=plan_id).first()
    if plan is None:
        raise Http404
    if not can_add_plan_item(request.user, plan):
        raise PermissionDenied
    form = ItemEntryForm(request.POST or None)
    errors: list[str] = []
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            task = services.plan_add_item(actor=request.user, plan_id=plan.pk, item=_item_entry(form.cleaned_data))
        except ActionError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message) from None
            if exc.status == 404:
                raise Http404 from None
            errors = _place_errors(exc, None, [form])
            status = 400
        else:
            messages.success(request, _("已添加第 %(n)s 项事项，请在下方交办。") % {"n": task.number})
            return redirect(plan)
    return render(request, "approvals/plans/plan_item_add.html",
                  {"plan": plan, "form": form, "errors": errors, **_names_context()}, status=status)
