"""uvicorn, run in the foreground by `reviewbot run` or in a thread by tests and benches."""

from __future__ import annotations

import threading
import time

import uvicorn
from starlette.types import ASGIApp

# Longer than a load balancer's idle timeout (60 s on the common ones) and than a client's own
# keep-alive expiry (httpx: 5 s, uvicorn's default too): the side that closes an idle connection
# must be the client, or a request sent as the server closes it fails with a reset (seen under
# bench/interaction_load.py as a ReadError).
KEEP_ALIVE_SECONDS = 75


class HttpServer:
    def __init__(self, app: ASGIApp, *, host: str, port: int) -> None:
        self._server = uvicorn.Server(
            uvicorn.Config(
                app,
                host=host,
                port=port,
                log_config=None,  # our logging config stands; uvicorn adds no handlers
                access_log=False,
                timeout_graceful_shutdown=10,
                timeout_keep_alive=KEEP_ALIVE_SECONDS,
                server_header=False,
            )
        )
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        self._server.run()

    def start_in_thread(self, timeout: float = 10.0) -> str:
        """Serve from a daemon thread; returns the base URL once the socket is bound."""
        self._thread = threading.Thread(target=self._server.run, name="http", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("HTTP server did not start")
            time.sleep(0.01)
        host, port = self._server.servers[0].sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)
