"""The day of each case's latest status change, stored and indexed, for the backlog of a past day.

- cases.status_changed_on: the latest `changed_on` of the case's status history (NULL while it
  has none), kept by tct.cases.transition. A case open on a past day and not open now changed
  status after that day; the backlog used to find those by probing every case opened by the day
  for a later change (work that grew with the whole register);
- cases (status_changed_on, opened_on): the same cases are now one range of this index.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("status_changed_on", sa.Date(), nullable=True))
    op.execute("UPDATE cases SET status_changed_on = (SELECT max(case_status_change.changed_on) "
               "FROM case_status_change WHERE case_status_change.case_id = cases.id)")
    op.create_index("ix_cases_status_changed_opened", "cases", ["status_changed_on", "opened_on"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cases_status_changed_opened", table_name="cases")
    with op.batch_alter_table("cases") as batch_op:
        batch_op.drop_column("status_changed_on")
