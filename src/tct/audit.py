"""The audit trail (nhật ký): every write adds one append-only event in the same transaction.

Who: the officer named on the command (`--officer`), else TCT_OFFICER, else the OS user.
`changes` holds {"before": {...}, "after": {...}} with only the fields that changed.
"""

from __future__ import annotations

import getpass
import json
import os
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from tct.text import MAX_NAME, clean

if TYPE_CHECKING:
    from sqlmodel import Session

    from tct.models import AuditEvent


def current_actor(explicit: str | None = None) -> str:
    """Who the trail names, cleaned as any typed name (NFC, no invisible characters): one left
    blank by cleaning counts as not given, so the trail never names an invisible actor."""
    for typed, label in ((explicit, "--officer"), (os.environ.get("TCT_OFFICER"), "TCT_OFFICER")):
        name = clean(typed, label=label, max_len=MAX_NAME)
        if name:
            return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid:{os.getuid()}"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields whose value changed, as (before, after)."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after.get(key) for key in keys}


def record(session: Session, *, actor: str, entity: str, code: str | None, action: str,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           reason: str | None = None) -> AuditEvent:
    from tct.models import AuditEvent

    changes = None
    if before or after:
        changes = json.dumps({"before": {k: _plain(v) for k, v in (before or {}).items()},
                              "after": {k: _plain(v) for k, v in (after or {}).items()}},
                             ensure_ascii=False, sort_keys=True)
    event = AuditEvent(actor=actor, entity=entity, code=code, action=action, changes=changes, reason=reason)
    session.add(event)
    return event


def reveal(session: Session, *, entity: str, code: str | None = None, after: dict[str, Any] | None = None) -> None:
    """A denouncer's identity was shown to the person running the command: that is audited."""
    record(session, actor=current_actor(), entity=entity, code=code, action="reveal", after=after)


def events(session: Session, *, code: str | None = None, since: datetime | None = None,
           until: datetime | None = None, limit: int | None = None) -> list[AuditEvent]:
    """Audit events, oldest first; `since`/`until` are aware datetimes (until exclusive)."""
    from sqlmodel import col, select

    from tct.models import AuditEvent

    query = select(AuditEvent)
    if code:
        query = query.where(col(AuditEvent.code) == code)
    if since:
        query = query.where(col(AuditEvent.at) >= since)
    if until:
        query = query.where(col(AuditEvent.at) < until)
    query = query.order_by(col(AuditEvent.at), col(AuditEvent.id))
    if limit:
        query = query.order_by(None).order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc()).limit(limit)
        return list(reversed(session.exec(query).all()))
    return list(session.exec(query).all())
