"""`reviewbot run` as a real process: it serves, drafts, and never writes a secret to its logs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlmodel import Session, select

from storage.db import make_engine
from storage.models import Draft
from tests.support.harness import SlackRequests
from tests.support.processes import free_port

SECRETS = {
    "SLACK_SIGNING_SECRET": "signing-secret-do-not-log-0001",
    "INGEST_TOKEN": "ingest-token-do-not-log-0002-of-32-chars",
    "OPENAI_API_KEY": "sk-openai-key-do-not-log-0003",
}


def test_a_full_run_logs_no_token_secret_or_key(tmp_path: Path, fake_slack, fake_openai):
    port = free_port()
    database_url = f"sqlite:///{tmp_path / 'run.db'}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))},
        **SECRETS,
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_API_URL": fake_slack.api_url,
        "REVIEWS_CHANNEL": "C0REVIEWS",
        "OPENAI_BASE_URL": fake_openai.base_url,
        "OPENAI_MAX_RETRIES": "1",
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "LOG_LEVEL": "DEBUG",  # the most a run ever writes
        "REVIEWBOT_DEMO": "1",  # drafts as the example business
    }
    fake_openai.fail_next(500)  # an error path logs too
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stdout.read()
            assert time.monotonic() < deadline, "reviewbot run did not start"
            time.sleep(0.1)

        review = {
            "source": "google",
            "external_id": "run-1",
            "rating": 1,
            "text": "Kaffet var kallt och personalen otrevlig.",
        }
        auth = {"Authorization": f"Bearer {SECRETS['INGEST_TOKEN']}"}
        assert httpx.post(f"{url}/reviews", json=review, headers=auth).status_code == 202
        assert (
            httpx.post(
                f"{url}/reviews", json=review, headers={"Authorization": "Bearer wrong"}
            ).status_code
            == 401
        )
        slack = SlackRequests(httpx.Client(base_url=url))
        signed = slack.send_command("help", secret=SECRETS["SLACK_SIGNING_SECRET"])
        unsigned = slack.send_command("help", secret="wrong-secret")
        assert (signed.status_code, unsigned.status_code) == (200, 401)

        engine = make_engine(database_url)
        deadline = time.monotonic() + 30
        while True:
            with Session(engine) as session:
                if session.exec(select(Draft)).first() is not None:
                    break
            assert time.monotonic() < deadline, "no draft was written"
            time.sleep(0.1)
        engine.dispose()
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)

    assert "listening on 127.0.0.1" in output
    assert "DEBUG" in output  # the run really logged at debug level
    leaked = [
        name
        for name, value in {**SECRETS, "SLACK_BOT_TOKEN": fake_slack.bot_token}.items()
        if value in output
    ]
    assert leaked == []
