"""two-factor login for staff (TOTP secret, last step, recovery codes)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("responders", sa.Column("totp_seed", sa.String(length=64), nullable=True))
    op.add_column("responders", sa.Column("totp_last_counter", sa.Integer(), nullable=True))
    op.add_column(
        "responders", sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_table(
        "staff_recovery_codes",
        sa.Column("responder_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["responder_id"],
            ["responders.id"],
            name=op.f("fk_staff_recovery_codes_responder_id_responders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("responder_id", "digest", name=op.f("pk_staff_recovery_codes")),
    )


def downgrade() -> None:
    op.drop_table("staff_recovery_codes")
    with op.batch_alter_table("responders") as batch:  # SQLite drops columns by copying
        batch.drop_column("totp_enabled_at")
        batch.drop_column("totp_last_counter")
        batch.drop_column("totp_seed")
