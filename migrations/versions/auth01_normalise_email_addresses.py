"""Every stored e-mail address in its one normalised spelling, so the unique constraint holds on it.

Revision ID: auth01
Revises: door01
Create Date: 2026-12-07 01:20:00

Before this revision an address was lower-cased at registration only, so "x@y.dk" and "x@y.dk" with a
zero-width space (or another spelling an assisted sign-up let through) could both exist. The constraint
`uq_user_email` now sees only normalised values (models.addresses.normalise_email, applied by the model
on every write). Two accounts that normalise to one address cannot be merged by a machine: the upgrade
stops and names them, and nothing is changed until an administrator has resolved them.
"""
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "auth01"
down_revision = "door01"
branch_labels = None
depends_on = None


def _normalise(value):
    # A copy of models.addresses.normalise_email as it stands today: a migration must not change
    # meaning when the application's code changes later.
    text = unicodedata.normalize("NFKC", value)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf").strip().lower()
    return unicodedata.normalize("NFKC", text) or None


def upgrade():
    bind = op.get_bind()
    user = sa.table("user", sa.column("id", sa.Integer), sa.column("email", sa.String))
    rows = bind.execute(sa.select(user.c.id, user.c.email).where(user.c.email.is_not(None))).all()
    owners, changes = {}, []
    for uid, email in rows:
        normal = _normalise(email)
        owners.setdefault(normal, []).append(uid)
        if normal != email:
            changes.append((uid, normal))
    clashes = {address: ids for address, ids in owners.items() if len(ids) > 1}
    if clashes:
        listed = "; ".join(f"{address}: users {', '.join(map(str, ids))}" for address, ids in sorted(clashes.items()))
        raise RuntimeError("Accounts whose e-mail addresses are the same once normalised; change or merge them "
                           f"before upgrading: {listed}")
    # Free every changed address first, so a swap between two rows never trips the constraint midway.
    for uid, _normal in changes:
        bind.execute(user.update().where(user.c.id == uid).values(email=f"#auth01-{uid}"))
    for uid, normal in changes:
        bind.execute(user.update().where(user.c.id == uid).values(email=normal))


def downgrade():
    # The original spellings were dressed-up duplicates of the same address; they are not restored.
    pass
