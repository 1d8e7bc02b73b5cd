"""Small pure helpers shared by the table and prose interpreters."""
from __future__ import annotations

import functools
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


_OPEN, _CLOSE = "（(〔［[【", "）)〕］]】"
# Words that join names in an attribution but are no name themselves: "由A牵头", "A会同B",
# "A、B等有关部门", "A、B按职责分工负责".
_LEADING_JOINERS = re.compile(r"^(?:由|请|并由)")
_TRAILING_JOINERS = re.compile(
    r"(?:按照?职责分工负责|按照?职责分工|按照?职责|根据职责|分别负责|共同负责|负责落实|牵头负责|具体负责"
    r"|分别|共同|负责|牵头|配合|落实|参与|协助|组织实施|实施)$"
)
_AND_WITH = re.compile(r"会同|联合|协同|并会同|和(?=[市区县省各])|及(?=[市区县省各])|与(?=[市区县省各])")
# "A等有关部门": A and the group term 有关部门; "A等" / "A等单位": A alone.
_ETC = re.compile(r"^(?P<name>.+?)等(?P<group>有关部门|相关部门|有关单位|相关单位|部门|单位)?$")
# Administrative levels a group term lists before its noun: "各省、自治区、直辖市人民政府",
# "各县（市、区）", "各镇、街道" are one term each.
_REGION_WORDS = frozenset(
    "省 自治区 直辖市 市 县 区 县级市 县区 市区 旗 盟 州 自治州 乡 镇 乡镇 街道 园区 开发区 管委会 "
    "社区 村 农场 林场 功能区 板块".split()
)


def _split_outside_brackets(cell: str) -> list[str]:
    parts, depth, current = [], 0, []
    for ch in cell:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if depth == 0 and _UNIT_SEPARATORS.fullmatch(ch):
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _is_region_word(part: str) -> bool:
    return part.removeprefix("各") in _REGION_WORDS


_REGION_TAIL = re.compile(r"^(?P<word>[^（(]+?)(?:[（(][^）)]*[）)])?(?:人民政府|政府|办事处|管委会|党委和政府)?$")


def _ends_region_group(part: str) -> bool:
    match = _REGION_TAIL.match(part)
    return bool(match) and _is_region_word(match.group("word"))


def _join_region_groups(parts: list[str]) -> list[str]:
    """Join "各省、自治区、直辖市人民政府" and "各开发区、镇（街道）" back into one group term.

    Only administrative levels join: "各街道、区市场局" stays two names.
    """
    joined: list[str] = []
    index = 0
    while index < len(parts):
        part = parts[index]
        end = index
        if part.startswith("各") and _is_region_word(part):
            # A part with its own 各 is a group of its own: "各乡镇、各街道" are two terms.
            while end + 1 < len(parts) and _is_region_word(parts[end]) \
                    and not parts[end + 1].startswith("各") and _ends_region_group(parts[end + 1]):
                end += 1
        joined.append("、".join(parts[index : end + 1]))
        index = end + 1
    return joined


def clean_unit_name(part: str) -> list[str]:
    """One written name without the joining words around it; "A等有关部门" gives two names."""
    name = part.strip(_UNIT_TRIM)
    name = _LEADING_JOINERS.sub("", name)
    for _ in range(2):  # "按职责分工负责" after "牵头" etc.
        name = _TRAILING_JOINERS.sub("", name).strip(_UNIT_TRIM)
    names: list[str] = []
    for piece in _AND_WITH.split(name):
        piece = piece.strip(_UNIT_TRIM)
        etc = _ETC.match(piece)
        if etc and len(etc.group("name")) >= 2:
            names.append(etc.group("name"))
            group = etc.group("group")
            if group and group.startswith(("有关", "相关")):
                names.append(group)
        elif piece:
            names.append(piece)
    return names


def split_units(cell: str) -> list[str]:
    """Split a cell or attribution into unit names, in order, dropping empties and repeats.

    A 、 inside brackets (各县（市、区）) or inside a group of administrative levels
    (各省、自治区、直辖市人民政府) does not separate names.
    """
    names: list[str] = []
    parts = [p.strip(_UNIT_TRIM) for p in _split_outside_brackets(cell or "")]
    for part in _join_region_groups([p for p in parts if p]):
        for name in clean_unit_name(part):
            if name and name not in names:
                names.append(name)
    return names


LEAD_MARKS = "★☆▲△※*＊"


def take_lead_marks(names: list[str]) -> tuple[list[str], list[str]]:
    """Names without the mark some tables put before the lead ("★区发改委、统计局"), and the marked ones."""
    clean, marked = [], []
    for name in names:
        bare = name.lstrip(LEAD_MARKS).strip()
        if not bare:
            continue
        clean.append(bare)
        if bare != name.strip():
            marked.append(bare)
    return clean, marked


_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(numeral: str) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23, 一百零五 → 105; digits as digits; None for anything else."""
    numeral = numeral.strip()
    if numeral.isdigit():
        return to_int(numeral)
    total, current = 0, 0
    for ch in numeral:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


_NOT_A_NAME = re.compile(r"^[0-9０-９]|[0-9０-９]{4}\s*年|[0-9０-９]+\s*月|[。！？]")


def plausible_unit(name: str) -> bool:
    """Whether a written name could be a unit or group term (not a date, a sentence or a figure)."""
    return 2 <= len(name) <= 40 and not _NOT_A_NAME.search(name)


# How the names of offices end: 局, 委, 办, 政府, 中心, 街道 … A cell of such names is a unit column.
_UNIT_ENDING = re.compile(
    r"(?:局|委|办|厅|院|部|室|科|处|股|中心|政府|街道|镇|乡|区|县|市|队|所|会|站|公司|集团|馆|社|行|组|"
    r"指挥部|专班|海关|团|校|园|台|署|司|监狱|总工会|妇联|团委|党委|党组|机关)"
    r"(?:[（(][^）)]*[）)])?$"
)


def looks_like_unit(name: str, known: frozenset[str] = frozenset()) -> bool:
    """Whether a written name is shaped like an office's name (or is one of ``known``)."""
    if name in known:
        return True
    return plausible_unit(name) and len(name) <= 25 and bool(_UNIT_ENDING.search(simplified(name)))


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


@functools.cache
def _to_simplified():
    import opencc  # loaded on first use: its dictionaries take a moment to read

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """``text`` in simplified characters, for recognising words only: what is stored stays as written.

    Copies of documents on some sites have been turned into traditional characters (主要工作任務,
    責任單位, 辦事處); the vocabulary and the shapes of unit names are matched on this form.
    """
    if not text or text.isascii():
        return text
    return _to_simplified().convert(text)


def normalise_header(cell: str) -> str:
    """Compare header cells without spaces, line breaks, full-width forms or traditional characters."""
    return simplified(re.sub(r"\s+", "", unicodedata.normalize("NFKC", cell or "")))
