"""Logging for the process: one line per record, UTC ISO 8601 times, secrets masked whatever a
library prints, and the fields of a business event (`extra=`) shown in text or as JSON."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal

# Slack tokens, OpenAI-style keys and bearer headers, wherever they appear in a message.
_TOKEN_PATTERNS = re.compile(
    r"(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|sk-[A-Za-z0-9_-]{8,}|(?i:bearer)\s+[^\s'\"\\]+)"
)
# What every LogRecord carries; anything else on a record came in through `extra=`.
_RECORD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)
# APScheduler says "Running job…", "…executed successfully" and "Added job" at INFO, about
# 6,000 lines a day at the defaults; its warnings (a missed run) still come through.
_CHATTY = ("apscheduler",)

LogFormat = Literal["text", "json"]


def event_fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _RECORD_ATTRIBUTES}


def _utc_time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class RedactingFormatter(logging.Formatter):
    """Masks on the formatted line, so tracebacks and library messages are covered too."""

    def __init__(self, fmt: str | None = None, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        self._secrets = sorted((s for s in secrets if s and len(s) >= 6), key=len, reverse=True)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _utc_time(record)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(self.render(record))

    def render(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = event_fields(record)
        if fields:
            first, newline, rest = line.partition("\n")
            shown = " ".join(f"{key}={value}" for key, value in fields.items())
            line = f"{first} {shown}{newline}{rest}"
        return line

    def redact(self, line: str) -> str:
        for secret in self._secrets:
            line = line.replace(secret, "***")
        return _TOKEN_PATTERNS.sub("***", line)


class JsonFormatter(RedactingFormatter):
    """One JSON object per line: time, level, logger, message, the event's fields."""

    def render(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _utc_time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **event_fields(record),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def build_formatter(log_format: LogFormat, secrets: Iterable[str] = ()) -> RedactingFormatter:
    if log_format == "json":
        return JsonFormatter(secrets=secrets)
    return RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)


def configure_logging(
    level: str = "INFO", secrets: Iterable[str] = (), log_format: LogFormat = "text"
) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(build_formatter(log_format, secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_libraries(level)


def quiet_libraries(level: str) -> None:
    """Library chatter shows only when LOG_LEVEL=DEBUG asks for everything."""
    for name in _CHATTY:
        logging.getLogger(name).setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)
