"""breakout rooms: a lecture's groups as child lectures, and prepared plans

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "breakouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lecture_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("record", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notice", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["lecture_id"],
            ["lectures.id"],
            name=op.f("fk_breakouts_lecture_id_lectures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breakouts")),
    )
    op.create_index(op.f("ix_breakouts_lecture_id"), "breakouts", ["lecture_id"])
    op.create_table(
        "breakout_groups",
        sa.Column("lecture_id", sa.Integer(), nullable=False),
        sa.Column("breakout_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["breakout_id"],
            ["breakouts.id"],
            name=op.f("fk_breakout_groups_breakout_id_breakouts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lecture_id"],
            ["lectures.id"],
            name=op.f("fk_breakout_groups_lecture_id_lectures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("lecture_id", name=op.f("pk_breakout_groups")),
        sa.UniqueConstraint("breakout_id", "number", name=op.f("uq_breakout_groups_breakout_id")),
    )
    op.create_index(op.f("ix_breakout_groups_breakout_id"), "breakout_groups", ["breakout_id"])
    op.create_table(
        "breakout_members",
        sa.Column("breakout_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lecture_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["breakout_id"],
            ["breakouts.id"],
            name=op.f("fk_breakout_members_breakout_id_breakouts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lecture_id"],
            ["lectures.id"],
            name=op.f("fk_breakout_members_lecture_id_lectures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_breakout_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("breakout_id", "user_id", name=op.f("pk_breakout_members")),
    )
    op.create_index(op.f("ix_breakout_members_lecture_id"), "breakout_members", ["lecture_id"])
    op.create_table(
        "breakout_plans",
        sa.Column("lecture_id", sa.Integer(), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lecture_id"],
            ["lectures.id"],
            name=op.f("fk_breakout_plans_lecture_id_lectures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("lecture_id", name=op.f("pk_breakout_plans")),
    )


def downgrade() -> None:
    op.drop_table("breakout_plans")
    op.drop_index(op.f("ix_breakout_members_lecture_id"), table_name="breakout_members")
    op.drop_table("breakout_members")
    op.drop_index(op.f("ix_breakout_groups_breakout_id"), table_name="breakout_groups")
    op.drop_table("breakout_groups")
    op.drop_index(op.f("ix_breakouts_lecture_id"), table_name="breakouts")
    op.drop_table("breakouts")
