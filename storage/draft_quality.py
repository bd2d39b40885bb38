"""Draft quality: how the team treats the drafts the model and the templates write, split by
one review dimension (language today; a brand is one more entry in DIMENSIONS and KpiFilter).

Counts are aggregates in the database. The median edit needs the texts: the edited approvals
of the period come back as rows and are measured in Python (storage/edit_distance.py, a few
tenths of a millisecond a reply). More than MEASURED_EDITS of them are measured on an even
sample (every k-th, picked in the database), so a busy month costs what a busy week does
(bench/draft_quality.py).

The definitions (docs/kpis.md, "Draft quality"):
- approved: approvals in the period (decision.at) of a draft the model or a template wrote:
  sent as drafted (decision.edited false), or edited with the model's text in the audit;
- approved unedited: of those, the ones with decision.edited false;
- median edit: over the edited ones, the character edit distance from the model's text to
  the sent text as a share of the model's text; the signature slot matches the name put
  there, so signing is not an edit. Erased reviews have no text left and are not measured;
- regenerated: of the reviews written in the period that got such a draft, those someone
  asked to redraft after seeing one (a Try again after a failed first draft is not that);
- declined: declines among the approvals and declines made in the period;
- 👍 / 👎: votes cast in the period on drafts.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from storage.edit_distance import edit_distance
from storage.figures import (
    EVERY_REVIEW,
    KpiFilter,
    Period,
    by_key,
    dimension_column,
    grouped,
    share,
    within,
)
from storage.models import Decision, Draft, DraftVote, Review, ReviewStatus

DRAFT_KINDS = ("llm", "template")  # what a person approves "as drafted"
REGENERATED = "regenerated"
MEASURED_EDITS = 300


@dataclass(frozen=True)
class DraftQuality:
    approved: int = 0  # approvals of a model or template draft
    approved_unedited: int = 0
    edited: int = 0  # approvals of such a draft that were edited first
    measured: int = 0  # edits measured for the median (all of them, or an even sample)
    median_edit: float | None = None  # share of the draft's characters changed
    decided: int = 0  # approvals (of anything) and declines
    declined: int = 0
    drafted: int = 0  # reviews written in the period that got a model or template draft
    regenerated: int = 0
    votes_up: int = 0
    votes_down: int = 0

    @property
    def unedited_share(self) -> float | None:
        return share(self.approved_unedited, self.approved)

    @property
    def regenerate_rate(self) -> float | None:
        return share(self.regenerated, self.drafted)

    @property
    def decline_rate(self) -> float | None:
        return share(self.declined, self.decided)

    @property
    def is_empty(self) -> bool:
        return not (self.decided or self.drafted or self.votes_up or self.votes_down)


@dataclass(frozen=True)
class DraftQualityReport:
    total: DraftQuality = DraftQuality()
    groups: dict[str, DraftQuality] = field(default_factory=dict)  # NO_VALUE: no value


# The figures a whole is the sum of its groups' (the median edit is not one of them).
_COUNTS = (
    "approved",
    "approved_unedited",
    "edited",
    "decided",
    "declined",
    "drafted",
    "regenerated",
    "votes_up",
    "votes_down",
)


def draft_quality(
    session: Session,
    period: Period,
    *,
    by: str = "language",
    filters: KpiFilter = EVERY_REVIEW,
    slot: str | None = None,
) -> DraftQualityReport:
    """The draft-quality figures of `period`, in all and split `by` a review dimension.
    `slot` is the placeholder a draft leaves for the signer's name (None: drafts have none)."""
    group = dimension_column(by)
    where = filters.conditions()
    parts: dict[Any, dict[str, Any]] = defaultdict(dict)
    for part in (
        _decisions(session, period, where, group),
        _drafted(session, period, where, group),
        _votes(session, period, where, group),
    ):
        for key, values in part.items():
            parts[key].update(values)
    edited = sum(values.get("edited", 0) for values in parts.values())
    shares = _edit_shares(session, period, where, group, edited=edited, slot=slot)
    groups = {
        key: DraftQuality(
            **values, measured=len(shares.get(key, ())), median_edit=_median(shares.get(key, ()))
        )
        for key, values in parts.items()
    }
    every_share = [value for found in shares.values() for value in found]
    total = DraftQuality(
        **{name: sum(getattr(quality, name) for quality in groups.values()) for name in _COUNTS},
        measured=len(every_share),
        median_edit=_median(every_share),
    )
    return DraftQualityReport(total, by_key(groups))


def _median(shares: Sequence[float]) -> float | None:
    return statistics.median(shares) if shares else None


def _count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _model_text() -> sa.ColumnElement[str]:
    return Decision.detail["model_text"].as_string()


def _with_review(statement: sa.Select[Any]) -> sa.Select[Any]:
    return statement.select_from(Decision).join(Review, col(Review.id) == Decision.review_id)


def _decisions(session: Session, period: Period, where: list, group: Any) -> dict[Any, dict]:
    """Approvals (of model or template drafts; unedited; edited) and declines in the period."""
    approved = col(Decision.action) == ReviewStatus.approved
    unedited = sa.and_(approved, col(Decision.edited).is_(False))
    # The model draft's id, not its text: erasure removes the text and keeps the id.
    edited = sa.and_(
        approved,
        col(Decision.edited).is_(True),
        Decision.detail["model_draft_id"].as_integer().is_not(None),
    )
    rows = grouped(
        session,
        group,
        [
            _count(sa.or_(unedited, edited)),
            _count(unedited),
            _count(edited),
            sa.func.count(),
            _count(col(Decision.action) == ReviewStatus.declined),
        ],
        [
            col(Decision.action).in_((ReviewStatus.approved, ReviewStatus.declined)),
            *within(Decision.at, period),
            *where,
        ],
        joins=_with_review,
    )
    return {
        row[0]: {
            "approved": int(row[1]),
            "approved_unedited": int(row[2]),
            "edited": int(row[3]),
            "decided": row[4],
            "declined": int(row[5]),
        }
        for row in rows
    }


def _drafted(session: Session, period: Period, where: list, group: Any) -> dict[Any, dict]:
    """Reviews written in the period with a model or template draft, and how many of them
    someone asked to redraft once there was one."""
    has_draft = (
        sa.select(col(Draft.id))
        .where(col(Draft.review_id) == Review.id, col(Draft.kind).in_(DRAFT_KINDS))
        .exists()
    )
    drafted = grouped(
        session,
        group,
        [sa.func.count()],
        [*within(Review.created_at, period), has_draft, *where],
    )
    # From the (few) regenerations rather than a probe per review: none of a review's can
    # come before the review was written, so those since the period began are enough.
    draft_seen = (
        sa.select(col(Draft.id))
        .where(
            col(Draft.review_id) == Decision.review_id,
            col(Draft.kind).in_(DRAFT_KINDS),
            col(Draft.created_at) <= Decision.at,
        )
        .exists()
    )
    redrafted = grouped(
        session,
        group,
        [sa.func.count(sa.distinct(col(Decision.review_id)))],
        [
            col(Decision.action) == REGENERATED,
            col(Decision.at) >= period.start,
            *within(Review.created_at, period),
            draft_seen,
            *where,
        ],
        joins=_with_review,
    )
    figures: dict[Any, dict] = {key: {"drafted": count} for key, count in drafted}
    for key, count in redrafted:
        figures.setdefault(key, {})["regenerated"] = count
    return figures


def _votes(session: Session, period: Period, where: list, group: Any) -> dict[Any, dict]:
    rows = grouped(
        session,
        group,
        [_count(col(DraftVote.vote) > 0), _count(col(DraftVote.vote) < 0)],
        [*within(DraftVote.at, period), *where],
        joins=lambda s: s.select_from(DraftVote).join(
            Review, col(Review.id) == DraftVote.review_id
        ),
    )
    return {row[0]: {"votes_up": int(row[1]), "votes_down": int(row[2])} for row in rows}


def _edit_shares(
    session: Session,
    period: Period,
    where: list,
    group: Any,
    *,
    edited: int,
    slot: str | None,
) -> dict[Any, list[float]]:
    """The edits of the period's edited approvals as shares of their drafts, by group: every
    one, or every k-th in the order they were made when there are more than MEASURED_EDITS."""
    if not edited:
        return {}
    measurable = [
        col(Decision.action) == ReviewStatus.approved,
        *within(Decision.at, period),
        col(Decision.edited).is_(True),
        _model_text().is_not(None),
        col(Decision.final_text).is_not(None),
        col(Review.erased_at).is_(None),
        *where,
    ]
    step = math.ceil(edited / MEASURED_EDITS)
    if step > 1:
        # Ranked by id alone, so only the texts of the sample are read.
        ranked = _with_review(
            sa.select(
                col(Decision.id), sa.func.row_number().over(order_by=col(Decision.id)).label("n")
            )
        ).where(*measurable)
        sample = ranked.subquery()
        measurable = [
            col(Decision.id).in_(sa.select(sample.c.id).where((sample.c.n - 1) % step == 0))
        ]
    statement = _with_review(sa.select(group, _model_text(), col(Decision.final_text))).where(
        *measurable
    )
    shares: dict[Any, list[float]] = defaultdict(list)
    for key, model_text, final_text in session.execute(statement):
        length = len(model_text.replace(slot, "", 1) if slot else model_text)
        distance = edit_distance(model_text, final_text, slot=slot)
        shares[key].append(distance / length if length else float(distance > 0))
    return shares
