"""Indexes for the backlog of a past day and for the open cases of the alerts.

- case_status_change (case_id, changed_on, id, to_status): a case's status on a day (its last
  change by then, in (changed_on, id) order, with no sort) and whether it changed after that day
  are read from the index alone, per case, so the report's backlog no longer lists every status
  change after the period (which grows with all the register's later history);
- cases (status, opened_on): the cases open now and opened by a day (backlog, alerts) are found
  from the index alone, without reading each open case's row.

Revision ID: 0004
Revises: 0003
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_case_status_change_case_day", "case_status_change",
                    ["case_id", "changed_on", "id", "to_status"], unique=False)
    op.create_index("ix_cases_status_opened", "cases", ["status", "opened_on"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cases_status_opened", table_name="cases")
    op.drop_index("ix_case_status_change_case_day", table_name="case_status_change")
