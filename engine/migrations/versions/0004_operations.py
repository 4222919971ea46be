"""operations: proxies, approval rounds and votes, delegations, copies, deadlines, urges,
personal notifications, e-mail outbox, attachments; users.email and tasks.on_behalf_of

Revision ID: 0004_operations
Revises: 0001
Create Date: 2026-11-25
"""

from alembic import op
import sqlalchemy as sa
import engine.models.base
from sqlalchemy.dialects import postgresql

revision = '0004_operations'
down_revision = '0001'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
UTC = engine.models.base.UtcDateTime


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=200), nullable=True))
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_behalf_of', sa.String(length=64), nullable=True))

    op.create_table('proxies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('principal_id', sa.Integer(), nullable=False),
    sa.Column('principal', sa.String(length=64), nullable=False),
    sa.Column('proxy_id', sa.Integer(), nullable=False),
    sa.Column('proxy', sa.String(length=64), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('process_key', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', UTC(), nullable=False),
    sa.Column('revoked_at', UTC(), nullable=True),
    sa.ForeignKeyConstraint(['principal_id'], ['users.id'], name=op.f('fk_proxies_principal_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proxy_id'], ['users.id'], name=op.f('fk_proxies_proxy_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proxies'))
    )
    with op.batch_alter_table('proxies', schema=None) as batch_op:
        batch_op.create_index('ix_proxies_proxy', ['proxy_id', 'ends_on'], unique=False)
        batch_op.create_index('ix_proxies_principal', ['principal_id'], unique=False)

    op.create_table('approval_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('ratio', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', UTC(), nullable=False),
    sa.Column('closed_at', UTC(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_approval_rounds_instance_id_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_rounds'))
    )
    with op.batch_alter_table('approval_rounds', schema=None) as batch_op:
        batch_op.create_index('ix_approval_rounds_task', ['task_id', 'status'], unique=False)

    op.create_table('approval_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('approver', sa.String(length=64), nullable=False),
    sa.Column('phase', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('data', JSON, nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('on_behalf_of', sa.String(length=64), nullable=True),
    sa.Column('decided_at', UTC(), nullable=True),
    sa.Column('added_by', sa.String(length=64), nullable=True),
    sa.Column('created_at', UTC(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['approval_rounds.id'], name=op.f('fk_approval_votes_round_id_approval_rounds')),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_approval_votes_instance_id_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_votes')),
    sa.UniqueConstraint('round_id', 'approver', name='uq_approval_votes_round_approver')
    )
    with op.batch_alter_table('approval_votes', schema=None) as batch_op:
        batch_op.create_index('ix_approval_votes_approver', ['approver', 'status'], unique=False)
        batch_op.create_index('ix_approval_votes_task', ['task_id'], unique=False)

    op.create_table('task_delegations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('delegator', sa.String(length=64), nullable=False),
    sa.Column('delegate', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('created_at', UTC(), nullable=False),
    sa.Column('resolved_at', UTC(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_task_delegations_instance_id_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_delegations'))
    )
    with op.batch_alter_table('task_delegations', schema=None) as batch_op:
        batch_op.create_index('ix_task_delegations_delegate', ['delegate', 'status'], unique=False)
        batch_op.create_index('ix_task_delegations_task', ['task_id', 'status'], unique=False)

    op.create_table('case_copies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=64), nullable=False),
    sa.Column('copied_by', sa.String(length=64), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', UTC(), nullable=False),
    sa.Column('read_at', UTC(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_case_copies_instance_id_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_copies')),
    sa.UniqueConstraint('instance_id', 'recipient', name='uq_case_copies_instance_recipient')
    )
    with op.batch_alter_table('case_copies', schema=None) as batch_op:
        batch_op.create_index('ix_case_copies_recipient', ['recipient', 'created_at'], unique=False)

    op.create_table('task_deadlines',
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('due_at', UTC(), nullable=False),
    sa.Column('remind_at', UTC(), nullable=True),
    sa.Column('escalate_at', UTC(), nullable=True),
    sa.Column('reminded_at', UTC(), nullable=True),
    sa.Column('escalated_at', UTC(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_task_deadlines_instance_id_instances')),
    sa.PrimaryKeyConstraint('task_id', name=op.f('pk_task_deadlines'))
    )
    with op.batch_alter_table('task_deadlines', schema=None) as batch_op:
        batch_op.create_index('ix_task_deadlines_remind', ['remind_at'], unique=False)
        batch_op.create_index('ix_task_deadlines_escalate', ['escalate_at'], unique=False)

    op.create_table('task_urges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('at', UTC(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_task_urges_instance_id_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_urges'))
    )
    with op.batch_alter_table('task_urges', schema=None) as batch_op:
        batch_op.create_index('ix_task_urges_task_user', ['task_id', 'username', 'at'], unique=False)

    op.create_table('user_notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', UTC(), nullable=False),
    sa.Column('read_at', UTC(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_notifications_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_user_notifications_instance_id_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_notifications'))
    )
    with op.batch_alter_table('user_notifications', schema=None) as batch_op:
        batch_op.create_index('ix_user_notifications_user', ['user_id', 'read_at', 'id'], unique=False)

    op.create_table('email_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('recipient', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_at', UTC(), nullable=True),
    sa.Column('sent_at', UTC(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', UTC(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_email_outbox_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_outbox'))
    )
    with op.batch_alter_table('email_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_email_outbox_status', ['status', 'id'], unique=False)

    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', UTC(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], name=op.f('fk_attachments_instance_id_instances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index('ix_attachments_instance', ['instance_id', 'id'], unique=False)


def downgrade() -> None:
    for table in ('attachments', 'email_outbox', 'user_notifications', 'task_urges', 'task_deadlines',
                  'case_copies', 'task_delegations', 'approval_votes', 'approval_rounds', 'proxies'):
        op.drop_table(table)
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('on_behalf_of')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email')
