"""recruitment: applications, publicity objections, public request hits

Revision ID: 0002_recruitment
Revises: 0001
Create Date: 2026-11-24
"""

from alembic import op
import sqlalchemy as sa
import engine.models.base
from sqlalchemy.dialects import postgresql

revision = '0002_recruitment'
down_revision = '0001'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('recruitment_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('application_no', sa.String(length=20), nullable=False),
    sa.Column('post_community', sa.String(length=32), nullable=False),
    sa.Column('post_org_path', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('gender', sa.String(length=8), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('education', sa.String(length=16), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('fresh_graduate', sa.Boolean(), nullable=False),
    sa.Column('local_residence', sa.Boolean(), nullable=False),
    sa.Column('recommended_by_street', sa.Boolean(), nullable=False),
    sa.Column('relaxation_basis', sa.String(length=32), nullable=True),
    sa.Column('priority', JSON, nullable=False),
    sa.Column('declarations', JSON, nullable=False),
    sa.Column('precheck', JSON, nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('review_reason', sa.Text(), nullable=True),
    sa.Column('reviewed_by', sa.String(length=64), nullable=True),
    sa.Column('reviewed_at', engine.models.base.UtcDateTime(), nullable=True),
    sa.Column('written_score', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('written_absent', sa.Boolean(), nullable=False),
    sa.Column('interview_score', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('interview_absent', sa.Boolean(), nullable=False),
    sa.Column('total_score', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('substitute_for', sa.Integer(), nullable=True),
    sa.Column('physical_note', sa.Text(), nullable=True),
    sa.Column('vetting_note', sa.Text(), nullable=True),
    sa.Column('publicity_until', sa.Date(), nullable=True),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('probation_result', sa.String(length=8), nullable=True),
    sa.Column('probation_note', sa.Text(), nullable=True),
    sa.Column('submitted_at', engine.models.base.UtcDateTime(), nullable=False),
    sa.Column('updated_at', engine.models.base.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_recruitment_applications_instance_id_instances')),
    sa.ForeignKeyConstraint(['post_community'], ['org_units.code'], name=op.f('fk_recruitment_applications_post_community_org_units')),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_recruitment_applications_worker_id_workers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recruitment_applications')),
    sa.UniqueConstraint('application_no', name=op.f('uq_recruitment_applications_application_no')),
    sa.UniqueConstraint('instance_id', 'id_number', name='uq_recruitment_applications_id_number')
    )
    with op.batch_alter_table('recruitment_applications', schema=None) as batch_op:
        batch_op.create_index('ix_recruitment_applications_status', ['instance_id', 'status', 'post_community'], unique=False)
        batch_op.create_index('ix_recruitment_applications_rank', ['instance_id', 'post_community', 'rank'], unique=False)
        batch_op.create_index('ix_recruitment_applications_scope', ['instance_id', 'post_org_path', 'id'], unique=False)

    op.create_table('recruitment_objections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('received_by', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('finding', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decided_at', engine.models.base.UtcDateTime(), nullable=True),
    sa.Column('created_at', engine.models.base.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_recruitment_objections_instance_id_instances')),
    sa.ForeignKeyConstraint(['application_id'], ['recruitment_applications.id'], name=op.f('fk_recruitment_objections_application_id_recruitment_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recruitment_objections'))
    )
    with op.batch_alter_table('recruitment_objections', schema=None) as batch_op:
        batch_op.create_index('ix_recruitment_objections_instance', ['instance_id', 'status'], unique=False)

    op.create_table('public_hits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bucket', sa.String(length=80), nullable=False),
    sa.Column('at', engine.models.base.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_hits'))
    )
    with op.batch_alter_table('public_hits', schema=None) as batch_op:
        batch_op.create_index('ix_public_hits_bucket', ['bucket', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('public_hits', schema=None) as batch_op:
        batch_op.drop_index('ix_public_hits_bucket')
    op.drop_table('public_hits')
    with op.batch_alter_table('recruitment_objections', schema=None) as batch_op:
        batch_op.drop_index('ix_recruitment_objections_instance')
    op.drop_table('recruitment_objections')
    with op.batch_alter_table('recruitment_applications', schema=None) as batch_op:
        batch_op.drop_index('ix_recruitment_applications_scope')
        batch_op.drop_index('ix_recruitment_applications_rank')
        batch_op.drop_index('ix_recruitment_applications_status')
    op.drop_table('recruitment_applications')
