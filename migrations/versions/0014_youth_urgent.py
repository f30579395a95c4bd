"""the young person's "I need help now" flag on the chat and on its diary record

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27

DOMAIN.md 3.4: a chat opened with "Minulla on hätä nyt" is marked in every console's list and
escalated at once; the diary counts such contacts (a yes/no flag, no text). Existing rows: no.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("chats", "diary_records"):
        op.add_column(
            table,
            sa.Column("youth_urgent", sa.Boolean(), nullable=False, server_default=sa.false()),
        )


def downgrade() -> None:
    for table in ("chats", "diary_records"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("youth_urgent")
