"""thread_line: the lines for cards' threads, stored with the decision (or change) they tell
and posted by the card's step; approved replies still publishing become publish work

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "thread_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("line_key", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_thread_line_review_id", "thread_line", ["review_id"], unique=False)
    # The previous release published in the process that took the click; a reply it left
    # publishing (that process died mid-call) is the workers' to send now.
    op.execute(
        "INSERT INTO work (kind, review_id, created_at, due_at, attempts, asked) "
        "SELECT 'publish', id, updated_at, updated_at, 0, 1 FROM review "
        "WHERE status = 'approved' AND publish_state = 'publishing'"
    )


def downgrade() -> None:
    # The previous release knows neither: what is left of them is dropped with them.
    op.execute("DELETE FROM work WHERE kind = 'publish'")
    op.drop_index("ix_thread_line_review_id", table_name="thread_line")
    op.drop_table("thread_line")
