"""rota, opening texts and exceptions

Replaces the temporary ``shifts`` table (one row per duty interval) with the rota: weekly and
dated shifts, their assigned responders, closures, the youth texts a coordinator edited, and
console presence (for the experience expert's backup rule).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.drop_index("ix_shifts_span")
        batch_op.drop_index(batch_op.f("ix_shifts_responder_id"))
    op.drop_table("shifts")

    op.create_table(
        "rota_shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("on_date", sa.Date(), nullable=True),
        sa.Column("starts", sa.Time(), nullable=False),
        sa.Column("ends", sa.Time(), nullable=False),
        sa.Column("ends_next_day", sa.Boolean(), nullable=False),
        sa.Column("backup_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["backup_id"],
            ["responders.id"],
            name=op.f("fk_rota_shifts_backup_id_responders"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rota_shifts")),
    )
    with op.batch_alter_table("rota_shifts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rota_shifts_backup_id"), ["backup_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rota_shifts_on_date"), ["on_date"], unique=False)

    op.create_table(
        "rota_assignments",
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("responder_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["responder_id"],
            ["responders.id"],
            name=op.f("fk_rota_assignments_responder_id_responders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"],
            ["rota_shifts.id"],
            name=op.f("fk_rota_assignments_shift_id_rota_shifts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shift_id", "responder_id", name=op.f("pk_rota_assignments")),
    )
    with op.batch_alter_table("rota_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rota_assignments_responder_id"), ["responder_id"], unique=False
        )

    op.create_table(
        "rota_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("starts", sa.Time(), nullable=True),
        sa.Column("ends", sa.Time(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rota_closures")),
    )
    with op.batch_alter_table("rota_closures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rota_closures_on_date"), ["on_date"], unique=False)

    op.create_table(
        "youth_texts",
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("opening", sa.Text(), nullable=False),
        sa.Column("closed", sa.Text(), nullable=False),
        sa.Column("emergency", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("lang", name=op.f("pk_youth_texts")),
    )

    op.create_table(
        "console_presence",
        sa.Column("responder_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["responder_id"],
            ["responders.id"],
            name=op.f("fk_console_presence_responder_id_responders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("responder_id", name=op.f("pk_console_presence")),
    )


def downgrade() -> None:
    op.drop_table("console_presence")
    op.drop_table("youth_texts")
    with op.batch_alter_table("rota_closures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rota_closures_on_date"))
    op.drop_table("rota_closures")
    with op.batch_alter_table("rota_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rota_assignments_responder_id"))
    op.drop_table("rota_assignments")
    with op.batch_alter_table("rota_shifts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rota_shifts_on_date"))
        batch_op.drop_index(batch_op.f("ix_rota_shifts_backup_id"))
    op.drop_table("rota_shifts")

    op.create_table(
        "shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("responder_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["responder_id"],
            ["responders.id"],
            name=op.f("fk_shifts_responder_id_responders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts")),
    )
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shifts_responder_id"), ["responder_id"], unique=False)
        batch_op.create_index("ix_shifts_span", ["starts_at", "ends_at"], unique=False)
