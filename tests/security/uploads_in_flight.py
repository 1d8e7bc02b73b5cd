"""A client that sends a multipart upload slowly, or part of one and then nothing, on loopback."""
from __future__ import annotations

import socket
import threading
import time

CSRF_COOKIE = "a" * 32  # a well-formed token, so Django's CSRF check reads the body to compare it


class SlowUpload(threading.Thread):
    """POST a ``size``-byte file to ``path`` in ``chunk``s with ``pause`` between them, until
    ``stop`` is set or it is all sent (``upto`` stops sending early and just holds the connection)."""

    def __init__(self, port: int, *, path: str = "/login/", size: int = 8 * 1024 * 1024,
                 chunk: int = 64 * 1024, pause: float = 0.05, upto: int | None = None):
        super().__init__(daemon=True)
        self.port, self.path, self.size, self.chunk, self.pause, self.upto = port, path, size, chunk, pause, upto
        self.stop = threading.Event()
        self.sent = 0
        self.connected = threading.Event()

    def _head(self) -> tuple[bytes, bytes]:
        boundary = "----dubangtest"
        part = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"台账.pdf\"\r\n"
                "Content-Type: application/pdf\r\n\r\n").encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        length = len(part) + self.size + len(tail)
        head = (f"POST {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; "
                f"boundary={boundary}\r\nContent-Length: {length}\r\nCookie: csrftoken={CSRF_COOKIE}\r\n"
                "Connection: close\r\n\r\n").encode()
        return head + part, tail

    def run(self):
        head, _tail = self._head()
        with socket.create_connection(("127.0.0.1", self.port), timeout=120) as conn:
            conn.sendall(head)
            self.connected.set()
            block = b"%PDF-" + b"0" * (self.chunk - 5)
            limit = self.size if self.upto is None else self.upto
            while not self.stop.is_set() and self.sent < limit:
                conn.sendall(block[: min(self.chunk, limit - self.sent)])
                self.sent += min(self.chunk, limit - self.sent)
                if self.pause:
                    time.sleep(self.pause)
            self.stop.wait(120)
