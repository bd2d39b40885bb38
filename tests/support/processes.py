"""Real `reviewbot` processes for the tests that start them: the environment against the
fakes, a start that waits for /healthz, and a TCP proxy that can cut a process off its
database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_environment(**values: str) -> dict[str, str]:
    """This environment without Slack or OpenAI credentials, plus `values`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))}
    return {**base, **values}


def wait_until(
    condition: Callable[[], object], *, timeout: float, what: str | Callable[[], str]
) -> object:
    """`what` names the condition in the failure; a callable says how things stand then."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what() if callable(what) else what}: not within {timeout:g} s")
        time.sleep(0.05)


@dataclass
class Process:
    """A `reviewbot` command running with its output in a file (read after it stops)."""

    name: str
    popen: subprocess.Popen
    log: Path
    health_url: str

    @classmethod
    def start(
        cls, name: str, args: list[str], *, env: dict[str, str], cwd: Path, health_url: str
    ) -> Process:
        log = cwd / f"{name}.log"
        with log.open("w") as out:
            popen = subprocess.Popen(
                [sys.executable, "-m", "bot", *args],
                env=env,
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
            )
        process = cls(name, popen, log, health_url)
        process.wait_healthy()
        return process

    def health(self) -> dict | None:
        try:
            return httpx.get(self.health_url, timeout=2).json()
        except (httpx.TransportError, ValueError):
            return None

    def wait_healthy(self, timeout: float = 60) -> None:
        def healthy() -> bool:
            assert self.popen.poll() is None, f"{self.name} exited:\n{self.output()}"
            return (self.health() or {}).get("status") == "ok"

        wait_until(healthy, timeout=timeout, what=f"{self.name} healthy")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


class TcpProxy:
    """127.0.0.1:<port> forwarded to `target`, until cut(): then every connection through it
    drops and new ones are refused, as when a network link to the database goes."""

    def __init__(self, target: tuple[str, int]) -> None:
        self._target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._cut = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._cut:
                    client.close()
                    continue
                upstream = socket.create_connection(self._target)
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            for sock in self._sockets:
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
        self._listener.close()
