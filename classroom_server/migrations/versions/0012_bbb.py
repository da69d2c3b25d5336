"""BigBlueButton-compatible API: the shared secret and the LMS's meetings

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bbb_secrets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bbb_secrets")),
    )
    op.create_table(
        "bbb_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=256), nullable=False),
        sa.Column("lecture_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("attendee_pw", sa.String(length=256), nullable=False),
        sa.Column("moderator_pw", sa.String(length=256), nullable=False),
        sa.Column("voice_bridge", sa.String(length=32), nullable=False),
        sa.Column("dial_number", sa.String(length=64), nullable=False),
        sa.Column("record", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("max_participants", sa.Integer(), nullable=False),
        sa.Column("duration", sa.Integer(), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("user_joined", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("forcibly_ended", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("end_called_back", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("recording_called_back", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lecture_id"],
            ["lectures.id"],
            name=op.f("fk_bbb_meetings_lecture_id_lectures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bbb_meetings")),
        sa.UniqueConstraint("lecture_id", name=op.f("uq_bbb_meetings_lecture_id")),
    )
    op.create_table(
        "bbb_users",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_bbb_users_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_bbb_users")),
        sa.UniqueConstraint("external_id", name=op.f("uq_bbb_users_external_id")),
    )
    op.create_table(
        "bbb_hooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("callback_url", sa.String(length=2048), nullable=False),
        sa.Column("meeting_id", sa.String(length=256), nullable=True),
        sa.Column("raw", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bbb_hooks")),
    )
    op.create_index(op.f("ix_bbb_meetings_meeting_id"), "bbb_meetings", ["meeting_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_bbb_meetings_meeting_id"), table_name="bbb_meetings")
    op.drop_table("bbb_hooks")
    op.drop_table("bbb_users")
    op.drop_table("bbb_meetings")
    op.drop_table("bbb_secrets")
