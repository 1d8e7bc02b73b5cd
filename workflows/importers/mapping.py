"""A layout mapping: what the user said each column (or label) of a document means.

Saved as a named layout profile and reused on the next file of the same layout. Pure data.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .common import normalise_header
from .types import PlanParseError

COLUMN_ROLES = ("seq", "section", "task", "lead", "responsible", "cooperating", "deadline", "ignore")
LABEL_ROLES = ("lead", "responsible", "cooperating", "deadline", "person")

# What each role is called on the page and in messages.
ROLE_NAMES = {
    "seq": gettext_lazy("序号"),
    "section": gettext_lazy("分类"),
    "task": gettext_lazy("任务内容"),
    "lead": gettext_lazy("牵头单位"),
    "responsible": gettext_lazy("责任单位"),
    "cooperating": gettext_lazy("配合单位"),
    "deadline": gettext_lazy("完成时限"),
    "ignore": gettext_lazy("不导入"),
    "person": gettext_lazy("人员（不导入）"),
}


@dataclass(frozen=True)
class LayoutMapping:
    """``columns``: header text (or ``#N``, the Nth column from 1) → role; ``labels``: label → role."""

    columns: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    first_is_lead: bool | None = None

    @classmethod
    def from_dict(cls, data: dict) -> LayoutMapping:
        columns = {normalise_header(k) if not k.startswith("#") else k: v
                   for k, v in (data.get("columns") or {}).items()}
        labels = dict(data.get("labels") or {})
        for name, role in columns.items():
            if role not in COLUMN_ROLES:
                raise PlanParseError(_("映射中“%(name)s”的用途“%(role)s”无效") % {"name": name, "role": role})
        for name, role in labels.items():
            if role not in LABEL_ROLES:
                raise PlanParseError(_("映射中标签“%(name)s”的用途“%(role)s”无效") % {"name": name, "role": role})
        return cls(columns=columns, labels=labels, first_is_lead=data.get("first_is_lead"))

    def to_dict(self) -> dict:
        return {"columns": dict(self.columns), "labels": dict(self.labels), "first_is_lead": self.first_is_lead}

    def role_of_column(self, index: int, header: str) -> str | None:
        return self.columns.get(f"#{index + 1}") or self.columns.get(normalise_header(header))

    def names_column(self, header: str) -> bool:
        return bool(normalise_header(header)) and normalise_header(header) in self.columns

    @property
    def empty(self) -> bool:
        return not self.columns and not self.labels and self.first_is_lead is None


def role_named(text: str, roles=COLUMN_ROLES) -> str | None:
    """A role from its code (lead) or its name (牵头单位 / 牵头), for a command line."""
    text = text.strip()
    if text in roles:
        return text
    for role in roles:
        name = str(ROLE_NAMES[role])
        if text == name or (len(text) >= 2 and name.startswith(text)):
            return role
    return None


def with_changes(base: LayoutMapping | None, *, columns: dict[str, str] | None = None,
                 labels: dict[str, str] | None = None) -> LayoutMapping:
    """``base`` (or an empty mapping) with some columns' or labels' roles replaced."""
    base = base or LayoutMapping()
    return LayoutMapping(columns={**base.columns, **{normalise_header(k) if not k.startswith("#") else k: v
                                                     for k, v in (columns or {}).items()}},
                         labels={**base.labels, **(labels or {})}, first_is_lead=base.first_is_lead)


def column_key(index: int, header: str, headers: list[str]) -> str:
    """How a mapping names a column: its header text when that is unique, else its number (#3)."""
    name = normalise_header(header)
    if name and [normalise_header(h) for h in headers].count(name) == 1:
        return name
    return f"#{index + 1}"
