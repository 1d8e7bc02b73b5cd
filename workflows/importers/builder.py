"""Collect sections and tasks as an interpreter finds them, checking what every layout shares."""
from __future__ import annotations

from django.utils.translation import gettext as _

from .common import take_lead_marks
from .deadlines import read_deadline
from .extract import extract_deadlines, extract_targets
from .types import Deadline, ParsedSection, ParsedTask, ParseWarning, PlanParseError


class PlanBuilder:
    """Accumulate sections and tasks; a duplicate number or a task without a lead is a warning (an
    error in strict mode)."""

    def __init__(self, *, warn_empty_sections: bool = True, strict: bool = False,
                 year: int | None = None) -> None:
        # Strict: one bad item refuses the document; otherwise it is a warning on that item.
        self.strict = strict
        self.year = year  # the plan's year, for deadlines written without one ("6月底前")
        self._renumbered = False
        self.sections: list[ParsedSection] = []
        self.warnings: list[ParseWarning] = []
        # A table's section row with nothing under it hints at lost rows; a prose heading such
        # as "三、保障措施" never has tasks, so prose turns the warning off.
        self._warn_empty_sections = warn_empty_sections
        self._announced: dict[int, int] = {}  # id(section) -> "（共N项）"
        self._numbers: dict[int, int] = {}  # task number -> line of first occurrence
        self._column_deadlines: dict[int, list[Deadline]] = {}  # task number -> 完成时限 dates

    @property
    def current(self) -> ParsedSection | None:
        return self.sections[-1] if self.sections else None

    @property
    def last_task(self) -> ParsedTask | None:
        for section in reversed(self.sections):
            if section.tasks:
                return section.tasks[-1]
        return None

    @property
    def found_tasks(self) -> bool:
        return any(s.tasks for s in self.sections)

    def warn(self, message: str, line: int | None) -> None:
        self.warnings.append(ParseWarning(line=line, message=message))

    def open_section(self, numeral: str, title: str, line: int, count: int | None = None) -> None:
        """Start a section, or stay in it when a page break repeats its heading."""
        current = self.current
        if current is not None and current.numeral == numeral and (
            not title or not current.title or current.title == title
        ):
            current.title = current.title or title
            return
        for earlier in self.sections:
            if numeral and earlier.numeral == numeral and earlier.title == title:
                self.warn(_("第%(numeral)s部分“%(title)s”再次出现，其后的任务归入该部分")
                          % {"numeral": numeral, "title": title}, line)
                self.sections.remove(earlier)
                self.sections.append(earlier)
                return
        section = ParsedSection(numeral=numeral, title=title, line=line)
        self.sections.append(section)
        if count is not None:
            self._announced[id(section)] = count

    def add_task(
        self,
        *,
        number: int | None,
        text: str,
        lead_units: list[str],
        responsible_terms: list[str],
        cooperating_units: list[str],
        line: int,
        deadline_text: str = "",
    ) -> ParsedTask:
        if number is None:
            previous = self.last_task
            number = previous.number + 1 if previous else 1
            self.warn(_("任务未编号，按顺序编为第 %(number)s 项") % {"number": number}, line)
        if number in self._numbers and not self.strict:
            # Numbering that restarts in each section, or a typing slip: number in order.
            self._renumbered = True
        elif number in self._numbers:
            raise PlanParseError(
                _("任务编号 %(number)s 重复（第 %(line)s 行已有第 %(number)s 项任务）")
                % {"number": number, "line": self._numbers[number]},
                line=line,
            )
        if not text:
            return self.skip_task(number, text, line, _("第 %(number)s 项任务没有任务内容") % {"number": number})
        if not lead_units:
            return self.skip_task(number, text, line, _("第 %(number)s 项任务没有牵头部门") % {"number": number})
        if number in self._numbers:
            number = max(self._numbers) + 1
        self._numbers[number] = line
        if self.current is None:
            self.sections.append(ParsedSection(numeral="", title="", line=line))
        task = ParsedTask(
            number=number,
            text=text,
            lead_units=lead_units,
            responsible_terms=responsible_terms,
            cooperating_units=cooperating_units,
            line=line,
        )
        self._column_deadlines[number] = []
        self._add_deadline_cell(task, deadline_text, line)
        self._read_figures(task)
        self.current.tasks.append(task)
        return task

    def settle_leads(self, leads: list[str], responsible: list[str], *, first_is_lead: bool,
                     line: int | None) -> tuple[list[str], list[str]]:
        """The task's leads and responsible units once the document's conventions are applied.

        A unit marked ★ (or ▲, ※, *) among the responsible units is the lead; without a lead or a
        mark, the first responsible unit leads (with a warning when the document never said so);
        without responsible units, the leads carry the task out themselves.
        """
        leads, _unused = take_lead_marks(leads)
        responsible, marked = take_lead_marks(responsible)
        if not leads and marked:
            leads = marked
        elif not leads and responsible:
            if not first_is_lead and len(responsible) > 1:
                self.warn(_("文件未说明牵头部门的排序规则，按排在第一位的部门为牵头部门处理"), line)
            leads = responsible[:1]
        return leads, responsible or list(leads)

    def skip_task(self, number: int | None, text: str, line: int, message: str) -> None:
        """Leave a bad item out with a warning on it, or refuse the document in strict mode."""
        if self.strict:
            raise PlanParseError(message, line=line)
        self.warn(_("%(problem)s，未导入：%(text)s") % {"problem": message, "text": (text or "")[:30]}, line)
        return None

    def extend_last_task(
        self,
        text: str,
        *,
        separator: str = "",
        lead_units: tuple[str, ...] | list[str] = (),
        responsible_terms: tuple[str, ...] | list[str] = (),
        cooperating_units: tuple[str, ...] | list[str] = (),
        deadline_text: str = "",
        line: int | None = None,
    ) -> None:
        """Add a row that continues the previous task: text split off by a page break, or a
        sub-row under a vertically merged 序号 cell with units of its own."""
        task = self.last_task
        if text:
            task.text = f"{task.text}{separator}{text}" if task.text else text
        for names, more in (
            (task.lead_units, lead_units),
            (task.responsible_terms, responsible_terms),
            (task.cooperating_units, cooperating_units),
        ):
            names.extend(name for name in more if name not in names)
        self._add_deadline_cell(task, deadline_text, line)
        self._read_figures(task)

    def _add_deadline_cell(self, task: ParsedTask, deadline_text: str, line: int | None) -> None:
        if not deadline_text:
            return
        task.deadline_text = "；".join(t for t in (task.deadline_text, deadline_text.strip()) if t)
        reading = read_deadline(deadline_text, year=self.year)
        task.cadence = task.cadence or reading.cadence
        found = reading.dates
        if not reading.understood:
            self.warn(_("第 %(number)s 项任务的完成时限“%(deadline)s”无法识别为日期")
                      % {"number": task.number, "deadline": deadline_text}, line)
        column = self._column_deadlines[task.number]
        column.extend(d for d in found if d not in column)

    def _read_figures(self, task: ParsedTask) -> None:
        # Re-read from the whole text each time, so a figure split by a page break is found.
        read_figures(task, self._column_deadlines[task.number])

    def finish(self) -> tuple[list[ParsedSection], list[ParseWarning]]:
        """Drop empty sections, check announced counts and numbering, and return the result."""
        sections = [s for s in self.sections if s.tasks]
        if not sections:
            raise PlanParseError(_("没有识别到任何任务：请检查文件是否为任务分解表或带编号的任务清单"))
        for section in self.sections:
            announced = self._announced.get(id(section))
            if announced is not None and announced != len(section.tasks):
                self.warn(
                    _("第%(numeral)s部分“%(title)s”注明共 %(announced)s 项，实际识别到 %(found)s 项")
                    % {"numeral": section.numeral, "title": section.title, "announced": announced,
                       "found": len(section.tasks)},
                    section.line,
                )
            if not section.tasks and self._warn_empty_sections:
                self.warn(_("第%(numeral)s部分“%(title)s”下没有任务")
                          % {"numeral": section.numeral, "title": section.title}, section.line)
        if self._renumbered:
            position = 0
            for section in sections:
                for task in section.tasks:
                    position += 1
                    task.number = position
            self.warn(_("任务编号有重复（或各部分各自从 1 编号），已按出现顺序统一编为第 1–%(count)s 项")
                      % {"count": position}, None)
            return sections, self.warnings
        numbers = sorted(self._numbers)
        missing = sorted(set(range(numbers[0], numbers[-1] + 1)) - set(numbers))
        if missing:
            self.warn(_("任务编号不连续，缺少第 %(numbers)s 项") % {"numbers": "、".join(map(str, missing))}, None)
        return sections, self.warnings


def read_figures(task: ParsedTask, column: list[Deadline]) -> None:
    """Set the task's deadlines, due date and targets from its text and its 完成时限 dates ``column``.

    The 完成时限 column or label decides the due date; a cadence alone gives none; else the
    earliest date in the text, as dispatch does.
    """
    deadlines = extract_deadlines(task.text)
    deadlines.extend(d for d in column if d not in deadlines)
    task.deadlines = deadlines
    if column:
        task.due = max(d.date for d in column)
    elif task.cadence:
        task.due = None
    else:
        task.due = min((d.date for d in deadlines), default=None)
    task.targets = extract_targets(task.text)
