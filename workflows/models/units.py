"""The directory of units (机构) and the group terms documents use for them."""
from __future__ import annotations

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
    clashes += [str(u) for u in units] + [_("%(unit)s（别名）") % {"unit": a.unit} for a in aliases.select_related("unit")]
    clashes += [_("%(term)s（统称）") % {"term": t} for t in terms]
    if clashes:
        raise ValidationError({field: _("名称“%(name)s”已被使用：%(who)s") % {"name": name, "who": "、".join(clashes)}})
