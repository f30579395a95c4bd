"""diary aggregates that outlive the diary rows' retention

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "diary_month_counts",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("population", sa.String(length=16), nullable=False),
        sa.Column("dimension", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "population", "dimension", "code", name=op.f("pk_diary_month_counts")
        ),
    )
    op.create_table(
        "diary_month_bands",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("band_secs", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "measure", "band_secs", name=op.f("pk_diary_month_bands")),
    )


def downgrade() -> None:
    op.drop_table("diary_month_bands")
    op.drop_table("diary_month_counts")
