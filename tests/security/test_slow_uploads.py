"""Slow uploads do not block the site: nginx, set up as deploy/nginx.conf says, reads each body
whole before an app worker sees the request.

Before (no proxy in the test, and none documented to buffer): four slow 8 MB uploads against four
sync workers made GET /login/ take 22 s. The control below shows the same blocking against
gunicorn alone, so the check through nginx is not passing by luck.
"""
from __future__ import annotations

import os
import shutil
import socket
import time
from pathlib import Path

import pytest

from tests.security.servers import NGINX, get_status, gunicorn, nginx
from tests.security.uploads_in_flight import SlowUpload

HAVE_NGINX = bool(shutil.which("nginx")) or Path(NGINX).exists()
if not HAVE_NGINX and os.environ.get("REQUIRE_NGINX") == "1":
    raise RuntimeError("nginx is required here (REQUIRE_NGINX=1) but not installed")
needs_nginx = pytest.mark.skipif(not HAVE_NGINX,
                                 reason="needs Debian's nginx (apt-get install nginx-light; make test installs it)")


def _slow_uploads(port: int, count: int) -> list[SlowUpload]:
    clients = [SlowUpload(port, size=8 * 1024 * 1024, chunk=16 * 1024, pause=0.05) for _ in range(count)]
    for client in clients:
        client.start()
    for client in clients:
        assert client.connected.wait(10)
    time.sleep(1.0)  # each is well into its body, none near its end (8 MB at ~320 KB/s: ~25 s)
    return clients


def _finish(clients: list[SlowUpload]) -> None:
    for client in clients:
        client.stop.set()
    for client in clients:
        client.join(10)


def test_gunicorn_alone_is_blocked_by_as_many_slow_uploads_as_it_has_workers(tmp_path):
    with gunicorn(tmp_path, workers=2) as (port, _server):
        clients = _slow_uploads(port, 2)
        try:
            with pytest.raises((socket.timeout, TimeoutError)):
                get_status(port, timeout=3)
            assert all(c.is_alive() and c.sent < c.size for c in clients)
        finally:
            _finish(clients)


@needs_nginx
def test_behind_nginx_the_sign_in_page_answers_while_slow_uploads_are_still_arriving(tmp_path):
    with gunicorn(tmp_path, workers=2) as (app, _server), nginx(tmp_path, upstream=app) as port:
        clients = _slow_uploads(port, 4)
        try:
            answered = [get_status(port, timeout=5) for _ in range(5)]
            assert answered == [200] * 5
            assert all(c.is_alive() and c.sent < c.size for c in clients)  # still sending, all four
        finally:
            _finish(clients)
