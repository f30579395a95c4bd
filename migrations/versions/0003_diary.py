"""contact diary, taxonomy and feedback

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

``diary_records`` holds no chat id, no responder id and no instant; ``diary_pending`` is the
short-lived link to the chat, deleted on filing and cascaded away when the chat is purged.
``diary_terms`` holds the coordinator's changes on top of the default taxonomy (kept in code).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "diary_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("wait_secs", sa.Integer(), nullable=True),
        sa.Column("duration_secs", sa.Integer(), nullable=True),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("quick_exit", sa.Boolean(), nullable=False),
        sa.Column("responder_role", sa.String(length=32), nullable=True),
        sa.Column("backup_involved", sa.Boolean(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("filed", sa.Boolean(), nullable=False),
        sa.Column("contact_type", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("caller", sa.String(length=32), nullable=True),
        sa.Column("age_band", sa.String(length=32), nullable=True),
        sa.Column("concern_level", sa.Integer(), nullable=True),
        sa.Column("cp_concern", sa.Boolean(), nullable=True),
        sa.Column("concerns", sa.JSON(), nullable=True),
        sa.Column("emergency_actions", sa.JSON(), nullable=True),
        sa.Column("referrals", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diary_records")),
    )
    op.create_index("ix_diary_records_local_date", "diary_records", ["local_date"])
    op.create_table(
        "diary_pending",
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.String(length=32), nullable=False),
        sa.Column("responder_id", sa.Integer(), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["diary_records.id"],
            name=op.f("fk_diary_pending_record_id_diary_records"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["chat_id"],
            ["chats.id"],
            name=op.f("fk_diary_pending_chat_id_chats"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["responder_id"],
            ["responders.id"],
            name=op.f("fk_diary_pending_responder_id_responders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_diary_pending")),
        sa.UniqueConstraint("chat_id", name=op.f("uq_diary_pending_chat_id")),
    )
    op.create_index(
        op.f("ix_diary_pending_responder_id"), "diary_pending", ["responder_id"], unique=False
    )
    op.create_table(
        "diary_terms",
        sa.Column("dimension", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("label_fi", sa.String(length=120), nullable=False),
        sa.Column("label_sv", sa.String(length=120), nullable=True),
        sa.Column("label_en", sa.String(length=120), nullable=True),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("dimension", "code", name=op.f("pk_diary_terms")),
    )


def downgrade() -> None:
    op.drop_table("diary_terms")
    op.drop_index(op.f("ix_diary_pending_responder_id"), table_name="diary_pending")
    op.drop_table("diary_pending")
    op.drop_index("ix_diary_records_local_date", table_name="diary_records")
    op.drop_table("diary_records")
