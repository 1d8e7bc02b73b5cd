"""The scorecard page (考核): responsible units and lead departments of one plan and round, ranked."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from workflows.access.policies import can_view_supervision
from workflows.calendar import cn_date
from workflows.models import Plan, ReportingRound
from workflows.supervision import scorecard as scoring

from .assignments import _not_found


def supervised_plan(user, plan_id: int) -> Plan | None:
    """The plan if ``user`` may view its supervision (supervising office or auditor), else None."""
    plan = Plan.objects.select_related("supervising_unit").filter(pk=plan_id).first()
    return plan if plan is not None and can_view_supervision(user, plan) else None


def chosen_round(plan, value) -> tuple[list[ReportingRound], ReportingRound | None, bool]:
    """(the plan's rounds, the one asked for by id or else the first, whether the value was valid)."""
    rounds = list(ReportingRound.objects.filter(plan=plan).order_by("position"))
    if value in (None, ""):
        return rounds, (rounds[0] if rounds else None), True
    chosen = next((r for r in rounds if str(r.pk) == str(value)), None)
    return rounds, chosen, chosen is not None


@require_GET
@login_required
def scorecard(request, plan_id: int):
    """考核: the ranked tables, the round selector and how each figure is computed."""
    plan = supervised_plan(request.user, plan_id)
    if plan is None:
        return _not_found(request, _("计划不存在，或您无权查看其督办情况。"))
    rounds, round_, valid = chosen_round(plan, request.GET.get("round"))
    if not valid:
        return _not_found(request, _("该计划没有这个报送轮次。"))
    today = timezone.localdate()
    card = scoring.scorecard(plan, round_, today)  # round_ is None only when the plan has no round
    return render(request, "approvals/scorecard.html", {
        "plan": plan, "rounds": rounds, "round": round_, "card": card, "today_cn": cn_date(today),
        "units": [{"score": s, "cells": s.display_row()} for s in card.units],
        "leads": [{"score": s, "cells": s.display_row()} for s in card.leads],
        "formulas": card.formulas, "weights": scoring.SCORE_WEIGHTS,
        "review_days": scoring.review_days(),
    })
