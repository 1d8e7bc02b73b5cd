"""GET /api/plans/{id}/scorecard/: the scorecard (考核) of a plan and round, with its formulas."""
from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from workflows.services.errors import NotFound
from workflows.supervision import scorecard as scoring

from ..views.scorecard import chosen_round, supervised_plan
from .views import refusals


class UnitScoreSerializer(serializers.Serializer):
    rank = serializers.IntegerField(help_text=_l("名次（并列者相同：1、1、3）"))
    unit_id = serializers.IntegerField()
    unit = serializers.CharField(help_text=_l("责任单位"))
    assignments = serializers.IntegerField(help_text=_l("件数"))
    due_for_judgement = serializers.IntegerField(help_text=_l("应报送件数：已报送过或已过办理期限的件"))
    on_time = serializers.IntegerField(help_text=_l("按期报送件数：首次报送不晚于办理期限"))
    on_time_rate = serializers.FloatField(allow_null=True, help_text=_l("按期报送率（%，一位小数）；无应报送件时为 null"))
    submitted = serializers.IntegerField(help_text=_l("已报送件数"))
    average_days_to_submit = serializers.FloatField(allow_null=True, help_text=_l("平均报送用时（工作日，一位小数）"))
    returns = serializers.IntegerField(help_text=_l("退回次数"))
    returns_per_assignment = serializers.FloatField(allow_null=True, help_text=_l("退回次数/件（两位小数）"))
    accepted = serializers.IntegerField(help_text=_l("验收办结件数"))
    acceptance_rate = serializers.FloatField(allow_null=True, help_text=_l("验收办结率（%，一位小数）"))
    score = serializers.FloatField(help_text=_l("综合得分（一位小数）"))


class LeadScoreSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True, help_text=_l("名次；尚无可评价的审核时为 null"))
    unit_id = serializers.IntegerField()
    unit = serializers.CharField(help_text=_l("牵头部门（任务的第一牵头部门）"))
    reviewed = serializers.IntegerField(help_text=_l("已审核次数"))
    reviewed_in_time = serializers.IntegerField(help_text=_l("按时审核次数"))
    average_review_days = serializers.FloatField(allow_null=True, help_text=_l("平均审核用时（工作日，一位小数）"))
    pending = serializers.IntegerField(help_text=_l("待审核件数"))
    pending_overdue = serializers.IntegerField(help_text=_l("超期待审件数"))
    timely_rate = serializers.FloatField(allow_null=True, help_text=_l("审核及时率（%，一位小数）"))


class RoundRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ScorecardSerializer(serializers.Serializer):
    plan = serializers.IntegerField(help_text=_l("计划 ID"))
    round = RoundRefSerializer(allow_null=True, help_text=_l("报送轮次；计划尚未交办时为 null"))
    today = serializers.DateField(help_text=_l("统计日期"))
    review_working_days = serializers.IntegerField(help_text=_l("牵头部门审核时限（工作日）"))
    weights = serializers.DictField(child=serializers.IntegerField(), help_text=_l("综合得分的权重"))
    units = UnitScoreSerializer(many=True)
    leads = LeadScoreSerializer(many=True)
    formulas = serializers.DictField(child=serializers.CharField(), help_text=_l("各指标的计算方法"))


def scorecard_data(card) -> dict:
    """The API's answer for a computed scorecard."""
    return {
        "plan": card.plan.pk,
        "round": {"id": card.round.pk, "name": card.round.name} if card.round else None,
        "today": card.today.isoformat(),
        "review_working_days": scoring.review_days(),
        "weights": dict(scoring.SCORE_WEIGHTS),
        "units": [s.as_dict() for s in card.units],
        "leads": [s.as_dict() for s in card.leads],
        "formulas": card.formulas,
    }


@extend_schema(
    tags=[_l("督办")], summary=_l("考核：责任单位与牵头部门排名及计算方法"),
    parameters=[OpenApiParameter("round", int, OpenApiParameter.QUERY, required=False,
                                 description=_l("报送轮次 ID；缺省为第一轮"))],
    responses={200: ScorecardSerializer, **refusals(401, 404)},
)
class PlanScorecardView(APIView):
    def get(self, request, pk: int):
        plan = supervised_plan(request.user, pk)
        if plan is None:
            raise NotFound(_("计划不存在"))
        _rounds, round_, valid = chosen_round(plan, request.query_params.get("round"))
        if not valid:
            raise NotFound(_("该计划没有这个报送轮次"))
        today = timezone.localdate()
        card = scoring.scorecard(plan, round_, today)  # round_ is None only when the plan has no round
        return Response(scorecard_data(card))
