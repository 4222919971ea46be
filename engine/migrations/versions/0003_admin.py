"""admin: diagram drafts and form versions

Revision ID: 0003_admin
Revises: 0001
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa
import engine.models.base
from sqlalchemy.dialects import postgresql

revision = '0003_admin'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('diagram_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('process_key', sa.String(length=64), nullable=True),
    sa.Column('base_version', sa.Integer(), nullable=True),
    sa.Column('bpmn', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', engine.models.base.UtcDateTime(), nullable=False),
    sa.Column('updated_at', engine.models.base.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diagram_drafts'))
    )
    with op.batch_alter_table('diagram_drafts', schema=None) as batch_op:
        batch_op.create_index('ix_diagram_drafts_updated', ['updated_at'], unique=False)

    op.create_table('form_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('schema', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', engine.models.base.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_versions')),
    sa.UniqueConstraint('name', 'version', name=op.f('uq_form_versions_name'))
    )


def downgrade() -> None:
    op.drop_table('form_versions')
    with op.batch_alter_table('diagram_drafts', schema=None) as batch_op:
        batch_op.drop_index('ix_diagram_drafts_updated')
    op.drop_table('diagram_drafts')
