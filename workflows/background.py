"""Jobs run in threads of the web process when no broker is configured (archives, long reports).

The request that asked has already answered; the thread runs the job after the commit. At most
``BACKGROUND_CONCURRENCY`` jobs run at a time (default 2, this machine's cores): a batch 验收 of 200
items renders two archives at a time and queues the rest, instead of 200 renders at once. A
process that dies with jobs waiting leaves their rows pending; the sweeps run them again.
"""
from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_slots: threading.BoundedSemaphore | None = None


def _semaphore() -> threading.BoundedSemaphore:
    global _slots
    with _lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(max(1, int(getattr(settings, "BACKGROUND_CONCURRENCY", 2) or 1)))
        return _slots


def start(name: str, job, *args) -> threading.Thread:
    """Run ``job(*args)`` in a daemon thread once a slot is free; its failure is logged (the job
    records its own outcome on its row); the thread's database connections are closed after."""
    def run() -> None:
        with _semaphore():
            try:
                job(*args)
            except Exception:  # noqa: BLE001 - the job keeps its failure on its row; this is the log
                logger.exception("background job %s failed", name)
            finally:
                connections.close_all()

    thread = threading.Thread(target=run, daemon=True, name=name)
    thread.start()
    return thread
