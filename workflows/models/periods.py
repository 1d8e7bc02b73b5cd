"""The year of an assignment: its period reports (进展报告), milestones (节点计划) and extension
requests (延期申请). Periods live inside one assignment; a reporting round (轮次) is a new 交办."""
from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .assignments import Assignment


class PeriodStatus(models.TextChoices):
    """What is stored; the page also tells 未到期 and 逾期未报 apart from the date (workflows.periods)."""
    PENDING = "pending", _("待报送")
    SUBMITTED = "submitted", _("已报送")
    RETURNED = "returned", _("退回补报")
    READ = "read", _("已阅")


class PeriodReport(models.Model):
    """One period's progress report of one assignment: due on ``due_on``, filed once (again after a return)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="period_reports",
                                   verbose_name=_("承办件"))
    starts_on = models.DateField(_("报告期开始"))
    ends_on = models.DateField(_("报告期结束"))
    due_on = models.DateField(_("应报日期"))
    label = models.CharField(_("报告期"), max_length=32)
    status = models.CharField(_("状态"), max_length=16, choices=PeriodStatus.choices, default=PeriodStatus.PENDING)
    text = models.TextField(_("进展情况"), blank=True)
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"), null=True, blank=True,
                                               validators=[MaxValueValidator(100)])
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("报送人"))
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    late = models.BooleanField(_("逾期报送"), null=True, blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("退回人"))
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("阅示人"))
    read_at = models.DateTimeField(_("阅示时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        ordering = ["assignment", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "starts_on", "ends_on"], name="period_report_once"),
            models.CheckConstraint(condition=Q(status="pending") | ~Q(text=""), name="period_report_filed_has_text"),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="period_report_status_due")]
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.label} {self.status}"


class Milestone(models.Model):
    """A dated step (节点) of an assignment with its target; done when a period report says so."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="milestones",
                                   verbose_name=_("承办件"))
    position = models.PositiveIntegerField(_("顺序"))
    title = models.CharField(_("节点"), max_length=200)
    target = models.CharField(_("目标"), max_length=500, blank=True)
    due_on = models.DateField(_("计划完成日期"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    done_in = models.ForeignKey(PeriodReport, on_delete=models.PROTECT, null=True, blank=True, related_name="milestones_done",
                                verbose_name=_("完成于进展报告"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("设置人"))
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)
    removed_at = models.DateTimeField(_("删除时间"), null=True, blank=True)

    class Meta:
        ordering = ["assignment", "due_on", "position"]
        verbose_name = _("节点")
        verbose_name_plural = _("节点计划")

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.title} {self.due_on:%Y-%m-%d}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("不予批准")
    WITHDRAWN = "withdrawn", _("已撤回")


class ExtensionRequest(models.Model):
    """延期申请: asked before the due date with a reason and a new date; the original date is kept."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="extension_requests",
                                   verbose_name=_("承办件"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("申请人"))
    requested_at = models.DateTimeField(_("申请时间"))
    reason = models.TextField(_("延期理由"))
    due_before = models.DateField(_("申请时办理期限"))
    requested_due = models.DateField(_("申请延期至"))
    status = models.CharField(_("状态"), max_length=16, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("审批人"))
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One open request per assignment at a time.
            models.UniqueConstraint(fields=["assignment"], condition=Q(status="pending"),
                                    name="extension_one_pending"),
            models.CheckConstraint(condition=Q(requested_due__gt=models.F("due_before")),
                                   name="extension_moves_later"),
        ]
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")

    def __str__(self) -> str:
        return f"{self.assignment_id} → {self.requested_due:%Y-%m-%d} {self.status}"
