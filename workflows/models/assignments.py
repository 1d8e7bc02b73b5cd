"""Assignments (承办件): one task × one responsible unit × one reporting round, and their evidence."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from .plans import Plan, Task, TaskParty
from .units import Unit

# What a standing task's light counts from while nothing is owed: never reached, so never red or yellow.
FAR_FUTURE = dt.date(9999, 12, 31)


class AssignmentState(models.TextChoices):
    ASSIGNED = "assigned", _("已交办")
    IN_PROGRESS = "in_progress", _("办理中")
    SUBMITTED = "submitted", _("已报送")
    LEAD_REVIEWED = "lead_reviewed", _("牵头审核通过")
    ACCEPTED = "accepted", _("已验收办结")
    # Closed without acceptance, history kept (see workflows.services.transfers and .revisions).
    TRANSFERRED = "transferred", _("已调整承办单位")
    NOT_APPLICABLE = "not_applicable", _("经核定不适用")
    WITHDRAWN = "withdrawn", _("任务已撤销")


# States in which the responsible unit still owes work: a transfer or a withdrawal may close them.
OPEN_STATES = (AssignmentState.ASSIGNED, AssignmentState.IN_PROGRESS, AssignmentState.SUBMITTED,
               AssignmentState.LEAD_REVIEWED)
# Closed without acceptance: the work went elsewhere or no longer exists. Progress, the dashboard
# and the scorecard count the work as it stands, so they leave these out (a transfer's successor
# is counted instead).
SUPERSEDED_STATES = (AssignmentState.TRANSFERRED, AssignmentState.NOT_APPLICABLE, AssignmentState.WITHDRAWN)
CLOSED_STATES = (AssignmentState.ACCEPTED, *SUPERSEDED_STATES)


class ReportingRound(models.Model):
    """A reporting round of a plan (e.g. 2018年度); each has its own assignments."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("计划"))
    name = models.CharField(_("轮次"), max_length=64)
    position = models.PositiveIntegerField(_("顺序"))
    opened_at = models.DateTimeField(_("开启时间"), auto_now_add=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("开启人"))

    class Meta:
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="round_name_unique"),
            models.UniqueConstraint(fields=["plan", "position"], name="round_position_unique"),
        ]
        verbose_name = _("报送轮次")
        verbose_name_plural = _("报送轮次")

    def __str__(self) -> str:
        return self.name


class Assignment(ConcurrentTransitionMixin, models.Model):
    """What one responsible unit must do for one task in one round.

    ``state`` changes only through the transitions below, called by the services in
    ``workflows.services.assignments``, which also check permissions and write the audit.
    """

    round = models.ForeignKey(ReportingRound, on_delete=models.PROTECT, related_name="assignments",
                              verbose_name=_("轮次"))
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("任务"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("责任单位"))
    # The responsible term that produced it ("市政府各部门", or the unit itself).
    source_party = models.ForeignKey(TaskParty, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="assignments", verbose_name=_("来源"))
    state = FSMField(_("状态"), default=AssignmentState.ASSIGNED, choices=AssignmentState.choices,
                     protected=True, max_length=16)
    due_date = models.DateField(_("办理期限"))
    # The due date at 交办; lateness counts from it unless an extension (延期申请) was approved.
    original_due_date = models.DateField(_("原定办理期限"), null=True, blank=True)
    extended_due_date = models.DateField(_("批准延期至"), null=True, blank=True)
    # 长期坚持: reports every period, never overdue as a whole, closed only by 办结销号 or the plan's end.
    standing = models.BooleanField(_("长期坚持"), default=False)
    # The earliest date of what is still owed before the final report: an unfiled period report or
    # an undone milestone (节点). Kept by workflows.services.periods.
    obligation_due = models.DateField(_("最近应报期限"), null=True, blank=True)
    # The date the light counts from (序时进度): the earlier of the due date and what is owed; for a
    # standing task only what is owed. Computed by the database, so every write keeps it right.
    light_due = models.GeneratedField(
        expression=Case(
            When(standing=True, then=Coalesce(F("obligation_due"), Value(FAR_FUTURE))),
            When(obligation_due__lt=F("due_date"), then=F("obligation_due")),
            default=F("due_date")),
        output_field=models.DateField(), db_persist=True, verbose_name=_("亮灯依据日期"))
    # The assignment this one replaced after an approved transfer request (申请调整承办单位).
    predecessor = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="successor", verbose_name=_("原承办件"))
    # The submitter inside the unit who handles it now (转交); rights stay with the unit's role.
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("经办人"))
    # Set once, at acceptance: was the accepted work submitted by the due date?
    on_time = models.BooleanField(_("按期完成"), null=True, blank=True)
    created_at = models.DateTimeField(_("交办时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "task", "unit"], name="assignment_unique_per_round"),
        ]
        indexes = [
            models.Index(fields=["state", "due_date"], name="assignment_state_due"),
            models.Index(fields=["state", "light_due"], name="assignment_state_light"),
            models.Index(fields=["unit", "state"], name="assignment_unit_state"),
        ]
        permissions = [
            ("work_assignment", _("可承办（报送）")),
            ("review_assignment", _("可审核（牵头部门）")),
            ("accept_assignment", _("可验收（督办单位）")),
        ]
        verbose_name = _("承办件")
        verbose_name_plural = _("承办件")

    def __str__(self) -> str:
        return f"{self.task.number}．{self.unit.short_name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("approvals:assignment_detail", args=[self.pk])

    @property
    def judged_due(self):
        """The date lateness counts from (考核): an approved extension's, else the original one."""
        return self.extended_due_date or self.original_due_date or self.due_date

    # Transitions change the state field only: no save, no I/O, no audit (see STYLE).
    @transition(field=state, source=AssignmentState.ASSIGNED, target=AssignmentState.IN_PROGRESS)
    def start(self) -> None:
        """Begin work (办理)."""

    @transition(field=state, source=AssignmentState.IN_PROGRESS, target=AssignmentState.SUBMITTED)
    def submit(self) -> None:
        """Submit the report and evidence (报送)."""

    @transition(field=state, source=AssignmentState.SUBMITTED, target=AssignmentState.IN_PROGRESS)
    def recall(self) -> None:
        """The unit takes its submission back before the lead department has opened it (撤回报送)."""

    @transition(field=state, source=AssignmentState.SUBMITTED, target=AssignmentState.LEAD_REVIEWED)
    def approve(self) -> None:
        """The lead department approves (牵头审核通过)."""

    @transition(field=state, source=[AssignmentState.SUBMITTED, AssignmentState.LEAD_REVIEWED],
                target=AssignmentState.IN_PROGRESS)
    def return_for_rework(self) -> None:
        """Send back for rework (退回), from review or from acceptance."""

    @transition(field=state, source=AssignmentState.LEAD_REVIEWED, target=AssignmentState.ACCEPTED)
    def accept(self) -> None:
        """The supervising office accepts (验收办结)."""

    @transition(field=state, source=OPEN_STATES, target=AssignmentState.TRANSFERRED)
    def transfer(self) -> None:
        """Close after an approved transfer request; a successor goes to the named unit (调整承办单位)."""

    @transition(field=state, source=OPEN_STATES, target=AssignmentState.NOT_APPLICABLE)
    def close_not_applicable(self) -> None:
        """Close after an approved "not applicable" request, without a successor (不适用)."""

    @transition(field=state, source=OPEN_STATES, target=AssignmentState.WITHDRAWN)
    def withdraw(self) -> None:
        """Close because a plan revision removed the task (任务撤销)."""


class AssignmentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Assignment, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class AssignmentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Assignment, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


class Submission(models.Model):
    """One frozen submission round: the written report and the files, as submitted."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="submissions")
    number = models.PositiveIntegerField(_("第几次报送"))
    report = models.TextField(_("书面报告"))
    no_file_statement = models.TextField(_("无佐证材料说明"), blank=True)
    files = models.ManyToManyField("Evidence", related_name="submissions", blank=True, verbose_name=_("佐证材料"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("报送时间"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_opinion = models.TextField(_("审核意见"), blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    acceptance_opinion = models.TextField(_("验收意见"), blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    returned_from = models.CharField(_("退回环节"), max_length=16, blank=True, choices=AssignmentState.choices)
    return_reason = models.TextField(_("退回理由"), blank=True)
    # The first time a person who may review it opened it: from then on the unit cannot recall it.
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    opened_at = models.DateTimeField(_("审核人查阅时间"), null=True, blank=True)
    recalled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    recalled_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        ordering = ["assignment", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "number"], name="submission_number_unique"),
            models.CheckConstraint(condition=~Q(report=""), name="submission_has_report"),
        ]
        verbose_name = _("报送")
        verbose_name_plural = _("报送")

    def __str__(self) -> str:
        return f"{self.assignment} 第{self.number}次报送"


def evidence_path(instance: Evidence, filename: str) -> str:
    # Server-chosen: the content hash and a random part; the uploader's name is metadata only.
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}-{instance.storage_token}"


class Evidence(models.Model):
    """A file uploaded as 佐证材料. Stored outside any public folder under a server-chosen name."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    storage_token = models.CharField(max_length=32, editable=False)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=100)
    kind = models.CharField(_("文件类别"), max_length=16)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("撤下时间"), null=True, blank=True)

    class Meta:
        ordering = ["assignment", "uploaded_at", "id"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self) -> str:
        return self.original_name


# What each waiting state asks, as the object permission whose holders have the work to do now.
WAITING_STATES = {
    "work_assignment": (AssignmentState.ASSIGNED, AssignmentState.IN_PROGRESS),
    "review_assignment": (AssignmentState.SUBMITTED,),
    "accept_assignment": (AssignmentState.LEAD_REVIEWED,),
}


class InboxItem(models.Model):
    """我的待办, kept ready: one row per (unit-role group, assignment) while that group has work on it.

    A derived table, never edited by hand: ``workflows.services.inbox.refresh_inbox`` rewrites an
    assignment's rows from its state, due date and the guardian permission rows each time one of
    those changes, and ``python manage.py rebuild_inbox --check`` compares the whole table with
    them. It lets the inbox read a person's waiting work by one index range (group, due date)
    instead of joining every permission the person's groups hold.
    """

    group = models.ForeignKey("auth.Group", on_delete=models.CASCADE, related_name="+", db_index=False)
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=20, choices=AssignmentState.choices)
    due_date = models.DateField()  # the assignment's light_due (workflows.lights): what the inbox sorts and lights by

    class Meta:
        verbose_name = _("待办索引")
        verbose_name_plural = _("待办索引")
        constraints = [models.UniqueConstraint(fields=["group", "assignment"], name="inbox_item_once")]
        indexes = [models.Index(fields=["group", "due_date", "assignment", "state"], name="inbox_item_group_due")]

    def __str__(self) -> str:
        return f"{self.group_id} · {self.assignment_id} · {self.state}"


class ReportDraft(models.Model):
    """What a clerk has typed into the 报送 form and not yet submitted: one per assignment and person.

    Saved as they type and restored when the page opens again (after an upload, a closed tab, a
    lost connection); deleted when the report is submitted. A draft is the person's own scratch,
    not a change to the assignment, so it is not in the audit trail; what is submitted is.
    """

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    report = models.TextField(_("书面报告"), blank=True)
    no_file_statement = models.TextField(_("无佐证材料说明"), blank=True)
    updated_at = models.DateTimeField(_("保存时间"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "user"], name="report_draft_once")]
        verbose_name = _("报送草稿")
        verbose_name_plural = _("报送草稿")

    def __str__(self) -> str:
        return f"{self.assignment_id} · {self.user_id}"
