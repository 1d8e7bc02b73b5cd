"""Who belongs to which unit in which role (a person may hold several)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SUBMITTER = "submitter", _("承办人")
    REVIEWER = "reviewer", _("牵头审核人")
    SUPERVISOR = "supervisor", _("督办验收人")
    AUDITOR = "auditor", _("审计人员")
    ADMIN = "admin", _("管理员")


class Membership(models.Model):
    """A person acts for ``unit`` in ``role``. Changed only through approvals.services."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships", verbose_name=_("用户"))
    unit = models.ForeignKey("workflows.Unit", on_delete=models.PROTECT, related_name="memberships",
                             verbose_name=_("单位"))
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(_("授予时间"), auto_now_add=True)

    class Meta:
        ordering = ["unit__order", "unit__short_name", "role", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")]
        verbose_name = _("单位角色")
        verbose_name_plural = _("单位角色")

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"
