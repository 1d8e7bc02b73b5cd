"""Real servers for the tests that need them: gunicorn on a loopback port, and nginx in front of it
with the production recipe's proxy settings (``deploy/nginx.conf``)."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
GUNICORN = Path(sys.executable).parent / "gunicorn"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get_status(port: int, path: str = "/login/", timeout: float = 5.0) -> int:
    """One HTTP/1.0 GET on loopback; its status code (raises on a time-out)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
        head = conn.recv(64)
    return int(head.split()[1])


def wait_until_up(port: int, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(OSError, ValueError, IndexError):
            if get_status(port, timeout=2) == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer in {seconds} s: {log.read_text(errors='replace')[-2000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@contextlib.contextmanager
def gunicorn(tmp_path: Path, *, workers: int = 1, env: dict | None = None):
    """gunicorn with the test settings and sync workers, as production runs it; yields (port, process)."""
    port, log = free_port(), tmp_path / "gunicorn.log"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
                   "UPLOAD_TEMP_ROOT": str(tmp_path / "uploads"), **(env or {})}
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(GUNICORN), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--timeout", "60",
             "--graceful-timeout", "5", "config.wsgi:application"],
            cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_up(port, process, log)
        yield port, process
    finally:
        _stop(process)


def nginx_config(*, listen: int, upstream: int, prefix: Path) -> str:
    """deploy/nginx.conf's proxy settings, on loopback ports, without TLS (the test has no certificate)."""
    recipe = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    start = recipe.index("# BEGIN proxy")
    end = recipe.index("# END proxy")
    proxy = recipe[start:end]
    return f"""
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
user root;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream dubang {{ server 127.0.0.1:{upstream}; }}
    server {{
        listen 127.0.0.1:{listen};
        {proxy}
    }}
}}
"""


@contextlib.contextmanager
def nginx(tmp_path: Path, *, upstream: int):
    """nginx from Debian's package in front of ``upstream``; yields its port."""
    port, prefix = free_port(), tmp_path / "nginx"
    prefix.mkdir(exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_config(listen=port, upstream=upstream, prefix=prefix), encoding="utf-8")
    log = prefix / "error.log"
    log.touch()
    process = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(prefix), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=open(log, "ab"))  # noqa: SIM115
    try:
        wait_until_up(port, process, log)
        yield port
    finally:
        _stop(process)
