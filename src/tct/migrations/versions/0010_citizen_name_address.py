"""Citizens found by a part of their name or address without reading the citizen table.

- citizen (name_folded, address_folded) replaces citizen (name_folded): `tct citizen list
  --search` matches an infix of either (a LIKE no B-tree can seek), in name order. Walking the old
  index, SQLite read each citizen's row to test the address; this index holds both, so a citizen's
  row is read only once it matches, and a search that matches few citizens of a large register
  reads the index alone (bench/run.py times `tct citizen list --search`). It serves every lookup
  by name the old one served, so the register keeps the same number of indexes to update on each
  new citizen.

Revision ID: 0010
Revises: 0009
"""
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_citizen_name_address_folded", "citizen", ["name_folded", "address_folded"], unique=False)
    op.drop_index("ix_citizen_name_folded", table_name="citizen")


def downgrade() -> None:
    op.create_index("ix_citizen_name_folded", "citizen", ["name_folded"], unique=False)
    op.drop_index("ix_citizen_name_address_folded", table_name="citizen")
