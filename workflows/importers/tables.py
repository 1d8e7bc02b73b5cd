"""Interpret table rows as sections and tasks, finding columns by their header names."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _

from .builder import PlanBuilder
from .common import (
    SECTION_NUMERAL_ONLY,
    looks_like_unit,
    normalise_header,
    parse_section_heading,
    split_units,
    strip_task_number,
    take_lead_marks,
    to_int,
)
from .deadlines import read_deadline
from .types import PlanParseError, TableRow

# Header names as offices write them, by the role of the column. Exact names first.
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号", "序列"),
    "section": ("内容", "类别", "领域", "工作类别", "任务类别", "板块", "方面"),
    "task": (
        "工作任务", "主要任务", "具体内容", "任务内容", "工作内容", "重点任务", "具体任务",
        "任务", "主要内容", "工作措施", "具体措施", "目标任务", "任务名称", "工作事项", "事项",
        "项目内容", "项目名称", "工作目标", "重点工作", "工作重点", "主要工作", "工作要点", "具体工作",
        "具体要求", "工作要求", "主要措施", "推进措施", "工作举措", "实施内容", "具体目标", "目标要求",
    ),
    "lead": ("牵头部门", "牵头单位", "牵头责任单位", "牵头处室", "牵头", "主办单位", "主办部门", "主责单位"),
    "responsible": (
        "责任部门", "责任单位", "承办单位", "实施单位", "落实单位", "责任主体", "协同责任单位",
        # One column of units under a name that does not say 牵头: the first listed leads.
        "负责部门", "负责单位", "主管部门", "主要责任单位", "责任科室", "责任处室",
    ),
    "cooperating": ("配合单位", "配合部门", "协办单位", "参与单位", "协助单位"),
    "deadline": ("完成时限", "完成时间", "时间节点", "时限", "时间进度", "进度安排", "完成期限", "时间要求",
                 "办结时限", "计划完成时间", "完成时间节点"),
    # People and remarks are not units: their columns are never read.
    "ignore": ("分管领导", "责任领导", "牵头领导", "市领导", "区领导", "县领导", "责任人", "联系人", "备注",
               "当前进度", "进展情况", "完成情况", "联系电话", "分管市领导", "分管区领导", "牵头负责领导"),
}


@dataclass(frozen=True)
class Columns:
    """Position of each known column in the header row (None when the table lacks it)."""

    seq: int | None
    section: int | None
    task: int
    lead: int | None
    responsible: int | None
    cooperating: int | None
    deadline: int | None
    width: int
    ignored: frozenset[int] = field(default_factory=frozenset)

    def used(self) -> set[int]:
        """The columns that have a role, "ignore" included."""
        roles = (self.seq, self.section, self.task, self.lead, self.responsible, self.cooperating, self.deadline)
        return {i for i in roles if i is not None} | set(self.ignored)


def role_of_header(header: str) -> str | None:
    name = normalise_header(header)
    if not name:
        return None
    if any(word in name for word in ("领导", "责任人", "联系人", "备注")):
        return "ignore"
    for role, names in HEADER_NAMES.items():
        if name in names:
            return role
    # Looser matches for compound names such as "牵头部门（单位）" or "配合责任单位".
    if "牵头" in name:
        return "lead"
    if "配合" in name or "协办" in name:
        return "cooperating"
    if "责任" in name:
        return "responsible"
    if "时限" in name or "完成时间" in name:
        return "deadline"
    if "任务" in name or "措施" in name:
        return "task"
    return None


def find_columns(row: TableRow, mapping=None) -> Columns | None:
    """Return the columns if ``row`` is a header row (a task column and one unit column).

    A mapping's roles win over the names; a column it marks "ignore" is never read. Of two task
    columns ("工作任务" then "具体要求"), the left one groups the rows and the right one is the task.
    """
    positions: dict[str, int] = {}
    task_columns: list[int] = []
    ignored: set[int] = set()
    named = 0  # cells whose role comes from their text: a row matched by column numbers alone is no header
    for index, cell in enumerate(row.cells):
        mapped = mapping.role_of_column(index, cell) if mapping is not None else None
        role = mapped or role_of_header(cell)
        if role and (role_of_header(cell) or (mapping is not None and mapping.names_column(cell))):
            named += 1
        if role == "ignore":
            ignored.add(index)
        elif mapped:
            positions[mapped] = index
        elif role == "task":
            task_columns.append(index)
        elif role and role not in positions:
            positions[role] = index
    if "task" not in positions and task_columns:
        positions["task"] = task_columns[-1]
        if len(task_columns) > 1 and "section" not in positions:
            positions["section"] = task_columns[0]
    if "task" not in positions and {"lead", "responsible"} & positions.keys():
        # A header naming its unit columns but not its task column ("民生实事", "指标"): the one
        # unnamed, non-empty cell is the task column.
        unnamed = [i for i, cell in enumerate(row.cells)
                   if normalise_header(cell) and i not in positions.values() and i not in ignored
                   and role_of_header(cell) is None]
        if len(unnamed) == 1:
            positions["task"] = unnamed[0]
    if "task" not in positions or not ({"lead", "responsible"} & positions.keys()) or not named:
        return None
    return Columns(
        seq=positions.get("seq"),
        section=positions.get("section"),
        task=positions["task"],
        lead=positions.get("lead"),
        responsible=positions.get("responsible"),
        cooperating=positions.get("cooperating"),
        deadline=positions.get("deadline"),
        width=len(row.cells),
        ignored=frozenset(ignored),
    )


# Shares of a column's cells that make it a column of serial numbers, deadlines or units.
_SERIAL_SHARE, _DEADLINE_SHARE, _UNIT_SHARE = 0.8, 0.6, 0.7


@dataclass(frozen=True)
class ColumnContent:
    """What the body cells of one column look like."""

    cells: int
    serial: float
    deadline: float
    units: float
    mean_length: float


def column_content(rows: list[TableRow], index: int, known: frozenset[str] = frozenset()) -> ColumnContent:
    values = [r.cells[index].strip() for r in rows if index < len(r.cells) and r.cells[index].strip()]
    if not values:
        return ColumnContent(0, 0.0, 0.0, 0.0, 0.0)
    n = len(values)
    serial = sum(_serial_number(v) is not None for v in values) / n
    deadline = sum(bool((d := read_deadline(v, year=2000)).dates or d.cadence) for v in values) / n
    units = sum(bool(parts := split_units(v)) and all(looks_like_unit(p, known) for p in parts)
                for v in values) / n
    return ColumnContent(n, serial, deadline, units, sum(map(len, values)) / n)


def refine_columns(columns: Columns, header: TableRow, body: list[TableRow],
                   known: frozenset[str] = frozenset()) -> tuple[Columns, list[tuple[int, str]]]:
    """Give a role to the columns the header did not name, from what their cells hold.

    A column of serial numbers is 序号, one of dates or cadences the deadline, one of office names
    a unit column: the first unit column leads unless the headers say otherwise, one right of the
    责任单位 column cooperates. Returns the columns and (index, role) for each column so read.
    """
    found: list[tuple[int, str]] = []
    for index in range(len(header.cells)):
        if index in columns.used():
            continue
        content = column_content(body, index, known)
        if content.cells < 2:
            continue
        role = None
        if content.serial >= _SERIAL_SHARE and columns.seq is None:
            role = "seq"
        elif content.deadline >= _DEADLINE_SHARE and columns.deadline is None:
            role = "deadline"
        elif content.units >= _UNIT_SHARE:
            role = _unit_role(columns, index)
        if role:
            columns = replace(columns, **{role: index})
            found.append((index, role))
    return columns, found


def _unit_role(columns: Columns, index: int) -> str | None:
    if columns.lead is None and columns.responsible is None:
        return "responsible"
    if columns.lead is None and index < columns.responsible:
        return "lead"
    if columns.responsible is None and index > columns.lead:
        return "responsible"
    if columns.cooperating is None and index > max(i for i in (columns.lead, columns.responsible) if i is not None):
        return "cooperating"
    return None


def find_header_by_content(rows: list[TableRow], known: frozenset[str] = frozenset()) -> Columns | None:
    """Columns for a table whose header names none of them: ``rows[0]`` is the header if the rows
    below it hold a column of office names and a column of longer text (the task)."""
    header, body = rows[0], rows[1:]
    if len(body) < 2:
        return None
    contents = {i: column_content(body, i, known) for i in range(len(header.cells))}
    texts = [i for i, c in contents.items()
             if c.cells >= 2 and c.units < _UNIT_SHARE and c.serial < _SERIAL_SHARE
             and c.deadline < _DEADLINE_SHARE and c.mean_length >= 8]
    if not texts or not any(c.units >= _UNIT_SHARE for c in contents.values()):
        return None
    task = max(texts, key=lambda i: contents[i].mean_length)
    bare = Columns(seq=None, section=None, task=task, lead=None, responsible=None, cooperating=None,
                   deadline=None, width=len(header.cells))
    columns, _found = refine_columns(bare, header, body, known)
    return columns if columns.responsible is not None else None


def _cell(row: TableRow, index: int | None) -> str:
    if index is None or index >= len(row.cells):
        return ""
    return row.cells[index].strip()


def interpret_table(
    rows: list[TableRow], columns: Columns, builder: PlanBuilder, *, first_is_lead: bool
) -> None:
    """Feed every row after the header into ``builder``."""
    header = tuple(normalise_header(c) for c in rows[0].cells)
    # Whether the last task carried a number of its own: only then may an unnumbered row with
    # units be a sub-row of it (a vertically merged 序号 cell) rather than an unnumbered task.
    last_numbered = False
    for row in rows[1:]:
        cells = [c.strip() for c in row.cells]
        if not any(cells):
            continue
        if tuple(normalise_header(c) for c in row.cells) == header:
            continue  # the header repeated after a page break
        numbered = _interpret_row(
            row, columns, builder, first_is_lead=first_is_lead, last_numbered=last_numbered
        )
        if numbered is not None:
            last_numbered = numbered


def _interpret_row(
    row: TableRow,
    columns: Columns,
    builder: PlanBuilder,
    *,
    first_is_lead: bool,
    last_numbered: bool,
) -> bool | None:
    """Read one row; return whether a new task was numbered, or None when no task was added."""
    seq = _cell(row, columns.seq)
    section_title = _cell(row, columns.section)
    task_text = _cell(row, columns.task)
    leads = split_units(_cell(row, columns.lead))
    responsible = split_units(_cell(row, columns.responsible))
    cooperating = split_units(_cell(row, columns.cooperating))
    deadline_text = _cell(row, columns.deadline)
    has_units = bool(leads or responsible or cooperating)

    if not has_units and _open_section_row(row, columns, builder, seq, task_text):
        return None

    # The reference layout: 序号 holds "（一）" and 内容 the section title, on the task's row.
    if seq and SECTION_NUMERAL_ONLY.match(seq) and not seq.strip().isdigit():
        heading = parse_section_heading(seq + section_title)
        if heading:
            builder.open_section(heading[0], section_title or heading[1], row.line, heading[2])
            seq = ""
    elif section_title:
        # A group cell (merged down over its rows): a new section when its text changes.
        heading = parse_section_heading(section_title)
        title = heading[1] if heading else section_title
        if builder.current is None or builder.current.title != title:
            if heading:
                builder.open_section(*heading[:2], row.line, heading[2])
            else:
                builder.open_section("", section_title, row.line)

    number, text = strip_task_number(task_text)
    seq_number = _serial_number(seq)
    if seq_number is not None:
        if number is not None and number != seq_number:
            builder.warn(_("序号 %(serial)s 与任务内容中的编号 %(number)s 不一致，按序号处理")
                         % {"serial": seq_number, "number": number}, row.line)
        number = seq_number

    if number is None and builder.last_task is not None:
        if not has_units:
            # Neither number nor units: a page break split the previous task's text.
            builder.extend_last_task(text, deadline_text=deadline_text, line=row.line)
            return None
        if last_numbered and builder.current is not None and builder.current.tasks:
            # Units under an empty (vertically merged) 序号: another part of the same task.
            builder.extend_last_task(
                text,
                separator="\n",
                lead_units=leads,
                responsible_terms=responsible,
                cooperating_units=cooperating,
                deadline_text=deadline_text,
                line=row.line,
            )
            return None

    if not task_text:
        if has_units:
            raise PlanParseError(_("该行有责任单位但没有任务内容"), line=row.line)
        return None

    if leads or first_is_lead or columns.lead is None or take_lead_marks(responsible)[1]:
        # Without a 牵头 cell the responsible units lead (the marked one, else the first), as in prose.
        leads, responsible = builder.settle_leads(leads, responsible, first_is_lead=first_is_lead,
                                                  line=row.line)
    else:
        # A 牵头 column left empty is a mistake unless the document states the rule.
        responsible = take_lead_marks(responsible)[0]
    builder.add_task(
        number=number,
        text=text,
        lead_units=leads,
        responsible_terms=responsible or list(leads),
        cooperating_units=cooperating,
        line=row.line,
        deadline_text=deadline_text,
    )
    return number is not None


def _serial_number(seq: str) -> int | None:
    """Read a 序号 cell: "3", "３", "3." "3、" or "（3）"; None for anything else."""
    seq = seq.strip()
    if seq and seq.strip("0123456789０１２３４５６７８９") == "":
        return to_int(seq)
    number, rest = strip_task_number(seq)
    return number if not rest else None


def _open_section_row(
    row: TableRow, columns: Columns, builder: PlanBuilder, seq: str, task_text: str
) -> bool:
    """Open a section for a row that holds only a heading; tell whether the row was one.

    The heading is merged across the row ("一、…方面（共5项）"), so it reads from the first cell
    even when that is the task column; or 序号 holds the numeral ("一") and the title sits in
    the task column.
    """
    non_empty = {c.strip() for c in row.cells if c.strip()}
    if len(non_empty) == 1 and (not task_text or row.cells[0].strip() == task_text):
        heading = parse_section_heading(non_empty.pop())
        if heading:
            builder.open_section(heading[0], heading[1], row.line, heading[2])
            return True
    if columns.section is None and seq and task_text and SECTION_NUMERAL_ONLY.match(seq):
        numeral = seq.strip()
        if not numeral.endswith(("）", ")", "、", "．", ".")):
            numeral += "、"  # "一" alone does not read as a heading
        heading = parse_section_heading(numeral + task_text)
        if heading:
            builder.open_section(heading[0], heading[1], row.line, heading[2])
            return True
    return False


# A cell of a header's second row is a header name, and short: "牵头单位" under "责任单位".
_SUBHEADER_MAX = 10


def _subheader_cell(cell: str, above: str) -> bool:
    name = normalise_header(cell)
    return not name or name == normalise_header(above) or (len(name) <= _SUBHEADER_MAX and role_of_header(cell) is not None)


def join_header_rows(blocks: list, mapping=None) -> list:
    """Join a header written over two or more rows into one row, the lower names winning.

    "责任单位" spanning two columns over "牵头单位 | 配合单位", or "工作内容" over "类别 | 具体任务":
    each column takes the lowest name given for it (a merged cell repeats or leaves the cell empty).
    A row joins the header only if every cell is empty, repeats the cell above or is a short
    header name, and at least one such name is new; the joined row must still read as a header.
    """
    out = list(blocks)
    index = 0
    while index < len(out) - 1:
        upper, lower = out[index], out[index + 1]
        if not (isinstance(upper, TableRow) and isinstance(lower, TableRow)):
            index += 1
            continue
        width = max(len(upper.cells), len(lower.cells))  # a sheet's rows end at their last filled cell
        cells = list(upper.cells) + [""] * (width - len(upper.cells))
        fresh = False
        for j, cell in enumerate(lower.cells):
            if not _subheader_cell(cell, cells[j]):
                break
            if normalise_header(cell) and normalise_header(cell) != normalise_header(cells[j]):
                cells[j], fresh = cell, True
        else:
            joined = TableRow(cells=tuple(cells), line=upper.line)
            if fresh and find_columns(joined, mapping) is not None and (
                    find_columns(upper, mapping) is not None or _named_cells(upper) >= 2):
                out[index:index + 2] = [joined]
                continue  # a third header row may follow
        index += 1
    return out


def _named_cells(row: TableRow) -> int:
    return sum(1 for cell in row.cells if role_of_header(cell))


def find_header(blocks: list, mapping=None,
                 known_units: frozenset[str] = frozenset()):
    """The header row by its names; failing that, the first row of a table whose columns hold
    office names and task text."""
    for index, block in enumerate(blocks):
        if isinstance(block, TableRow):
            columns = find_columns(block, mapping)
            if columns is not None:
                return index, columns
    for index, block in enumerate(blocks):
        if isinstance(block, TableRow) and (index == 0 or not isinstance(blocks[index - 1], TableRow)):
            table = [block]
            for later in blocks[index + 1:]:
                if not isinstance(later, TableRow):
                    break
                table.append(later)
            columns = find_header_by_content(table, known_units)
            if columns is not None:
                return index, columns
    return None, None
