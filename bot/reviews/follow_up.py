"""Customer follow-up: FOLLOW_UP_AFTER after a reply went out (published, posted by hand or,
failing those, approved), the card's thread asks whether the customer was followed up, with
Done / Not needed buttons. The answer is kept on the review and in the audit."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, tzinfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.blocks.follow_up import build_follow_up_answered, build_follow_up_question
from bot.cards.posting import Poster, PostFailed
from bot.timewords import WorkingTime
from storage.db import session_scope
from storage.follow_ups import record_answer, record_asked, replies_due
from storage.reviews import move_stamp

log = logging.getLogger(__name__)

# A claim this old with no question recorded was left by a process that died while asking.
STALE_CLAIM = timedelta(minutes=30)


class FollowUps:
    def __init__(
        self,
        engine: Engine,
        poster: Poster | None,
        *,
        after: timedelta,
        working_time: WorkingTime,
        tz: tzinfo,
    ) -> None:
        self._engine = engine
        self._poster = poster
        self._after = after
        self._working_time = working_time
        self._tz = tz

    def ask(self, now: datetime) -> int:
        """Ask about every reply that went out FOLLOW_UP_AFTER ago; returns how many were asked."""
        # A question for people: asked when they are at work.
        if self._poster is None or not self._working_time.is_open(now):
            return 0
        with Session(self._engine) as session:
            rows = replies_due(
                session, replied_before=now - self._after, stale_before=now - STALE_CLAIM
            )
        asked = 0
        for review_id, replied, channel, ts, claimed in rows:
            if not self._mark_asked(review_id, frm=claimed, to=now):
                continue
            message = build_follow_up_question(review_id, replied_at=replied, tz=self._tz)
            try:
                self._poster.post(
                    channel,
                    message,
                    metadata={
                        "event_type": "follow_up_question",
                        "event_payload": {"review_id": review_id},
                    },
                    thread_ts=ts,
                    # A claim left by a process that died: its question may be in the thread.
                    since=claimed,
                )
            except PostFailed as exc:
                log.warning("could not ask about review %s: %s", review_id, exc)
                self._mark_asked(review_id, frm=now, to=claimed)
                continue
            with session_scope(self._engine) as session:
                record_asked(session, review_id=review_id, now=now)
            asked += 1
        return asked

    def answer(
        self, review_id: int, actor: str, outcome: str, *, channel: str, ts: str, now: datetime
    ) -> None:
        """Record the answer to the question at `ts` and show it in the question's place;
        one answer per review, so whoever answers second is told privately."""
        if self._poster is None:
            raise RuntimeError("a follow-up is answered in Slack, and there is no Slack client")
        client = self._poster.client
        with session_scope(self._engine) as session:
            first = record_answer(
                session, review_id=review_id, actor=actor, outcome=outcome, now=now
            )
        if not first:
            client.chat_postEphemeral(
                channel=channel, user=actor, text="Someone already answered this follow-up."
            )
            return
        message = build_follow_up_answered(outcome, actor, at=now, tz=self._tz)
        client.chat_update(channel=channel, ts=ts, text=message["text"], blocks=message["blocks"])

    def _mark_asked(self, review_id: int, *, frm: datetime | None, to: datetime | None) -> bool:
        with session_scope(self._engine) as session:
            return move_stamp(
                session, review_id=review_id, stamp="follow_up_asked_at", frm=frm, to=to
            )
