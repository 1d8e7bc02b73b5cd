"""Small pure helpers shared by the table and prose interpreters."""
from __future__ import annotations

import re
import unicodedata

# Units inside one cell or one attribution are separated by line breaks, 、，; and the like.
_UNIT_SEPARATORS = re.compile(r"[\n、，,；;／/\s\u3000]+")
# Trailing punctuation a typist leaves after a unit name.
_UNIT_TRIM = " \t\u3000\xa0。．.：:"

# "1．" "12." "3、" "（4）" "(5)" at the start of a task.
TASK_NUMBER = re.compile(
    r"^\s*(?:(?P<n1>[0-9０-９]{1,3})\s*[．.、]|[（(]\s*(?P<n2>[0-9０-９]{1,3})\s*[）)])\s*"
)
_CHINESE_NUMERAL = "〇零一二三四五六七八九十百两"
# "（一）依法全面履行政府职能", "一、优化营商环境方面（共5项）", "第一部分 …".
SECTION_HEADING = re.compile(
    rf"^\s*(?:[（(](?P<n1>[{_CHINESE_NUMERAL}]+)[）)]|(?P<n2>[{_CHINESE_NUMERAL}]+)\s*[、．.]"
    rf"|(?P<n3>第[{_CHINESE_NUMERAL}]+(?:部分|章|节|项)))\s*(?P<title>.*?)\s*$"
)
# "（共5项）" after a section title says how many tasks it should hold.
SECTION_COUNT = re.compile(r"[（(]\s*共\s*(?P<count>[0-9０-９]+)\s*项\s*[）)]\s*$")
SECTION_NUMERAL_ONLY = re.compile(rf"^\s*[（(]?[{_CHINESE_NUMERAL}]+[）)]?\s*[、．.]?\s*$")


def to_int(digits: str) -> int:
    return int(unicodedata.normalize("NFKC", digits))


def split_units(cell: str) -> list[str]:
    """Split a cell or attribution into unit names, in order, dropping empties and repeats."""
    names: list[str] = []
    for part in _UNIT_SEPARATORS.split(cell or ""):
        name = part.strip(_UNIT_TRIM)
        if name and name not in names:
            names.append(name)
    return names


def strip_task_number(text: str) -> tuple[int | None, str]:
    """Return the task number written at the start of ``text`` and the text without it."""
    match = TASK_NUMBER.match(text)
    if not match:
        return None, text.strip()
    digits = match.group("n1") or match.group("n2")
    return to_int(digits), text[match.end() :].strip()


def parse_section_heading(text: str) -> tuple[str, str, int | None] | None:
    """Read ``(numeral, title, announced task count)`` from a section heading, else None."""
    first_line = text.strip().split("\n", 1)[0]
    match = SECTION_HEADING.match(first_line)
    if not match:
        return None
    if match.group("n1"):
        numeral = f"（{match.group('n1')}）"
    else:
        numeral = match.group("n2") or match.group("n3")
    title = match.group("title")
    count = None
    count_match = SECTION_COUNT.search(title)
    if count_match:
        count = to_int(count_match.group("count"))
        title = title[: count_match.start()].rstrip()
    return numeral, title.strip(" \u3000：:"), count


def normalise_header(cell: str) -> str:
    """Compare header cells without spaces, line breaks or full-width forms."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", cell or ""))
