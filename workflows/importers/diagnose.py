"""Say what was seen in a document that gave no task, and what was missing.

"第 8 行像是表头（序号、重点任务、具体措施、时间节点），但没有识别出牵头单位或责任单位列" or
"识别到 12 个以“（一）”编号的条目，其中 0 条带有单位署名": never only "没有识别到任何任务".
"""
from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext as _

from .common import normalise_header
from .tables import role_of_header
from .types import Block, TableRow

_HEADER_CELL_MAX = 16


def no_tasks_message(blocks: list[Block], items: list, *, header: TableRow | None = None) -> str:
    """The error for a document in which nothing was read as a task."""
    seen: list[str] = []
    if header is not None:
        seen.append(_("按第 %(line)s 行的表头（%(cells)s）读取，但其下没有一行同时写有任务内容和单位")
                    % {"line": header.line, "cells": _cells(header)})
    else:
        candidate = header_like_row(blocks)
        if candidate is not None:
            seen.append(_header_message(candidate))
    seen += _numbering_messages(items)
    hint = _("可在“列映射”中指定各列或各标签的用途后重新预览")
    if not seen:
        hint = _("请检查文件是否为任务分解表或带编号的任务清单")
        tables = sum(isinstance(b, TableRow) for b in blocks)
        if tables:
            seen.append(_("文件中的 %(rows)s 个表格行都不像表头，也没有带编号的条目") % {"rows": tables})
        else:
            seen.append(_("文件中没有表格，也没有带编号的条目"))
    return _("没有识别到任何任务：%(seen)s。%(hint)s") % {"seen": "；".join(seen), "hint": hint}


def header_like_row(blocks: list[Block]) -> TableRow | None:
    """The first table row shaped like a header: short cells, two or more of them with a known name,
    else the first row of short cells of the first table."""
    rows = [b for b in blocks if isinstance(b, TableRow)]
    short = [r for r in rows if _is_short(r)]
    for row in short:
        if sum(role_of_header(c) is not None for c in row.cells) >= 2:
            return row
    return short[0] if short else None


def _is_short(row: TableRow) -> bool:
    cells = [normalise_header(c) for c in row.cells if c.strip()]
    return len(cells) >= 2 and all(len(c) <= _HEADER_CELL_MAX for c in cells)


def _cells(row: TableRow) -> str:
    return "、".join(c.strip() for c in row.cells if c.strip())


def _header_message(row: TableRow) -> str:
    roles = {role_of_header(c) for c in row.cells}
    missing = []
    if "task" not in roles:
        missing.append(_("任务内容列"))
    if not roles & {"lead", "responsible"}:
        missing.append(_("牵头单位或责任单位列"))
    return _("第 %(line)s 行像是表头（%(cells)s），但没有识别出%(missing)s") % {
        "line": row.line, "cells": _cells(row), "missing": _("和").join(missing) or _("可用的列")}


def _numbering_messages(items: list) -> list[str]:
    """One sentence per numbering style: how many items, how many of them name units."""
    by_depth: dict[int, list] = {}
    for item in items:
        by_depth.setdefault(item.depth, []).append(item)
    messages = []
    for depth in sorted(by_depth):
        group = by_depth[depth]
        attributed = sum(1 for i in group if i.units is not None and i.units.names_units)
        example = Counter(_style(i.numeral) for i in group).most_common(1)[0][0]
        messages.append(_("识别到 %(count)s 个以“%(numeral)s”编号的条目，其中 %(attributed)s 条带有单位署名")
                        % {"count": len(group), "numeral": example, "attributed": attributed})
    return messages


def _style(numeral: str) -> str:
    """The numbering style as the first numeral of it: "（三）" → "（一）", "12." → "1."."""
    out, replaced = [], False
    for ch in numeral:
        if ch.isdigit() or ch in "０１２３４５６７８９":
            if not replaced:
                out.append("1")
                replaced = True
        elif ch in "一二三四五六七八九十百两〇零":
            if not replaced:
                out.append("一")
                replaced = True
        elif "①" <= ch <= "⑳":
            out.append("①")
            replaced = True
        else:
            out.append(ch)
    return "".join(out)
