"""instance title: a case carries the title people know it by ("王晓梅的辞职申请", the campaign's
title), computed once when it starts; existing cases get theirs from their worker and data here

Revision ID: 0015_instance_title
Revises: 0014_no_tokens_in_replay
Create Date: 2026-12-05
"""

import json

import sqlalchemy as sa
from alembic import op

from engine.core.words import case_title

revision = "0015_instance_title"
down_revision = "0014_no_tokens_in_replay"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title", sa.String(200), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT i.id, i.key, i.data, d.name, w.name FROM instances i JOIN definitions d ON d.id = i.definition_id "
        "LEFT JOIN workers w ON w.id = i.worker_id")).all()
    for instance_id, key, data, process_name, worker_name in rows:
        if isinstance(data, (str, bytes)):
            try:
                data = json.loads(data)
            except ValueError:
                data = {}
        bind.execute(sa.text("UPDATE instances SET title = :title WHERE id = :id"),
                     {"title": case_title(key, process_name, data, worker_name), "id": instance_id})


def downgrade() -> None:
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.drop_column("title")
