"""What the API shows (output) and what it accepts (input); the services decide the rest."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from workflows.access.policies import ASSIGNMENT_ACTIONS
from workflows.ids import MAX_ID
from workflows.lights import DONE, LIGHTS, light_of
from workflows.models import (
    Archive,
    ArchiveStatus,
    Assignment,
    AssignmentState,
    Evidence,
    ExtensionRequest,
    ExtensionStatus,
    Milestone,
    PeriodReport,
    PeriodStatus,
    Plan,
    PlanOrigin,
    Submission,
    Task,
    TaskChange,
    Unit,
)

# Output ------------------------------------------------------------------------------------



class ErrorSerializer(serializers.Serializer):
    """The body of every refusal (for the schema)."""

    detail = serializers.CharField(help_text=_("中文说明"))
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False,
                                   help_text=_("仅 400：各字段的错误"))
    state = serializers.ChoiceField(choices=AssignmentState.choices, required=False,
                                    help_text=_("仅 409：承办件当前状态"))


class EvidenceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")

    class Meta:
        model = Evidence
        fields = ["id", "name", "content_type", "size", "sha256", "uploaded_at"]


class SubmissionSerializer(serializers.ModelSerializer):
    """One frozen submission round, with what happened to it afterwards."""

    files = EvidenceSerializer(many=True)
    submitted_by = serializers.CharField(source="submitted_by.username")
    reviewed_by = serializers.CharField(source="reviewed_by.username", default=None, allow_null=True)
    accepted_by = serializers.CharField(source="accepted_by.username", default=None, allow_null=True)
    returned_by = serializers.CharField(source="returned_by.username", default=None, allow_null=True)
    # A plain string: a second enum of the same states would only confuse the schema.
    returned_from = serializers.CharField(help_text=_("从哪个状态退回（submitted 或 lead_reviewed），未退回为空"))
    returned_from_label = serializers.CharField(source="get_returned_from_display")

    class Meta:
        model = Submission
        fields = ["number", "report", "no_file_statement", "files", "submitted_by", "submitted_at",
                  "reviewed_by", "reviewed_at", "review_opinion", "accepted_by", "accepted_at",
                  "acceptance_opinion", "returned_by", "returned_at", "returned_from", "returned_from_label",
                  "return_reason"]


class SectionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    numeral = serializers.CharField()
    title = serializers.CharField()


class TaskRefSerializer(serializers.ModelSerializer):
    plan = serializers.IntegerField(source="plan_id")
    section = SectionRefSerializer()

    class Meta:
        model = Task
        fields = ["id", "number", "text", "plan", "section"]


class AssignmentSerializer(serializers.ModelSerializer):
    """An assignment as a list row. ``available_actions`` is set on the object by the view."""

    state_label = serializers.CharField(source="get_state_display")
    unit = serializers.CharField(source="unit.short_name")
    task = TaskRefSerializer()
    round = serializers.CharField(source="round.name")
    available_actions = serializers.SerializerMethodField()
    light = serializers.SerializerMethodField(
        help_text=_("灯号：green 绿灯、yellow 黄灯（临近期限）、red 红灯（已逾期）；已验收办结为 done"))

    class Meta:
        model = Assignment
        fields = ["id", "state", "state_label", "unit", "task", "due_date", "original_due_date", "extended_due_date",
                  "light_due", "standing", "light", "on_time", "round", "round_id", "available_actions"]
        extra_kwargs = {"light_due": {"help_text": _("亮灯所依据的日期：办理期限、未报送的进展报告期限和未完成的节点期限中最早的一个")}}

    @extend_schema_field(serializers.ChoiceField(choices=[*LIGHTS, DONE]))
    def get_light(self, assignment) -> str:
        return getattr(assignment, "light", None) or light_of(assignment)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ASSIGNMENT_ACTIONS)))
    def get_available_actions(self, assignment) -> list[str]:
        return assignment.available_actions


class ArchiveSerializer(serializers.Serializer):
    """The archived PDF of accepted work: ``pending`` (生成中), ``failed`` (retrying) or ``done``."""

    status = serializers.ChoiceField(choices=ArchiveStatus.choices)
    sha256 = serializers.CharField(allow_blank=True)
    size = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField(allow_null=True)


class AssignmentTaskChangeSerializer(serializers.Serializer):
    """One plan revision's change to the task: added, removed, or changed fields as [before, after]."""

    revision = serializers.IntegerField(source="revision.number")
    applied_at = serializers.DateTimeField(source="revision.applied_at")
    kind = serializers.ChoiceField(choices=["added", "removed", "changed"])
    fields_changed = serializers.DictField(source="fields", child=serializers.ListField(child=serializers.CharField()))


class PeriodReportSerializer(serializers.ModelSerializer):
    """One period's progress report (进展报告) of the assignment."""

    status_label = serializers.CharField(source="get_status_display")
    submitted_by = serializers.CharField(source="submitted_by.username", default=None, allow_null=True)
    read_by = serializers.CharField(source="read_by.username", default=None, allow_null=True)
    returned_by = serializers.CharField(source="returned_by.username", default=None, allow_null=True)
    status = serializers.ChoiceField(choices=PeriodStatus.choices)

    class Meta:
        model = PeriodReport
        fields = ["id", "label", "starts_on", "ends_on", "due_on", "status", "status_label", "text", "percent",
                  "submitted_by", "submitted_at", "late", "read_by", "read_at", "returned_by", "returned_at",
                  "return_reason"]


class MilestoneSerializer(serializers.ModelSerializer):
    """A 节点 of the assignment; ``done_in`` is the period report that said it was done."""

    class Meta:
        model = Milestone
        fields = ["id", "title", "target", "due_on", "done_on", "done_in"]


class ExtensionRequestSerializer(serializers.ModelSerializer):
    """A 延期申请: the due date when asked (``due_before``) and the date asked for."""

    status = serializers.ChoiceField(choices=ExtensionStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    requested_by = serializers.CharField(source="requested_by.username")
    decided_by = serializers.CharField(source="decided_by.username", default=None, allow_null=True)

    class Meta:
        model = ExtensionRequest
        fields = ["id", "assignment", "requested_by", "requested_at", "reason", "due_before", "requested_due",
                  "status", "status_label", "decided_by", "decided_at", "decision_note"]


class AssignmentDetailSerializer(AssignmentSerializer):
    """An assignment with every submission round (``rounds``) prefetched by the view, and its
    archive (null until it is accepted; the file itself is at ``archive.pdf``)."""

    rounds = SubmissionSerializer(many=True, source="submission_list")
    archive = serializers.SerializerMethodField()
    predecessor = serializers.IntegerField(source="predecessor_id", allow_null=True, read_only=True,
                                           help_text=_("由调整承办单位而来时，原承办件的编号"))
    successor = serializers.SerializerMethodField(help_text=_("已调整承办单位时，新承办件的编号"))
    handler = serializers.SerializerMethodField(help_text=_("单位内经办人（转交后）的用户名"))
    task_changes = serializers.SerializerMethodField(help_text=_("计划修订对本任务的变更，最新的在前"))
    period_reports = serializers.SerializerMethodField(help_text=_("各期进展报告，按报告期先后"))
    milestones = serializers.SerializerMethodField(help_text=_("节点计划（已删除的不列）"))
    extension_requests = serializers.SerializerMethodField(help_text=_("延期申请，最新的在前"))

    class Meta(AssignmentSerializer.Meta):
        fields = [*AssignmentSerializer.Meta.fields, "rounds", "archive", "predecessor", "successor", "handler",
                  "task_changes", "period_reports", "milestones", "extension_requests"]

    @extend_schema_field(PeriodReportSerializer(many=True))
    def get_period_reports(self, assignment) -> list[dict]:
        rows = PeriodReport.objects.filter(assignment=assignment).select_related("submitted_by", "read_by",
                                                                                 "returned_by")
        return PeriodReportSerializer(rows, many=True).data

    @extend_schema_field(MilestoneSerializer(many=True))
    def get_milestones(self, assignment) -> list[dict]:
        return MilestoneSerializer(Milestone.objects.filter(assignment=assignment, removed_at__isnull=True),
                                   many=True).data

    @extend_schema_field(ExtensionRequestSerializer(many=True))
    def get_extension_requests(self, assignment) -> list[dict]:
        rows = ExtensionRequest.objects.filter(assignment=assignment).select_related("requested_by", "decided_by")
        return ExtensionRequestSerializer(rows, many=True).data

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_successor(self, assignment) -> int | None:
        return Assignment.objects.filter(predecessor=assignment).values_list("pk", flat=True).first()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_handler(self, assignment) -> str | None:
        return assignment.handler.username if assignment.handler_id else None

    @extend_schema_field(AssignmentTaskChangeSerializer(many=True))
    def get_task_changes(self, assignment) -> list[dict]:
        changes = (TaskChange.objects.filter(task_id=assignment.task_id).select_related("revision")
                   .order_by("-revision__number"))
        return AssignmentTaskChangeSerializer(changes, many=True).data

    @extend_schema_field(ArchiveSerializer(allow_null=True))
    def get_archive(self, assignment) -> dict | None:
        archive = Archive.objects.filter(assignment=assignment).first()
        return ArchiveSerializer(archive).data if archive else None


class TaskSerializer(serializers.ModelSerializer):
    lead_units = serializers.ListField(source="lead_names", child=serializers.CharField())
    responsible_terms = serializers.ListField(source="responsible_names", child=serializers.CharField())
    cooperating_units = serializers.ListField(source="cooperating_names", child=serializers.CharField())
    deadlines = serializers.SerializerMethodField()
    targets = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = ["id", "number", "text", "lead_units", "responsible_terms", "cooperating_units", "deadline_text",
                  "due_date", "cadence", "deadlines", "targets"]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_deadlines(self, task) -> list[dict]:
        return [{"date": d.date.isoformat(), "phrase": d.phrase} for d in task.deadlines.all()]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_targets(self, task) -> list[dict]:
        return [{"value": t.value, "phrase": t.phrase} for t in task.targets.all()]


class SectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    numeral = serializers.CharField()
    title = serializers.CharField()
    tasks = TaskSerializer(many=True, source="tasks.all")


class RoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PlanSerializer(serializers.ModelSerializer):
    supervising_unit = serializers.CharField(source="supervising_unit.short_name", default=None)
    task_count = serializers.IntegerField()

    class Meta:
        model = Plan
        fields = ["id", "title", "doc_number", "issuer", "issued_on", "supervising_unit", "origin",
                  "origin_reference", "task_count"]


class PlanDetailSerializer(PlanSerializer):
    rounds = RoundSerializer(many=True, source="rounds.all")
    sections = SectionSerializer(many=True, source="sections.all")

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "rounds", "sections"]


class AwaitingSelectionSerializer(serializers.Serializer):
    task = serializers.IntegerField(help_text=_("任务编号"))
    term = serializers.CharField(help_text=_("待牵头部门选定单位的责任部门统称"))


class DispatchResultSerializer(serializers.Serializer):
    round = RoundSerializer()
    created = serializers.IntegerField(source="created_count", help_text=_("新建承办件数"))
    problems = serializers.ListField(child=serializers.CharField())
    awaiting_selection = AwaitingSelectionSerializer(many=True, source="awaiting")


# Input -------------------------------------------------------------------------------------
# Only shapes and types are checked here; whether a field may be empty is the service's call,
# made after its permission check, so a caller without the right learns nothing more.

class AssignmentFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=AssignmentState.choices, required=False, label=_("状态"))
    task = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, label=_("任务 ID"))
    unit = serializers.CharField(required=False, max_length=64, label=_("责任单位简称"))
    plan = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, label=_("计划 ID"))
    light = serializers.ChoiceField(choices=[*LIGHTS, DONE], required=False, label=_("灯号"))


class SubmitSerializer(serializers.Serializer):
    report = serializers.CharField(required=False, allow_blank=True, default="", help_text=_("书面报告（必填）"))
    no_file_statement = serializers.CharField(required=False, allow_blank=True, default="",
                                              help_text=_("无佐证材料说明（没有文件时必填）"))
    evidence_ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
                                         allow_null=True, default=None,
                                         help_text=_("本次报送的佐证材料；省略则报送全部现有材料"))


class OpinionSerializer(serializers.Serializer):
    opinion = serializers.CharField(required=False, allow_blank=True, default="", help_text=_("意见（可选）"))


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text=_("退回理由（必填）"))


class RecallSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text=_("撤回说明（可选）"))


class NoInputSerializer(serializers.Serializer):
    pass


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(error_messages={"required": _("请选择要上传的文件"),
                                                 "empty": _("上传的文件是空的"),
                                                 "invalid": _("请以 multipart/form-data 上传文件")})


class DispatchSerializer(serializers.Serializer):
    round = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID)
    task = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID)

    def validate_round(self, value):
        plan = self.context["plan"]
        if value is not None and not plan.rounds.filter(pk=value).exists():
            raise serializers.ValidationError(_("该计划没有这个报送轮次"))
        return value

    def validate_task(self, value):
        plan = self.context["plan"]
        if value is not None and not plan.tasks.filter(pk=value).exists():
            raise serializers.ValidationError(_("该计划没有这项任务"))
        return value


def _names_field(label):
    return serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list,
                                 max_length=200, help_text=label)


class PlanItemEntrySerializer(serializers.Serializer):
    """One typed item (督办事项): names from the directory, group terms allowed."""

    text = serializers.CharField(max_length=4000, allow_blank=True, default="", label=_("事项内容"))
    lead = _names_field(_("牵头单位（单位简称或全称）"))
    responsible = _names_field(_("责任单位；可写单位统称，不填则由牵头单位承办"))
    cooperating = _names_field(_("配合单位"))
    deadline = serializers.CharField(max_length=200, allow_blank=True, default="",
                                     help_text=_("完成时限，照写，如“2026年6月底前”“每季度”“长期坚持”"))


class PlanEntrySerializer(serializers.Serializer):
    """A plan that came without a document (领导批示、会议议定…), with its items."""

    title = serializers.CharField(max_length=300, allow_blank=True, default="", label=_("标题"))
    origin = serializers.ChoiceField(choices=PlanOrigin.choices, label=_("来源"))
    origin_reference = serializers.CharField(max_length=300, allow_blank=True, default="",
                                             help_text=_("来源说明：批示编号、会议纪要或文件名称；来源为“其他”时可不填"))
    supervising_unit = serializers.CharField(max_length=64, required=False, allow_null=True, default=None,
                                             help_text=_("督办单位简称"))
    doc_number = serializers.CharField(max_length=64, allow_blank=True, default="", label=_("文号"))
    issuer = serializers.CharField(max_length=200, allow_blank=True, default="", label=_("发文机关"))
    issued_on = serializers.DateField(required=False, allow_null=True, default=None, label=_("成文日期"))
    items = PlanItemEntrySerializer(many=True, max_length=200)

    def validate_supervising_unit(self, value):
        if not value:
            return None
        unit = Unit.objects.filter(short_name=value, is_active=True).first()
        if unit is None:
            raise serializers.ValidationError(_("单位名录中没有“%(name)s”") % {"name": value})
        return unit


class SelectUnitsSerializer(serializers.Serializer):
    units = serializers.ListField(child=serializers.CharField(max_length=64), required=False, default=list,
                                  help_text=_("单位简称"))
    round = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID)

    def validate_round(self, value):
        task = self.context["task"]
        if value is not None and not task.plan.rounds.filter(pk=value).exists():
            raise serializers.ValidationError(_("该计划没有这个报送轮次"))
        return value
