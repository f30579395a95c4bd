"""backup support, escalation and transfer

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

``chat_support`` holds per-chat flags (escalated once, backup involved); ``support_notes``
the expert's and backup's private notes (cascaded away with the chat's transcript);
``transfer_offers`` open hand-over offers.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _chat_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["chat_id"], ["chats.id"], name=op.f(f"fk_{table}_chat_id_chats"), ondelete="CASCADE"
    )


def _responder_fk(table: str, column: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        ["responders.id"],
        name=op.f(f"fk_{table}_{column}_responders"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "chat_support",
        sa.Column("chat_id", sa.String(length=32), nullable=False),
        sa.Column("backup_id", sa.Integer(), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("backup_involved", sa.Boolean(), nullable=False),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        _chat_fk("chat_support"),
        _responder_fk("chat_support", "backup_id", "SET NULL"),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_chat_support")),
    )
    op.create_table(
        "support_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.String(length=32), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _chat_fk("support_notes"),
        _responder_fk("support_notes", "author_id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_notes")),
    )
    op.create_index("ix_support_notes_chat_id", "support_notes", ["chat_id"])
    op.create_table(
        "transfer_offers",
        sa.Column("chat_id", sa.String(length=32), nullable=False),
        sa.Column("from_id", sa.Integer(), nullable=False),
        sa.Column("to_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        _chat_fk("transfer_offers"),
        _responder_fk("transfer_offers", "from_id", "CASCADE"),
        _responder_fk("transfer_offers", "to_id", "CASCADE"),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_transfer_offers")),
    )


def downgrade() -> None:
    op.drop_table("transfer_offers")
    op.drop_index("ix_support_notes_chat_id", table_name="support_notes")
    op.drop_table("support_notes")
    op.drop_table("chat_support")
