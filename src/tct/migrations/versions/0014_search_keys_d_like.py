"""Search keys that wrote ð for the look-alikes of đ.

tct.text.fold wrote đ and Đ as d but ð and Ð (U+00F0, U+00D0), which look the same and come with
names converted from the old VNI and TCVN3 encodings or pasted from a PDF, as ð: `nguyen van duc`
found Nguyễn Văn Đức, but `do van lai` (or `Đỗ Văn Lai`, typed with đ) missed Ðỗ Văn Lai. fold now
writes them as d too; this rewrites the keys already written. A key is the folded text, each ð of
it one of those letters, so replacing it with d is what fold now gives (no text is read again).

Revision ID: 0014
Revises: 0013
"""
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# Every folded copy of a text a person searches (models.py: `*_folded`).
FOLDED = (("officer", "name_folded"), ("citizen", "name_folded"), ("citizen", "address_folded"),
          ("cases", "locality_folded"), ("cases", "search_folded"), ("visit", "search_folded"))


def upgrade() -> None:
    for table, column in FOLDED:
        op.execute(f"UPDATE {table} SET {column} = replace({column}, 'ð', 'd') WHERE {column} LIKE '%ð%'")


def downgrade() -> None:
    pass  # (the keys stay as fold writes them: an older tct finds these names by d, not by ð, no worse)
