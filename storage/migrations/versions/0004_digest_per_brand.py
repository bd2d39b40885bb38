"""one weekly digest per brand: digest_run is unique by (week, brand), not by week alone;
a brand's KPIs by when its reviews were decided, from an index

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The whole deployment's digest has no brand (NULL). UNIQUE (week, brand) would let two of
# those through, NULLs being distinct; coalesce() makes NULL one value on both databases.
# SQLAlchemy does not reflect an index on an expression: a later batch migration of
# digest_run on SQLite (which copies the table) must create this index again.
WEEK_AND_BRAND = "uq_digest_run_week_brand"
# The week's own unique constraint, as a downgrade creates it again (PostgreSQL's name for
# the unnamed one of 0001). SQLite keeps no name for that one: the batch names it by this
# convention to drop it.
WEEK_KEY = "digest_run_week_key"
UNNAMED = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    [name] = [
        found["name"] or "uq_digest_run_week"
        for found in sa.inspect(op.get_bind()).get_unique_constraints("digest_run")
        if found["column_names"] == ["week"]
    ]
    with op.batch_alter_table("digest_run", naming_convention=UNNAMED) as batch:
        batch.drop_constraint(name, type_="unique")
    op.create_index(
        WEEK_AND_BRAND, "digest_run", ["week", sa.text("coalesce(brand, '')")], unique=True
    )
    op.create_index(
        "ix_review_brand_decided",
        "review",
        ["brand", "status", "decided_at", "created_at", "received_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_review_brand_decided", table_name="review")
    op.drop_index(WEEK_AND_BRAND, table_name="digest_run")
    # The release before knows one digest a week: the brands' claims go.
    op.execute("DELETE FROM digest_run WHERE brand IS NOT NULL")
    with op.batch_alter_table("digest_run") as batch:
        batch.create_unique_constraint(WEEK_KEY, ["week"])
