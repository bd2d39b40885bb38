"""The app as real processes against the local fakes, laid out as today's single process
(`reviewbot run`) or split (`reviewbot web` + N × `reviewbot worker`), for the benches that
compare the two on the same machine in the same run; and a fresh database of either kind.

Each process logs to a file in the run's directory. The web process runs with Python's
import-time report on (PYTHONPROFILEIMPORTTIME), so a bench can say which modules it loaded
and what imported them.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from bench.chaos import start_fake
from bot.config import EXAMPLE_PROFILE
from tests.support.harness import REVIEWS_CHANNEL, SIGNING_SECRET
from tests.support.processes import Process, free_port, model_imports

INGEST_TOKEN = "bench-ingest-token-0000000000000000"


@contextmanager
def fresh_database(backend: str, postgres_admin_url: str | None) -> Iterator[str]:
    """A SQLite file in a new directory, or a new PostgreSQL database dropped afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    if postgres_admin_url is None:
        raise SystemExit("PostgreSQL needs a server URL (--postgres or TEST_DATABASE_URL)")
    name = f"reviewbot_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            sa.engine.make_url(postgres_admin_url)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far."""
    # Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU time used so far by every PostgreSQL process of this machine still running (the
    server and its backends), 0 with none."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "postgres":
                total += cpu_seconds(int(entry.name))
        except OSError:  # it ended meanwhile
            continue
    return total


@dataclass
class Deployment:
    """`layout` "run": one `reviewbot run`; "split": `reviewbot web` and `workers` ×
    `reviewbot worker --concurrency concurrency`, at `worker_nice` (19: web gets the CPU
    first, as if the workers ran on machines of their own). `env` holds the settings of them
    all, PORT the port the app serves on."""

    layout: str
    env: dict[str, str]
    directory: Path
    workers: int = 2
    concurrency: int = 2
    worker_nice: int = 0
    processes: list[Process] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.env['PORT']}"

    @property
    def web(self) -> Process:
        return self.processes[0]

    def start(self) -> None:
        # One after the other: each applies the migrations on start.
        health = f"{self.url}/healthz"
        if self.layout == "run":
            self._start("run", ["run"], health, self.env)
            return
        self._start("web", ["web"], health, {**self.env, "PYTHONPROFILEIMPORTTIME": "1"})
        for n in range(1, self.workers + 1):
            port = free_port()
            args = ["worker", "--concurrency", str(self.concurrency), "--health-port", str(port)]
            self._start(f"worker-{n}", args, f"http://127.0.0.1:{port}/healthz", self.env)
            if self.worker_nice:
                # Every thread, as each has its own nice value on Linux; later threads inherit.
                for task in Path(f"/proc/{self.processes[-1].popen.pid}/task").iterdir():
                    os.setpriority(os.PRIO_PROCESS, int(task.name), self.worker_nice)

    def _start(self, name: str, args: list[str], health: str, env: dict[str, str]) -> None:
        self.processes.append(
            Process.start(name, args, env=env, cwd=self.directory, health_url=health)
        )

    def rss(self) -> dict[str, float]:
        """Resident memory (MB) of each running process, by name."""
        return {p.name: rss_mb(p.popen.pid) for p in self.processes if p.popen.poll() is None}

    def cpu(self) -> dict[str, float]:
        """CPU seconds each running process has used so far, by name."""
        return {p.name: cpu_seconds(p.popen.pid) for p in self.processes if p.popen.poll() is None}

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()

    def web_imports(self) -> dict[str, list[str]]:
        """Of MODEL_MODULES, those the web process imported, each with the chain of imports
        that brought it in (outermost first). Read from its import-time report."""
        return model_imports(self.web.output().splitlines())


@contextmanager
def deployed(
    layout: str,
    env: dict[str, str],
    directory: Path,
    *,
    workers: int = 2,
    concurrency: int = 2,
    worker_nice: int = 0,
) -> Iterator[Deployment]:
    """`layout` started with these settings, stopped (SIGTERM) on the way out."""
    deployment = Deployment(layout, env, directory, workers, concurrency, worker_nice)
    try:
        deployment.start()
        yield deployment
    finally:
        deployment.stop()


@contextmanager
def fakes() -> Iterator[tuple[str, str]]:
    """The fake Slack Web API and fake OpenAI as servers: their URLs."""
    slack, slack_url = start_fake("tests.fakes.slack_api")
    llm, llm_url = start_fake("tests.fakes.openai_api")
    try:
        yield slack_url, llm_url
    finally:
        slack.terminate()
        llm.terminate()


def app_environment(
    directory: Path, slack_url: str, llm_url: str, database_url: str
) -> dict[str, str]:
    """The settings of every process of one deployment, against the fakes."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))},
        "WORKDIR": str(directory),
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_url,
        "REVIEWS_CHANNEL": REVIEWS_CHANNEL,
        "INGEST_TOKEN": INGEST_TOKEN,
        "OPENAI_API_KEY": "sk-bench-0000000000",
        "OPENAI_BASE_URL": llm_url,
        "DATABASE_URL": database_url,
        "PORT": str(free_port()),
        "HOST": "127.0.0.1",
        # The fake Slack has no rate limit to pace for; pacing is measured elsewhere.
        "CARD_POST_INTERVAL": "0",
        "LOG_LEVEL": "WARNING",
        "BUSINESS_PROFILE": str(EXAMPLE_PROFILE),
        "REVIEWBOT_DEMO": "1",  # drafts as the example business
    }


def add_deployment_options(parser: argparse.ArgumentParser) -> None:
    """The options every bench of `run` against web and workers takes."""
    parser.add_argument("--workers", type=int, default=2, help="worker processes (split)")
    parser.add_argument("--concurrency", type=int, default=2, help="drafting threads each")
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=0,
        help="the workers' nice value: 19 gives web the CPU first, as separate machines would",
    )
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument(
        "--backends",
        type=lambda text: tuple(text.split(",")),
        default=("sqlite", "postgresql"),
        help="sqlite, postgresql (PostgreSQL only with a server URL); default both",
    )
