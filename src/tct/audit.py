"""The audit trail (nhật ký): every write adds one append-only event in the same transaction.

Who: the officer named on the command (`--officer`), else TCT_OFFICER, else the OS user. A typed
name that means exactly one officer, active or retired, is written as that officer's registered name
(`binh` → Trần Thị Bình), as `visit add` reads it; any other (ambiguous, unknown, the login name)
is written as typed.
`changes` holds {"before": {...}, "after": {...}} with only the fields that changed.
"""

from __future__ import annotations

import getpass
import json
import os
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from tct.text import MAX_NAME, clean

if TYPE_CHECKING:
    from sqlmodel import Session

    from tct.db import Driver
    from tct.models import AuditEvent


class _Login(str):
    """The OS login name current_actor falls back to: written as it is, never read as an officer's
    name (the Unix user `an` is not Nguyễn Văn An)."""


def current_actor(explicit: str | None = None) -> str:
    """Who the trail names, cleaned as any typed name (NFC, no invisible characters): one left
    blank by cleaning counts as not given, so the trail never names an invisible actor. The event
    writers (`record`, `event_row`) turn a typed name into the officer's registered name."""
    for typed, label in ((explicit, "--officer"), (os.environ.get("TCT_OFFICER"), "TCT_OFFICER")):
        name = clean(typed, label=label, max_len=MAX_NAME)
        if name:
            return name
    try:
        return _Login(getpass.getuser())
    except (KeyError, OSError):
        return _Login(f"uid:{os.getuid()}")


def actor_name(source: Session | Driver, actor: str) -> str:
    """The name the trail writes for `actor`: the registered name of the one officer, active or
    retired, that the typed name means (officers.resolve_id: `binh`, `tran thi binh` → Trần Thị
    Bình), else the name as typed (a login name, a name that means several officers or none, a
    register with no officers yet). Read once per session: its `info` keeps what it found."""
    from tct import officers
    from tct.errors import TctError

    if isinstance(actor, _Login) or not actor:
        return actor
    known: dict[str, str] = source.info.setdefault("audit_actor_names", {})
    if actor not in known:
        try:
            known[actor] = officers.registered_name(source, actor)
        except TctError:
            known[actor] = actor
    return known[actor]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields whose value changed, as (before, after)."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after.get(key) for key in keys}


def changes_text(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str | None:
    """The `changes` of an event as stored: one form, whoever writes the event."""
    if not (before or after):
        return None
    return json.dumps({"before": {k: _plain(v) for k, v in (before or {}).items()},
                       "after": {k: _plain(v) for k, v in (after or {}).items()}},
                      ensure_ascii=False, sort_keys=True)


def record(session: Session, *, actor: str, entity: str, code: str | None, action: str,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           reason: str | None = None) -> AuditEvent:
    from tct.models import AuditEvent

    event = AuditEvent(actor=actor_name(session, actor), entity=entity, code=code, action=action,
                       changes=changes_text(before, after), reason=reason)
    session.add(event)
    return event


def event_row(db: Driver, *, actor: str, entity: str, code: str | None, action: str,
              before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
              reason: str | None = None) -> tuple[Any, ...]:
    """The event `record` would add, as the values of INSERT_ROW, for a command that writes through
    the sqlite3 module and would not load the models for one event (`export --reveal`)."""
    from tct.dates import utc_now

    return (db.stamp(utc_now()), actor_name(db, actor), entity, code, action, changes_text(before, after), reason)


INSERT_ROW = "INSERT INTO audit_event (at, actor, entity, code, action, changes, reason) VALUES (?, ?, ?, ?, ?, ?, ?)"


def reveal(session: Session, *, entity: str, code: str | None = None, after: dict[str, Any] | None = None) -> None:
    """A denouncer's identity was shown to the person running the command: that is audited."""
    record(session, actor=current_actor(), entity=entity, code=code, action="reveal", after=after)


class Event(NamedTuple):
    id: int
    at: datetime  # aware, UTC
    actor: str
    entity: str
    code: str | None
    action: str
    changes: str | None  # JSON text
    reason: str | None


def events(session: Session, *, code: str | None = None, since: datetime | None = None,
           until: datetime | None = None, limit: int = 100) -> list[Event]:
    """The newest `limit` audit events, oldest first; `since`/`until` are aware datetimes (until
    exclusive). Plain rows, not model objects: a register's trail runs to millions of events."""
    from tct.dates import to_utc
    from tct.db import Driver

    db = Driver(session)
    where: list[str] = []
    params: list[Any] = []
    for condition, value in (("code = ?", code), ("at >= ?", since), ("at < ?", until)):
        if value:
            where.append(condition)
            params.append(db.stamp(to_utc(value)) if isinstance(value, datetime) else value)
    rows = db.rows("SELECT id, at, actor, entity, code, action, changes, reason FROM audit_event"
                   f"{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY at DESC, id DESC LIMIT ?",
                   [*params, int(limit)])
    return [Event(row[0], db.read_stamp(row[1]), row[2], row[3], row[4], row[5],
                  _masked_representatives(row[6]) if row[3] == "visit" else row[6], row[7])
            for row in reversed(rows)]


def representatives_initials(names: str | None) -> str | None:
    """A delegation's representatives ("Nguyễn Văn An; Lê Thị Hoa") by their initials ("N. V. A.;
    L. T. H."): what the trail keeps of them, as a denouncer may be among them."""
    from tct.text import initials

    return "; ".join(initials(name) for name in names.split("; ")) if names else None


def _masked_representatives(changes: str | None) -> str | None:
    """The changes of a visit's event with its representatives by their initials: events written
    before tct kept only those hold the names (and a denouncer's may be among them)."""
    if not changes or '"representatives"' not in changes:
        return changes
    data = json.loads(changes)
    for side in data.values():
        if isinstance(side, dict) and isinstance(side.get("representatives"), str):
            side["representatives"] = representatives_initials(side["representatives"])
    return json.dumps(data, ensure_ascii=False, sort_keys=True)
