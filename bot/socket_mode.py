"""Socket Mode: the Bolt app over Slack's WebSocket, when SLACK_APP_TOKEN is set.

slack_sdk's built-in client holds up a click for its 3 s read timeout when Slack asks it to
move to a new connection, and spins a core for most of a minute when a connection dies
without a close frame. The websocket-client based one moves at once and reconnects within a
second (bench/socket_mode.py; docs/socket-mode.md has the figures).
"""

from __future__ import annotations

import logging
import threading

from slack_bolt import App
from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler

from bot.config import Settings

# Also how often a connection found closed is replaced when reconnecting at once failed.
PING_INTERVAL_SECONDS = 5.0


def socket_mode_handler(app: App, settings: Settings) -> SocketModeHandler:
    if settings.slack_app_token is None:
        raise ValueError("Socket Mode needs SLACK_APP_TOKEN")
    return SocketModeHandler(
        app,
        settings.slack_app_token.get_secret_value(),
        ping_interval=PING_INTERVAL_SECONDS,
    )


log = logging.getLogger(__name__)


def connect(handler: SocketModeHandler, *, opened_within: float = 10.0) -> None:
    """Open the first connection, then start the client's connection monitor.

    The client starts its monitor together with the first connection, and the monitor's first
    look comes at once: finding the socket not yet open, it opens a second session that races
    the first, and on a busy machine the loser can hold the client's one session runner, so a
    later refresh never takes. Starting the monitor once the first socket is open avoids that.
    """
    client = handler.client
    opened = threading.Event()
    client.on_open_listeners.append(lambda _ws: opened.set())
    client.current_app_monitor_started = True  # held back until the socket is open
    handler.connect()
    if not opened.wait(opened_within):
        log.warning(
            "Socket Mode: no connection within %.0f s; the monitor keeps trying", opened_within
        )
    client.current_app_monitor.start()
