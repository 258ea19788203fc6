"""The cases whose status history is out of date order, found by an index of them alone.

A past day's backlog read the cases open now and those changed since that day (migration 0012);
a case settled now and unchanged since, whose history (read in date order) has it open that day,
was in neither and so in no backlog, though every other table of the report reads its history.
These cases (cases.history_in_order false: an older tct's steps, or a write around tct once
`tct db check --repair` has marked it) are few; this index holds them alone, so the backlog
reads them as a third range at no cost to the rest.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    out_of_order = sa.text("NOT history_in_order")
    op.create_index("ix_cases_history_out_of_order", "cases",
                    ["status_changed_on", "opened_on", "first_visit_on", "history_in_order", "status", "type", "code"],
                    unique=False, sqlite_where=out_of_order, postgresql_where=out_of_order)


def downgrade() -> None:
    op.drop_index("ix_cases_history_out_of_order", table_name="cases")
