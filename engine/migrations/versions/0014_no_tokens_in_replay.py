"""no tokens in replay storage: answers of POST /tokens kept by earlier versions held a live token
in clear; they are deleted (the endpoint is no longer replayed, so nothing will read them)

Revision ID: 0014_no_tokens_in_replay
Revises: 0013_worker_version
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_no_tokens_in_replay"
down_revision = "0013_worker_version"
branch_labels = None
depends_on = None

KEYS = sa.table("idempotency_keys", sa.column("id", sa.Integer), sa.column("body", sa.JSON))


def upgrade() -> None:
    connection = op.get_bind()
    candidates = connection.execute(sa.select(KEYS.c.id, KEYS.c.body).where(
        sa.cast(KEYS.c.body, sa.Text).like('%"token"%')))
    holding = [row.id for row in candidates if isinstance(row.body, dict) and "token" in row.body]
    for start in range(0, len(holding), 500):
        connection.execute(sa.delete(KEYS).where(KEYS.c.id.in_(holding[start:start + 500])))


def downgrade() -> None:
    pass  # the deleted answers held secrets and are not brought back
