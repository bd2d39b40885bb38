"""work: the steps reviews wait for, claimed by worker processes with a lease; who is
posting a queued card

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "work",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claim", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("asked", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["review.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "review_id", name="uq_work_kind_review"),
    )
    op.create_index("ix_work_kind_due", "work", ["kind", "due_at"], unique=False)
    with op.batch_alter_table("slack_card") as batch:
        batch.add_column(sa.Column("posting_until", sa.DateTime(timezone=True), nullable=True))
    # Reviews the previous release left mid-pipeline become work, so the workers take them up;
    # a draft that was being written is written again.
    op.execute("UPDATE review SET status = 'triaged' WHERE status = 'drafting'")
    for kind, status in (("triage", "received"), ("draft", "triaged")):
        op.execute(
            sa.text(
                "INSERT INTO work (kind, review_id, created_at, due_at, attempts, asked) "
                "SELECT :kind, id, updated_at, updated_at, 0, 1 FROM review WHERE status = :status"
            ).bindparams(kind=kind, status=status)
        )


def downgrade() -> None:
    with op.batch_alter_table("slack_card") as batch:
        batch.drop_column("posting_until")
    op.drop_index("ix_work_kind_due", table_name="work")
    op.drop_table("work")
