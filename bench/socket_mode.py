"""Socket Mode clients at Slack's two hard moments: a refresh and a dead connection.

    .venv/bin/python bench/socket_mode.py [--runs 3] [--candidates builtin websocket_client ...]

Each trial runs in a fresh process with the fake Slack Web API, the fake Socket Mode endpoint
(tests/fakes/socket_mode.py) and a Bolt app whose one listener acks a button click, connected
through one candidate client:
- refresh: Slack sends `disconnect` (refresh_requested) and keeps the old connection open;
  a click sent on the new connection as soon as it is greeted must be acked within 1 s
  (Slack's limit is 3 s). Figure: click sent → ack.
- drop: the TCP connection is cut without a close frame; the app must be back within 10 s
  without spinning a core. Figures: drop → ack of a click sent once the app reconnected, and
  the process's CPU time over that window as a share of one core.
Prints the median of the runs for each candidate. The aiohttp candidate needs `aiohttp`,
websocket_client needs `websocket-client`; one that is not installed is reported as such.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from slack_bolt import App  # noqa: E402
from slack_sdk import WebClient  # noqa: E402

from tests.fakes.slack_api import FakeSlack  # noqa: E402
from tests.fakes.socket_mode import FakeSocketMode  # noqa: E402

DROP_GIVE_UP = 90.0  # seconds; the built-in client has been seen to take ~52 s


class Connected(Protocol):
    def connect(self) -> None: ...
    def close(self) -> None: ...


def _builtin(app: App, token: str, **tuning: Any) -> Connected:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    return SocketModeHandler(app, token, **tuning)


def _websocket_client(app: App, token: str, **tuning: Any) -> Connected:
    from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler

    return SocketModeHandler(app, token, **tuning)


class _Chosen:
    """What `reviewbot run` connects with: bot/socket_mode.py's handler and its connect()."""

    def __init__(self, app: App, token: str) -> None:
        from bot.config import Settings
        from bot.socket_mode import socket_mode_handler

        self._handler = socket_mode_handler(app, Settings(slack_app_token=token))

    def connect(self) -> None:
        from bot.socket_mode import connect

        connect(self._handler)

    def close(self) -> None:
        self._handler.close()


def _chosen(app: App, token: str) -> Connected:
    return _Chosen(app, token)


class _AiohttpOnItsOwnLoop:
    """The aiohttp client is asyncio; it gets an event loop in a thread of its own."""

    def __init__(self, app: App, token: str, **tuning: Any) -> None:
        from slack_bolt.adapter.socket_mode.aiohttp import SocketModeHandler
        from slack_sdk.web.async_client import AsyncWebClient

        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, daemon=True).start()

        async def build() -> Any:
            web = AsyncWebClient(token=app.client.token, base_url=app.client.base_url)
            return SocketModeHandler(app, token, web_client=web, **tuning)

        self._handler = self._run(build())

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(30)

    def connect(self) -> None:
        self._run(self._handler.connect_async())

    def close(self) -> None:
        self._run(self._handler.close_async())


CANDIDATES: dict[str, Callable[[App, str], Connected]] = {
    "builtin": lambda app, token: _builtin(app, token),
    "builtin ping 1s": lambda app, token: _builtin(app, token, ping_interval=1),
    "websocket_client": lambda app, token: _websocket_client(app, token),
    "websocket_client ping 2s": lambda app, token: _websocket_client(app, token, ping_interval=2),
    "aiohttp": lambda app, token: _AiohttpOnItsOwnLoop(app, token),
    "chosen (bot/socket_mode.py)": _chosen,
}


def _click(n: int) -> dict:
    return {
        "type": "block_actions",
        "team": {"id": "T0TEST", "domain": "test"},
        "user": {"id": "U0LEAD", "team_id": "T0TEST"},
        "api_app_id": "A0APP",
        "trigger_id": f"trigger-{n}",
        "channel": {"id": "C0REVIEWS"},
        "container": {"type": "message", "message_ts": "1.0", "channel_id": "C0REVIEWS"},
        "actions": [{"action_id": "bench_click", "block_id": "b", "type": "button", "value": "1"}],
    }


class _PeakCpu:
    """The busiest second of the process while it runs: a spinning loop shows as ~100 %."""

    def __init__(self) -> None:
        self.share = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        cpu, wall = time.process_time(), time.monotonic()
        while True:
            done = self._done.wait(1.0)
            now_cpu, now_wall = time.process_time(), time.monotonic()
            if now_wall - wall > 0.1:  # the last, partial second counts too
                self.share = max(self.share, (now_cpu - cpu) / (now_wall - wall))
            if done:
                return
            cpu, wall = now_cpu, now_wall

    def __enter__(self) -> _PeakCpu:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._done.set()
        self._thread.join()


def trial(candidate: str, scenario: str) -> dict[str, float]:
    """One measurement in this process; the caller runs each in a fresh one."""
    logging.basicConfig(level=logging.CRITICAL)  # the clients log every reconnection
    with FakeSlack() as slack, FakeSocketMode(slack) as socket_mode:
        client = WebClient(token=slack.bot_token, base_url=slack.api_url)
        app = App(client=client, request_verification_enabled=False)
        app.action("bench_click")(lambda ack: ack())
        handler = CANDIDATES[candidate](app, slack.app_token)
        handler.connect()
        try:
            socket_mode.wait_for_connection(1)
            socket_mode.wait_for_ack(socket_mode.send_interaction(_click(0)))
            if scenario == "refresh":
                socket_mode.request_refresh()
                socket_mode.wait_for_connection(2)
                sent = time.monotonic()
                ack = socket_mode.wait_for_ack(socket_mode.send_interaction(_click(1)))
                return {"click_to_ack_s": ack.at - sent}
            cpu_before, dropped = time.process_time(), time.monotonic()
            with _PeakCpu() as peak:
                socket_mode.drop()
                socket_mode.wait_for_connection(2, timeout=DROP_GIVE_UP)
                ack = socket_mode.wait_for_ack(socket_mode.send_interaction(_click(1)))
            cpu, wall = time.process_time() - cpu_before, ack.at - dropped
            return {"drop_to_ack_s": wall, "cpu_share": cpu / wall, "peak_cpu_share": peak.share}
        finally:
            handler.close()


def _run_trial(candidate: str, scenario: str) -> dict[str, float] | str:
    child = subprocess.run(
        [sys.executable, __file__, "--trial", candidate, scenario],
        capture_output=True,
        text=True,
        timeout=DROP_GIVE_UP + 60,
        check=False,
    )
    lines = child.stdout.strip().splitlines()
    if child.returncode != 0 or not lines:
        last = (child.stderr.strip().splitlines() or ["failed"])[-1]
        return last[:120]
    return json.loads(lines[-1])


def _median(figures: dict[str, list[float]], name: str, unit: str, scale: float = 1.0) -> str:
    values = figures.get(name)
    return f"{statistics.median(values) * scale:.2f}{unit}" if values else "—"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--candidates", nargs="+", default=list(CANDIDATES), metavar="NAME")
    parser.add_argument(
        "--trial", nargs=2, metavar=("CANDIDATE", "SCENARIO"), help=argparse.SUPPRESS
    )
    options = parser.parse_args()
    if options.trial:
        print(json.dumps(trial(*options.trial)), flush=True)
        return
    print(f"median of {options.runs} runs; bounds: click ack ≤ 1 s, back ≤ 10 s, no spinning")
    print(
        f"{'candidate':28} {'refresh: click→ack':>19} {'drop: →ack':>11} "
        f"{'CPU mean':>9} {'CPU peak 1 s':>13}"
    )
    for candidate in options.candidates:
        figures: dict[str, list[float]] = {}
        problem, failures = "", 0
        for _ in range(options.runs):
            for scenario in ("refresh", "drop"):
                result = _run_trial(candidate, scenario)
                if isinstance(result, str):
                    failures += 1
                    problem = result
                    continue
                for name, value in result.items():
                    figures.setdefault(name, []).append(value)

        print(
            f"{candidate:28} {_median(figures, 'click_to_ack_s', ' s'):>19} "
            f"{_median(figures, 'drop_to_ack_s', ' s'):>11} "
            f"{_median(figures, 'cpu_share', ' %', 100):>9} "
            f"{_median(figures, 'peak_cpu_share', ' %', 100):>13}"
            + (f"  {failures} trial(s) failed: {problem}" if problem else ""),
            flush=True,
        )


if __name__ == "__main__":
    main()
