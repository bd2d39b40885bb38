"""A local Socket Mode endpoint: the WebSocket side of Slack for an app with SLACK_APP_TOKEN.

`FakeSocketMode(fake_slack)` makes the fake Web API answer `apps.connections.open` with a
ws:// URL of a WebSocket server here. Each connection gets `hello`; the test then sends
envelopes (slash commands, block actions, events) and waits for their acks, recorded with the
envelope id, the payload the app answered with and when. It can ask the app to reconnect the
way Slack does before it recycles a host (`disconnect` with `refresh_requested`, the old
connection left open) and can drop a connection abruptly (TCP closed, no close frame).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Self

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from tests.fakes.slack_api import APP_ID, FakeSlack


@dataclass(frozen=True)
class Ack:
    envelope_id: str
    payload: dict | None
    at: float  # time.monotonic() when it arrived


class FakeSocketMode:
    def __init__(self, slack: FakeSlack) -> None:
        self.slack = slack
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._changed = threading.Condition()
        self._connections: list[ServerConnection] = []
        self._acks: list[Ack] = []
        self._tickets = 0
        self._envelopes = 0

    # ----- lifecycle ---------------------------------------------------------------------

    def start(self) -> Self:
        self._server = serve(self._serve, "127.0.0.1", 0, compression=None)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="FakeSocketMode", daemon=True
        )
        self._thread.start()
        self.slack.socket_mode_url = self._issue_url
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self.slack.socket_mode_url = None
        self._server.shutdown()
        with self._changed:
            connections = list(self._connections)
        for connection in connections:
            connection.close_socket()
        if self._thread is not None:
            self._thread.join()
        self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _issue_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeSocketMode is not started")
        host, port = self._server.socket.getsockname()[:2]
        with self._changed:
            self._tickets += 1
            ticket = self._tickets
        return f"ws://{host}:{port}/link/?ticket=t{ticket}&app_id={APP_ID}"

    # ----- the server side of one connection ---------------------------------------------

    def _serve(self, connection: ServerConnection) -> None:
        hello = {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": "fake-socket-mode", "approximate_connection_time": 18060},
            "connection_info": {"app_id": APP_ID},
        }
        connection.send(json.dumps(hello))
        with self._changed:
            self._connections.append(connection)
            self._changed.notify_all()
        try:
            for raw in connection:
                self._record(raw)
        except ConnectionClosed:
            pass  # the app went away or the test dropped it; nothing left to read

    def _record(self, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            return
        if not isinstance(message, dict) or "envelope_id" not in message:
            return
        ack = Ack(message["envelope_id"], message.get("payload"), time.monotonic())
        with self._changed:
            self._acks.append(ack)
            self._changed.notify_all()

    # ----- what the test does ------------------------------------------------------------

    @property
    def connection_count(self) -> int:
        """Connections that were sent `hello` so far (old ones included)."""
        with self._changed:
            return len(self._connections)

    def wait_for_connection(self, count: int = 1, timeout: float = 10.0) -> None:
        """Wait until `count` connections in all have been opened and greeted."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._connections) >= count, timeout):
                raise AssertionError(
                    f"expected {count} Socket Mode connection(s) within {timeout}s, "
                    f"got {len(self._connections)}"
                )

    def send_envelope(
        self, kind: str, payload: dict[str, Any], *, accepts_response_payload: bool = False
    ) -> str:
        """Send one envelope on the newest connection; returns its envelope id."""
        with self._changed:
            if not self._connections:
                raise AssertionError("no Socket Mode connection to send on")
            connection = self._connections[-1]
            self._envelopes += 1
            envelope_id = f"env-{self._envelopes:04d}"
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            envelope.update(retry_attempt=0, retry_reason="")
        connection.send(json.dumps(envelope))
        return envelope_id

    def send_command(self, form: dict[str, str]) -> str:
        return self.send_envelope("slash_commands", form, accepts_response_payload=True)

    def send_interaction(self, payload: dict[str, Any]) -> str:
        return self.send_envelope("interactive", payload)

    def send_event(self, body: dict[str, Any]) -> str:
        return self.send_envelope("events_api", body)

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> Ack:
        with self._changed:
            found: list[Ack] = []

            def acked() -> bool:
                found[:] = [a for a in self._acks if a.envelope_id == envelope_id]
                return bool(found)

            if not self._changed.wait_for(acked, timeout):
                raise AssertionError(f"envelope {envelope_id} not acked within {timeout}s")
            return found[0]

    def acks(self) -> list[Ack]:
        with self._changed:
            return list(self._acks)

    def request_refresh(self) -> None:
        """What Slack sends a while before it recycles the host; it keeps the old connection
        open for a few seconds more, so the app must move to a new one on its own."""
        with self._changed:
            connection = self._connections[-1]
        disconnect = {
            "type": "disconnect",
            "reason": "refresh_requested",
            "debug_info": {"host": "fake-socket-mode"},
        }
        connection.send(json.dumps(disconnect))

    def drop(self) -> None:
        """Cut the newest connection as a dead network path would: no close frame."""
        with self._changed:
            connection = self._connections[-1]
        connection.socket.shutdown(socket.SHUT_RDWR)
        connection.socket.close()


def command_form(
    text: str, *, team_id: str, api_app_id: str = APP_ID, user: str = "U0LEAD"
) -> dict:
    """A /reviews invocation as Slack puts it in a `slash_commands` envelope."""
    return {
        "token": "legacy-unused",
        "team_id": team_id,
        "team_domain": "test",
        "channel_id": "C0REVIEWS",
        "user_id": user,
        "user_name": user.lower(),
        "command": "/reviews",
        "text": text,
        "api_app_id": api_app_id,
        "response_url": "",
        "trigger_id": f"trigger-{time.monotonic_ns()}",
    }
