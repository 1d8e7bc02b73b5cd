"""Extract deadlines and quantitative targets from the text of one plan task.

Pure functions over strings: no database, no Django models.

Every regex runs over a *normalised* copy of the text in which full-width
digits, ``％`` and ``．`` are replaced by their ASCII forms.  The replacement is
one character for one character, so match offsets in the normalised copy are
also offsets in the original text, and phrases are always sliced from the
original.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re

from .types import Deadline, Target

__all__ = ["extract_deadlines", "extract_targets", "parse_chinese_date"]

# One-for-one replacements (length-preserving, so offsets stay valid).
_ASCII_FORMS = str.maketrans("０１２３４５６７８９％．", "0123456789%.")

# A deadline: an optional lead-in marker, a four-digit year, an optional
# refinement (month/day, half, quarter, year end, 年度) and an optional
# trailing "before" marker.  Every part is a fixed alternation or a bounded
# repeat, so matching is linear in the length of the text.
_DEADLINE = re.compile(
    r"(?:截至|截止到?|至|到|于)?"
    # Not the tail of a longer number (e.g. a document or phone number).
    r"(?<!\d)(?P<year>(?:19|20)\d{2})\s*年"
    r"(?:"
    r"(?P<month>\d{1,2})\s*月(?:(?P<day>\d{1,2})\s*[日号]|[底末])?"
    r"|(?P<half>[上下])半年[底末]?"
    r"|第?(?P<quarter>[一二三四1-4])季度[底末]?"
    # 年底 / 年末 / 年内 (optionally with a repeated 年, as in 2018年年底) and 年度.
    r"|年?[底末内]|度"
    r")?"
    r"(?:以前|之前|前)?"
)

# Words right before a year that make it the *start* of a period (从2017年始).
_START_BEFORE = frozenset("从自")

# Words right after a date that make it the start of a period (2018年起,
# 2017年以来).  起草 and 始终 are ordinary verbs/adverbs, not "from".
_START_AFTER = re.compile(r"\s*(?:起(?!草)|始(?!终)|开始|以来|以后|之后|至今)")

# A range of years such as 2016—2020年, 2016-2020年, 2016至2020年 or
# 2016年1月至2020年: neither end is a deadline.
_YEAR_RANGE = re.compile(
    r"(?<!\d)\d{4}\s*年?(?:\s*\d{1,2}\s*月)?\s*"
    r"(?:[—–\-－~～〜]{1,2}|至|到)"
    r"\s*\d{4}\s*年"
)

# A cited title: 《苏州市法治政府建设2016—2020年规划》.  Bounded and newline-free
# so an unbalanced 《 cannot swallow the rest of the text.
_CITED_TITLE = re.compile(r"《[^《》\n]{0,200}》")

# A document number: 苏委发〔2016〕14号, [2016], 【2016】.
_DOCUMENT_NUMBER = re.compile(r"[〔\[【(（]\s*\d{4}\s*[〕\]】)）](?:\s*\d+\s*号)?")

# Comparators that turn "number + unit" into a target.  Longer words come
# first so 不少于 wins over 少于 and 达到 over 达.
_COMPARATORS = "不少于|不低于|不超过|不高于|控制在|至少|达到|超过|低于|高于|少于|达"
# Units of a counted quantity, longest first (个工作日 before 个, 万元 before 元).
# 人次 is listed so that "100人次" is not truncated to "100人".
_UNITS = "个工作日|工作日|万元|亿元|学时|小时|人次|元|次|天|日|个|人|项|件|家|所"

# A quantity: a percentage (always a target) or a number with a unit, with an
# optional comparator before it and an optional bound (以上/以下/以内) after
# it.  The look-behind stops a match starting in the middle of a number.
_QUANTITY = re.compile(
    rf"(?:(?P<comparator>{_COMPARATORS})\s*)?"
    r"(?<![\d.])(?P<number>\d+(?:\.\d+)?)\s*"
    rf"(?:(?P<percent>%)|(?P<unit>{_UNITS})(?P<bound>以上|以下|以内)?)"
)

# Clause delimiters, matched in the ORIGINAL text.  An ASCII full stop between
# two digits is a decimal point (0.5%), not a delimiter.
_CLAUSE_DELIMITER = re.compile(r"[，。；：！？,;:!?\r\n]|(?<!\d)\.|\.(?!\d)")

_QUARTER_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}

# A whole date string, in Arabic or Chinese numerals (二〇一七年九月十八日).
_ZEROS = "〇○◯OoＯｏ零"
_DIGIT_VALUES = {
    **{ch: 0 for ch in _ZEROS},
    **{ch: i for i, ch in enumerate("一二三四五六七八九", start=1)},
    **{str(i): i for i in range(10)},
}
_CHINESE_DATE = re.compile(
    rf"\s*(?P<year>[0-9{_ZEROS}一二三四五六七八九]{{4}})\s*年"
    r"\s*(?P<month>[0-9一二三四五六七八九十]{1,3})\s*月"
    r"\s*(?P<day>[0-9一二三四五六七八九十]{1,3})\s*[日号]\s*"
)


def extract_deadlines(text: str) -> list[Deadline]:
    """Return the deadlines in ``text`` in document order, each (date, phrase) once."""
    normalised = text.translate(_ASCII_FORMS)
    excluded = _spans(_YEAR_RANGE, normalised) + _spans(_CITED_TITLE, normalised)
    deadlines: list[Deadline] = []
    seen: set[Deadline] = set()
    for match in _DEADLINE.finditer(normalised):
        start, end = match.span()
        if _overlaps(start, end, excluded) or _is_start_of_period(normalised, match):
            continue
        date = _deadline_date(match)
        if date is None:
            continue
        deadline = Deadline(date=date, phrase=text[start:end].strip())
        if deadline not in seen:
            seen.add(deadline)
            deadlines.append(deadline)
    return deadlines


def extract_targets(text: str) -> list[Target]:
    """Return the quantitative targets in ``text`` in document order."""
    normalised = text.translate(_ASCII_FORMS)
    excluded = _spans(_CITED_TITLE, normalised) + _spans(_DOCUMENT_NUMBER, normalised)
    delimiters = [m.start() for m in _CLAUSE_DELIMITER.finditer(text)]
    targets: list[Target] = []
    for match in _QUANTITY.finditer(normalised):
        is_percentage = match["percent"] is not None
        has_comparator = match["comparator"] is not None or match["bound"] is not None
        if not (is_percentage or has_comparator):
            continue
        if _overlaps(match.start("number"), match.end(), excluded):
            continue
        value = match["number"] + ("%" if is_percentage else match["unit"])
        phrase = _clause_around(text, delimiters, match.start("number"), match.end())
        targets.append(Target(value=value, phrase=phrase))
    return targets


def parse_chinese_date(text: str) -> dt.date | None:
    """Parse a whole date string such as 2017年9月18日 or 二〇一七年九月十八日; else None."""
    match = _CHINESE_DATE.fullmatch(text.translate(_ASCII_FORMS))
    if match is None:
        return None
    year = int("".join(str(_DIGIT_VALUES[ch]) for ch in match["year"]))
    month = _small_number(match["month"])
    day = _small_number(match["day"])
    if month is None or day is None:
        return None
    return _valid_date(year, month, day)


def _deadline_date(match: re.Match[str]) -> dt.date | None:
    """Turn a deadline match into the last day it allows, or None when invalid."""
    year = int(match["year"])
    if match["month"] is not None:
        month = int(match["month"])
        if match["day"] is not None:
            return _valid_date(year, month, int(match["day"]))
        if not 1 <= month <= 12:
            return None
        return _end_of_month(year, month)
    if match["half"] is not None:
        return _end_of_month(year, 6 if match["half"] == "上" else 12)
    if match["quarter"] is not None:
        return _end_of_month(year, 3 * _QUARTER_NUMBERS[match["quarter"]])
    return dt.date(year, 12, 31)


def _is_start_of_period(text: str, match: re.Match[str]) -> bool:
    """Tell whether the date opens a period (从2017年始, 2018年起) instead of closing one."""
    before = text[: match.start()].rstrip()
    if before and before[-1] in _START_BEFORE:
        return True
    return _START_AFTER.match(text, match.end()) is not None


def _end_of_month(year: int, month: int) -> dt.date:
    """Return the last day of ``month`` in ``year``."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _valid_date(year: int, month: int, day: int) -> dt.date | None:
    """Return the date, or None when it does not exist (2019年2月30日)."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _small_number(numeral: str) -> int | None:
    """Read a month or day number: 9, 18, 九, 十, 十八, 二十九, 三十一."""
    if numeral.isdigit():
        return int(numeral)
    tens, has_ten, units = numeral.partition("十")
    if not has_ten:
        tens, units = "", tens
    digits = [d for d in (tens, units) if d]
    if any(len(d) > 1 or d not in _DIGIT_VALUES for d in digits):
        return None
    tens_value = _DIGIT_VALUES[tens] if tens else (1 if has_ten else 0)
    return tens_value * 10 + (_DIGIT_VALUES[units] if units else 0)


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """Return the spans of every match of ``pattern`` in ``text``."""
    return [m.span() for m in pattern.finditer(text)]


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Tell whether [start, end) overlaps any of ``spans``."""
    return any(start < span_end and span_start < end for span_start, span_end in spans)


def _clause_around(text: str, delimiters: list[int], start: int, end: int) -> str:
    """Return the stripped text between the delimiters nearest to [start, end)."""
    index = bisect.bisect_left(delimiters, start)
    clause_start = delimiters[index - 1] + 1 if index > 0 else 0
    after = bisect.bisect_left(delimiters, end)
    clause_end = delimiters[after] if after < len(delimiters) else len(text)
    return text[clause_start:clause_end].strip()
