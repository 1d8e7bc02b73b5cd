"""Typed results of parsing a plan document. Pure data: no database, no Django models."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _


class PlanParseError(ValueError):
    """The document cannot be imported. ``line`` is 1-based, or None for the whole file."""

    def __init__(self, message: str, line: int | None = None):
        self.message = str(message)  # a lazy constant is read in the language of the moment
        self.line = line
        super().__init__(self.display())

    def display(self) -> str:
        if self.line is None:
            return self.message
        return _("第 %(line)s 行：%(message)s") % {"line": self.line, "message": self.message}


@dataclass(frozen=True)
class Paragraph:
    """A run of free text in a document (outside any table)."""

    text: str
    line: int


@dataclass(frozen=True)
class TableRow:
    """One row of a table; ``cells`` keep their inner line breaks as ``\\n``."""

    cells: tuple[str, ...]
    line: int


Block = Paragraph | TableRow


@dataclass(frozen=True)
class Deadline:
    date: dt.date
    phrase: str

    def to_dict(self) -> dict:
        return {"date": self.date.isoformat(), "phrase": self.phrase}


@dataclass(frozen=True)
class Target:
    value: str
    phrase: str

    def to_dict(self) -> dict:
        return {"value": self.value, "phrase": self.phrase}


@dataclass(frozen=True)
class ParseWarning:
    line: int | None
    message: str

    def to_dict(self) -> dict:
        return {"line": self.line, "message": self.message}


@dataclass
class ParsedTask:
    number: int
    text: str
    lead_units: list[str]
    responsible_terms: list[str]
    cooperating_units: list[str] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    line: int | None = None
    # The deadline as the document wrote it in its 完成时限 column or label ("2023年6月底前",
    # "长期坚持", "每季度"), the day it allows (None for no date), and a recurring cadence it
    # names ("monthly:10", "quarterly", "half-yearly", "yearly", "ongoing"; "" for none).
    deadline_text: str = ""
    due: dt.date | None = None
    cadence: str = ""

    def to_dict(self) -> dict:
        return {
            "number": self.number,
            "text": self.text,
            "lead_units": list(self.lead_units),
            "responsible_terms": list(self.responsible_terms),
            "cooperating_units": list(self.cooperating_units),
            "deadlines": [d.to_dict() for d in self.deadlines],
            "targets": [t.to_dict() for t in self.targets],
            "deadline_text": self.deadline_text,
            "due": self.due.isoformat() if self.due else None,
            "cadence": self.cadence,
        }


@dataclass
class ParsedSection:
    numeral: str
    title: str
    tasks: list[ParsedTask] = field(default_factory=list)
    line: int | None = None

    def to_dict(self) -> dict:
        return {
            "numeral": self.numeral,
            "title": self.title,
            "tasks": [t.to_dict() for t in self.tasks],
        }


@dataclass
class ParsedPlan:
    title: str
    doc_number: str | None
    issuer: str | None
    issued_on: dt.date | None
    sections: list[ParsedSection]
    warnings: list[ParseWarning] = field(default_factory=list)
    source_format: str = "text"

    @property
    def tasks(self) -> list[ParsedTask]:
        return [task for section in self.sections for task in section.tasks]

    def unit_names(self) -> list[str]:
        """Every unit name or group term the plan mentions, in document order, once each."""
        seen: dict[str, None] = {}
        for task in self.tasks:
            for name in (*task.lead_units, *task.responsible_terms, *task.cooperating_units):
                seen.setdefault(name, None)
        return list(seen)

    def to_dict(self) -> dict:
        """The ``import_plan --dry-run --json`` shape, exactly."""
        return {
            "title": self.title,
            "doc_number": self.doc_number,
            "issuer": self.issuer,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "sections": [s.to_dict() for s in self.sections],
            "warnings": [w.to_dict() for w in self.warnings],
        }


__all__ = [
    "Block",
    "Deadline",
    "Paragraph",
    "ParseWarning",
    "ParsedPlan",
    "ParsedSection",
    "ParsedTask",
    "PlanParseError",
    "TableRow",
    "Target",
    "asdict",
]
