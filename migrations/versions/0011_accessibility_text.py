"""the organiser's part of the accessibility statement, per language

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: rows saved before keep the built-in draft for this text until a coordinator
    # writes one (a plain ADD COLUMN on SQLite, no table rebuild).
    op.add_column("youth_texts", sa.Column("accessibility", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("youth_texts") as batch:
        batch.drop_column("accessibility")
