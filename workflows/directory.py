"""Match the unit names a document uses against the unit directory. Pure: the directory is data."""
from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


def name_key(name: str) -> str:
    """Compare names without width or spacing differences (全角/半角, stray spaces)."""
    return "".join(unicodedata.normalize("NFKC", name).split())


@dataclass(frozen=True)
class DirectoryEntry:
    """What a name means: a unit (by id) or a group term (by id)."""

    kind: str  # "unit" or "term"
    id: int
    label: str


@dataclass
class Directory:
    """A snapshot of every name the directory knows: short names, full names, aliases, terms."""

    entries: dict[str, DirectoryEntry] = field(default_factory=dict)

    def add(self, name: str, entry: DirectoryEntry) -> None:
        if name:
            self.entries.setdefault(name_key(name), entry)

    def lookup(self, name: str) -> DirectoryEntry | None:
        return self.entries.get(name_key(name))

    def names(self) -> frozenset[str]:
        """Every name known (normalised), for telling a column of unit names in a document."""
        return frozenset(self.entries)

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """Return the closest known unit names (by any of their names), most similar first."""
        key = name_key(name)
        best: dict[str, float] = {}
        for known, entry in self.entries.items():
            if entry.kind != "unit":
                continue
            ratio = difflib.SequenceMatcher(None, key, known).ratio()
            if ratio >= 0.45 and ratio > best.get(entry.label, 0.0):
                best[entry.label] = ratio
        return sorted(best, key=lambda label: (-best[label], label))[:limit]


@dataclass(frozen=True)
class UnknownName:
    name: str
    roles: tuple[str, ...]  # "lead", "responsible", "cooperating"
    task_numbers: tuple[int, ...]
    line: int | None
    suggestions: tuple[str, ...]

    def message(self) -> str:
        values = {"name": self.name, "tasks": "、".join(str(n) for n in self.task_numbers),
                  "suggestions": "、".join(self.suggestions)}
        if self.suggestions:
            return _("未知单位“%(name)s”（第 %(tasks)s 项任务），最接近的已知单位：%(suggestions)s；"
                     "请对应到已有单位或新建单位") % values
        return _("未知单位“%(name)s”（第 %(tasks)s 项任务），单位库中没有相近的名称；请对应到已有单位或新建单位") % values


@dataclass(frozen=True)
class LeadIsGroupTerm:
    name: str
    task_number: int
    line: int | None

    def message(self) -> str:
        return (_("第 %(number)s 项任务的牵头部门“%(name)s”是单位统称，牵头部门必须是具体单位")
                % {"number": self.task_number, "name": self.name})


def find_unknown_names(plan, directory: Directory) -> tuple[list[UnknownName], list[LeadIsGroupTerm]]:
    """List the names of ``plan`` (a ParsedPlan) that the directory does not know."""
    found: dict[str, dict] = {}
    bad_leads: list[LeadIsGroupTerm] = []
    for task in plan.tasks:
        for role, names in (
            ("lead", task.lead_units),
            ("responsible", task.responsible_terms),
            ("cooperating", task.cooperating_units),
        ):
            for name in names:
                entry = directory.lookup(name)
                if entry is None:
                    info = found.setdefault(name, {"roles": [], "tasks": [], "line": task.line})
                    if role not in info["roles"]:
                        info["roles"].append(role)
                    if task.number not in info["tasks"]:
                        info["tasks"].append(task.number)
                elif role == "lead" and entry.kind == "term":
                    bad_leads.append(LeadIsGroupTerm(name, task.number, task.line))
    unknown = [
        UnknownName(
            name=name,
            roles=tuple(info["roles"]),
            task_numbers=tuple(info["tasks"]),
            line=info["line"],
            suggestions=tuple(directory.suggest(name)),
        )
        for name, info in found.items()
    ]
    return unknown, bad_leads
