"""why the chat's backup support was asked (by the expert, or by the server when the backup
left), and since when the chat's responder has been gone

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27

DOMAIN.md 3.5: when an experience expert's backup drops out mid-chat, the stand-ins are
alerted without the expert having to ask. The consoles say which it was. Existing rows: NULL,
read as "asked" (the expert asked; nothing else could ask before this revision).
docs/protocol.md, "A chat whose responder is gone": ``holder_gone_at`` is set once by a
conditional update while the holder's console is away, cleared when the chat is claimed or the
holder comes back. Existing rows: NULL (not gone). ``console_presence.closed``: a console's
closing no longer deletes its row, so how long a responder has been gone can be counted from
when it was last seen.
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
    op.add_column(
        "chat_support", sa.Column("holder_gone_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "console_presence",
        sa.Column("closed", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("chat_support") as batch:
        batch.drop_column("asked_reason")
        batch.drop_column("holder_gone_at")
    with op.batch_alter_table("console_presence") as batch:
        batch.drop_column("closed")
