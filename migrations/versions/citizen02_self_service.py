"""Self-service measured: daily counters per flow and step (no person in them), and help requests.

Revision ID: citizen02
Revises: citizen01
Create Date: 2026-12-07 05:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'citizen02'
down_revision = 'citizen01'
branch_labels = None
depends_on = None

FLOWS = "('registration', 'profile', 'signup', 'idea')"


def upgrade():
    op.create_table(
        'flow_count',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('flow', sa.String(length=20), nullable=False),
        sa.Column('step', sa.String(length=10), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.CheckConstraint(f"flow IN {FLOWS}", name=op.f('ck_flow_count_flow_valid')),
        sa.CheckConstraint("step IN ('start', 'finish')", name=op.f('ck_flow_count_step_valid')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_flow_count')),
        sa.UniqueConstraint('day', 'flow', 'step', name=op.f('uq_flow_count_day_flow_step')),
    )
    op.create_index(op.f('ix_flow_count_day'), 'flow_count', ['day'], unique=False)
    op.create_table(
        'help_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('flow', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('phone', sa.String(length=40), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('handled_at', sa.DateTime(), nullable=True),
        sa.Column('handled_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint(f"flow IN {FLOWS}", name=op.f('ck_help_request_flow_valid')),
        sa.CheckConstraint("status IN ('open', 'done')", name=op.f('ck_help_request_status_valid')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_help_request_user_id_user'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['handled_by_id'], ['user.id'], name=op.f('fk_help_request_handled_by_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_help_request')),
    )
    op.create_index(op.f('ix_help_request_user_id'), 'help_request', ['user_id'], unique=False)
    op.create_index(op.f('ix_help_request_status'), 'help_request', ['status'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_help_request_status'), table_name='help_request')
    op.drop_index(op.f('ix_help_request_user_id'), table_name='help_request')
    op.drop_table('help_request')
    op.drop_index(op.f('ix_flow_count_day'), table_name='flow_count')
    op.drop_table('flow_count')
