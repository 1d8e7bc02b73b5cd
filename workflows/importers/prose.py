"""Interpret a prose plan: numbered items, some of which carry an attribution of their units.

What is a task and what is a section is decided from the structure, not from the numeral style:
an item that names its units is a task (whatever it is numbered with: 一、 （一） 1． （1） ①), an
item above tasks is their section, an item inside a task is part of its text, and numbered items
that carry no units anywhere are prose (the preamble, 保障措施).

An item's units come in any of these forms:

* a bracket at the end: ``（市发改委、市财政局负责）`` (the first leads when the document says so once,
  in whatever words), ``（市发改委牵头，市财政局、市商务局配合）``, ``（牵头单位：A；责任单位：B）``;
* labels inside the text after its last sentence: ``……。牵头单位：A；责任单位：B``;
* labelled lines of their own after the item: ``牵头单位：A`` / ``责任单位：B`` / ``完成时限：…``, where
  labels that name a person (``分管领导：``) are left out.

A mapping may say what further labels mean (``主办单位`` → lead).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .builder import PlanBuilder
from .common import chinese_number, plausible_unit, split_units, to_int
from .extract import extract_deadlines
from .types import Paragraph

# Labels as offices write them, by the role of what follows.
LABEL_ROLES: dict[str, str] = {
    **dict.fromkeys(("牵头单位", "牵头部门", "牵头责任单位", "牵头处室", "主办单位", "主办部门", "主责单位",
                     "主责部门", "牵头", "负责单位", "负责部门", "主管部门", "主要责任单位"), "lead"),
    **dict.fromkeys(("责任单位", "责任部门", "承办单位", "实施单位", "落实单位", "责任主体", "具体责任单位",
                     "完成单位", "参与实施单位", "责任处室", "协同责任单位"), "responsible"),
    **dict.fromkeys(("配合单位", "配合部门", "协办单位", "协办部门", "参与单位", "参与部门", "协助单位",
                     "协同单位", "配合处室"), "cooperating"),
    **dict.fromkeys(("完成时限", "完成时间", "时间节点", "时限", "时间要求", "完成期限", "进度安排",
                     "时间进度", "办结时限"), "deadline"),
    **dict.fromkeys(("分管领导", "责任领导", "牵头领导", "联系领导", "市领导", "区领导", "县领导", "包保领导",
                     "责任人", "联系人", "具体责任人", "牵头领导同志", "分管市领导", "分管区领导",
                     "分管县领导", "联系电话", "牵头负责领导", "责任领导同志", "包联领导"), "person"),
}
_LABEL_SEPARATOR = r"\s*[：:]\s*"


def _label_pattern(labels) -> re.Pattern[str]:
    names = "|".join(sorted((re.escape(n) for n in labels), key=len, reverse=True))
    return re.compile(rf"(?P<label>{names}){_LABEL_SEPARATOR}")


_DEFAULT_LABELS = _label_pattern(LABEL_ROLES)
_SUFFIX_ROLE = (("牵头负责", "lead"), ("牵头", "lead"), ("按职责分工负责", "responsible"), ("负责", "responsible"),
                ("配合", "cooperating"), ("参与", "cooperating"), ("协助", "cooperating"),
                ("协办", "cooperating"), ("落实", "responsible"), ("实施", "responsible"))
# "排在第一位的部门为牵头部门，下同", "列第一位的为牵头单位", "排名第一的单位为牵头单位", "第一个为牵头单位",
# "排在首位的为牵头单位", "列在首位的责任单位为牵头单位".
_FIRST = r"(?:排在第一位|排列第一位?|排名第一位?|排序第一位?|排在首位|列在首位|列于首位|位于首位|居首位?|列第一位?|排第一位?|列在第一位|第一个|第一位|首位|第一家)"
FIRST_IS_LEAD_RULE = re.compile(rf"{_FIRST}[^，。；;,]{{0,12}}?为?(?:总?牵头|汇总)(?:部门|单位)?")
_RULE_CLAUSE = re.compile(rf"{_FIRST}[^，。；;,]{{0,12}}?为?(?:总?牵头|汇总)(?:部门|单位)?(?:或汇总(?:部门|单位))?|下同")
# Time words an attribution may carry instead of a date ("长期坚持", "持续推进").
ONGOING = re.compile(r"^(长期坚持|持续推进|长期|持续|常态化推进|常态化|每年|逐年推进|每季度|每月|每半年|年内)")

# Item numbering, by depth: 第一部分 > 一、 > （一） > 1． > （1） > ①.
_CN = "〇零一二三四五六七八九十百两"
_NUMBERING = (
    (0, re.compile(rf"^\s*第(?P<n>[{_CN}0-9]+)(?:部分|章|篇|编)\s*")),
    (1, re.compile(rf"^\s*(?P<n>[{_CN}]+)\s*[、．.，,]\s*")),
    (2, re.compile(rf"^\s*[（(]\s*(?P<n>[{_CN}]+)\s*[）)]\s*[、．.]?\s*")),
    (3, re.compile(r"^\s*(?P<n>[0-9０-９]{1,3})\s*(?:[．、﹒]|\.(?![0-9０-９])|[，,](?=\D))\s*")),
    (4, re.compile(r"^\s*[（(]\s*(?P<n>[0-9０-９]{1,3})\s*[）)]\s*")),
    (5, re.compile(r"^\s*(?P<n>[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])\s*")),
)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_COUNT = re.compile(r"[（(]\s*共\s*(?P<count>[0-9０-９]+)\s*项\s*[）)]\s*$")
# A heading is short; a longer first sentence is an item's text.
_HEADING_MAX = 40


@dataclass
class Attribution:
    lead: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    cooperating: list[str] = field(default_factory=list)
    deadline: list[str] = field(default_factory=list)

    @property
    def names_units(self) -> bool:
        return bool(self.lead or self.responsible or self.cooperating)

    def merge(self, other: Attribution) -> None:
        for name in ("lead", "responsible", "cooperating", "deadline"):
            mine = getattr(self, name)
            mine.extend(v for v in getattr(other, name) if v not in mine)


@dataclass
class Item:
    depth: int
    numeral: str
    number: int | None
    text: str
    line: int
    attribution: Attribution | None = None
    labelled: Attribution = field(default_factory=Attribution)
    children: list[Item] = field(default_factory=list)
    parent: Item | None = None
    numeral_key: str = ""
    heading: str = ""  # the first line as written: a heading's title

    @property
    def units(self) -> Attribution | None:
        if self.labelled.names_units:
            if self.attribution is not None:
                self.labelled.merge(self.attribution)
            return self.labelled
        return self.attribution


def number_of(text: str) -> tuple[int, str, int | None, str] | None:
    """Return ``(depth, numeral as written, number, rest)`` for a numbered item, else None."""
    for depth, pattern in _NUMBERING:
        match = pattern.match(text)
        if not match:
            continue
        raw = match.group("n")
        if depth == 5:
            number = _CIRCLED.index(raw) + 1
        elif depth in (3, 4):
            number = to_int(raw)
        else:
            number = chinese_number(raw)
        rest = text[match.end():].strip()
        if not rest:
            return None
        return depth, match.group(0).strip(), number, rest
    return None


class AttributionReader:
    """Reads the units an item names; ``labels`` may add names for the roles (from a mapping)."""

    def __init__(self, labels: dict[str, str] | None = None):
        self.roles = {**LABEL_ROLES, **(labels or {})}
        self.pattern = _label_pattern(self.roles) if labels else _DEFAULT_LABELS

    def labelled_line(self, text: str) -> Attribution | None:
        """A line that is only labels (``牵头单位：A  责任单位：B``), else None."""
        match = self.pattern.match(text.strip())
        if not match:
            return None
        return self.read_labels(text.strip())

    def read_labels(self, text: str) -> Attribution:
        found = Attribution()
        matches = list(self.pattern.finditer(text))
        for index, match in enumerate(matches):
            end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
            value = text[match.end():end].strip(" \t\u3000；;，,。")
            role = self.roles[match.group("label")]
            if role == "person" or not value:
                continue
            if role == "deadline":
                found.deadline.append(value)
            else:
                getattr(found, role).extend(n for n in split_units(value) if n not in getattr(found, role))
        return found

    def body(self, body: str) -> Attribution | None:
        """Read a bracket's lead, responsible and cooperating units, or None if it names none.

        A part that states a time ("2018年底前完成", "长期坚持") is a deadline, not a unit.
        """
        body = _RULE_CLAUSE.sub("", body)
        found = Attribution()
        named = False
        for part in re.split(r"[，,；;]", body):
            part = part.strip()
            if not part:
                continue
            labelled = self.pattern.match(part)
            if labelled:
                found.merge(self.read_labels(part))
                named = named or found.names_units
                continue
            if extract_deadlines(part) or ONGOING.match(part):
                found.deadline.append(part)
                continue
            for suffix, role in _SUFFIX_ROLE:
                if part.endswith(suffix) and len(part) > len(suffix):
                    names = split_units(part[: -len(suffix)])
                    if not all(plausible_unit(n) for n in names):
                        return None
                    getattr(found, role).extend(names)
                    named = True
                    break
            else:
                if named and all(plausible_unit(n) for n in split_units(part)):
                    # An unlabelled list after labelled ones ("…，各区") names responsible units.
                    found.responsible += split_units(part)
                else:
                    return None
        return found if named else None

    def split(self, text: str) -> tuple[str, Attribution | None]:
        """Cut an item's attribution off its text: a final bracket, or labels after the text."""
        bracket = _final_bracket(text)
        if bracket is not None:
            start, body = bracket
            found = self.body(body)
            if found is not None:
                return text[:start].rstrip(" ，,；;"), found
        for match in self.pattern.finditer(text):
            if match.start() == 0 or text[match.start() - 1] in "。；;，, \t\u3000）)":
                found = self.read_labels(text[match.start():])
                if found.names_units:
                    return text[: match.start()].rstrip(" ，,；;"), found
        return text, None


def _final_bracket(text: str) -> tuple[int, str] | None:
    """The last bracketed group of ``text`` (brackets inside it balanced) when it ends the text."""
    stripped = text.rstrip(" \t\u3000。；;．.，,")
    if not stripped or stripped[-1] not in "）)":
        return None
    depth = 0
    for index in range(len(stripped) - 1, -1, -1):
        ch = stripped[index]
        if ch in "）)":
            depth += 1
        elif ch in "（(":
            depth -= 1
            if depth == 0:
                return index, stripped[index + 1 : -1]
    return None


def interpret_prose(paragraphs: list[Paragraph], builder: PlanBuilder, *, first_is_lead: bool,
                    labels: dict[str, str] | None = None) -> list[Item]:
    """Feed the tasks among the numbered paragraphs into ``builder``; return every item read."""
    reader = AttributionReader(labels)
    items = _read_items(paragraphs, reader)
    _attach_labels_to_parents(items)
    started = False
    section_of_task: Item | None = None
    reported: set[int] = set()
    for item in items:
        units = item.units
        if units is not None and units.names_units:
            started = True
            heading = _nearest_heading(item)
            if heading is not section_of_task:
                section_of_task = heading
                if heading is not None:
                    title, count = _title_and_count(heading.heading)
                    builder.open_section(heading.numeral_key, title, heading.line, count)
            _add(builder, item, units, first_is_lead)
        elif _inside_task(item):
            continue  # a sub-item: already part of its task's text
        elif _has_task_below(item):
            continue  # a heading: opened when its first task comes
        elif started:
            parent = item.parent
            siblings_are_tasks = parent is not None and any(
                c.units is not None and c.units.names_units for c in parent.children if c.depth == item.depth)
            if parent is None and section_of_task is not None:
                siblings_are_tasks = any(
                    c.units is not None and c.units.names_units for c in section_of_task.children
                    if c.depth == item.depth)
            if siblings_are_tasks:
                builder.skip_task(item.number, item.text, item.line,
                                  _("第 %(number)s 项任务没有牵头部门") % {"number": item.number})
            elif parent is not None and id(parent) not in reported and not _has_task_below(parent):
                reported.add(id(parent))
                title, _count = _title_and_count(parent.heading)
                builder.warn(_("“%(title)s”中的编号条目均未注明责任单位，未作为任务导入") % {"title": title},
                             item.line)
    return items


def _read_items(paragraphs: list[Paragraph], reader: AttributionReader) -> list[Item]:
    """Group the paragraphs into numbered items with their wrapped lines and labelled lines."""
    items: list[Item] = []
    stack: list[Item] = []
    current: Item | None = None
    for paragraph in paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        numbered = number_of(text)
        if numbered is not None and not _is_date_line(text):
            depth, numeral, number, rest = numbered
            item = Item(depth=depth, numeral=numeral, number=number, text=rest, line=paragraph.line,
                        heading=rest)
            while stack and stack[-1].depth >= depth:
                stack.pop()
            if stack:
                item.parent = stack[-1]
                stack[-1].children.append(item)
            stack.append(item)
            items.append(item)
            current = item
            continue
        if current is None:
            continue  # the preamble
        labelled = reader.labelled_line(text)
        if labelled is not None:
            current.labelled.merge(labelled)
        elif not current.labelled.names_units and not current.labelled.deadline \
                and reader.split(current.text)[1] is None:
            current.text += text  # an item wrapped over several lines
    for item in items:
        item.text, item.attribution = reader.split(item.text)
        item.numeral_key = _numeral_key(item)
    return items


def _is_date_line(text: str) -> bool:
    return bool(re.match(r"^\s*[0-9]{4}\s*[年.\-/]", text))


def _attach_labels_to_parents(items: list[Item]) -> None:
    """Labelled lines after a task's last sub-item ("（2）…" then "牵头单位：") belong to the task."""
    for item in items:
        if item.units is not None or len(item.children) < 2:
            continue
        attributed = [c for c in item.children if c.units is not None and c.units.names_units]
        last = item.children[-1]
        if attributed == [last] and last.attribution is None and last.labelled.names_units:
            item.labelled, last.labelled = last.labelled, Attribution()


def _nearest_heading(item: Item) -> Item | None:
    parent = item.parent
    while parent is not None and parent.units is not None and parent.units.names_units:
        parent = parent.parent
    return parent


def _inside_task(item: Item) -> bool:
    parent = item.parent
    while parent is not None:
        if parent.units is not None and parent.units.names_units:
            return True
        parent = parent.parent
    return False


def _has_task_below(item: Item) -> bool:
    return any((c.units is not None and c.units.names_units) or _has_task_below(c) for c in item.children)


def _numeral_key(item: Item) -> str:
    if item.depth == 2:
        return item.numeral.replace("(", "（").replace(")", "）").rstrip("、．.")
    if item.depth == 1:
        return item.numeral.rstrip("、．.，, ")
    return item.numeral.rstrip("、．. ")


def _title_and_count(text: str) -> tuple[str, int | None]:
    first = text.split("\n", 1)[0]
    count = None
    match = _COUNT.search(first)
    if match:
        count = to_int(match.group("count"))
        first = first[: match.start()]
    # A heading followed by its first sentence ("（一）加强组织领导。各地要……"): the heading only.
    first = re.split(r"[。；;]", first, maxsplit=1)[0]
    return first.strip(" \u3000：:")[:_HEADING_MAX * 2], count


def _add(builder: PlanBuilder, item: Item, units: Attribution, first_is_lead: bool) -> None:
    cooperating = list(units.cooperating)
    leads, responsible = builder.settle_leads(list(units.lead), list(units.responsible),
                                              first_is_lead=first_is_lead, line=item.line)
    if not leads and cooperating:
        builder.skip_task(item.number, item.text, item.line,
                          _("第 %(number)s 项只注明了配合单位，没有牵头单位") % {"number": item.number})
        return
    text = item.text
    for child in _sub_items(item):
        text += "\n" + child.numeral + child.text
    builder.add_task(
        number=item.number,
        text=text,
        lead_units=leads,
        responsible_terms=responsible,
        cooperating_units=cooperating,
        line=item.line,
        deadline_text="；".join(units.deadline),
    )


def _sub_items(item: Item):
    for child in item.children:
        if child.units is None or not child.units.names_units:
            yield child
            yield from _sub_items(child)
