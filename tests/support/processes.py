"""Real `reviewbot` processes for the tests that start them: the environment against the
fakes, a start that waits for /healthz, and a TCP proxy that can cut a process off its
database."""

from __future__ import annotations

import os
import re
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

# What "the language models" are in this app: the language detector and the tokenizer.
MODEL_MODULES = ("lingua", "bpe_openai")
# Python's import-time report keeps one clock and one depth for all threads: an import on one
# thread while another imports prints a negative self time and a shifted depth.
_IMPORT_LINE = re.compile(r"^import time:\s+-?\d+ \|\s+-?\d+ \|( *)(\S+)$")


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


def model_imports(lines: list[str]) -> dict[str, list[str]]:
    """Python prints a module's import-time line after those of the modules it imported,
    one level deeper; so a module's importers are the next lines at each shallower level."""
    entries = [(len(m.group(1)), m.group(2)) for m in map(_IMPORT_LINE.match, lines) if m]
    found: dict[str, list[str]] = {}
    for index, (depth, module) in enumerate(entries):
        top = module.split(".")[0]
        if top not in MODEL_MODULES or top in found:
            continue
        chain, level = [module], depth
        for later_depth, later in entries[index + 1 :]:
            if later_depth < level:
                chain.append(later)
                level = later_depth
        # Outermost first, up to the model's own package (its submodules say nothing).
        importers = [m for m in reversed(chain) if m.split(".")[0] != top]
        found[top] = [*importers, top]
    return found


class Cluster:
    """`reviewbot web` and `reviewbot worker` processes with one `environment`, their logs in
    `cwd`; started one after the other, each healthy before the next."""

    def __init__(self, environment: dict[str, str], cwd: Path) -> None:
        self._environment = environment
        self._cwd = cwd
        self.processes: list[Process] = []

    def web(self, **env: str) -> Process:
        port = free_port()
        return self._start(
            "web", ["web"], health=f"http://127.0.0.1:{port}/healthz", PORT=str(port), **env
        )

    def worker(self, name: str, **env: str) -> Process:
        port = free_port()
        return self._start(
            name,
            ["worker", "--concurrency", "2", "--health-port", str(port)],
            health=f"http://127.0.0.1:{port}/healthz",
            **env,
        )

    def _start(self, name: str, args: list[str], *, health: str, **env: str) -> Process:
        values = {**self._environment, **env}
        process = Process.start(name, args, env=values, cwd=self._cwd, health_url=health)
        self.processes.append(process)
        return process

    def post(self, web: Process, reviews: list[dict]) -> None:
        """`reviews` sent to `web`'s POST /reviews, all accepted."""
        base = web.health_url.removesuffix("/healthz")
        token = self._environment["INGEST_TOKEN"]
        answer = httpx.post(
            f"{base}/reviews",
            json=reviews,
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert answer.status_code == 202, answer.text

    def stop(self) -> None:
        for process in self.processes:
            process.stop()


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
