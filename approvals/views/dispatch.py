"""The supervisor's and lead reviewers' plan screens: dispatch (交办), rounds, choosing relevant units."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workflows.access.policies import (
    can_select_units,
    can_supervise,
    can_view_plans,
    can_view_supervision,
)
from workflows.models import Assignment, PartyRole, Plan, Task, TermScope, Unit
from workflows.services import dispatch as dispatch_services
from workflows.services.errors import ActionError

from ..forms import assignments as forms
from .assignments import _not_found


def _relevant_parties(task) -> list:
    return [p for p in task.party_set.all() if p.role == PartyRole.RESPONSIBLE and p.group_term_id
            and p.group_term.scope == TermScope.RELEVANT]


def _offered_units(parties) -> list[Unit]:
    kinds = {p.group_term.kind for p in parties}
    return list(Unit.objects.filter(is_active=True, kind__in=kinds).order_by("kind", "order", "short_name"))


def plan_panels(user, plan) -> dict:
    """What the plan page adds for this person: dispatch and rounds (supervisor), unit choices (leads).

    Each task offered a choice gets ``select_form`` and ``chosen`` (units already picked).
    """
    supervise = can_supervise(user, plan)
    tasks = [t for s in plan.sections.all() for t in s.tasks.all()]
    relevant = {t.pk: _relevant_parties(t) for t in tasks}
    choosers = [t for t in tasks if relevant[t.pk] and can_select_units(user, t)]
    if choosers:
        kinds = {p.group_term.kind for t in choosers for p in relevant[t.pk]}
        units = list(Unit.objects.filter(is_active=True, kind__in=kinds).order_by("order", "short_name"))
        chosen: dict[int, list[str]] = {}
        for task_id, name in (Assignment.objects
                              .filter(task__in=choosers, source_party__group_term__scope=TermScope.RELEVANT)
                              .values_list("task_id", "unit__short_name").order_by("unit__order").distinct()):
            chosen.setdefault(task_id, []).append(name)
        for task in choosers:
            task_kinds = {p.group_term.kind for p in relevant[task.pk]}
            task.select_form = forms.SelectUnitsForm(units=[u for u in units if u.kind in task_kinds],
                                                     auto_id=f"id_units_{task.pk}_%s")
            task.relevant_terms = [p.name for p in relevant[task.pk]]
            task.chosen = chosen.get(task.pk, [])
    rounds = list(plan.rounds.all())
    return {"supervise": supervise, "rounds": rounds, "view_supervision": can_view_supervision(user, plan),
            "dispatch_form": forms.DispatchForm(rounds=rounds) if supervise else None,
            "round_form": forms.RoundOpenForm() if supervise else None}


def _plan_refused(request, plan, exc: ActionError, *, form=None, title="", action_url=""):
    if exc.status == 404:
        return _not_found(request, exc.message)
    if form is not None:
        form.add_refusal(exc)
    return render(request, "approvals/refused.html", {"plan": plan, "message": exc.message, "form": form,
                                                      "title": title, "action_url": action_url},
                  status=exc.status)


def _plan_or_404(request, plan_id: int):
    if not can_view_plans(request.user):
        return None
    return Plan.objects.select_related("supervising_unit").filter(pk=plan_id).first()


@require_POST
@login_required
def plan_dispatch(request, plan_id: int):
    """交办: create the plan's assignments and show what was created, the problems, what waits."""
    plan = _plan_or_404(request, plan_id)
    if plan is None:
        return _not_found(request, _("计划不存在。"))
    form = forms.DispatchForm(request.POST, rounds=list(plan.rounds.all()))
    if not form.is_valid():
        return render(request, "approvals/refused.html", {
            "plan": plan, "form": form, "title": _("交办"), "message": _("请检查填写的内容。"),
            "action_url": reverse("approvals:plan_dispatch", args=[plan.pk])}, status=400)
    try:
        result = dispatch_services.plan_dispatch(actor=request.user, plan_id=plan.pk,
                                                 round_id=form.cleaned_data["round"])
    except ActionError as exc:
        return _plan_refused(request, plan, exc, title=_("交办"))
    return render(request, "approvals/dispatch_result.html", {"plan": plan, "result": result})


@require_POST
@login_required
def round_open(request, plan_id: int):
    plan = _plan_or_404(request, plan_id)
    if plan is None:
        return _not_found(request, _("计划不存在。"))
    form = forms.RoundOpenForm(request.POST)
    if not form.is_valid():
        return render(request, "approvals/refused.html", {
            "plan": plan, "form": form, "title": _("开启新的报送轮次"), "message": _("请检查填写的内容。"),
            "action_url": reverse("approvals:round_open", args=[plan.pk])}, status=400)
    try:
        round_ = dispatch_services.round_open(actor=request.user, plan_id=plan.pk, name=form.cleaned_data["name"])
    except ActionError as exc:
        return _plan_refused(request, plan, exc, form=form, title=_("开启新的报送轮次"),
                             action_url=reverse("approvals:round_open", args=[plan.pk]))
    messages.success(request, _("已开启报送轮次“%(name)s”，可选择该轮次交办。") % {"name": round_.name})
    return redirect(plan)


@require_POST
@login_required
def task_select_units(request, task_id: int):
    """A lead reviewer picks the units behind 有关区镇 / 市政府相关部门; each gets an assignment."""
    task = (Task.objects.select_related("plan").prefetch_related("party_set__group_term")
            .filter(pk=task_id).first() if can_view_plans(request.user) else None)
    if task is None:
        return _not_found(request, _("任务不存在。"))
    form = forms.SelectUnitsForm(request.POST, units=_offered_units(_relevant_parties(task)))
    context = {"plan": task.plan, "task": task, "form": form, "title": _("选定承办单位"),
               "action_url": reverse("approvals:task_select_units", args=[task.pk])}
    if not form.is_valid():
        return render(request, "approvals/refused.html", {**context, "message": _("请至少选择一个单位。")},
                      status=400)
    try:
        result = dispatch_services.task_select_units(actor=request.user, task_id=task.pk,
                                                     unit_names=form.cleaned_data["units"])
    except ActionError as exc:
        return _plan_refused(request, task.plan, exc, form=form, title=_("选定承办单位"),
                             action_url=context["action_url"])
    messages.success(request, _("第 %(n)s 项任务已选定承办单位：%(units)s；新交办 %(created)s 件。") % {
        "n": task.number, "units": "、".join(form.cleaned_data["units"]), "created": len(result.created)})
    return redirect(f"{task.plan.get_absolute_url()}#task-{task.number}")
