"""Interpret a prose plan: numbered tasks that end in an inline attribution.

Two attribution styles are common:

* ``（市发改委、市财政局负责）``, with a rule stated once such as
  "排在第一位的部门为牵头部门，下同": the first unit leads, all of them are responsible;
* ``（牵头单位：市发改委，配合单位：市财政局、市商务局，各区）``: labelled lists, where
  an unlabelled part names the responsible units.
"""
from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .builder import PlanBuilder
from .common import TASK_NUMBER, parse_section_heading, split_units, strip_task_number
from .extract import extract_deadlines
from .types import Paragraph

# The last bracketed group of a paragraph, optionally followed by closing punctuation.
_ATTRIBUTION = re.compile(r"[（(](?P<body>[^（）()]*)[）)]\s*[。；;．.]?\s*$")
_LABELLED = re.compile(
    r"^(?P<label>牵头单位|牵头部门|责任单位|责任部门|配合单位|配合部门|协办单位|参与单位)\s*[：:]\s*(?P<units>.*)$"
)
_LABEL_ROLE = {
    "牵头单位": "lead", "牵头部门": "lead", "责任单位": "responsible", "责任部门": "responsible",
    "配合单位": "cooperating", "配合部门": "cooperating", "协办单位": "cooperating",
    "参与单位": "cooperating",
}
_SUFFIX_ROLE = (("牵头", "lead"), ("负责", "responsible"), ("配合", "cooperating"),
                ("参与", "cooperating"), ("协助", "cooperating"), ("落实", "responsible"))
# "排在第一位的部门为牵头部门，下同", "排名第一的单位为牵头单位", "第一个为牵头单位".
FIRST_IS_LEAD_RULE = re.compile(r"(排在第一位|排名第一|排列第一|排在首位|第一个|第一位)的?(部门|单位)?为牵头(部门|单位)")
_RULE_CLAUSE = re.compile(r"(排在第一位|排名第一|排列第一|排在首位|第一个|第一位).*?(牵头(部门|单位))|下同")
# Time words an attribution may carry instead of a date ("长期坚持", "持续推进").
_ONGOING = re.compile(r"^(长期坚持|持续推进|长期|持续|常态化推进|每年|逐年推进)")


def parse_attribution(body: str) -> dict[str, list[str]] | None:
    """Read an attribution's lead, responsible and cooperating units, or None if it is not one.

    A part that states a time ("2018年底前完成", "长期坚持") is kept under "deadline", not
    taken for a unit.
    """
    roles: dict[str, list[str]] = {"lead": [], "responsible": [], "cooperating": [], "deadline": []}
    found = False
    for part in re.split(r"[，,；;]", _RULE_CLAUSE.sub("", body)):
        part = part.strip()
        if not part:
            continue
        if extract_deadlines(part) or _ONGOING.match(part):
            roles["deadline"].append(part)
            continue
        labelled = _LABELLED.match(part)
        if labelled:
            roles[_LABEL_ROLE[labelled.group("label")]] += split_units(labelled.group("units"))
            found = True
            continue
        for suffix, role in _SUFFIX_ROLE:
            if part.endswith(suffix) and len(part) > len(suffix):
                roles[role] += split_units(part[: -len(suffix)])
                found = True
                break
        else:
            if found:
                # An unlabelled list after labelled ones ("…，各区") names responsible units.
                roles["responsible"] += split_units(part)
            else:
                return None
    return roles if found else None


def interpret_prose(paragraphs: list[Paragraph], builder: PlanBuilder, *, first_is_lead: bool) -> None:
    """Feed the numbered, attributed paragraphs into ``builder``; skip the preamble before them.

    Numbered items without an attribution are a task missing its lead when their section holds
    attributed tasks; in a section without any ("三、保障措施") they are prose, and skipped.
    """
    started = False  # numbered items before the first attributed task are the preamble's
    section_has_tasks = False
    unattributed: list[tuple[Paragraph, str]] = []  # this section's items, before its first task
    pending: Paragraph | None = None  # a numbered paragraph, possibly wrapped over lines
    pending_text = ""

    def attribution_of(text: str):
        match = _ATTRIBUTION.search(text)
        roles = parse_attribution(match.group("body")) if match else None
        return (match, roles) if roles is not None else (None, None)

    def refuse(paragraph: Paragraph, text: str) -> None:
        number, text = strip_task_number(text)
        # The builder words the error: a repeated number, or a task without a lead.
        builder.add_task(number=number, text=text, lead_units=[], responsible_terms=[],
                         cooperating_units=[], line=paragraph.line)

    def flush() -> None:
        nonlocal pending, pending_text, started, section_has_tasks
        if pending is None:
            return
        match, roles = attribution_of(pending_text)
        if match is not None:
            if unattributed:
                refuse(*unattributed[0])
            started = section_has_tasks = True
            number, text = strip_task_number(pending_text[: match.start()])
            _add(builder, pending, number, text, roles, first_is_lead)
        elif section_has_tasks:
            refuse(pending, pending_text)
        elif started:
            unattributed.append((pending, pending_text))
        pending, pending_text = None, ""

    def close_section() -> None:
        nonlocal section_has_tasks
        flush()
        if unattributed:
            title = builder.current.title if builder.current else ""
            builder.warn(_("“%(title)s”中的编号条目均未注明责任单位，未作为任务导入") % {"title": title},
                         unattributed[0][0].line)
        unattributed.clear()
        section_has_tasks = False

    for paragraph in paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        if TASK_NUMBER.match(text):
            flush()
            pending, pending_text = paragraph, text
        elif (heading := parse_section_heading(text)) and len(heading[1]) <= 40 \
                and attribution_of(text)[0] is None:
            close_section()
            builder.open_section(heading[0], heading[1], paragraph.line, heading[2])
            continue
        elif pending is not None:
            pending_text += text  # a task wrapped over several lines
        if pending is not None and attribution_of(pending_text)[0] is not None:
            flush()
    close_section()


def _add(builder: PlanBuilder, paragraph: Paragraph, number: int | None, text: str,
         roles: dict[str, list[str]], first_is_lead: bool) -> None:
    leads, responsible, cooperating = roles["lead"], roles["responsible"], roles["cooperating"]
    if not leads and responsible:
        if not first_is_lead and len(responsible) > 1:
            builder.warn(_("文件未说明牵头部门的排序规则，按排在第一位的部门为牵头部门处理"), paragraph.line)
        leads = responsible[:1]
    if not responsible:
        # Nothing names the units that carry the task out: the lead carries it out itself.
        responsible = list(leads)
    builder.add_task(
        number=number,
        text=text,
        lead_units=leads,
        responsible_terms=responsible,
        cooperating_units=cooperating,
        line=paragraph.line,
        deadline_text="；".join(roles["deadline"]),
    )
