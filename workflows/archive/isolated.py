"""Render an archive PDF in a child process, bounded in time and memory, off any request.

WeasyPrint cannot be interrupted inside a thread; a child process can. The parent reads the
report from the database (``report.build``) and hands it to a child forked from a warm server
process (multiprocessing's forkserver, which has Django set up, WeasyPrint imported and the CJK
fonts loaded: ``render_child``), so a child starts in milliseconds, not the seconds a fresh
interpreter takes. A child that runs past ``ARCHIVE_RENDER_TIMEOUT_SECONDS`` is killed and the
render fails with a message naming the limit (the archive job records it and the sweep
retries); its address space is capped at ``ARCHIVE_RENDER_MAX_MEMORY_MB``. A timeout of 0 renders
in this process, unbounded.

Inside a Celery worker's pool process (a daemonic process, which may not have children) the
render runs in that process, and the task's soft and hard time limits (``workflows.tasks``) are
the bound instead.
"""
from __future__ import annotations

import multiprocessing
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from .render import RenderError, render_pdf

_lock = threading.Lock()
_context = None


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    seconds: float


@dataclass(frozen=True)
class Messages:
    """What a failed render says, in the words of the document being made (plain strings: they
    cross into the child process)."""
    timeout: str  # %(seconds)s
    exited: str
    memory: str  # %(limit)s
    failed: str  # %(error)s


def archive_messages() -> Messages:
    return Messages(
        timeout=_("归档文件生成超时（超过 %(seconds)s 秒），已中止，将自动重试"),
        exited=_("归档文件生成进程意外退出（可能超出内存上限），将自动重试"),
        memory=_("归档文件生成超出内存上限（%(limit)s MB），将自动重试"),
        failed=_("归档文件生成失败：%(error)s"))


def _forkserver():
    global _context
    with _lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["workflows.archive.render_child"])
            _context = context
    return _context


def render_bounded(report: dict, *, options: dict | None = None, messages: Messages | None = None) -> Rendered:
    """Render ``report`` to PDF bytes (``render_pdf`` with ``options``) within the configured time;
    raise RenderError otherwise, worded by ``messages`` (default: an archive's)."""
    timeout = float(getattr(settings, "ARCHIVE_RENDER_TIMEOUT_SECONDS", 0) or 0)
    options = options or {}
    started = time.monotonic()
    if timeout <= 0 or multiprocessing.current_process().daemon:
        return Rendered(render_pdf(report, **options), time.monotonic() - started)
    from . import render_child

    messages = messages or archive_messages()
    words = {"memory": str(messages.memory), "failed": str(messages.failed)}

    context = _forkserver()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=render_child.run, name="archive-render", daemon=True,
                            args=(report, sender, int(getattr(settings, "ARCHIVE_RENDER_MAX_MEMORY_MB", 0) or 0),
                                  options, words))
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            child.kill()
            raise RenderError(messages.timeout % {"seconds": f"{timeout:g}"})
        try:
            outcome, value = receiver.recv()
        except EOFError:
            raise RenderError(str(messages.exited)) from None
    finally:
        receiver.close()
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join()
    if outcome != "ok":
        raise RenderError(value)
    return Rendered(value, time.monotonic() - started)
