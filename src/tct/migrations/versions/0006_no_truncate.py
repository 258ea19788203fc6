"""PostgreSQL: TRUNCATE of the audit trail and of visits refused, as DELETE already is.

A row-level trigger does not fire on TRUNCATE, so `TRUNCATE audit_event` (or `visit`) emptied the
table the DELETE triggers of 0001 and 0002 protect. A statement-level BEFORE TRUNCATE trigger
refuses it. SQLite has no TRUNCATE (its DELETE without WHERE fires the row triggers): nothing to do.

Revision ID: 0006
Revises: 0005
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = {"audit_event": "audit_event_no_truncate", "visit": "visit_no_truncate"}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, trigger in TABLES.items():
        op.execute(f"CREATE TRIGGER {trigger} BEFORE TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION tct_refuse_change()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, trigger in TABLES.items():
        op.execute(f"DROP TRIGGER {trigger} ON {table}")
