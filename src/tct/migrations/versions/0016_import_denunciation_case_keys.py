"""Search keys of imported visits to a denunciation case the same file opened, without the citizen.

A visit to a denunciation case is keyed by its content alone, whoever came (migration 0007,
tct.visits.search_key), and `tct import` keyed so the rows of a case already on the register; a
row of a case that an earlier row of the same file opened (its `case_ref`), typed otherwise than
denunciation, kept its citizen's name and address, so `visit list --search NAME` found a
denouncer's visit by their name. Such keys are rewritten from the visit's content, as 0007 did.

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from tct.text import fold

    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT visit.id, visit.content, visit.search_folded FROM visit JOIN cases ON cases.id = visit.case_id "
        "WHERE cases.type = 'denunciation' AND visit.type != 'denunciation'")).fetchall()
    rewritten = [{"key": key, "id": visit_id} for visit_id, content, stored in rows
                 if (key := fold(content or "")) != stored]
    if rewritten:
        bind.execute(sa.text("UPDATE visit SET search_folded = :key WHERE id = :id"), rewritten)


def downgrade() -> None:
    pass  # (the keys without the name are what tct writes; nothing to give back)
