"""Render an archive PDF in a child process, bounded in time (and memory), off any request.

WeasyPrint cannot be interrupted inside a thread; a child process can. The parent reads the
report from the database (``report.build``) and hands it to ``python manage.py
render_archive_pdf`` as JSON on standard input; the child renders and writes the PDF to standard
output. A child that runs past ``ARCHIVE_RENDER_TIMEOUT_SECONDS`` is killed and the render fails
with a Chinese message naming the limit (the archive job records it and the sweep retries). The
child's address space is capped at ``ARCHIVE_RENDER_MAX_MEMORY_MB`` so a runaway report cannot take
the machine's memory. A timeout of 0 renders in this process, unbounded.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .render import RenderError, render_pdf

MANAGE = Path(settings.BASE_DIR) / "manage.py"


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    seconds: float


def _limit_memory(megabytes: int):
    def apply():  # runs in the child between fork and exec
        if megabytes > 0:
            size = megabytes * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (size, size))
    return apply


def render_bounded(report: dict) -> Rendered:
    """Render ``report`` to PDF bytes within the configured time; raise RenderError otherwise."""
    timeout = float(getattr(settings, "ARCHIVE_RENDER_TIMEOUT_SECONDS", 0) or 0)
    started = time.monotonic()
    if timeout <= 0:
        return Rendered(render_pdf(report), time.monotonic() - started)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE)}
    try:
        done = subprocess.run(
            [sys.executable, str(MANAGE), "render_archive_pdf"], input=json.dumps(report).encode("utf-8"),
            capture_output=True, timeout=timeout, env=env, cwd=settings.BASE_DIR,
            preexec_fn=_limit_memory(int(getattr(settings, "ARCHIVE_RENDER_MAX_MEMORY_MB", 0) or 0)),
        )
    except subprocess.TimeoutExpired:
        raise RenderError(f"归档文件生成超时（超过 {timeout:g} 秒），已中止，将自动重试") from None
    seconds = time.monotonic() - started
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RenderError(f"归档文件生成失败：{message[-1] if message else f'进程退出码 {done.returncode}'}")
    return Rendered(done.stdout, seconds)
