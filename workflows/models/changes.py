"""Changes after dispatch: transfer requests, plan revisions and delegations."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .assignments import Assignment
from .plans import Plan, Task
from .units import Unit


class TransferKind(models.TextChoices):
    TRANSFER = "transfer", _("改由其他单位承办")
    NOT_APPLICABLE = "not_applicable", _("本单位不适用")


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("已驳回")


class TransferRequest(models.Model):
    """A responsible unit asks that an assignment go to another unit, or be closed as not applicable.

    Until decided the assignment stays the unit's, with its due date and light. Written only
    through ``workflows.services.transfers``.
    """

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="transfer_requests",
                                   verbose_name=_("承办件"))
    kind = models.CharField(_("申请类型"), max_length=16, choices=TransferKind.choices)
    target_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("建议承办单位"))
    reason = models.TextField(_("申请理由"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("申请人"))
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=16, choices=TransferStatus.choices,
                              default=TransferStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("审批人"))
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_reason = models.TextField(_("审批意见"), blank=True)
    successor = models.ForeignKey(Assignment, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("新承办件"))

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment"], condition=Q(status="pending"),
                                    name="one_pending_transfer_per_assignment"),
            models.CheckConstraint(condition=~Q(kind="transfer") | Q(target_unit__isnull=False),
                                   name="transfer_names_a_unit"),
        ]
        verbose_name = _("调整承办单位申请")
        verbose_name_plural = _("调整承办单位申请")

    def __str__(self) -> str:
        return f"{self.assignment} · {self.get_kind_display()} · {self.get_status_display()}"


class PlanRevision(models.Model):
    """A revised version of a plan, applied over it: what changed, task by task (``diff``)."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="revisions", verbose_name=_("计划"))
    number = models.PositiveIntegerField(_("修订次序"))
    source_name = models.CharField(_("修订文件名"), max_length=255)
    source_sha256 = models.CharField(_("文件 SHA-256"), max_length=64)
    diff = models.JSONField(_("变更内容"), default=dict)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("修订人"))
    applied_at = models.DateTimeField(_("修订时间"), auto_now_add=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_revision_number_unique"),
                       models.UniqueConstraint(fields=["plan", "source_sha256"], name="plan_revision_file_unique")]
        verbose_name = _("计划修订")
        verbose_name_plural = _("计划修订")

    def __str__(self) -> str:
        return f"{self.plan} · 第{self.number}次修订"


# How a changed field of a task is named on the screens (keys as in workflows.importers.diff).
CHANGE_FIELD_LABELS = {"section": _("所属部分"), "text": _("工作任务"), "lead_units": _("牵头部门"),
                       "responsible_terms": _("责任部门"), "cooperating_units": _("配合单位")}


class TaskChange(models.Model):
    """One task's change in a revision, shown to the units that hold its assignments."""

    revision = models.ForeignKey(PlanRevision, on_delete=models.PROTECT, related_name="task_changes")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("变更类型"), max_length=16)  # added / removed / changed
    fields = models.JSONField(_("变更字段"), default=dict)  # {"text": [before, after], ...}

    class Meta:
        ordering = ["revision", "task__number"]

    def __str__(self) -> str:
        return f"{self.revision} · 第{self.task.number}项 · {self.kind}"


class Delegation(models.Model):
    """A person names a colleague of the same unit and role as substitute for a date range.

    It gives no right: the substitute already holds the role in the unit (checked when it is
    made and when it is used); it makes the audit record the substitute's actions as "B for A"
    (B already sees the items: same unit, same role). It ends by itself after ``ends_on``.
    """

    principal = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_given",
                                  verbose_name=_("委托人"))
    substitute = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="delegations_received", verbose_name=_("代理人"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    role = models.CharField(_("角色"), max_length=16)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    reason = models.CharField(_("事由"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("设定时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="delegation_range_valid"),
            models.CheckConstraint(condition=~Q(principal=models.F("substitute")), name="delegation_not_to_self"),
        ]
        verbose_name = _("代理")
        verbose_name_plural = _("代理")

    def __str__(self) -> str:
        return f"{self.substitute} 代 {self.principal}（{self.unit} · {self.starts_on}—{self.ends_on}）"
