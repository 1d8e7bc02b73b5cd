"""Read a 完成时限 cell or label: dates, ranges, recurring cadences and standing tasks.

Pure functions over strings. A cell may say ``2023年6月底前``, ``2023-12-31``, ``6月底前`` (the year
from the plan's title), ``年内``, ``2023年9月—12月`` (a range: its end), ``长期坚持`` / ``持续推进`` (no
date: a standing task), ``每季度`` / ``每月10日前`` (a cadence, which periodic reporting uses).
The text is always kept as written by the caller.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from .extract import extract_deadlines
from .types import Deadline

_ASCII = str.maketrans("０１２３４５６７８９", "0123456789")
_NUMERIC_DATE = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d{2})\s*(?P<sep>[-/.])\s*(?P<month>\d{1,2})"
    r"(?:\s*(?P=sep)\s*(?P<day>\d{1,2}))?(?!\d)"
)
_DASH = r"\s*(?:[—–\-－~～〜]{1,2}|至|到)\s*"
_RANGE = re.compile(
    rf"(?P<y1>(?:19|20)\d{{2}})\s*年?(?:\s*(?P<m1>\d{{1,2}})\s*月)?{_DASH}"
    r"(?:(?P<y2>(?:19|20)\d{2})\s*年)?(?:\s*(?P<m2>\d{1,2})\s*月(?:(?P<d2>\d{1,2})\s*日)?)?(?:[底末])?"
)
_CN_MONTHS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
              "十一": 11, "十二": 12}
# A date without its year: 6月底前, 9月30日前, 年底前, 年内, 上半年, 三季度末.
_YEARLESS = re.compile(
    r"(?<![\d年])(?:(?P<month>\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月(?:(?P<day>\d{1,2})\s*[日号]|[底末中])?"
    r"|(?P<year_end>年底|年末|年内|全年|年度内|本年度|当年)"
    r"|(?P<half>[上下])半年"
    r"|第?(?P<quarter>[一二三四1-4])季度)"
)
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_ONGOING = re.compile(r"长期坚持|持续推进|长期推进|持续开展|长期|持续|常态化|常年|动态调整|逐年推进|久久为功")
_MONTHLY = re.compile(r"每月(?:(?P<day>\d{1,2})\s*[日号])?")
_CADENCES = (
    (re.compile(r"每(?:个)?季度|按季度?|季报"), "quarterly"),
    (re.compile(r"每半年|半年报"), "half-yearly"),
    (re.compile(r"每年|年度报告|年报"), "yearly"),
    (re.compile(r"每周"), "weekly"),
)


@dataclass
class DeadlineReading:
    dates: list[Deadline] = field(default_factory=list)
    due: dt.date | None = None
    cadence: str = ""

    @property
    def understood(self) -> bool:
        return bool(self.dates or self.cadence)


def _end_of_month(year: int, month: int) -> dt.date | None:
    if not 1 <= month <= 12:
        return None
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def read_deadline(cell: str, *, year: int | None = None) -> DeadlineReading:
    """Read a deadline cell; ``year`` is the plan's year, for dates written without one."""
    reading = DeadlineReading()
    text = (cell or "").translate(_ASCII)
    monthly = _MONTHLY.search(text)
    if monthly:
        reading.cadence = f"monthly:{int(monthly['day'])}" if monthly["day"] else "monthly"
    else:
        for pattern, name in _CADENCES:
            if pattern.search(text):
                reading.cadence = name
                break
    if not reading.cadence and _ONGOING.search(text):
        reading.cadence = "ongoing"

    for match in _RANGE.finditer(text):
        if not (match["y2"] or match["m2"]):
            continue  # "2018-06-30" is a date, not a range
        end_year = int(match["y2"] or match["y1"])
        if match["m2"]:
            end = _end_of_month(end_year, int(match["m2"]))
            if end and match["d2"]:
                try:
                    end = dt.date(end_year, int(match["m2"]), int(match["d2"]))
                except ValueError:
                    end = None
        elif match["y2"] or not match["m1"]:
            end = dt.date(end_year, 12, 31)
        else:
            end = None
        if end:
            reading.dates.append(Deadline(date=end, phrase=cell[match.start():match.end()].strip()))
    if not reading.dates:
        reading.dates = extract_deadlines(cell)
        years = [d.date.year for d in reading.dates]
        context = years[-1] if years else year
        if context:
            reading.dates += [d for d in _yearless(cell, text, context) if d not in reading.dates]
        if not reading.dates:
            reading.dates = _numeric(cell, text)
    if reading.cadence in ("monthly", "quarterly", "half-yearly", "yearly", "weekly") \
            or reading.cadence.startswith("monthly:"):
        # "每季度末前报送": the cadence, not a date ("季度末" read as the fourth quarter).
        reading.dates = [d for d in reading.dates if re.search(r"(?:19|20)\d{2}", d.phrase)]
    if reading.dates:
        reading.due = max(d.date for d in reading.dates)
    return reading


def _yearless(cell: str, text: str, year: int) -> list[Deadline]:
    found: list[Deadline] = []
    for match in _YEARLESS.finditer(text):
        # Skip the parts of dates that carry their own year (already read).
        if re.search(r"(?:19|20)\d{2}\s*年\s*$", text[: match.start()]):
            continue
        date = None
        if match["month"]:
            month = int(match["month"]) if match["month"].isdigit() else _CN_MONTHS.get(match["month"])
            if month is None or not 1 <= month <= 12:
                continue
            if match["day"]:
                try:
                    date = dt.date(year, month, int(match["day"]))
                except ValueError:
                    continue
            else:
                date = _end_of_month(year, month)
        elif match["year_end"]:
            date = dt.date(year, 12, 31)
        elif match["half"]:
            date = _end_of_month(year, 6 if match["half"] == "上" else 12)
        elif match["quarter"]:
            date = _end_of_month(year, 3 * _QUARTERS[match["quarter"]])
        if date is not None:
            found.append(Deadline(date=date, phrase=cell[match.start():match.end()].strip()))
    return found


def _numeric(cell: str, text: str) -> list[Deadline]:
    found: list[Deadline] = []
    for match in _NUMERIC_DATE.finditer(text):
        year, month = int(match["year"]), int(match["month"])
        if not 1 <= month <= 12:
            continue
        day = int(match["day"]) if match["day"] else calendar.monthrange(year, month)[1]
        try:
            found.append(Deadline(date=dt.date(year, month, day), phrase=match.group(0)))
        except ValueError:
            continue  # 2018-02-30 is no date; the caller warns about an unreadable cell
    return found


_PLAN_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?!\s*[—–\-－~～至到])")


def plan_year(texts: list[str]) -> int | None:
    """The year a plan is for, from its title ("2023年政府工作报告重点工作分解"); None if unsaid."""
    for text in texts[:6]:
        match = _PLAN_YEAR.search(text.translate(_ASCII))
        if match and not re.search(r"[—–\-－~～至到]\s*$", text[: match.start()]):
            return int(match.group(1))
    return None
