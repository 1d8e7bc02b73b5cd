"""Supervision (督办): the working calendar's corrections, reminders (催办), escalation notices (督办),
and the daily digests already sent."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .assignments import Assignment
from .units import Unit


class CalendarDay(models.Model):
    """An administrator's correction to the working calendar: a holiday, or a make-up working day (调休).

    It wins over the chinese-calendar package, which knows the State Council's arrangements only
    for the years it has been updated for.
    """

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True, help_text=_("例如：春节、国庆节调休上班"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日历调整")
        verbose_name_plural = _("工作日历调整")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_working_day else '休息'} {self.note}".strip()


class Reminder(models.Model):
    """A 催办 sent by the supervisor to a unit about one assignment, with a message."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="reminders",
                                   verbose_name=_("承办件"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("催办单位"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("催办人"))
    sent_on = models.DateField(_("催办日期"))
    sent_at = models.DateTimeField(_("催办时间"))
    message = models.TextField(_("催办内容"))
    recipients = models.JSONField(_("收件人"), default=list)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            # Sending the same 催办 twice on one day sends nothing new.
            models.UniqueConstraint(fields=["assignment", "sent_on"], name="reminder_once_a_day"),
        ]
        verbose_name = _("催办")
        verbose_name_plural = _("催办")

    def __str__(self) -> str:
        return f"{self.assignment} 催办 {self.sent_on:%Y-%m-%d}"


class EscalationLevel(models.IntegerChoices):
    FIRST = 1, _("首次督办通知")
    SECOND = 2, _("再次督办通知")
    LEADERSHIP = 3, _("报告领导")


class EscalationNotice(models.Model):
    """A rung of the 督办 ladder reached by an overdue assignment; each level at most once."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="escalations",
                                   verbose_name=_("承办件"))
    level = models.PositiveSmallIntegerField(_("督办级别"), choices=EscalationLevel.choices)
    issued_on = models.DateField(_("发出日期"))
    issued_at = models.DateTimeField(_("发出时间"))
    overdue_working_days = models.PositiveIntegerField(_("逾期工作日数"))
    recipients = models.JSONField(_("收件人"), default=list)

    class Meta:
        ordering = ["assignment", "level"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "level"], name="escalation_level_once"),
        ]
        verbose_name = _("督办通知")
        verbose_name_plural = _("督办通知")

    def __str__(self) -> str:
        return f"{self.assignment} {self.get_level_display()}"


class DigestSent(models.Model):
    """The daily reminder digest a person was sent: at most one per person per day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField(_("日期"))
    sent_at = models.DateTimeField(_("发送时间"))
    yellow = models.PositiveIntegerField(_("黄灯件数"), default=0)
    red = models.PositiveIntegerField(_("红灯件数"), default=0)

    class Meta:
        ordering = ["-sent_on", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "sent_on"], name="digest_once_a_day")]
        verbose_name = _("催办摘要邮件")
        verbose_name_plural = _("催办摘要邮件")

    def __str__(self) -> str:
        return f"{self.user} {self.sent_on:%Y-%m-%d} 黄灯{self.yellow} 红灯{self.red}"


class GeneratedReportStatus(models.TextChoices):
    PENDING = "pending", _("生成中")
    DONE = "done", _("已生成")
    FAILED = "failed", _("生成失败")


class GeneratedReport(models.Model):
    """A long document of a plan (its 进度报告 PDF) rendered off the request, kept for a while, then swept.

    Not an archive: it states the plan as of the moment it was made and is never signed or kept
    for good. A request while the same report is being made, or after one was made with nothing
    changed since (the same plan, round and day, and the same head of the audit trail: every
    change writes an event), gets that report instead of a new render.
    """

    plan = models.ForeignKey("workflows.Plan", on_delete=models.CASCADE, related_name="+", verbose_name=_("计划"))
    round = models.ForeignKey("workflows.ReportingRound", on_delete=models.CASCADE, null=True, blank=True,
                              related_name="+", verbose_name=_("报送轮次"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("申请人"))
    requested_at = models.DateTimeField(_("申请时间"))
    as_of = models.DateField(_("统计截至"))
    audit_seq = models.BigIntegerField(_("申请时审计序号"))
    status = models.CharField(_("状态"), max_length=16, choices=GeneratedReportStatus.choices,
                              default=GeneratedReportStatus.PENDING)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    seconds = models.FloatField(_("生成用时（秒）"), null=True, blank=True)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), null=True, blank=True)
    content = models.BinaryField(_("文件内容"), blank=True, default=b"", editable=False)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["plan", "as_of", "audit_seq"], name="generated_report_reuse")]
        verbose_name = _("生成的报告")
        verbose_name_plural = _("生成的报告")

    def __str__(self) -> str:
        return f"{self.plan_id} {self.as_of:%Y-%m-%d} {self.status}"
