"""Asks for account mails (reset, confirmation) answered outside the request that took them.

Revision ID: auth02
Revises: auth01
Create Date: 2026-12-07 01:11:44.745689

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'auth02'
down_revision = 'auth01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_mail_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("purpose IN ('reset', 'verify')", name=op.f('ck_account_mail_request_purpose_valid')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_mail_request'))
    )
    with op.batch_alter_table('account_mail_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_mail_request_created_at'), ['created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('account_mail_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_mail_request_created_at'))

    op.drop_table('account_mail_request')
