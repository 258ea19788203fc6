"""Search keys of visits to a denunciation case that were typed otherwise, without the citizen.

Since this revision a visit's search key leaves out its citizen's name and address whenever the
visit concerns a denunciation case, whatever the visit was typed (tct.visits.search_key): whoever
came on a denunciation case is its denouncer (tct.citizens.denouncers). The keys written before
still held the name, so `visit list --search NAME` found such a visit; they are rewritten from the
visit's content alone, as search_key writes them now.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from tct.text import fold

    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT visit.id, visit.content FROM visit JOIN cases ON cases.id = visit.case_id "
        "WHERE cases.type = 'denunciation' AND visit.type != 'denunciation'")).fetchall()
    for visit_id, content in rows:
        bind.execute(sa.text("UPDATE visit SET search_folded = :key WHERE id = :id"),
                     {"key": fold(content or ""), "id": visit_id})


def downgrade() -> None:
    pass  # (the keys without the name are what tct writes; nothing to give back)
