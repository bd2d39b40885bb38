"""The serving commands: `run` (everything in one process), and the same app split for
production, `web` (Slack and POST /reviews, storing work) and `worker` (doing it)."""

from __future__ import annotations

import logging
import os
import signal
import threading
from typing import Annotated

import typer

from bot.commands.common import refuse
from bot.config import Settings
from bot.logging_setup import configure_logging
from bot.services import Services
from bot.wiring import build_services

log = logging.getLogger("reviewbot")


def _secrets(settings: Settings) -> list[str]:
    values = (
        settings.slack_bot_token,
        settings.slack_signing_secret,
        settings.slack_app_token,
        settings.openai_api_key,
        settings.ingest_token,
        settings.metrics_token,
        settings.reply_webhook_secret,
    )
    return [v.get_secret_value() for v in values if v is not None]


def _started(*, work: bool, **overrides: object) -> Services:
    from bot.startup.run_checks import checked_settings, debugging

    settings = checked_settings(refuse, **overrides)
    configure_logging(
        settings.log_level, secrets=_secrets(settings), log_format=settings.log_format
    )
    try:
        services = build_services(settings, environ=os.environ)
        services.start(work=work)
    except Exception as exc:
        if debugging(settings):
            raise
        raise refuse([f"could not start: {exc}"]) from None
    return services


def _serve(services: Services, *, work: bool) -> None:
    """Slack (HTTP or Socket Mode), POST /reviews, health and metrics, until stopped."""
    from bot.app import create_app, create_bolt_app
    from bot.http.server import HttpServer

    settings = services.settings
    bolt = create_bolt_app(services)
    socket_handler = None
    if settings.socket_mode:
        from bot.socket_mode import connect, socket_mode_handler

        socket_handler = socket_mode_handler(bolt, settings)
        connect(socket_handler)
        log.info("connected to Slack in Socket Mode")
    server = HttpServer(
        create_app(services, None if settings.socket_mode else bolt, role=None if work else "web"),
        host=settings.host,
        port=settings.port,
    )
    log.info("listening on %s:%s", settings.host, settings.port)
    try:
        server.run()
    finally:
        if socket_handler is not None:
            socket_handler.close()
        services.close()


def run() -> None:
    """Serve Slack (HTTP or Socket Mode), POST /reviews and GET /healthz, and do the work:
    triage, drafts, cards and the scheduled jobs, all in one process."""
    _serve(_started(work=True), work=True)


def web() -> None:
    """Serve Slack and POST /reviews only: reviews and their work are stored for the workers."""
    _serve(_started(work=False), work=False)


def worker(
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency", min=1, max=32, help="drafting threads (default PIPELINE_WORKERS)"
        ),
    ] = None,
    health_port: Annotated[
        int | None,
        typer.Option("--health-port", min=1, max=65535, help="serve GET /healthz on this port"),
    ] = None,
) -> None:
    """Claim and do the work the web processes store (triage, drafts, cards), and run the
    scheduled jobs when this worker leads."""
    overrides = {} if concurrency is None else {"pipeline_workers": concurrency}
    services = _started(work=True, **overrides)
    log.info("worker started: %d drafting threads", services.settings.pipeline_workers)
    try:
        if health_port is None:
            _wait_for_a_stop_signal()
        else:
            from bot.app import create_worker_app
            from bot.http.server import HttpServer

            log.info("health on %s:%s", services.settings.host, health_port)
            HttpServer(
                create_worker_app(services), host=services.settings.host, port=health_port
            ).run()
    finally:
        services.close()


def _wait_for_a_stop_signal() -> None:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.wait(1.0):
        continue
