"""Logging for the process: one format, and secrets masked whatever a library prints."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

# Slack tokens, OpenAI-style keys and bearer headers, wherever they appear in a message.
_TOKEN_PATTERNS = re.compile(
    r"(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|sk-[A-Za-z0-9_-]{8,}|(?i:bearer)\s+[^\s'\"]+)"
)


class RedactingFormatter(logging.Formatter):
    """Masks on the formatted line, so tracebacks and library messages are covered too."""

    def __init__(self, fmt: str, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        self._secrets = sorted((s for s in secrets if s and len(s) >= 6), key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret in self._secrets:
            line = line.replace(secret, "***")
        return _TOKEN_PATTERNS.sub("***", line)


def configure_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
