"""debrief requests after an experience expert's heavy chat

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27

No chat id and no text: a request says that the expert needs a talk, not what about.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _responder_fk(column: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        ["responders.id"],
        name=op.f(f"fk_debriefs_{column}_responders"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "debriefs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("backup_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        _responder_fk("expert_id", "CASCADE"),
        _responder_fk("backup_id", "SET NULL"),
        _responder_fk("answered_by", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_debriefs")),
    )
    op.create_index(op.f("ix_debriefs_expert_id"), "debriefs", ["expert_id"])
    op.create_index(op.f("ix_debriefs_requested_at"), "debriefs", ["requested_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_debriefs_requested_at"), table_name="debriefs")
    op.drop_index(op.f("ix_debriefs_expert_id"), table_name="debriefs")
    op.drop_table("debriefs")
