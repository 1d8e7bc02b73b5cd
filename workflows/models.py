"""Plans, their sections and tasks, and the directory of units (机构) they name."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    MUNICIPAL = "municipal", _("市政府部门")
    DISTRICT = "district", _("区镇")
    URBAN_OFFICE = "urban_office", _("城市管理办事处")
    OTHER = "other", _("其他")


class TermScope(models.TextChoices):
    ALL = "all", _("全部")
    RELEVANT = "relevant", _("相关（由牵头部门选定）")


class Unit(models.Model):
    """An organisation that leads or carries out tasks, named as documents name it."""

    short_name = models.CharField(_("简称"), max_length=64, unique=True)
    full_name = models.CharField(_("全称"), max_length=200, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=UnitKind.choices, default=UnitKind.OTHER)
    order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["order", "short_name"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")

    def __str__(self) -> str:
        return self.short_name

    def clean(self) -> None:
        _refuse_taken_name(self.short_name, "short_name", unit=self)
        if self.full_name:
            _refuse_taken_name(self.full_name, "full_name", unit=self)


class UnitAlias(models.Model):
    """Another name a document may use for a unit (an old name, a full form, a typo mapped once)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("单位"))
    name = models.CharField(_("别名"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("单位别名")
        verbose_name_plural = _("单位别名")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        _refuse_taken_name(self.name, "name", unit=self.unit, alias=self)


class GroupTerm(models.Model):
    """A collective term such as 市政府各部门 ("all of a kind") or 有关区镇 ("the relevant ones")."""

    term = models.CharField(_("统称"), max_length=64, unique=True)
    kind = models.CharField(_("单位类型"), max_length=16, choices=UnitKind.choices)
    scope = models.CharField(_("范围"), max_length=16, choices=TermScope.choices)

    class Meta:
        ordering = ["term"]
        verbose_name = _("单位统称")
        verbose_name_plural = _("单位统称")

    def __str__(self) -> str:
        return self.term

    def clean(self) -> None:
        _refuse_taken_name(self.term, "term", group_term=self)


def _refuse_taken_name(name: str, field: str, *, unit=None, alias=None, group_term=None) -> None:
    """Refuse a name that already means something else: one name, one meaning."""
    clashes = []
    units = Unit.objects.filter(Q(short_name=name) | Q(full_name=name))
    aliases = UnitAlias.objects.filter(name=name)
    if unit is not None and unit.pk:
        units = units.exclude(pk=unit.pk)
        aliases = aliases.exclude(unit_id=unit.pk) if alias is None else aliases
    if alias is not None and alias.pk:
        aliases = aliases.exclude(pk=alias.pk)
    terms = GroupTerm.objects.filter(term=name)
    if group_term is not None and group_term.pk:
        terms = terms.exclude(pk=group_term.pk)
    clashes += [str(u) for u in units] + [f"{a.unit}（别名）" for a in aliases.select_related("unit")]
    clashes += [f"{t}（统称）" for t in terms]
    if clashes:
        raise ValidationError({field: _("名称“%(name)s”已被使用：%(who)s") % {"name": name, "who": "、".join(clashes)}})


def plan_source_path(instance: Plan, filename: str) -> str:
    # Server-chosen name: the content hash, never the uploader's file name.
    return f"plans/{instance.source_sha256}{instance.source_suffix}"


class Plan(models.Model):
    """An imported plan document (任务分解) and where it came from."""

    title = models.CharField(_("标题"), max_length=300)
    doc_number = models.CharField(_("文号"), max_length=64, blank=True, db_index=True)
    issuer = models.CharField(_("发文机关"), max_length=200, blank=True)
    issued_on = models.DateField(_("成文日期"), null=True, blank=True)
    supervising_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="supervised_plans",
        verbose_name=_("督办单位"),
    )
    source_file = models.FileField(_("原始文件"), upload_to=plan_source_path, max_length=200)
    source_name = models.CharField(_("原始文件名"), max_length=255)
    source_sha256 = models.CharField(_("文件 SHA-256"), max_length=64, unique=True)
    source_size = models.PositiveBigIntegerField(_("文件大小（字节）"))
    source_format = models.CharField(_("文件格式"), max_length=8)
    source_suffix = models.CharField(max_length=8, blank=True, editable=False)
    warnings = models.JSONField(_("导入提示"), default=list, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="imported_plans", verbose_name=_("导入人"),
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("计划")
        verbose_name_plural = _("计划")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("workflows:plan_detail", args=[self.pk])


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
