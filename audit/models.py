"""The append-only, hash-chained audit trail."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .actions import action_label


class AppendOnlyError(RuntimeError):
    """Audit events are never updated or deleted."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit events are append-only: update refused")

    def delete(self):
        raise AppendOnlyError("audit events are append-only: delete refused")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("audit events are append-only: update refused")

    def _raw_delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events are append-only: delete refused")


class AuditEvent(models.Model):
    """One recorded change or attempt. Written only by ``audit.services.record_event``."""

    # The sequence number is the key: gap-free, assigned under the chain head's lock.
    seq = models.BigIntegerField(_("序号"), primary_key=True)
    occurred_at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+", verbose_name=_("操作人"))
    # Labels are copied, so the history still reads right after a user or unit is renamed.
    actor_label = models.CharField(_("操作人"), max_length=200, blank=True)
    unit = models.ForeignKey("workflows.Unit", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("所在单位"))
    unit_label = models.CharField(_("所在单位"), max_length=200, blank=True)
    role = models.CharField(_("角色"), max_length=32, blank=True)
    action = models.CharField(_("操作"), max_length=64)
    target_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_label = models.CharField(_("对象"), max_length=300, blank=True)
    plan_id = models.BigIntegerField(_("计划"), null=True, blank=True)
    task_id = models.BigIntegerField(_("任务"), null=True, blank=True)
    assignment_id = models.BigIntegerField(_("承办件"), null=True, blank=True)
    from_state = models.CharField(_("原状态"), max_length=32, blank=True)
    to_state = models.CharField(_("新状态"), max_length=32, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    details = models.TextField(_("详情（规范 JSON）"), default="{}")
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)
    ip = models.CharField(_("IP 地址"), max_length=64, blank=True)
    user_agent = models.CharField(_("浏览器标识"), max_length=300, blank=True)
    prev_hash = models.CharField(_("前一事件哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        # Each filter of the timeline pairs with seq, so keyset pages stay index-only at 1M rows.
        indexes = [
            models.Index(fields=["action", "seq"], name="audit_action_seq"),
            models.Index(fields=["actor", "seq"], name="audit_actor_seq"),
            models.Index(fields=["unit", "seq"], name="audit_unit_seq"),
            models.Index(fields=["plan_id", "seq"], name="audit_plan_seq"),
            models.Index(fields=["task_id", "seq"], name="audit_task_seq"),
            models.Index(fields=["assignment_id", "seq"], name="audit_assignment_seq"),
            models.Index(fields=["target_type", "target_id", "seq"], name="audit_target_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit events are append-only: update refused")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events are append-only: delete refused")

    @property
    def action_label(self) -> str:
        return action_label(self.action)


class AuditHead(models.Model):
    """The chain's head: one row, locked by every append so appends happen one at a time."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_head_single_row")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash}"


class AuditVerification(models.Model):
    """The outcome of a ``verify_audit`` run, shown on the auditors' page."""

    checked_at = models.DateTimeField(auto_now_add=True)
    ok = models.BooleanField()
    events = models.BigIntegerField()
    head_seq = models.BigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, blank=True)
    first_bad_seq = models.BigIntegerField(null=True, blank=True)
    problem = models.TextField(blank=True)
    checkpoints = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-checked_at", "-id"]
        get_latest_by = "checked_at"

    def __str__(self) -> str:
        return f"{self.checked_at:%Y-%m-%d %H:%M} {'OK' if self.ok else 'FAILED'} ({self.events})"


class AnonymousWindow(models.Model):
    """What one address (or, past the overall limit, every address: ``*``) sent without signing in
    during one window: a counter, not part of the trail.

    The first ``AUDIT_ANONYMOUS_EVENTS_PER_WINDOW`` events of an address in a window are recorded
    one by one; the rest are only counted here, and once the window has closed one
    ``access.anonymous_summary`` event records how many there were, when, and a few samples.
    """

    ip = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    recorded = models.PositiveIntegerField(default=0)
    suppressed = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField(null=True, blank=True)
    last_at = models.DateTimeField(null=True, blank=True)
    samples = models.JSONField(default=list)  # up to a few {"action", "path", "ip"}
    actions = models.JSONField(default=dict)  # suppressed count per action
    targets = models.JSONField(default=dict)  # suppressed count per target (a sign-in's user name), a few

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ip", "window_start"], name="audit_anonymous_window_once")]
        indexes = [models.Index(fields=["window_start"], name="audit_anonymous_window_start")]

    def __str__(self) -> str:
        return f"{self.ip} {self.window_start:%Y-%m-%d %H:%M} +{self.suppressed}"


class AuditCheckpoint(models.Model):
    """That a checkpoint line was written, and where: ``verify_audit`` then knows a checkpoint file
    that has gone missing, or lost lines, is a failure and not a trail that never had one."""

    seq = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    made_at = models.CharField(max_length=40)  # the line's own time, as written
    mac = models.CharField(max_length=128)
    file = models.CharField(max_length=500)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.made_at} → {self.file}"
