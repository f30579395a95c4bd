"""which responder wrote each message (two may write in one chat: an expert and the backup)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable, no foreign key: the youth's messages have no author, messages stored before
    # this revision keep none, and responders are deactivated, never deleted. A plain column
    # is also an ADD COLUMN on SQLite, with no table rebuild of a possibly large table.
    op.add_column("messages", sa.Column("author_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("author_id")
