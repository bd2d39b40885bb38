"""Approved replies the drafting engine may learn the team's voice from."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from storage.models import Decision, Review, not_null


@dataclass(frozen=True)
class ApprovedReply:
    review_text: str
    author: str | None
    reply_text: str


def approved_replies(
    session: Session,
    *,
    language: str | None,
    exclude_review_id: int,
    limit: int,
    brand: str | None = None,
) -> list[ApprovedReply]:
    """The latest approved replies to reviews of `brand` in `language`, newest first.

    One brand's replies never teach another's voice, contact or offers: `brand` None takes
    only the reviews of no brand. A review whose customer's data was erased never comes back
    as an example.
    """
    statement = (
        select(col(Review.text), col(Review.author), not_null(Decision.final_text))
        .join(Decision, col(Decision.review_id) == Review.id)
        .where(
            Decision.action == "approved",
            col(Decision.final_text).is_not(None),
            col(Review.erased_at).is_(None),
            Review.language == language,
            col(Review.brand).is_(None) if brand is None else Review.brand == brand,
            Review.id != exclude_review_id,
        )
        .order_by(col(Decision.at).desc(), col(Decision.id).desc())
        .limit(limit)
    )
    return [
        ApprovedReply(review_text=text, author=author, reply_text=reply)
        for text, author, reply in session.exec(statement).all()
    ]
