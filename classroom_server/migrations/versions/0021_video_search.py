"""a video's searchable text (title, description, chapters, slides, subtitles)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 02:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("videos") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    # Existing videos are found by their title and description until their text is refreshed.
    op.execute("UPDATE videos SET search_text = lower(title || ' ' || description)")


def downgrade() -> None:
    with op.batch_alter_table("videos") as batch:
        batch.drop_column("search_text")
