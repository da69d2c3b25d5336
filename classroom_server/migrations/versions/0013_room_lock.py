"""a lecture's room can be locked to new participants

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 23:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("room_settings") as batch:
        batch.add_column(
            sa.Column("room_locked", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("room_settings") as batch:
        batch.drop_column("room_locked")
