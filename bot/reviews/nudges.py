"""Nudges: a card waiting for a decision gets a reminder in its thread, addressed to someone
allowed to decide it (its owner when they may approve; an owner who may not is nudged
together with the approvers; else the approvers), after NUDGE_AFTER and then every
NUDGE_EVERY, in working hours. The approvers are those of the review's brand (ROUTES_FILE),
APPROVERS for a review of no brand.
Each reminder is a `Decision` row (action "nudged"), so the audit says who was reminded when.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, tzinfo

from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.blocks.alerts import build_nudge
from bot.cards.approvers import Approvers, BrandApprovers
from bot.cards.posting import Poster, PostFailed
from bot.routing import Routing
from bot.timewords import WorkingTime
from storage.db import session_scope
from storage.sweeps import cards_waiting, record_decisions

log = logging.getLogger(__name__)

NUDGED = "nudged"


def people_to_nudge(
    assignee: str | None, approvers: Approvers, listed: tuple[str, ...]
) -> tuple[str, ...]:
    """`listed`: the approvers of the review's brand, whom a nudge mentions when the owner
    cannot decide."""
    if not assignee:
        return listed
    if approvers.may_decide(assignee):
        return (assignee,)
    return (assignee, *(a for a in listed if a != assignee))


class Nudges:
    def __init__(
        self,
        engine: Engine,
        slack: WebClient | None,
        poster: Poster | None,
        *,
        routing: Routing,
        after: timedelta,
        every: timedelta,
        working_time: WorkingTime,
        tz: tzinfo,
    ) -> None:
        self._engine = engine
        self._slack = slack
        self._poster = poster
        self._routing = routing  # each brand's approvers
        self._after = after
        self._every = every
        self._working_time = working_time
        self._tz = tz

    def send(self, now: datetime) -> int:
        """Send every reminder due at `now`; returns how many went out."""
        working = self._working_time
        if self._poster is None or not working.is_open(now):
            return 0
        # Group members read afresh each sweep: an owner who just joined the approvers'
        # group is nudged alone.
        approvers = BrandApprovers(self._routing, self._slack)
        with Session(self._engine) as session:
            rows = cards_waiting(session, posted_before=now - self._after, nudge_action=NUDGED)
        sent = 0
        for review_id, brand, assignee, channel, ts, posted_at, nudged_at in rows:
            due = nudged_at + self._every if nudged_at else posted_at + self._after
            if working.next_open(due) > now:
                continue
            listed = self._routing.team(brand).approvers
            people = people_to_nudge(assignee, approvers.of(brand), listed)
            message = build_nudge(waiting=now - posted_at, people=people, at=now, tz=self._tz)
            nudge = {"review_id": review_id, "due": due.isoformat()}
            try:
                self._poster.post(
                    channel,
                    message,
                    metadata={"event_type": "review_nudge", "event_payload": nudge},
                    thread_ts=ts,
                    # A process that died before recording it may have sent it: looked for first.
                    since=due,
                )
            except PostFailed as exc:
                # Not recorded, so the next sweep tries again; the other cards still get theirs.
                log.warning("could not nudge review %s: %s", review_id, exc)
                continue
            with session_scope(self._engine) as session:
                record_decisions(
                    session,
                    review_ids=[review_id],
                    action=NUDGED,
                    at=now,
                    detail={"mentioned": list(people)},
                )
            sent += 1
        log.log(
            logging.INFO if rows else logging.DEBUG,
            "nudge sweep",
            extra={"cards_waiting": len(rows), "nudged": sent},
        )
        return sent
