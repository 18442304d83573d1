"""Log-in through OpenID providers: the stable subject per person and provider, and when MitID confirmed the identity.

Revision ID: auth05
Revises: auth04
Create Date: 2026-12-07 02:33:20.653461

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'auth05'
down_revision = 'auth04'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('external_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('linked_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("provider IN ('citizen', 'staff')", name=op.f('ck_external_identity_provider_valid')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_external_identity_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_identity')),
    sa.UniqueConstraint('provider', 'issuer', 'subject', name=op.f('uq_external_identity_provider_issuer_subject')),
    sa.UniqueConstraint('user_id', 'provider', name=op.f('uq_external_identity_user_id_provider'))
    )
    with op.batch_alter_table('external_identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_external_identity_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identity_verified_at', sa.DateTime(), nullable=True))



def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('identity_verified_at')

    with op.batch_alter_table('external_identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_external_identity_user_id'))

    op.drop_table('external_identity')
