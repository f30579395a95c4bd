"""canned replies and youth feedback

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

``canned_replies`` holds the coordinator's ready-made replies per language.
``feedback_tickets`` holds the hash of each chat's one-time "did this help?" ticket (deleted
when used, cascaded away with the chat); ``youth_feedback`` the answers with their local date
only, linked to nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "canned_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_replies")),
    )
    op.create_index("ix_canned_replies_lang", "canned_replies", ["lang"])
    op.create_table(
        "feedback_tickets",
        sa.Column("chat_id", sa.String(length=32), nullable=False),
        sa.Column("ticket_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"],
            ["chats.id"],
            name=op.f("fk_feedback_tickets_chat_id_chats"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_feedback_tickets")),
        sa.UniqueConstraint("ticket_hash", name=op.f("uq_feedback_tickets_ticket_hash")),
    )
    op.create_table(
        "youth_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_youth_feedback")),
    )
    op.create_index("ix_youth_feedback_local_date", "youth_feedback", ["local_date"])


def downgrade() -> None:
    op.drop_index("ix_youth_feedback_local_date", table_name="youth_feedback")
    op.drop_table("youth_feedback")
    op.drop_table("feedback_tickets")
    op.drop_index("ix_canned_replies_lang", table_name="canned_replies")
    op.drop_table("canned_replies")
