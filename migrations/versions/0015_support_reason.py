"""why the chat's backup support was asked: by the expert, or by the server when the backup left

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27

DOMAIN.md 3.5: when an experience expert's backup drops out mid-chat, the stand-ins are
alerted without the expert having to ask. The consoles say which it was. Existing rows: NULL,
read as "asked" (the expert asked; nothing else could ask before this revision).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("chat_support", sa.Column("asked_reason", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chat_support") as batch:
        batch.drop_column("asked_reason")
