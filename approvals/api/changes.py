"""The API for changes after dispatch: transfer requests, handing work over, delegations, plan revisions.

Each view looks up through a selector scoped to the caller, calls one service and lets the
project's exception handler answer refusals (400 / 403 / 404 / 409) in the API's one shape.
"""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from workflows.access.policies import decide_transfer_decision
from workflows.access.scopes import transfer_requests_visible_to
from workflows.importers import LayoutMapping
from workflows.models import Delegation, LayoutProfile, TransferKind, TransferStatus, Unit
from workflows.services import delegation as delegation_services
from workflows.services import revisions
from workflows.services import transfers as transfer_services
from workflows.services.errors import NotFound

from . import serializers as s
from .views import WriteView, refusals, require_visible

TAGS = [_l("调整与代理")]


class TransferRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    assignment = serializers.IntegerField(source="assignment_id")
    assignment_state = serializers.CharField(source="assignment.state")
    unit = serializers.CharField(source="assignment.unit.short_name", help_text=_l("提出申请的承办单位"))
    task_number = serializers.IntegerField(source="assignment.task.number")
    kind = serializers.ChoiceField(choices=TransferKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    target_unit = serializers.CharField(source="target_unit.short_name", default=None, allow_null=True)
    reason = serializers.CharField()
    status = serializers.ChoiceField(choices=TransferStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    requested_by = serializers.CharField(source="requested_by.username")
    requested_at = serializers.DateTimeField()
    decided_by = serializers.CharField(source="decided_by.username", default=None, allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()
    successor = serializers.IntegerField(source="successor_id", allow_null=True)
    may_decide = serializers.SerializerMethodField(help_text=_l("调用者现在能否审批"))

    def get_may_decide(self, request) -> bool:
        user = self.context.get("user")
        return bool(user) and decide_transfer_decision(user, request).allowed


class TransferRequestInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TransferKind.choices, label=_l("申请类型"))
    unit = serializers.CharField(required=False, allow_blank=True, default="", max_length=64,
                                 label=_l("建议承办单位（简称，kind 为 transfer 时必填）"))
    reason = serializers.CharField(max_length=2000, allow_blank=True, label=_l("申请理由"))


class DecisionInputSerializer(serializers.Serializer):
    opinion = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000,
                                    label=_l("审批意见"))


class RejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True, label=_l("驳回理由"))


class TransferFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TransferStatus.choices, required=False)
    assignment = serializers.IntegerField(required=False, min_value=1, max_value=s.MAX_ID)


class TransferPagination(CursorPagination):
    ordering = ("-requested_at", "-id")


def _answer(request, transfer, status=200) -> Response:
    return Response(TransferRequestSerializer(transfer, context={"user": request.user}).data, status=status)


def _visible_request(request, pk: int):
    transfer = transfer_requests_visible_to(request.user).filter(pk=pk).first()
    if transfer is None:
        raise NotFound(_("调整申请不存在"))
    return transfer


@extend_schema(tags=TAGS, summary=_l("申请调整承办单位（或本单位不适用）"), request=TransferRequestInputSerializer,
               responses={201: TransferRequestSerializer, **refusals(400, 401, 403, 404, 409, 415)})
class AssignmentTransferRequestView(WriteView):
    def post(self, request, pk: int):
        require_visible(request, pk)
        given = TransferRequestInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        transfer = transfer_services.transfer_request(actor=request.user, assignment_id=pk, kind=data["kind"],
                                                      unit_name=data["unit"], reason=data["reason"])
        return _answer(request, _visible_request(request, transfer.pk), status=201)


@extend_schema(tags=TAGS, summary=_l("可见的调整申请"), parameters=[TransferFilterSerializer],
               responses={200: TransferRequestSerializer(many=True), **refusals(400, 401),
                          404: OpenApiResponse(s.ErrorSerializer, description=_l("无效游标"))})
class TransferRequestListView(generics.ListAPIView):
    serializer_class = TransferRequestSerializer
    pagination_class = TransferPagination

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "user": self.request.user}

    def get_queryset(self):
        filters = TransferFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        lookups = {"status": "status", "assignment": "assignment_id"}
        return transfer_requests_visible_to(self.request.user).filter(
            **{lookups[k]: v for k, v in filters.validated_data.items()})


@extend_schema(tags=TAGS, summary=_l("调整申请详情"), responses={200: TransferRequestSerializer, **refusals(401, 404)})
class TransferRequestDetailView(APIView):
    def get(self, request, pk: int):
        return _answer(request, _visible_request(request, pk))


class TransferDecisionView(WriteView):
    """POST a decision on a transfer request; answer with the request as it now is."""

    input_serializer: type[serializers.Serializer] = DecisionInputSerializer

    def decide(self, actor, pk: int, data: dict) -> None:
        raise NotImplementedError

    def post(self, request, pk: int):
        _visible_request(request, pk)
        given = self.input_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        self.decide(request.user, pk, given.validated_data)
        return _answer(request, _visible_request(request, pk))


def _decision_schema(summary, request_serializer):
    return extend_schema(tags=TAGS, summary=summary, request=request_serializer,
                         responses={200: TransferRequestSerializer, **refusals(400, 401, 403, 404, 409, 415)})


@_decision_schema(_l("同意调整申请"), DecisionInputSerializer)
class TransferApproveView(TransferDecisionView):
    def decide(self, actor, pk, data):
        transfer_services.transfer_approve(actor=actor, request_id=pk, opinion=data["opinion"])


@_decision_schema(_l("驳回调整申请"), RejectInputSerializer)
class TransferRejectView(TransferDecisionView):
    input_serializer = RejectInputSerializer

    def decide(self, actor, pk, data):
        transfer_services.transfer_reject(actor=actor, request_id=pk, reason=data["reason"])


# --- handing work over and delegations -------------------------------------------------------

class HandOverInputSerializer(serializers.Serializer):
    to = serializers.CharField(max_length=150, label=_l("接手的承办人（用户名）"))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500, label=_l("说明"))


@extend_schema(tags=TAGS, summary=_l("单位内转交经办人"), request=HandOverInputSerializer,
               responses={200: s.AssignmentDetailSerializer, **refusals(400, 401, 403, 404, 409, 415)})
class AssignmentHandOverView(WriteView):
    def post(self, request, pk: int):
        from .views import visible_assignment

        require_visible(request, pk)
        given = HandOverInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        delegation_services.assignment_hand_over(actor=request.user, assignment_id=pk,
                                                 to_username=given.validated_data["to"],
                                                 note=given.validated_data["note"])
        return Response(s.AssignmentDetailSerializer(visible_assignment(request, pk)).data)


class DelegationSerializer(serializers.ModelSerializer):
    principal = serializers.CharField(source="principal.username")
    substitute = serializers.CharField(source="substitute.username")
    unit = serializers.CharField(source="unit.short_name")
    active = serializers.SerializerMethodField(help_text=_l("今天是否生效"))

    class Meta:
        model = Delegation
        fields = ["id", "principal", "substitute", "unit", "role", "starts_on", "ends_on", "reason", "created_at",
                  "revoked_at", "active"]

    def get_active(self, delegation) -> bool:
        return delegation_services.active_delegations().filter(pk=delegation.pk).exists()


class DelegationInputSerializer(serializers.Serializer):
    substitute = serializers.CharField(max_length=150, label=_l("代理人（用户名）"))
    unit = serializers.CharField(max_length=64, label=_l("单位（简称）"))
    role = serializers.ChoiceField(choices=delegation_services.DELEGABLE_ROLES, label=_l("角色"))
    starts_on = serializers.DateField(label=_l("开始日期"))
    ends_on = serializers.DateField(label=_l("结束日期"))
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200, label=_l("事由"))


def my_delegations(user):
    from django.db.models import Q

    return (Delegation.objects.select_related("principal", "substitute", "unit")
            .filter(Q(principal=user) | Q(substitute=user)).order_by("-starts_on", "-id"))


@extend_schema(tags=TAGS, summary=_l("我委托的和我代理的"), responses={200: DelegationSerializer(many=True), **refusals(401)})
class DelegationListView(WriteView):
    def get(self, request):
        return Response(DelegationSerializer(my_delegations(request.user)[:200], many=True).data)

    @extend_schema(tags=TAGS, summary=_l("设定代理人"), request=DelegationInputSerializer,
                   responses={201: DelegationSerializer, **refusals(400, 401, 403, 415)})
    def post(self, request):
        given = DelegationInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        unit = Unit.objects.filter(short_name=data["unit"]).first()
        delegation = delegation_services.delegation_create(
            actor=request.user, substitute_username=data["substitute"], unit_id=unit.pk if unit else 0,
            role=data["role"], starts_on=data["starts_on"], ends_on=data["ends_on"], reason=data["reason"])
        return Response(DelegationSerializer(delegation).data, status=201)


@extend_schema(tags=TAGS, summary=_l("撤销代理"), request=None,
               responses={200: DelegationSerializer, **refusals(401, 404, 409, 415)})
class DelegationRevokeView(WriteView):
    def post(self, request, pk: int):
        delegation = delegation_services.delegation_revoke(actor=request.user, delegation_id=pk)
        return Response(DelegationSerializer(delegation).data)


# --- plan revisions --------------------------------------------------------------------------

class RevisionInputSerializer(serializers.Serializer):
    file = serializers.FileField(label=_l("修订后的计划文件"))
    dry_run = serializers.BooleanField(required=False, default=False, label=_l("只比较，不应用"))
    profile = serializers.SlugRelatedField(slug_field="name", queryset=LayoutProfile.objects.all(), required=False,
                                           allow_null=True, default=None, label=_l("版式方案名称（按其列映射读取文件）"))
    fingerprint = serializers.CharField(required=False, allow_blank=True, default="", max_length=64,
                                        label=_l("预览时返回的差异指纹；给出时，只有差异未变才应用"))


class TaskSnapshotSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    section = serializers.CharField()
    text = serializers.CharField()
    lead_units = serializers.CharField()
    responsible_terms = serializers.CharField()
    cooperating_units = serializers.CharField()


class TaskChangeSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                   help_text=_l("字段名 → [修订前, 修订后]"))


class RevisionResultSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    plan_title = serializers.CharField()
    doc_number = serializers.CharField()
    filename = serializers.CharField()
    sha256 = serializers.CharField()
    fingerprint = serializers.CharField()
    added = TaskSnapshotSerializer(many=True)
    removed = TaskSnapshotSerializer(many=True)
    changed = TaskChangeSerializer(many=True)
    assignments_to_withdraw = serializers.IntegerField()
    accepted_kept = serializers.IntegerField()
    applied = serializers.BooleanField()
    revision = serializers.IntegerField(allow_null=True)
    created_assignments = serializers.IntegerField(allow_null=True)
    withdrawn_assignments = serializers.IntegerField(allow_null=True)


@extend_schema(tags=[_l("计划")], summary=_l("修订计划：比较差异（dry_run）或应用"),
               request={"multipart/form-data": RevisionInputSerializer},
               responses={200: RevisionResultSerializer, **refusals(400, 401, 403, 404, 409, 413, 415)})
class PlanReviseView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    def post(self, request, pk: int):
        given = RevisionInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        upload = given.validated_data["file"]
        data = upload.read()
        profile = given.validated_data["profile"]
        mapping = LayoutMapping.from_dict(profile.mapping) if profile is not None else None
        preview = revisions.plan_revision_preview(actor=request.user, data=data, filename=upload.name, plan_id=pk,
                                                  mapping=mapping)
        answer = {**preview.to_dict(), "applied": False, "revision": None, "created_assignments": None,
                  "withdrawn_assignments": None}
        if not given.validated_data["dry_run"]:
            revision = revisions.plan_revise(actor=request.user, data=data, filename=upload.name, plan_id=pk,
                                             fingerprint=given.validated_data["fingerprint"] or None, mapping=mapping)
            answer.update(applied=True, revision=revision.number,
                          created_assignments=revision.diff["created_assignments"],
                          withdrawn_assignments=len(revision.diff["withdrawn_assignments"]))
        return Response(RevisionResultSerializer(answer).data)
