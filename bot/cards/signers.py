"""The name a person signs replies with: the signature they set on App Home, else their Slack
name (display name, else real name), looked up once and kept; none for a bot or a stranger."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.drafting.signature import SIGNATURE_MAX
from storage.db import session_scope
from storage.responders import find_responder, remember_slack_name, set_signature

log = logging.getLogger(__name__)

# A renamed person signs with the new name within a day; approving never waits on Slack twice.
NAME_KEPT_FOR = timedelta(days=1)
# Answers that mean there is no person to name, as opposed to Slack being busy.
NO_SUCH_PERSON = frozenset({"user_not_found", "user_not_visible", "account_inactive"})


class Signers:
    def __init__(
        self, engine: Engine, client: WebClient | None, *, clock: Callable[[], datetime]
    ) -> None:
        self._engine = engine
        self._client = client
        self._clock = clock

    def own_signature(self, user: str) -> str | None:
        with Session(self._engine) as session:
            row = find_responder(session, user_id=user)
            return row.signature if row else None

    def set_own_signature(self, user: str, signature: str | None) -> str | None:
        """Keep what `user` wants to sign with (blank: their Slack name); the refusal, if any."""
        cleaned = " ".join((signature or "").split())
        if len(cleaned) > SIGNATURE_MAX:
            return f"A signature can be at most {SIGNATURE_MAX} characters."
        with session_scope(self._engine) as session:
            set_signature(session, user_id=user, signature=cleaned or None, now=self._clock())
        return None

    def name_for(self, user: str) -> str | None:
        """What `user` signs with, or None when Slack knows no person by that id."""
        now = self._clock()
        with Session(self._engine) as session:
            row = find_responder(session, user_id=user)
            if row is not None:
                if row.signature:
                    return row.signature
                if row.name_checked_at and now - row.name_checked_at < NAME_KEPT_FOR:
                    return row.slack_name
        if self._client is None:
            return None
        try:
            name = self._slack_name(user)
        except SlackApiError as exc:
            error = exc.response.get("error")
            log.info("no Slack name for %s: %s", user, error)
            if error not in NO_SUCH_PERSON:
                return None  # not kept: the next approval asks again
            name = None
        with session_scope(self._engine) as session:
            remember_slack_name(session, user_id=user, name=name, now=now)
        return name

    def _slack_name(self, user: str) -> str | None:
        assert self._client is not None
        found = self._client.users_info(user=user)["user"]
        if found.get("is_bot") or found.get("deleted"):
            return None
        profile = found.get("profile") or {}
        for name in (profile.get("display_name"), profile.get("real_name"), found.get("real_name")):
            if name and name.strip():
                return " ".join(name.split())
        return None
