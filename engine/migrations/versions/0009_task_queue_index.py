"""task queue index: a role's open tasks in due order, so a first page reads 20 index entries

Revision ID: 0009_task_queue_index
Revises: 0008_merge_heads
Create Date: 2026-11-25
"""

from alembic import op

revision = "0009_task_queue_index"
down_revision = "0008_merge_heads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tasks_queue", "tasks", ["status", "role", "due_at", "created_at", "org_path", "assignee"])


def downgrade() -> None:
    op.drop_index("ix_tasks_queue", table_name="tasks")
