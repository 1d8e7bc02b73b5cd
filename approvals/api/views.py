"""The JSON API. Each view looks up through a selector scoped to the caller, calls one service
and lets ``approvals.api.errors.api_exception_handler`` turn refusals into answers."""
from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from guardian.core import ObjectPermissionChecker
from rest_framework import generics, permissions
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from workflows.access.policies import available_actions, can_view_plans, sees_all_assignments
from workflows.access.scopes import assignments_visible_to
from workflows.lights import light_q, with_light
from workflows.models import Plan, Submission, Task
from workflows.services import assignments as assignment_services
from workflows.services import dispatch as dispatch_services
from workflows.services import plan_entry as plan_entry_services
from workflows.services.archive import archive_response
from workflows.services.errors import ActionError, NotFound
from workflows.services.evidence import evidence_upload

from . import serializers as s

REFUSALS = {status: OpenApiResponse(s.ErrorSerializer, description=text) for status, text in {
    400: _l("字段有误（errors 列出各字段）"), 401: _l("未登录或令牌无效"), 403: _l("可见但无权操作"),
    404: _l("不存在或对调用者不可见"), 409: _l("状态不允许（state 为当前状态）"), 413: _l("文件过大"),
    415: _l("请求内容类型不受支持"),
    503: _l("登记的存储文件缺失（完整性校验失败），已记录"),
}.items()}


def refusals(*codes: int) -> dict:
    return {code: REFUSALS[code] for code in codes}


class BoundedJSONParser(JSONParser):
    """Refuse (413) a JSON body above DATA_UPLOAD_MAX_MEMORY_SIZE, as Django does for forms.

    DRF reads the request stream itself, so Django's own limit never sees a JSON body.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and stream is not None:
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise RequestDataTooBig(_("请求内容过大"))
            stream = io.BytesIO(body)
        return super().parse(stream, media_type, parser_context)


class WriteView(APIView):
    """A view that accepts a body: JSON (bounded) or a form."""

    parser_classes = [BoundedJSONParser, FormParser, MultiPartParser]


class UnknownEndpointView(APIView):
    """Answer any other address under /api/ in the API's own shape, not with an HTML page."""

    authentication_classes: list = []
    permission_classes: list = []
    schema = None

    def initial(self, request, *args, **kwargs):
        raise NotFound(_("接口不存在"))


class AssignmentPagination(CursorPagination):
    ordering = ("due_date", "id")


class PlanPagination(CursorPagination):
    ordering = ("-imported_at", "-id")


class CanViewPlans(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return can_view_plans(request.user)


def _with_rounds(queryset, *, full: bool = True):
    """Prefetch every submission: the detail's rounds (with people and files when ``full``), and
    the latest one that separation of duties needs, in one query per relation."""
    submissions = Submission.objects.order_by("number")
    if full:
        submissions = (submissions.select_related("submitted_by", "reviewed_by", "accepted_by", "returned_by")
                       .prefetch_related("files"))
    return queryset.prefetch_related(Prefetch("submissions", queryset=submissions, to_attr="submission_list"))


def attach_available_actions(user, assignments) -> None:
    """Set ``available_actions`` on each assignment, with the caller's object permissions for all
    of them fetched at once (a constant number of queries, whatever the page holds)."""
    assignments = list(assignments)
    if not assignments:
        return
    checker = ObjectPermissionChecker(user)
    checker.prefetch_perms(assignments)
    sees_all = sees_all_assignments(user)
    for assignment in assignments:
        perms = set(checker.get_perms(assignment)) | ({"view_assignment"} if sees_all else set())
        rounds = assignment.submission_list
        assignment.available_actions = available_actions(
            user, assignment, perms=perms, submission=rounds[-1] if rounds else None)


def require_visible(request, pk: int) -> None:
    """Refuse (404) an assignment that is absent or hidden from the caller: both look alike."""
    if not assignments_visible_to(request.user).filter(pk=pk).exists():
        raise NotFound(_("承办件不存在"))


def visible_assignment(request, pk: int):
    """The assignment as this caller may see it, with its rounds and actions; 404 otherwise."""
    assignment = _with_rounds(assignments_visible_to(request.user)).filter(pk=pk).first()
    if assignment is None:
        raise NotFound(_("承办件不存在"))
    attach_available_actions(request.user, [assignment])
    return assignment


@extend_schema(tags=[_l("承办件")], summary=_l("可见的承办件"), parameters=[s.AssignmentFilterSerializer],
               responses={200: s.AssignmentSerializer(many=True), **refusals(400, 401),
                          404: OpenApiResponse(s.ErrorSerializer, description=_l("无效游标"))})
class AssignmentListView(generics.ListAPIView):
    """The assignments the caller may see, by due date, filtered by state, task, unit or plan."""

    serializer_class = s.AssignmentSerializer
    pagination_class = AssignmentPagination

    def get_queryset(self):
        filters = s.AssignmentFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        queryset = with_light(_with_rounds(assignments_visible_to(self.request.user), full=False))
        if "light" in wanted:
            queryset = queryset.filter(light_q(wanted.pop("light")))
        lookups = {"state": "state", "task": "task_id", "unit": "unit__short_name", "plan": "task__plan_id"}
        return queryset.filter(**{lookups[key]: value for key, value in wanted.items()})

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        attach_available_actions(request.user, page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(tags=[_l("承办件")], summary=_l("承办件详情"), responses={200: s.AssignmentDetailSerializer, **refusals(401, 404)})
class AssignmentDetailView(APIView):
    def get(self, request, pk: int):
        assignment = visible_assignment(request, pk)
        # A reviewer reading it here has opened it as on the page: the unit can no longer recall it.
        assignment_services.submission_mark_opened(actor=request.user, assignment=assignment)
        return Response(s.AssignmentDetailSerializer(assignment).data)


class AssignmentActionView(WriteView):
    """POST one transition; answer with the assignment as it now is."""

    input_serializer = s.NoInputSerializer

    def perform(self, actor, pk: int, data: dict) -> None:
        raise NotImplementedError

    def post(self, request, pk: int):
        require_visible(request, pk)
        given = self.input_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            self.perform(request.user, pk, given.validated_data)
        except ActionError as exc:
            if exc.status == 409:
                # Name the state the assignment is in now, which may have changed meanwhile.
                exc.state = assignments_visible_to(request.user).filter(pk=pk).values_list("state", flat=True).first()
            raise
        return Response(s.AssignmentDetailSerializer(visible_assignment(request, pk)).data)


def _action_schema(summary, request_serializer):
    return extend_schema(tags=[_l("承办件")], summary=summary, request=request_serializer,
                         responses={200: s.AssignmentDetailSerializer, **refusals(400, 401, 403, 404, 409, 415)})


@_action_schema(_l("开始办理"), None)
class StartView(AssignmentActionView):
    def perform(self, actor, pk, data):
        assignment_services.assignment_start(actor=actor, assignment_id=pk)


@_action_schema(_l("报送"), s.SubmitSerializer)
class SubmitView(AssignmentActionView):
    input_serializer = s.SubmitSerializer

    def perform(self, actor, pk, data):
        assignment_services.assignment_submit(actor=actor, assignment_id=pk, report=data["report"],
                                              no_file_statement=data["no_file_statement"],
                                              evidence_ids=data["evidence_ids"])


@_action_schema(_l("撤回报送（牵头审核单位查阅前）"), s.RecallSerializer)
class RecallView(AssignmentActionView):
    input_serializer = s.RecallSerializer

    def perform(self, actor, pk, data):
        assignment_services.assignment_recall(actor=actor, assignment_id=pk, reason=data["reason"])


@_action_schema(_l("牵头审核通过"), s.OpinionSerializer)
class ApproveView(AssignmentActionView):
    input_serializer = s.OpinionSerializer

    def perform(self, actor, pk, data):
        assignment_services.assignment_approve(actor=actor, assignment_id=pk, opinion=data["opinion"])


@_action_schema(_l("退回"), s.ReturnSerializer)
class ReturnView(AssignmentActionView):
    input_serializer = s.ReturnSerializer

    def perform(self, actor, pk, data):
        assignment_services.assignment_return(actor=actor, assignment_id=pk, reason=data["reason"])


@_action_schema(_l("验收办结"), s.OpinionSerializer)
class AcceptView(AssignmentActionView):
    input_serializer = s.OpinionSerializer

    def perform(self, actor, pk, data):
        assignment_services.assignment_accept(actor=actor, assignment_id=pk, opinion=data["opinion"])


@extend_schema(tags=[_l("承办件")], summary=_l("上传佐证材料"), request={"multipart/form-data": s.EvidenceUploadSerializer},
               responses={201: s.EvidenceSerializer, **refusals(400, 401, 403, 404, 409, 413, 415)})
class EvidenceUploadView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    def post(self, request, pk: int):
        require_visible(request, pk)
        given = s.EvidenceUploadSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        evidence = evidence_upload(actor=request.user, assignment_id=pk, upload=given.validated_data["file"])
        return Response(s.EvidenceSerializer(evidence).data, status=201)


@extend_schema(tags=[_l("承办件")], summary=_l("下载归档 PDF"),
               responses={(200, "application/pdf"): OpenApiResponse(description=_l("签章的归档 PDF")),
                          **refusals(401, 404, 409, 503)},
               description=_l("409：尚在生成中，或存储的文件与登记的哈希值不符（完整性校验失败，已记录）；503：存储文件缺失。"))
class ArchivePdfView(APIView):
    """The signed archive of accepted work, checked against its hash; each download is recorded."""

    def get(self, request, pk: int):
        require_visible(request, pk)
        return archive_response(request.user, pk)


def _plans():
    return Plan.objects.select_related("supervising_unit").annotate(task_count=Count("tasks"))


@extend_schema(tags=[_l("计划")], summary=_l("计划列表"), responses={200: s.PlanSerializer(many=True), **refusals(401),
                                                                                   404: OpenApiResponse(s.ErrorSerializer, description=_l("无效游标"))})
class PlanListView(generics.ListAPIView):
    serializer_class = s.PlanSerializer
    pagination_class = PlanPagination
    permission_classes = [CanViewPlans]
    parser_classes = WriteView.parser_classes

    def get_queryset(self):
        return _plans()

    @extend_schema(summary=_l("新建计划（无文件：领导批示、会议议定等），连同其督办事项"), request=s.PlanEntrySerializer,
                   responses={201: s.PlanDetailSerializer, **refusals(400, 401, 403, 415)})
    def post(self, request):
        given = s.PlanEntrySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        plan = plan_entry_services.plan_create(
            actor=request.user, items=[plan_entry_services.ItemEntry(**item) for item in data["items"]],
            **{name: data[name] for name in ("title", "origin", "origin_reference", "supervising_unit",
                                             "doc_number", "issuer", "issued_on")})
        return Response(s.PlanDetailSerializer(_plan_detail(plan.pk)).data, status=201)


@extend_schema(tags=[_l("计划")], summary=_l("向无文件的计划添加一项督办事项"), request=s.PlanItemEntrySerializer,
               responses={201: s.TaskSerializer, **refusals(400, 401, 403, 404, 415)})
class PlanItemCreateView(WriteView):
    permission_classes = [CanViewPlans]

    def post(self, request, pk: int):
        given = s.PlanItemEntrySerializer(data=request.data)
        given.is_valid(raise_exception=True)
        task = plan_entry_services.plan_add_item(actor=request.user, plan_id=pk,
                                                 item=plan_entry_services.ItemEntry(**given.validated_data))
        task = Task.objects.prefetch_related("party_set", "deadlines", "targets").get(pk=task.pk)
        return Response(s.TaskSerializer(task).data, status=201)


def _plan_detail(pk: int):
    tasks = Task.objects.prefetch_related("party_set", "deadlines", "targets").order_by("number")
    return _plans().prefetch_related("rounds", Prefetch("sections__tasks", queryset=tasks)).filter(pk=pk).first()


@extend_schema(tags=[_l("计划")], summary=_l("计划详情（部分与任务）"),
               responses={200: s.PlanDetailSerializer, **refusals(401, 404)})
class PlanDetailView(APIView):
    permission_classes = [CanViewPlans]

    def get(self, request, pk: int):
        plan = _plan_detail(pk)
        if plan is None:
            raise NotFound(_("计划不存在"))
        return Response(s.PlanDetailSerializer(plan).data)


def _dispatch_answer(result) -> dict:
    return {"round": result.round, "created_count": len(result.created), "problems": result.problems,
            "awaiting": [{"task": number, "term": term} for number, term in result.awaiting_selection]}


@extend_schema(tags=[_l("计划")], summary=_l("交办计划（或其中一项任务）"), request=s.DispatchSerializer,
               responses={200: s.DispatchResultSerializer, **refusals(400, 401, 403, 404, 415)})
class PlanDispatchView(WriteView):
    permission_classes = [CanViewPlans]

    def post(self, request, pk: int):
        plan = Plan.objects.filter(pk=pk).first()
        if plan is None:
            raise NotFound(_("计划不存在"))
        given = s.DispatchSerializer(data=request.data, context={"plan": plan})
        given.is_valid(raise_exception=True)
        result = dispatch_services.plan_dispatch(actor=request.user, plan_id=plan.pk,
                                                 round_id=given.validated_data["round"],
                                                 task_id=given.validated_data["task"])
        return Response(s.DispatchResultSerializer(_dispatch_answer(result)).data)


@extend_schema(tags=[_l("计划")], summary=_l("牵头部门选定“相关”承办单位"), request=s.SelectUnitsSerializer,
               parameters=[OpenApiParameter("pk", int, OpenApiParameter.PATH, description=_l("任务 ID"))],
               responses={200: s.DispatchResultSerializer, **refusals(400, 401, 403, 404, 415)})
class TaskSelectUnitsView(WriteView):
    permission_classes = [CanViewPlans]

    def post(self, request, pk: int):
        task = Task.objects.select_related("plan").filter(pk=pk).first()
        if task is None:
            raise NotFound(_("任务不存在"))
        given = s.SelectUnitsSerializer(data=request.data, context={"task": task})
        given.is_valid(raise_exception=True)
        result = dispatch_services.task_select_units(actor=request.user, task_id=task.pk,
                                                     unit_names=given.validated_data["units"],
                                                     round_id=given.validated_data["round"])
        return Response(s.DispatchResultSerializer(_dispatch_answer(result)).data)
