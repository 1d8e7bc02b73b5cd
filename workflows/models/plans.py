"""Imported plans, their sections and tasks, and the units each task names."""
from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .units import GroupTerm, Unit


def plan_source_path(instance: Plan, filename: str) -> str:
    # Server-chosen name: the content hash, never the uploader's file name.
    return f"plans/{instance.source_sha256}{instance.source_suffix}"


class PlanOrigin(models.TextChoices):
    """Where a plan's work came from: a document, or work that arrived without one."""

    DOCUMENT = "document", _("文件")
    INSTRUCTION = "instruction", _("领导批示")
    MEETING = "meeting", _("会议议定")
    OTHER = "other", _("其他")


class ReportCadence(models.TextChoices):
    """How often a plan's units report progress (进展报告); see workflows.periods."""
    NONE = "none", _("不定期报送")
    MONTHLY = "monthly", _("每月报送")
    QUARTERLY = "quarterly", _("每季度报送")
    HALF_YEARLY = "half-yearly", _("每半年报送")
    YEARLY = "yearly", _("每年报送")


class Plan(models.Model):
    """A plan (任务分解) imported from its document, or typed in for work that came without one."""

    title = models.CharField(_("标题"), max_length=300)
    doc_number = models.CharField(_("文号"), max_length=64, blank=True, db_index=True)
    issuer = models.CharField(_("发文机关"), max_length=200, blank=True)
    issued_on = models.DateField(_("成文日期"), null=True, blank=True)
    supervising_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="supervised_plans",
        verbose_name=_("督办单位"),
    )
    origin = models.CharField(_("来源"), max_length=16, choices=PlanOrigin.choices, default=PlanOrigin.DOCUMENT)
    # The 批示 number, meeting minutes or other reference of work that came without a document.
    origin_reference = models.CharField(_("来源说明"), max_length=300, blank=True)
    # The document, for an imported plan; empty for one typed in.
    source_file = models.FileField(_("原始文件"), upload_to=plan_source_path, max_length=200, blank=True)
    source_name = models.CharField(_("原始文件名"), max_length=255, blank=True)
    source_sha256 = models.CharField(_("文件 SHA-256"), max_length=64, unique=True, null=True, blank=True)
    source_size = models.PositiveBigIntegerField(_("文件大小（字节）"), null=True, blank=True)
    source_format = models.CharField(_("文件格式"), max_length=8, blank=True)
    source_suffix = models.CharField(max_length=8, blank=True, editable=False)
    warnings = models.JSONField(_("导入提示"), default=list, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="imported_plans", verbose_name=_("导入人"),
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    # Whether the task's lead department may decide transfer requests (else the supervisor only).
    lead_may_decide_transfers = models.BooleanField(_("牵头部门可审批调整承办单位申请"), default=False)
    # Periodic progress reports (进展报告): the cadence, and the day they are due (0: the period's last
    # day; N: day N of the month after the period), moved to the next working day.
    report_cadence = models.CharField(_("报送周期"), max_length=16, choices=ReportCadence.choices,
                                      default=ReportCadence.NONE)
    report_day = models.PositiveSmallIntegerField(
        _("报送日"), default=0, validators=[MaxValueValidator(28)],
        help_text=_("0 表示每期最后一天前报送；1—28 表示次月该日前报送（遇节假日顺延）"))
    ends_on = models.DateField(_("计划结束日期"), null=True, blank=True,
                               help_text=_("长期坚持类任务的进展报告报送到此日期"))
    lead_may_decide_extensions = models.BooleanField(_("牵头部门可审批延期申请"), default=False)

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("计划")
        verbose_name_plural = _("计划")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("plans:plan_detail", args=[self.pk])


class Section(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    numeral = models.CharField(_("序号"), max_length=16, blank=True)
    title = models.CharField(_("内容"), max_length=300, blank=True)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "position"], name="section_position_unique")]
        verbose_name = _("部分")
        verbose_name_plural = _("部分")

    def __str__(self) -> str:
        return f"{self.numeral}{self.title}"


class Task(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="tasks")
    number = models.PositiveIntegerField(_("任务编号"))
    text = models.TextField(_("工作任务"))
    source_line = models.PositiveIntegerField(_("原文行号"), null=True, blank=True)
    # The deadline as the document wrote it (a 完成时限 cell or label), what it means as a date and
    # as a reporting cadence (ongoing, monthly[:day], quarterly, half-yearly, yearly, weekly).
    deadline_text = models.CharField(_("完成时限（原文）"), max_length=200, blank=True)
    due_date = models.DateField(_("完成期限"), null=True, blank=True)
    cadence = models.CharField(_("报送周期"), max_length=16, blank=True)
    # Set when a plan revision removed the task; the row stays for its history.
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="task_number_unique")]
        verbose_name = _("任务")
        verbose_name_plural = _("任务")

    def __str__(self) -> str:
        return f"{self.number}．{self.text[:30]}"

    def _names(self, role: str) -> list[str]:
        # Reads the prefetched parties, so a whole plan costs one query for all of them.
        return [p.name for p in self.party_set.all() if p.role == role]

    @property
    def lead_names(self) -> list[str]:
        return self._names(PartyRole.LEAD)

    @property
    def responsible_names(self) -> list[str]:
        return self._names(PartyRole.RESPONSIBLE)

    @property
    def cooperating_names(self) -> list[str]:
        return self._names(PartyRole.COOPERATING)


class PartyRole(models.TextChoices):
    LEAD = "lead", _("牵头部门")
    RESPONSIBLE = "responsible", _("责任部门")
    COOPERATING = "cooperating", _("配合单位")


class TaskParty(models.Model):
    """A unit or group term that a task names in one role, in document order."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="party_set")
    role = models.CharField(max_length=16, choices=PartyRole.choices)
    position = models.PositiveIntegerField()
    name = models.CharField(_("原文名称"), max_length=200)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    group_term = models.ForeignKey(GroupTerm, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["task", "role", "position"]
        constraints = [
            models.UniqueConstraint(fields=["task", "role", "position"], name="party_position_unique"),
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(group_term__isnull=True))
                | (Q(unit__isnull=True) & Q(group_term__isnull=False)),
                name="party_is_unit_or_term",
            ),
            models.CheckConstraint(
                condition=~Q(role="lead") | Q(unit__isnull=False), name="lead_is_a_unit"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_principal_lead(self) -> bool:
        return self.role == PartyRole.LEAD and self.position == 0


class TaskDeadline(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="deadlines")
    position = models.PositiveIntegerField()
    date = models.DateField(_("期限"))
    phrase = models.CharField(_("原文"), max_length=200)

    class Meta:
        ordering = ["task", "position"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}（{self.phrase}）"


class TaskTarget(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="targets")
    position = models.PositiveIntegerField()
    value = models.CharField(_("指标值"), max_length=64)
    phrase = models.CharField(_("原文"), max_length=500)

    class Meta:
        ordering = ["task", "position"]

    def __str__(self) -> str:
        return f"{self.value}（{self.phrase}）"


class LayoutProfile(models.Model):
    """A named layout mapping: what each column (or label) of one office's documents means.

    Saved from the mapping step of an import and reused on the next file of the same layout
    (``import_plan --profile NAME``). ``mapping`` is :class:`workflows.importers.LayoutMapping`'s dict.
    """

    name = models.CharField(_("名称"), max_length=100, unique=True)
    mapping = models.JSONField(_("映射"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("版式方案")
        verbose_name_plural = _("版式方案")

    def __str__(self) -> str:
        return self.name
