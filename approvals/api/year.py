"""The API for an assignment's year: period reports (进展报告), milestones (节点) and extension
requests (延期申请). Each view checks the assignment is visible (404 otherwise), calls one service
and answers with the assignment as it now is; refusals take the API's one shape."""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from workflows.access.scopes import extension_requests_visible_to
from workflows.services import extensions as extension_services
from workflows.services import periods as period_services
from workflows.services.errors import NotFound

from . import serializers as s
from .changes import DecisionInputSerializer
from .views import WriteView, refusals, require_visible, visible_assignment

TAGS = [_l("进展报告与延期")]
ANSWERS = {200: s.AssignmentDetailSerializer, **refusals(400, 401, 403, 404, 409, 415)}


class PeriodFileInput(serializers.Serializer):
    text = serializers.CharField(max_length=20_000, allow_blank=True, label=_l("本期进展情况"))
    percent = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0, max_value=100,
                                       label=_l("完成进度（%）"))
    milestones_done = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=s.MAX_ID),
                                            required=False, default=list, max_length=50, label=_l("本期完成的节点"))


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True, label=_l("理由"))


class MilestoneInput(serializers.Serializer):
    title = serializers.CharField(max_length=200, allow_blank=True, label=_l("节点"))
    target = serializers.CharField(required=False, allow_blank=True, default="", max_length=500, label=_l("目标"))
    due_on = serializers.DateField(label=_l("计划完成日期"))


class ExtensionInput(serializers.Serializer):
    requested_due = serializers.DateField(label=_l("申请延期至"))
    reason = serializers.CharField(max_length=2000, allow_blank=True, label=_l("延期理由"))


class YearView(WriteView):
    """POST ``input`` to one service for assignment ``pk``; answer with the assignment."""

    input = s.NoInputSerializer

    def call(self, actor, pk: int, data: dict, **ids) -> int:
        raise NotImplementedError

    def post(self, request, pk: int, **ids):
        given = self.input(data=request.data)
        given.is_valid(raise_exception=True)
        assignment_id = self.call(request.user, pk, given.validated_data, **ids)
        return Response(s.AssignmentDetailSerializer(visible_assignment(request, assignment_id)).data)


def _schema(summary, input_serializer):
    return extend_schema(tags=TAGS, summary=summary, request=input_serializer, responses=ANSWERS)


class _OnAssignment(YearView):
    def post(self, request, pk: int, **ids):
        require_visible(request, pk)
        return super().post(request, pk, **ids)


@_schema(_l("报送一期进展报告"), PeriodFileInput)
class PeriodFileView(_OnAssignment):
    input = PeriodFileInput

    def call(self, actor, pk, data, report_id):
        period_services.period_report_file(actor=actor, assignment_id=pk, report_id=report_id, text=data["text"],
                                           percent=data["percent"], milestones_done=data["milestones_done"])
        return pk


@_schema(_l("已阅进展报告"), s.NoInputSerializer)
class PeriodReadView(_OnAssignment):
    def call(self, actor, pk, data, report_id):
        period_services.period_report_read(actor=actor, assignment_id=pk, report_id=report_id)
        return pk


@_schema(_l("退回进展报告（补报）"), ReasonInput)
class PeriodReturnView(_OnAssignment):
    input = ReasonInput

    def call(self, actor, pk, data, report_id):
        period_services.period_report_return(actor=actor, assignment_id=pk, report_id=report_id,
                                             reason=data["reason"])
        return pk


@_schema(_l("设置节点"), MilestoneInput)
class MilestoneAddView(_OnAssignment):
    input = MilestoneInput

    def call(self, actor, pk, data):
        period_services.milestone_add(actor=actor, assignment_id=pk, **data)
        return pk


@_schema(_l("申请延期"), ExtensionInput)
class ExtensionRequestView(_OnAssignment):
    input = ExtensionInput

    def call(self, actor, pk, data):
        extension_services.extension_request(actor=actor, assignment_id=pk, requested_due=data["requested_due"],
                                             reason=data["reason"])
        return pk


class _OnExtension(YearView):
    """``pk`` is the extension request's; the answer is its assignment."""

    def post(self, request, pk: int, **ids):
        asked = extension_requests_visible_to(request.user).filter(pk=pk).first()
        if asked is None:
            raise NotFound(_("延期申请不存在"))
        return super().post(request, pk, **ids)


@_schema(_l("批准延期"), DecisionInputSerializer)
class ExtensionApproveView(_OnExtension):
    input = DecisionInputSerializer

    def call(self, actor, pk, data):
        return extension_services.extension_approve(actor=actor, request_id=pk, opinion=data["opinion"]).assignment_id


@_schema(_l("不予批准延期"), ReasonInput)
class ExtensionRejectView(_OnExtension):
    input = ReasonInput

    def call(self, actor, pk, data):
        return extension_services.extension_reject(actor=actor, request_id=pk, reason=data["reason"]).assignment_id


@_schema(_l("撤回延期申请"), s.NoInputSerializer)
class ExtensionWithdrawView(_OnExtension):
    def call(self, actor, pk, data):
        return extension_services.extension_withdraw(actor=actor, request_id=pk).assignment_id
