"""merge the feature branches into one head

Revision ID: 0008_merge_heads
Revises: 0003_admin, 0004_operations, 0005_idempotency, 0006_session_version, 0007_physical_reexam
Create Date: 2026-11-25
"""

revision = "0008_merge_heads"
down_revision = ("0003_admin", "0004_operations", "0005_idempotency", "0006_session_version",
                 "0007_physical_reexam")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
