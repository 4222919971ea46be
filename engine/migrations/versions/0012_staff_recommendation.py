"""staff recommendation: the street's recommendation that relaxes age and education is recorded by
the reviewing staff, with who and when; what applicants ticked themselves no longer counts

Revision ID: 0012_staff_recommendation
Revises: 0011_calendar_years
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = "0012_staff_recommendation"
down_revision = "0011_calendar_years"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recruitment_applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recommended_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("recommended_at", engine.models.base.UtcDateTime(), nullable=True))
    # a recommendation an applicant gave themselves is no recommendation (004 art. 9); the review
    # runs the pre-check again on what the staff record
    op.execute(sa.text("UPDATE recruitment_applications SET recommended_by_street = false, relaxation_basis = NULL"))


def downgrade() -> None:
    with op.batch_alter_table("recruitment_applications", schema=None) as batch_op:
        batch_op.drop_column("recommended_at")
        batch_op.drop_column("recommended_by")
