"""door: "Jeg kommer" and no-shows on sign-ups, resubmitted profiles, the citizens' consent scope,
people asked for and invited on ideas, and no "full" task state

Revision ID: door01
Revises: 10c67bcbdef8
Create Date: 2026-12-07 01:18:01.298825

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'door01'
down_revision = '10c67bcbdef8'
branch_labels = None
depends_on = None

# (table, constraint, column, values before, values after)
CHECKS = (
    ("task", "ck_task_status_valid", "status",
     ("draft", "open", "full", "closed", "cancelled"), ("draft", "open", "closed", "cancelled")),
    ("signup", "ck_signup_status_valid", "status",
     ("pending", "accepted", "waitlisted", "cancelled", "declined", "attended"),
     ("pending", "accepted", "waitlisted", "cancelled", "declined", "attended", "no_show")),
    ("volunteer_profile", "ck_volunteer_profile_review_status_valid", "review_status",
     ("new", "approved", "changes_requested", "declined"),
     ("new", "approved", "changes_requested", "declined", "resubmitted")),
    ("idea_event", "ck_idea_event_kind_valid", "kind",
     ("created", "assigned", "status", "answer", "edited", "joined", "hidden", "shown", "meeting", "co_owner"),
     ("created", "assigned", "status", "answer", "edited", "joined", "hidden", "shown", "meeting", "co_owner",
      "people_asked", "invited")),
)


def _check(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _replace_checks(new: bool) -> None:
    for table, name, column, before, after in CHECKS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(name), type_="check")
            batch_op.create_check_constraint(op.f(name), _check(column, after if new else before))


def upgrade():
    # "full" was never set: a task takes sign-ups (and its full times their waiting lists) while open.
    op.execute("UPDATE task SET status = 'open' WHERE status = 'full'")
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('volunteer_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_shown_to_citizens', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    _replace_checks(new=True)


def downgrade():
    op.execute("UPDATE signup SET status = 'accepted' WHERE status = 'no_show'")
    op.execute("UPDATE volunteer_profile SET review_status = 'declined' WHERE review_status = 'resubmitted'")
    op.execute("DELETE FROM idea_event WHERE kind IN ('people_asked', 'invited')")
    _replace_checks(new=False)
    with op.batch_alter_table('volunteer_profile', schema=None) as batch_op:
        batch_op.drop_column('consent_shown_to_citizens')
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.drop_column('confirmed_at')
