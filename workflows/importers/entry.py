"""A task typed in by a person (a 领导批示, a meeting decision, a 督办事项), read as a document's row is.

The deadline is read as a 完成时限 cell is (a date, a range, a cadence, a standing task), the
figures of the text as a document's; the names are split where a document's cell would be.
"""
from __future__ import annotations

import re

from .builder import read_figures
from .deadlines import read_deadline
from .types import ParsedTask

_NAME_SEPARATORS = re.compile(r"[、,，;；\s]+")


def split_names(text: str) -> list[str]:
    """The unit names of a typed list ("市发改委、市财政局"), in order, each once."""
    names: list[str] = []
    for name in _NAME_SEPARATORS.split(text or ""):
        if name and name not in names:
            names.append(name)
    return names


def typed_task(*, number: int, text: str, lead: list[str], responsible: list[str],
               cooperating: list[str] = (), deadline: str = "", year: int | None = None) -> tuple[ParsedTask, bool]:
    """The task as the importer would have read it, and whether its deadline text was understood.

    With no responsible unit named, the leads do the work themselves (as a document with a
    牵头单位 column only is read).
    """
    deadline = (deadline or "").strip()
    responsible = list(responsible) or list(lead)
    task = ParsedTask(number=number, text=text.strip(), lead_units=list(lead), responsible_terms=responsible,
                      cooperating_units=[n for n in cooperating if n not in responsible], deadline_text=deadline)
    reading = read_deadline(deadline, year=year) if deadline else None
    task.cadence = reading.cadence if reading else ""
    read_figures(task, reading.dates if reading else [])
    return task, reading is None or reading.understood
