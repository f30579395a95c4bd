"""when the backup joined a chat (the youth is told again after a reload)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Asking for support already marks the backup involved; only a join shows the backup to
    # the young person, so a resume needs to know that apart.
    op.add_column("chat_support", sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chat_support") as batch:
        batch.drop_column("joined_at")
