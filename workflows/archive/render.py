"""Render an archived report to PDF/A-3b with WeasyPrint: embedded CJK font subsets, no network.

A glyph missing from the fonts (WeasyPrint's ``.notdef`` warning) is an error, not a box in
an archive: the render fails and the job is retried after the fonts are fixed.
"""
from __future__ import annotations

import json
import logging

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from .report import manifest

FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")


class RenderError(RuntimeError):
    pass


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _no_fetch():
    """A fetcher that refuses every external resource: the report is self-contained (no network, no
    files); only ``data:`` PNG images made by the report itself (the seal) are read. A refusal stops
    the render (``fail_on_errors``) and reaches the caller as a ``RenderError``."""
    from weasyprint.urls import URLFetcher

    class NoFetch(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:image/png;base64,"):
                return super().fetch(url, headers)
            raise RenderError(_("归档报告不得引用外部资源：%(url)s") % {"url": url[:100]})

    return NoFetch(allowed_protocols={"data"}, fail_on_errors=True)


def _css_text(text: str) -> str:
    """Text safe inside a CSS string in the template (page header and footer)."""
    return "".join(ch for ch in text if ch not in '"\\<>\r\n')


def render_pdf(report: dict, *, template: str = "workflows/archive_report.html", variant: str = "pdf/a-3b",
               attach_manifest: bool = True, header_right: str | None = None) -> bytes:
    """``report`` through ``template`` to PDF bytes; fonts that lack a glyph raise ``RenderError``.

    The page header names the plan on the left and, on the right, ``header_right`` or, for an
    archive, the task and unit.
    """
    from weasyprint import HTML, Attachment
    from weasyprint.urls import FatalURLFetchingError

    if header_right is None:
        header_right = f"验收办结归档 · 第{report['task']['number']}项 · {report['assignment']['unit']}"
    header = {
        "left": _css_text(report["plan"]["doc_number"] or report["plan"]["supervising_unit"]),
        "right": _css_text(header_right),
        "generated": _css_text(f"生成时间：{report['generated_at']}"),
    }
    with translation.override("zh-hans"):
        html = render_to_string(template, {"r": report, "header": header})
    attachments = []
    if attach_manifest:
        data = json.dumps(manifest(report), ensure_ascii=False, indent=2, sort_keys=True)
        attachments.append(Attachment(string=data, name="evidence-manifest.json",
                                      description="佐证材料清单（JSON）", relationship="Data"))
    collector = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        pdf = HTML(string=html, url_fetcher=_no_fetch()).write_pdf(
            pdf_variant=variant, attachments=attachments)
    except FatalURLFetchingError as exc:
        cause = exc.__cause__
        raise (cause if isinstance(cause, RenderError) else RenderError(str(exc))) from None
    finally:
        logger.removeHandler(collector)
    missing = [m for m in collector.messages if ".notdef" in m or "unsupported by fonts" in m]
    if missing:
        raise RenderError(_("字体缺字，归档报告无法正确显示：%(warnings)s") % {"warnings": "；".join(missing[:3])})
    return pdf
