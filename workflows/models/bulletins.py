"""The 通报 of a reporting period: the circulated document naming the units that reported on time,
late or not at all, and the tasks behind schedule, issued once as Word and PDF and never changed."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BulletinOverwriteError(RuntimeError):
    """An issued 通报 is a document of record: it is never changed or deleted."""


class PeriodBulletin(models.Model):
    """One issued 通报: what it says (``content``), its two files and their SHA-256, who got it."""

    plan = models.ForeignKey("workflows.Plan", on_delete=models.PROTECT, related_name="bulletins",
                             verbose_name=_("计划"))
    starts_on = models.DateField(_("报告期开始"))
    ends_on = models.DateField(_("报告期结束"))
    period_label = models.CharField(_("报告期"), max_length=32)
    number = models.CharField(_("文号"), max_length=64, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    issued_on = models.DateField(_("成文日期"))
    as_of = models.DateField(_("统计截至"))
    content = models.JSONField(_("内容"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("签发人"))
    issued_at = models.DateTimeField(_("签发时间"))
    docx = models.BinaryField(_("Word 文件"), editable=False)
    docx_sha256 = models.CharField(_("Word 文件 SHA-256"), max_length=64)
    pdf = models.BinaryField(_("PDF 文件"), editable=False)
    pdf_sha256 = models.CharField(_("PDF 文件 SHA-256"), max_length=64)
    recipients = models.JSONField(_("收件人"), default=list)

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["plan", "starts_on"], name="bulletin_plan_period")]
        verbose_name = _("进展通报")
        verbose_name_plural = _("进展通报")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise BulletinOverwriteError(f"bulletin {self.pk} was issued and cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise BulletinOverwriteError("bulletins are never deleted")
