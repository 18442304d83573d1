"""The municipality's own identity: name, contact details, colour and logo set by an administrator.

Revision ID: look01
Revises: citizen02
Create Date: 2026-12-07 04:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'look01'
down_revision = "citizen02"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('municipality_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('primary_colour', sa.String(length=7), nullable=True),
    sa.Column('logo', sa.LargeBinary(), nullable=True),
    sa.Column('logo_type', sa.String(length=20), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_municipality_settings'))
    )


def downgrade():
    op.drop_table('municipality_settings')
