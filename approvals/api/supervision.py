"""GET /api/plans/{id}/progress/ (totals, sections, task × unit cells, overdue) and GET /api/plans/{id}/export.xlsx.

For the plan's supervising office and auditors; anyone else gets 404, as for an absent plan.
The answer is built as plain values (at 100 tasks × 80 units a serializer per cell would take
longer than the whole dashboard); the serializers below describe it for the schema, and the
tests check the answer against them.
"""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from workflows.models import AssignmentState
from workflows.services.errors import NotFound
from workflows.supervision.exports import XLSX_TYPE
from workflows.supervision.progress import LIGHT_ORDER, Progress, plan_progress

from ..views.dashboard import xlsx_response
from ..views.scorecard import chosen_round, supervised_plan
from .scorecard import RoundRefSerializer
from .views import refusals

ROUND_PARAMETER = OpenApiParameter("round", int, OpenApiParameter.QUERY, required=False,
                                   description=_l("报送轮次 ID；缺省为第一轮"))


def _counts(help_text):
    return serializers.DictField(child=serializers.IntegerField(), help_text=help_text)


class TotalsSerializer(serializers.Serializer):
    assignments = serializers.IntegerField(help_text=_l("本轮承办件数"))
    accepted = serializers.IntegerField(help_text=_l("已验收办结件数"))
    percent = serializers.FloatField(help_text=_l("办结率（%，一位小数）"))
    by_state = _counts(_l("按状态计数：assigned、in_progress、submitted、lead_reviewed、accepted"))
    by_light = _counts(_l("按灯号计数：red、yellow、green，以及已办结 done"))


class SectionProgressSerializer(TotalsSerializer):
    id = serializers.IntegerField()
    numeral = serializers.CharField(help_text=_l("序号，如“（一）”"))
    title = serializers.CharField()
    tasks = serializers.IntegerField(help_text=_l("该部分的任务数"))


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    short_name = serializers.CharField(help_text=_l("单位简称"))


class CellSerializer(serializers.Serializer):
    unit = serializers.IntegerField(help_text=_l("单位 ID（见 units）"))
    assignment = serializers.IntegerField(help_text=_l("承办件 ID"))
    state = serializers.ChoiceField(choices=AssignmentState.choices)
    light = serializers.ChoiceField(choices=LIGHT_ORDER, help_text=_l("red / yellow / green；已验收办结为 done"))
    due_date = serializers.DateField(help_text=_l("办理期限"))
    on_time = serializers.BooleanField(allow_null=True, help_text=_l("已办结的是否按期；未办结为 null"))


class TaskProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField(help_text=_l("任务编号"))
    section = serializers.IntegerField(help_text=_l("所属部分 ID"))
    cells = CellSerializer(many=True, help_text=_l("本轮有承办件的单位格子（无承办件的单位不列出）"))


class OverdueSerializer(serializers.Serializer):
    assignment = serializers.IntegerField()
    task = serializers.IntegerField(help_text=_l("任务编号"))
    unit = serializers.IntegerField(help_text=_l("单位 ID"))
    unit_name = serializers.CharField()
    state = serializers.ChoiceField(choices=AssignmentState.choices)
    due_date = serializers.DateField()
    overdue_working_days = serializers.IntegerField(help_text=_l("逾期工作日数（按工作日历）"))
    reminders = serializers.IntegerField(help_text=_l("催办次数"))
    last_reminded_on = serializers.DateField(allow_null=True)
    escalation_level = serializers.IntegerField(allow_null=True, help_text=_l("已发出的最高督办级别（1–3）"))


class ProgressSerializer(serializers.Serializer):
    plan = serializers.IntegerField(help_text=_l("计划 ID"))
    round = RoundRefSerializer(allow_null=True, help_text=_l("报送轮次；计划尚未交办时为 null"))
    rounds = RoundRefSerializer(many=True)
    today = serializers.DateField(help_text=_l("统计日期"))
    totals = TotalsSerializer()
    sections = SectionProgressSerializer(many=True)
    units = UnitRefSerializer(many=True, help_text=_l("矩阵的列：本轮有承办件的单位，按单位排序"))
    tasks = TaskProgressSerializer(many=True, help_text=_l("矩阵的行：计划的全部任务，按编号"))
    overdue = OverdueSerializer(many=True, help_text=_l("逾期清单，逾期最久的在前"))


def _totals(owner, assignments: int) -> dict:
    return {"assignments": assignments, "accepted": owner.accepted, "percent": owner.percent,
            "by_state": dict(owner.by_state), "by_light": dict(owner.by_light)}


def progress_data(progress: Progress) -> dict:
    """The API's answer: plain values, the same numbers as the dashboard and the export."""
    return {
        "plan": progress.plan.pk,
        "round": {"id": progress.round.pk, "name": progress.round.name} if progress.round else None,
        "rounds": [{"id": r.pk, "name": r.name} for r in progress.rounds],
        "today": progress.today.isoformat(),
        "totals": _totals(progress, progress.total),
        "sections": [{"id": s.id, "numeral": s.numeral, "title": s.title, "tasks": s.tasks, **_totals(s, s.assignments)}
                     for s in progress.sections],
        "units": [{"id": u.id, "short_name": u.short_name} for u in progress.units],
        "tasks": [{"id": t.id, "number": t.number, "section": t.section_id, "cells": [
            {"unit": c.unit_id, "assignment": c.assignment_id, "state": c.state, "light": c.light,
             "due_date": c.due_date.isoformat(), "on_time": c.on_time} for c in t.assigned]}
            for t in progress.tasks],
        "overdue": [{"assignment": o.assignment_id, "task": o.task_number, "unit": o.unit_id, "unit_name": o.unit,
                     "state": o.state, "due_date": o.due_date.isoformat(),
                     "overdue_working_days": o.overdue_working_days, "reminders": o.reminders,
                     "last_reminded_on": o.last_reminded_on.isoformat() if o.last_reminded_on else None,
                     "escalation_level": o.escalation_level} for o in progress.overdue],
    }


def _progress(request, pk: int) -> Progress:
    plan = supervised_plan(request.user, pk)
    if plan is None:
        raise NotFound(_("计划不存在"))
    rounds, round_, valid = chosen_round(plan, request.query_params.get("round"))
    if not valid:
        raise NotFound(_("该计划没有这个报送轮次"))
    return plan_progress(plan, round_, timezone.localdate(), rounds=rounds)


@extend_schema(tags=[_l("督办")], summary=_l("计划进度（按状态、灯号、部分与任务 × 单位）"),
               parameters=[ROUND_PARAMETER], responses={200: ProgressSerializer, **refusals(401, 404)})
class PlanProgressView(APIView):
    def get(self, request, pk: int):
        return Response(progress_data(_progress(request, pk)))


@extend_schema(tags=[_l("督办")], summary=_l("导出督办进度 Excel（汇总、矩阵、逾期清单、考核）"),
               parameters=[ROUND_PARAMETER],
               responses={(200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description=_l("XLSX 工作簿")), **refusals(401, 404)})
class PlanExportView(APIView):
    def perform_content_negotiation(self, request, force=False):
        # The workbook is not rendered by DRF: "Accept: <XLSX type>" must not be refused (406);
        # the JSON renderer is used only for refusals.
        return super().perform_content_negotiation(request, force=True)

    def get(self, request, pk: int):
        return xlsx_response(_progress(request, pk))
