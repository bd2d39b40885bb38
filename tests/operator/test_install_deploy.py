"""deploy/: the commands the systemd unit and the container image run are the app's, and the
image's health check passes against the real app and fails when it does not answer."""

from __future__ import annotations

import configparser
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import cli

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of deploy/Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (DEPLOY / "Dockerfile").read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines()]
    return [
        tuple(line.split(" ", 1))  # type: ignore[misc]
        for line in lines
        if line and not line.startswith("#")
    ]


def last(instruction: str) -> str:
    return [args for name, args in dockerfile_instructions() if name == instruction][-1]


def unit() -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(DEPLOY / "reviewbot.service", encoding="utf-8")
    return parser


def test_the_unit_migrates_then_runs_commands_the_app_has():
    service = unit()["Service"]
    commands = [service["ExecStartPre"].split(), service["ExecStart"].split()]
    assert [c[0] for c in commands] == ["/opt/reviewbot/current/bin/reviewbot"] * 2
    assert [c[1:] for c in commands] == [["migrate"], ["run"]]
    for command in commands:
        assert CliRunner().invoke(cli, [*command[1:], "--help"]).exit_code == 0
    assert service["User"] == "reviewbot"
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["StateDirectory"] == "reviewbot"


def test_the_image_runs_the_app_as_a_user_of_its_own():
    entrypoint, command = json.loads(last("ENTRYPOINT")), json.loads(last("CMD"))
    assert entrypoint == ["reviewbot"]
    assert CliRunner().invoke(cli, [*command, "--help"]).exit_code == 0
    assert last("USER") not in ("root", "0", "0:0")
    assert last("FROM").startswith("python:3.11-slim-bookworm")
    assert "--require-hashes" in " ".join(a for n, a in dockerfile_instructions() if n == "RUN")


def healthcheck(port: int) -> int:
    options = last("HEALTHCHECK")
    check = json.loads(options[options.index("CMD ") + 4 :])
    assert check[0] == "python"  # the image's PATH starts with its virtual environment
    check[0] = sys.executable
    environment = {**os.environ, "PORT": str(port)}
    return subprocess.run(check, env=environment, capture_output=True, timeout=30).returncode


def test_the_image_health_check_passes_against_the_app(app):
    port = int(app.url.rsplit(":", 1)[1])
    assert healthcheck(port) == 0


def test_the_image_health_check_fails_when_nothing_answers():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    assert healthcheck(port) != 0
