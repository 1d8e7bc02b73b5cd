"""What the mapping step shows: a document's columns (or labels) and the role each was read as.

Pure: reads blocks, writes nothing. The browser and the CLI show it so the user can say what a
column or a label means when detection fell short; their answer is a :class:`LayoutMapping`.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .diagnose import header_like_row
from .mapping import LayoutMapping, column_key
from .prose import LABEL_ROLES
from .tables import find_header, join_header_rows, refine_columns, role_of_header
from .types import Block, Paragraph, TableRow

_SAMPLES = 3
# "牵头单位：" at the start of a line or after a sentence: a label the document uses.
_LABEL = re.compile(r"(?:^|[。；;，,\s])(?P<label>[\u4e00-\u9fff]{2,8})\s*[：:]")


@dataclass(frozen=True)
class ColumnView:
    index: int
    header: str
    key: str  # how a mapping names it
    role: str | None  # as read: by its header, its content, or the mapping
    samples: tuple[str, ...]

    @property
    def number(self) -> int:
        return self.index + 1


@dataclass(frozen=True)
class LabelView:
    label: str
    role: str | None
    count: int


@dataclass(frozen=True)
class DocumentLayout:
    header_line: int | None
    columns: tuple[ColumnView, ...]
    labels: tuple[LabelView, ...]

    @property
    def is_table(self) -> bool:
        return bool(self.columns)

    def lacks_lead(self) -> bool:
        """A table read with no column for the lead or the responsible units."""
        return self.is_table and not any(c.role in ("lead", "responsible") for c in self.columns)


def read_layout(blocks: list[Block], mapping: LayoutMapping | None = None,
                known_units: frozenset[str] = frozenset()) -> DocumentLayout:
    blocks = join_header_rows(blocks, mapping)
    return DocumentLayout(*_table_view(blocks, mapping, known_units), labels=_labels(blocks, mapping))


def _table_view(blocks, mapping, known_units) -> tuple[int | None, tuple[ColumnView, ...]]:
    index, columns = find_header(blocks, mapping, known_units)
    if columns is not None:
        header = blocks[index]
        body = _rows_after(blocks, index)
        columns, _found = refine_columns(columns, header, body, known_units)
        roles = {i: role for role in ("seq", "section", "task", "lead", "responsible", "cooperating", "deadline")
                 if (i := getattr(columns, role)) is not None}
        roles.update(dict.fromkeys(columns.ignored, "ignore"))
    else:
        header = header_like_row(blocks)
        if header is None:
            return None, ()
        body = _rows_after(blocks, blocks.index(header))
        roles = {}
        for i, cell in enumerate(header.cells):
            role = (mapping.role_of_column(i, cell) if mapping is not None else None) or role_of_header(cell)
            if role:
                roles[i] = role
    headers = [c.strip() for c in header.cells]
    views = []
    for i, cell in enumerate(headers):
        samples = tuple(r.cells[i].strip()[:40] for r in body if i < len(r.cells) and r.cells[i].strip())
        views.append(ColumnView(index=i, header=cell, key=column_key(i, cell, headers), role=roles.get(i),
                                samples=samples[:_SAMPLES]))
    return header.line, tuple(views)


def _rows_after(blocks: list[Block], index: int) -> list[TableRow]:
    rows = []
    for block in blocks[index + 1:]:
        if isinstance(block, TableRow):
            rows.append(block)
    return rows


def _labels(blocks: list[Block], mapping: LayoutMapping | None) -> tuple[LabelView, ...]:
    """Labels used in the prose: the known ones, and any other used twice or more."""
    counts: Counter[str] = Counter()
    for block in blocks:
        if isinstance(block, Paragraph):
            counts.update(m["label"] for m in _LABEL.finditer(block.text))
    chosen = mapping.labels if mapping is not None else {}
    views = []
    for label, count in counts.most_common():
        role = chosen.get(label) or LABEL_ROLES.get(label)
        if role or count >= 2:
            views.append(LabelView(label=label, role=role, count=count))
    return tuple(views)
