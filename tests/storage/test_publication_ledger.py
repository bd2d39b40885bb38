"""The ledger that sends one approval once: a second send of a reply being sent is refused,
one already sent is not sent again, and a resend (its worker's step was taken over) takes
the dead try's claim at once instead of waiting for it to grow stale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.publishing.base import OutgoingReply, PublishError
from bot.publishing.platforms import PublicationLedger
from storage.db import session_scope
from storage.decisions import record_decision
from storage.models import ReviewStatus
from storage.review_states import move_status
from storage.reviews import ReviewData, upsert_reviews

pytestmark = pytest.mark.storage

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
WORK_LEASE = timedelta(seconds=60)
REPLY = "Tack för att du skrev, och förlåt för det kalla kaffet. /Anna"


def approved_review(engine, text: str = REPLY) -> OutgoingReply:
    with session_scope(engine) as session:
        [stored] = upsert_reviews(
            session, [ReviewData(source="google", external_id="l-1", text="Kallt")], now=NOW
        )
        move_status(
            session,
            review_id=stored.review_id,
            frm=ReviewStatus.received,
            to=ReviewStatus.approved,
        )
        record_decision(
            session,
            review_id=stored.review_id,
            action="approved",
            actor="U0ANNA",
            at=NOW,
            final_text=text,
        )
    return OutgoingReply(stored.review_id, "google", "l-1", text)


def test_an_approval_is_sent_once_and_a_second_try_meanwhile_is_refused(engine):
    reply = approved_review(engine)
    ledger = PublicationLedger(engine, clock=lambda: NOW)

    assert ledger.claim(reply) is True
    with pytest.raises(PublishError, match="being published already"):
        ledger.claim(reply)
    ledger.sent(reply)

    assert ledger.claim(reply) is False


def test_a_resend_takes_over_the_dead_try_at_once(engine):
    reply = approved_review(engine)
    assert PublicationLedger(engine, clock=lambda: NOW).claim(reply) is True  # then it died
    # Its lease ran out and another worker took the step over, well before STALE_CLAIM.
    later = PublicationLedger(engine, clock=lambda: NOW + WORK_LEASE)
    with pytest.raises(PublishError, match="being published already"):
        later.claim(reply)

    resend = OutgoingReply(reply.review_id, "google", "l-1", REPLY, resend=True)

    assert later.claim(resend) is True
    later.sent(resend)
    assert later.claim(reply) is False


def test_a_reply_nobody_approved_is_not_sent(engine):
    reply = approved_review(engine)
    ledger = PublicationLedger(engine, clock=lambda: NOW)
    changed = OutgoingReply(reply.review_id, "google", "l-1", REPLY + " P.S. rabatt!")

    with pytest.raises(PublishError, match="a person approved"):
        ledger.claim(changed)
