"""The ledger of replies sent to a platform: one row per approved text, claimed then sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.db import rows_updated
from storage.models import PublicationState, ReplyPublication


def find_publication(
    session: Session, *, review_id: int, reply_sha256: str
) -> ReplyPublication | None:
    return session.exec(
        select(ReplyPublication).where(
            ReplyPublication.review_id == review_id, ReplyPublication.reply_sha256 == reply_sha256
        )
    ).first()


def add_publication(
    session: Session, *, review_id: int, reply_sha256: str, claimed_at: datetime
) -> None:
    """Claim a text never sent; IntegrityError when another worker claimed it first."""
    session.add(
        ReplyPublication(review_id=review_id, reply_sha256=reply_sha256, claimed_at=claimed_at)
    )
    session.flush()


def take_over_claim(
    session: Session, *, publication: ReplyPublication, claimed_before: datetime, now: datetime
) -> bool:
    """Take over a claim made before `claimed_before` (its process died mid-call); False when
    it is younger, or another worker took it over first."""
    taken = rows_updated(
        session,
        update(ReplyPublication)
        .where(
            col(ReplyPublication.id) == publication.id,
            col(ReplyPublication.claimed_at) == publication.claimed_at,
            col(ReplyPublication.claimed_at) < claimed_before,
        )
        .values(claimed_at=now),
    )
    return taken == 1


def mark_sent(session: Session, *, review_id: int, reply_sha256: str, at: datetime) -> None:
    session.execute(
        update(ReplyPublication)
        .where(
            col(ReplyPublication.review_id) == review_id,
            col(ReplyPublication.reply_sha256) == reply_sha256,
        )
        .values(state=PublicationState.sent, sent_at=at)
    )


def release_claim(session: Session, *, review_id: int, reply_sha256: str) -> None:
    """The platform did not take it: the claim goes, so a later retry may send it."""
    row = session.exec(
        select(ReplyPublication).where(
            ReplyPublication.review_id == review_id,
            ReplyPublication.reply_sha256 == reply_sha256,
            ReplyPublication.state == PublicationState.sending,
        )
    ).first()
    if row is not None:
        session.delete(row)
