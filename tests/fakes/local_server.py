"""What the fakes share: a stdlib HTTP server on 127.0.0.1 served from a daemon thread.

A fake subclasses `LocalServer` and implements `handle(request) -> Reply`; the plumbing here
turns HTTP into those two small values so each fake reads as a table of endpoints.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: Message
    body: bytes


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def json(
        cls, payload: Any, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> Reply:
        return cls(
            status,
            # default=str: recorded args may hold uploaded bytes, shown by their repr.
            json.dumps(payload, ensure_ascii=False, default=str).encode(),
            {"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        )

    @classmethod
    def text(cls, body: str, status: int = 200, headers: Mapping[str, str] | None = None) -> Reply:
        return cls(
            status, body.encode(), {"Content-Type": "text/plain; charset=utf-8", **(headers or {})}
        )


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=url.path,
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            headers=self.headers,
            body=body,
        )
        reply = self.server.owner.handle(request)
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. its timeout fired during a hang); nobody to answer

    do_GET = do_POST = do_PUT = do_DELETE = _dispatch

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request would drown pytest's output; the fakes record calls instead


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: LocalServer, port: int) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", port), _Handler)


class LocalServer:
    """Start/stop and context-manager plumbing; subclasses implement `handle`."""

    def __init__(self, *, port: int = 0) -> None:
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        # Set on stop so deliberate hangs end at once instead of outliving the test.
        self._stopping = threading.Event()

    def handle(self, request: Request) -> Reply:
        raise NotImplementedError

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Self:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server(self, self._port)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=type(self).__name__,
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = None
        self._thread = None

    def pause(self, seconds: float) -> None:
        """Sleep inside a request handler, cut short when the server stops."""
        self._stopping.wait(seconds)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def wait_until_killed() -> None:
    """Block the `python -m tests.fakes.…` entry points until Ctrl-C or a signal ends them."""
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
