"""The delegation visits alone, by day: what the report reads to judge a past day's hotspots.

A hotspot flag is set when the visits that call for it are entered, which may be years after
(an import of past years, `visit add --at` a past day), so the report judges whether a case was
a hotspot on a period's last day from the delegation visits of its locality up to that day
(report._hot_then), as it judges a crowd or repeat flag from the case's own visits. Only those
within `hotspot.window_days` of the case's own delegation visits matter: this index holds the
delegation visits alone (a few in a hundred), so that span is read without the rest.

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    delegations = sa.text("delegation AND NOT void")
    op.create_index("ix_visit_delegation_date", "visit", ["visit_date", "case_id"], unique=False,
                    sqlite_where=delegations, postgresql_where=delegations)


def downgrade() -> None:
    op.drop_index("ix_visit_delegation_date", table_name="visit")
