"""/reviews: answers privately; anything it does not understand gets the help."""

from __future__ import annotations

from slack_bolt import Ack, App

from bot.blocks.help import build_help
from bot.services import Services


def register(app: App, services: Services) -> None:
    def reviews_command(ack: Ack, command: dict) -> None:
        words = (command.get("text") or "").split()
        problem = None if not words or words[0] == "help" else f'I don\'t know "{words[0]}".'
        ack(response_type="ephemeral", **build_help(problem))

    app.command("/reviews")(reviews_command)
