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


# How the audit trail names who acted: the roles above, and the system itself (background jobs).
ROLE_LABELS = {**dict(Role.choices), "system": _("系统")}


class Membership(models.Model):
    """A person acts for ``unit`` in ``role``. Changed only through workflows.services.memberships."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships", verbose_name=_("用户"))
    unit = models.ForeignKey("workflows.Unit", on_delete=models.PROTECT, related_name="memberships",
                             verbose_name=_("单位"))
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(_("授予时间"), auto_now_add=True)

    class Meta:
        ordering = ["unit__order", "unit__short_name", "role", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")]
        db_table = "approvals_membership"  # the table it has had since before the model moved here
        verbose_name = _("单位角色")
        verbose_name_plural = _("单位角色")

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class UnitRoleGroup(models.Model):
    """The auth group that holds one unit role's object permissions (e.g. 市财政局 · 承办人).

    Object permissions on assignments are granted to these groups, never to people, so a
    person gains or loses them exactly when a Membership is granted or revoked.
    """

    unit = models.ForeignKey("workflows.Unit", on_delete=models.CASCADE, related_name="role_groups")
    role = models.CharField(max_length=16, choices=Role.choices)
    group = models.OneToOneField("auth.Group", on_delete=models.CASCADE, related_name="unit_role")

    class Meta:
        db_table = "approvals_unitrolegroup"
        constraints = [models.UniqueConstraint(fields=["unit", "role"], name="unit_role_group_unique")]

    def __str__(self) -> str:
        return self.group.name
