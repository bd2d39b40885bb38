"""each review's brand and the route its card took; digests and pattern alerts per brand

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.add_column(
            sa.Column("brand", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch.add_column(
            sa.Column("route", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True)
        )
        batch.create_index(
            "ix_review_brand_kpi",
            ["brand", "created_at", "negative", "rating", "decided_at"],
            unique=False,
        )
    with op.batch_alter_table("digest_run") as batch:
        batch.add_column(
            sa.Column("brand", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
    with op.batch_alter_table("pattern_alert") as batch:
        batch.add_column(
            sa.Column("brand", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch would recreate `review`, which
    # the foreign keys of every table pointing at it forbid.
    op.drop_column("pattern_alert", "brand")
    op.drop_column("digest_run", "brand")
    op.drop_index("ix_review_brand_kpi", table_name="review")
    op.drop_column("review", "route")
    op.drop_column("review", "brand")
