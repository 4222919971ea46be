"""recruitment_applications: when a physical fail was recorded and when its re-examination was requested

Revision ID: 0007_physical_reexam
Revises: 0002_recruitment
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = "0007_physical_reexam"
down_revision = "0002_recruitment"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recruitment_applications") as batch:
        batch.add_column(sa.Column("physical_failed_at", engine.models.base.UtcDateTime(), nullable=True))
        batch.add_column(sa.Column("physical_reexam_requested_at", engine.models.base.UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recruitment_applications") as batch:
        batch.drop_column("physical_reexam_requested_at")
        batch.drop_column("physical_failed_at")
