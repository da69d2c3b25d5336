"""at most one unended breakout per lecture, decided by the database

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("ended_at IS NULL")


def upgrade() -> None:
    # Two educators starting breakouts at the same moment both pass the room's check; before
    # this index both splits were made. An existing pair (if any) is closed but the newest.
    op.execute(
        "UPDATE breakouts SET ended_at = started_at WHERE ended_at IS NULL AND id NOT IN"
        " (SELECT max(id) FROM breakouts WHERE ended_at IS NULL GROUP BY lecture_id)"
    )
    op.create_index(
        "uq_breakouts_one_open",
        "breakouts",
        ["lecture_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("uq_breakouts_one_open", table_name="breakouts")
