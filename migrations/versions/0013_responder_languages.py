"""the languages each responder answers in

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27

Existing accounts answer in Finnish until a coordinator says otherwise (DOMAIN.md 4.2: the
youth is told when nobody on duty speaks Swedish).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "responders",
        sa.Column("languages", sa.String(length=16), nullable=False, server_default="fi"),
    )


def downgrade() -> None:
    with op.batch_alter_table("responders") as batch:
        batch.drop_column("languages")
