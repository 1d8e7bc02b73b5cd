"""Read a notice's title, document number, issuer and date from its free-text paragraphs."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .extract import parse_chinese_date
from .types import Paragraph

# 昆政办发〔2017〕169号; typists use 〔〕, [], ［］ or （） around the year.
DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,12}[〔\[［(（]\s*[0-9０-９]{4}\s*[〕\]］)）]\s*[0-9０-９]{1,5}\s*号"
)
_DOC_TYPE_SUFFIX = re.compile(
    r"(通知|意见|方案|决定|办法|规划|细则|通报|报告|批复|函|纪要|要点|任务分解|分解表|计划|清单)$"
)
_ISSUER_SUFFIX = re.compile(r"(人民政府|政府|办公室|办公厅|委员会|管委会|局|办|厅|部|委|院|中心)$")
_RED_HEAD = re.compile(r"^(?P<issuer>.+?)\s*文\s*件$")
_ATTACHMENT = re.compile(r"^附\s*件\s*[0-9０-９]*\s*[：:]?\s*$")


@dataclass(frozen=True)
class NoticeMetadata:
    title: str | None
    doc_number: str | None
    issuer: str | None
    issued_on: dt.date | None


def read_metadata(paragraphs: list[Paragraph]) -> NoticeMetadata:
    """Find the notice's metadata in the paragraphs that precede its task list."""
    texts = [p.text.strip() for p in paragraphs]
    title = _title(paragraphs)
    return NoticeMetadata(
        title=title,
        doc_number=_doc_number(texts),
        issuer=_issuer(texts) or _issuer_from_title(title),
        issued_on=_issued_on(texts),
    )


def _issuer_from_title(title: str | None) -> str | None:
    # "苏州市人民政府办公室关于印发…的通知" names its issuer before 关于 when nothing signs it.
    if not title or "关于" not in title:
        return None
    candidate = title.split("关于", 1)[0].strip()
    if 2 <= len(candidate) <= 30 and _ISSUER_SUFFIX.search(candidate):
        return candidate
    return None


def _doc_number(texts: list[str]) -> str | None:
    # A number standing alone on its line is the notice's own; later ones are citations.
    for text in texts:
        match = DOC_NUMBER.fullmatch(text)
        if match:
            return re.sub(r"\s+", "", match.group(0))
    return None


def _date_index(texts: list[str]) -> int | None:
    for index, text in enumerate(texts):
        if parse_chinese_date(re.sub(r"\s+", "", text)):
            return index
    return None


def _issued_on(texts: list[str]) -> dt.date | None:
    index = _date_index(texts)
    return parse_chinese_date(re.sub(r"\s+", "", texts[index])) if index is not None else None


def _issuer(texts: list[str]) -> str | None:
    # The signature stands just above the date; the red head ("…文件") is the fallback.
    index = _date_index(texts)
    if index:
        candidate = texts[index - 1]
        if len(candidate) <= 30 and _ISSUER_SUFFIX.search(candidate):
            return candidate
    for text in texts[:5]:
        match = _RED_HEAD.match(text)
        if match:
            return match.group("issuer").strip()
    return None


def _title(paragraphs: list[Paragraph]) -> str | None:
    # 1. The notice's own title: a "关于…" line, possibly wrapped over a few lines.
    for start, paragraph in enumerate(paragraphs):
        text = paragraph.text.strip()
        if "关于" not in text or len(text) > 60 or text.endswith(("：", ":")):
            continue
        joined = text
        previous_line = paragraph.line
        for following in paragraphs[start + 1 : start + 4]:
            if _DOC_TYPE_SUFFIX.search(joined) or following.line != previous_line + 1:
                break
            joined += following.text.strip()
            previous_line = following.line
        if _DOC_TYPE_SUFFIX.search(joined):
            return joined
    # 2. The attachment's title, on the line after "附件".
    for index, paragraph in enumerate(paragraphs[:-1]):
        if _ATTACHMENT.match(paragraph.text.strip()):
            return paragraphs[index + 1].text.strip()
    # 3. The first line that is neither a red head, a document number nor a date.
    for paragraph in paragraphs:
        text = paragraph.text.strip()
        if (
            text
            and not _RED_HEAD.match(text)
            and not DOC_NUMBER.fullmatch(text)
            and not parse_chinese_date(re.sub(r"\s+", "", text))
            and len(text) <= 80
        ):
            return text
    return None
