"""a course's presentation library: decks of a course (no lecture), public, downloadable

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 02:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("decks") as batch:
        batch.alter_column("lecture_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("course_id", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("downloadable", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("original_ext", sa.String(8), nullable=False, server_default=""))
        batch.create_foreign_key(
            op.f("fk_decks_course_id_courses"), "courses", ["course_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index(op.f("ix_decks_course_id"), ["course_id"])
        batch.create_check_constraint(
            op.f("ck_decks_owner"), "lecture_id IS NOT NULL OR course_id IS NOT NULL"
        )


def downgrade() -> None:
    op.execute("DELETE FROM decks WHERE lecture_id IS NULL")
    with op.batch_alter_table("decks") as batch:
        batch.drop_constraint(op.f("ck_decks_owner"), type_="check")
        batch.drop_index(op.f("ix_decks_course_id"))
        batch.drop_constraint(op.f("fk_decks_course_id_courses"), type_="foreignkey")
        batch.drop_column("original_ext")
        batch.drop_column("downloadable")
        batch.drop_column("public")
        batch.drop_column("course_id")
        batch.alter_column("lecture_id", existing_type=sa.Integer(), nullable=False)
