"""inbox boxes: the indexes behind 已处理 (tasks by who completed them), 我发起的 (cases by who
started them) and the unread number of 抄送我的 (copies by recipient and read time)

Revision ID: 0016_inbox_boxes
Revises: 0015_instance_title
Create Date: 2026-12-05
"""

from alembic import op

revision = "0016_inbox_boxes"
down_revision = "0015_instance_title"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tasks_completed_by", "tasks", ["completed_by", "completed_at"])
    op.create_index("ix_instances_initiator", "instances", ["initiator", "id"])
    op.create_index("ix_case_copies_unread", "case_copies", ["recipient", "read_at"])


def downgrade() -> None:
    op.drop_index("ix_case_copies_unread", table_name="case_copies")
    op.drop_index("ix_instances_initiator", table_name="instances")
    op.drop_index("ix_tasks_completed_by", table_name="tasks")
