"""Archives (归档): the signed PDF of an accepted assignment's completed report, written once."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .assignments import Assignment, Submission


class ArchiveStatus(models.TextChoices):
    PENDING = "pending", _("生成中")
    FAILED = "failed", _("生成失败，等待重试")
    DONE = "done", _("已归档")


class ArchiveOverwriteError(RuntimeError):
    """An archive that exists is never changed, overwritten or regenerated."""


class Archive(models.Model):
    """One per assignment (an assignment belongs to one reporting round), enforced by the database.

    The row is created as ``pending`` in the acceptance transaction; the rendering job fills
    in the file, its hash, size and signature time in the same transaction as one audit
    event, after which the row never changes again.
    """

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="archive",
                                      verbose_name=_("承办件"))
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("验收的报送"))
    status = models.CharField(_("状态"), max_length=16, choices=ArchiveStatus.choices,
                              default=ArchiveStatus.PENDING)
    requested_at = models.DateTimeField(_("请求时间"), auto_now_add=True)
    # Filled in once, when the file exists.
    file_name = models.CharField(_("存储文件"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签章时间"), null=True, blank=True)
    signer = models.CharField(_("签章证书"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    audit_seq = models.BigIntegerField(_("归档时审计序号"), null=True, blank=True)
    audit_hash = models.CharField(_("归档时审计链头哈希"), max_length=64, blank=True)
    # The job's attempts, visible to the supervisor while it is not done.
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_attempt_at = models.DateTimeField(_("最近尝试时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    render_seconds = models.FloatField(_("生成用时（秒）"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="done") | (~models.Q(sha256="") & ~models.Q(file_name="")
                                                      & models.Q(size__isnull=False)),
                name="archive_done_has_file",
            ),
        ]
        verbose_name = _("归档")
        verbose_name_plural = _("归档")

    def __str__(self) -> str:
        return f"{self.assignment_id} · {self.get_status_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == ArchiveStatus.DONE:
                raise ArchiveOverwriteError(f"archive {self.pk} is done and cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ArchiveOverwriteError("archives are never deleted")
