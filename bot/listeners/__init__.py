"""One module per Slack surface; each has register(app, services)."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import commands
from bot.services import Services


def register_listeners(app: App, services: Services) -> None:
    commands.register(app, services)
