"""Indexes for reports on years of visits: a case's first visit, and status changes by day.

- visit (case_id, void, visit_date): the day of each case's first non-void visit (new/old cases
  in the report) and "has this case a non-void visit by that day" (the backlog) are read from
  the index alone, per case, instead of from every visit before the period;
- case_status_change (changed_on): the backlog looks up the cases whose status changed after a
  day without reading the whole history.

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_visit_case_void_date", "visit", ["case_id", "void", "visit_date"], unique=False)
    op.create_index(op.f("ix_case_status_change_changed_on"), "case_status_change", ["changed_on"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_case_status_change_changed_on"), table_name="case_status_change")
    op.drop_index("ix_visit_case_void_date", table_name="visit")
