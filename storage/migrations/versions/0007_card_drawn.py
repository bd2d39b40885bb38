"""slack_card.drawn: a digest of what each card's message shows, so a redraw that would show
the same is skipped by whichever process is asked for it

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Cards drawn before are drawn once more when next asked: their digest is not known.
    with op.batch_alter_table("slack_card") as batch:
        batch.add_column(
            sa.Column("drawn", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("slack_card") as batch:
        batch.drop_column("drawn")
