"""a lecture can require admission (a lobby); guest links; guest accounts

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lectures") as batch:
        batch.add_column(
            sa.Column("requires_admission", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("users") as batch:
        # No foreign key: lectures already name users (private_to), and a cycle would need
        # use_alter; a guest whose lecture is gone can enter nothing anyway.
        batch.add_column(sa.Column("guest_lecture_id", sa.Integer(), nullable=True))
    op.create_table(
        "guest_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "lecture_id",
            sa.Integer(),
            sa.ForeignKey("lectures.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("jti", sa.String(32), nullable=False, unique=True),
        sa.Column(
            "created_by",
            sa.Integer(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("guest_links")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("guest_lecture_id")
    with op.batch_alter_table("lectures") as batch:
        batch.drop_column("requires_admission")
