"""The child side of ``workflows.archive.isolated``: loaded once in the forkserver process, where it
sets Django up and warms WeasyPrint and the fonts, so that each render forked from it starts warm."""
from __future__ import annotations

import os
import resource

import django
from django.apps import apps

if not apps.ready:  # the forkserver is a fresh interpreter: the settings come from its environment
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    django.setup()

from .render import RenderError, render_pdf  # noqa: E402


def _warm() -> None:
    """Load WeasyPrint, Pango and the CJK fonts once, before any render is forked."""
    try:
        from weasyprint import HTML

        HTML(string="<p style='font-family: Noto Serif CJK SC'>归档 预热</p>").write_pdf()
    except Exception:  # noqa: BLE001 - a failed warm-up only makes the first render slower
        pass


_warm()


def run(report: dict, connection, memory_mb: int, options: dict, words: dict) -> None:
    """Render ``report`` (``render_pdf`` with ``options``) and send ("ok", pdf) or ("error", message,
    worded by ``words``: "memory", "failed") back through ``connection``."""
    try:
        if memory_mb > 0:
            size = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (size, size))
        connection.send(("ok", render_pdf(report, **options)))
    except RenderError as exc:
        connection.send(("error", str(exc)))
    except MemoryError:
        connection.send(("error", words["memory"] % {"limit": memory_mb}))
    except Exception as exc:  # noqa: BLE001 - told to the parent, which records it on the archive
        connection.send(("error", words["failed"] % {"error": f"{type(exc).__name__}: {exc}"}))
    finally:
        connection.close()
