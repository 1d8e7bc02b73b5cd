"""Typesetting rules shared by the PDFs (archive, progress report)."""
from __future__ import annotations


def title_parts(title: str, keep: int = 2) -> dict:
    """A title split so that its last ``keep`` characters (and what the template puts after them,
    such as the document number) go on one unbreakable line: no line of a title is one character."""
    title = title or ""
    return {"title_head": title[:-keep] if len(title) > keep else "", "title_tail": title[-keep:]}
