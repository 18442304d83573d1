"""A team sign-up holds its places: team_signup.held, counted in the occurrence's accepted_count.

Revision ID: teams02
Revises: look01
Create Date: 2026-12-07 14:00:00

Existing team sign-ups held nothing before this revision (their places were only checked when asked
for), so they start with held = 0 and the occurrences' accepted_count is left as it is: their members
take free places through the ordinary sign-up until the tovholder asks for the places again, which then
holds them. From now on a member's place given back goes back to the team (held + 1), also for these.
"""
from alembic import op
import sqlalchemy as sa


revision = 'teams02'
down_revision = 'look01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('team_signup', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(op.f('ck_team_signup_held_within_places'), 'held >= 0 AND held <= places')


def downgrade():
    with op.batch_alter_table('team_signup', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_team_signup_held_within_places'), type_='check')
        batch_op.drop_column('held')
