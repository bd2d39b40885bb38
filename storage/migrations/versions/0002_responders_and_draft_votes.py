"""responders' signatures and votes on drafts

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.models

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "responder",
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("signature", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("slack_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("name_checked_at", storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "draft_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("vote", sa.Integer(), nullable=False),
        sa.Column("at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["draft_id"], ["draft.id"]),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("draft_id", "user_id", name="uq_draft_vote_draft_user"),
    )
    op.create_index("ix_draft_vote_at", "draft_vote", ["at"], unique=False)
    op.create_index("ix_draft_vote_review_id", "draft_vote", ["review_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_draft_vote_review_id", table_name="draft_vote")
    op.drop_index("ix_draft_vote_at", table_name="draft_vote")
    op.drop_table("draft_vote")
    op.drop_table("responder")
