"""Breadth on every task: five flags for who the task is open to beyond the usual volunteer.

Revision ID: citizen01
Revises: teams01
Create Date: 2026-12-07 04:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'citizen01'
down_revision = "teams01"
branch_labels = None
depends_on = None

FLAGS = ("no_danish_needed", "wheelchair_accessible", "good_first_task", "for_under_18", "from_home")


def upgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        for name in FLAGS:
            batch_op.add_column(sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        for name in reversed(FLAGS):
            batch_op.drop_column(name)
