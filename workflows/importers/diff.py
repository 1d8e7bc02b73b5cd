"""Compare a plan as stored with a revised version of it, task by task. Pure: no database.

Tasks are matched by their number. A task is *added* when the revision has a number the plan
does not, *removed* when the plan has one the revision lacks, and *changed* when any of its
text, section, lead units, responsible terms or cooperating units differ.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .types import ParsedPlan

COMPARED = ("section", "text", "lead_units", "responsible_terms", "cooperating_units")
SEP = "、"


@dataclass(frozen=True)
class TaskSnapshot:
    """What a task says, in comparable form (lists joined in document order)."""

    number: int
    section: str
    text: str
    lead_units: tuple[str, ...]
    responsible_terms: tuple[str, ...]
    cooperating_units: tuple[str, ...] = ()

    def value(self, name: str) -> str:
        value = getattr(self, name)
        return SEP.join(value) if isinstance(value, tuple) else value

    def to_dict(self) -> dict:
        return {"number": self.number, **{name: self.value(name) for name in COMPARED}}


@dataclass
class PlanDiff:
    added: list[TaskSnapshot] = field(default_factory=list)
    removed: list[TaskSnapshot] = field(default_factory=list)
    # (number, {field: (before, after)}) for each changed task, by number.
    changed: list[tuple[int, dict[str, tuple[str, str]]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def to_dict(self) -> dict:
        return {
            "added": [t.to_dict() for t in self.added],
            "removed": [t.to_dict() for t in self.removed],
            "changed": [{"number": n, "fields": {k: list(v) for k, v in fields.items()}} for n, fields in self.changed],
        }

    def fingerprint(self) -> str:
        """A short hash of the diff: a confirmation applies exactly the diff that was shown."""
        return hashlib.sha256(json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]

    def lines(self) -> list[str]:
        """The diff as readable lines, for the command line."""
        out = [_("新增任务 %(number)s：%(text)s（牵头：%(leads)s；责任：%(responsible)s）")
               % {"number": t.number, "text": t.text[:40], "leads": t.value("lead_units"),
                  "responsible": t.value("responsible_terms")}
               for t in self.added]
        out += [_("删除任务 %(number)s：%(text)s") % {"number": t.number, "text": t.text[:40]} for t in self.removed]
        for number, fields in self.changed:
            for name, (before, after) in fields.items():
                out.append(_("修改任务 %(number)s 的%(field)s：%(before)s → %(after)s")
                           % {"number": number, "field": FIELD_NAMES[name], "before": _short(before),
                              "after": _short(after)})
        return out


FIELD_NAMES = {"section": gettext_lazy("所属部分"), "text": gettext_lazy("工作任务"), "lead_units": gettext_lazy("牵头部门"),
               "responsible_terms": gettext_lazy("责任部门"), "cooperating_units": gettext_lazy("配合单位")}


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def snapshots_of(parsed: ParsedPlan) -> list[TaskSnapshot]:
    return [TaskSnapshot(number=t.number, section=f"{s.numeral}{s.title}", text=t.text,
                         lead_units=tuple(t.lead_units), responsible_terms=tuple(t.responsible_terms),
                         cooperating_units=tuple(t.cooperating_units))
            for s in parsed.sections for t in s.tasks]


def diff_tasks(current: list[TaskSnapshot], revised: list[TaskSnapshot]) -> PlanDiff:
    """What turns ``current`` into ``revised``, matched by task number."""
    before = {t.number: t for t in current}
    after = {t.number: t for t in revised}
    diff = PlanDiff(added=[after[n] for n in sorted(after.keys() - before.keys())],
                    removed=[before[n] for n in sorted(before.keys() - after.keys())])
    for number in sorted(before.keys() & after.keys()):
        old, new = before[number], after[number]
        fields = {name: (old.value(name), new.value(name)) for name in COMPARED if old.value(name) != new.value(name)}
        if fields:
            diff.changed.append((number, fields))
    return diff
