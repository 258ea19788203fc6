"""Officers (công chức tiếp công dân): who receives citizens and who is on duty.

Wherever a command takes an officer, the name may be typed without accents or capitals
(`tran thi binh`); it must match exactly one officer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tct import audit
from tct.errors import NotFoundError, ValidationError
from tct.text import MAX_NAME, clean, fold

if TYPE_CHECKING:
    from sqlmodel import Session

    from tct.db import Driver
    from tct.models import Officer


def as_dict(officer: Officer) -> dict[str, Any]:
    return {"id": officer.id, "name": officer.name, "title": officer.title, "unit": officer.unit,
            "phone": officer.phone, "active": officer.active,
            "retired_at": officer.retired_at.isoformat() if officer.retired_at else None}


def add(session: Session, name: str, *, title: str | None = None, unit: str | None = None,
        phone: str | None = None, actor: str) -> Officer:
    from sqlmodel import col, select

    from tct.models import Officer

    clean_name = clean(name, label="officer name", max_len=MAX_NAME, required=True)
    assert clean_name is not None
    folded = fold(clean_name)
    clash = session.exec(select(Officer).where(col(Officer.name_folded) == folded,
                                               col(Officer.active).is_(True))).first()
    if clash is not None:
        raise ValidationError(f"an officer named {clash.name} is already on the register")
    officer = Officer(name=clean_name, name_folded=folded, title=clean(title, label="--title"),
                      unit=clean(unit, label="--unit"), phone=_phone(phone))
    session.add(officer)
    session.flush()
    audit.record(session, actor=actor, entity="officer", code=officer.name, action="create",
                 after={k: v for k, v in as_dict(officer).items() if v is not None and k != "id"})
    return officer


def _phone(phone: str | None) -> str | None:
    value = clean(phone, label="--phone", max_len=50)
    if value is not None and not all(ch.isdigit() or ch in " +-.()" for ch in value):
        raise ValidationError(f"--phone {value!r} is not a phone number")
    return value


def listing(session: Session, *, include_retired: bool = False) -> list[Officer]:
    from sqlmodel import col, select

    from tct.models import Officer

    query = select(Officer)
    if not include_retired:
        query = query.where(col(Officer.active).is_(True))
    return list(session.exec(query.order_by(col(Officer.name_folded), col(Officer.id))).all())


def resolve(session: Session, typed: str, *, include_retired: bool = False) -> Officer:
    """The one officer a typed name means: exact folded name, else a unique partial match."""
    from tct.models import Officer

    officer = session.get(Officer, resolve_id(session, typed, include_retired=include_retired))
    assert officer is not None  # (found in this very transaction)
    return officer


def resolve_id(source: Session | Driver, typed: str, *, include_retired: bool = False) -> int:
    """The id of the one officer a typed name means (see resolve), read as plain columns."""
    from tct.db import Driver

    key = fold(clean(typed, label="officer", max_len=MAX_NAME) or "")
    if not key:
        raise ValidationError("an officer's name is required")
    db = Driver.of(source)
    everyone = db.rows("SELECT id, name, name_folded FROM officer" + ("" if include_retired else " WHERE active = ?")
                       + " ORDER BY id", [] if include_retired else [db.flag(True)])
    exact = [(id_, name) for id_, name, folded in everyone if folded == key]
    if len(exact) == 1:
        return int(exact[0][0])
    if not exact:
        words = key.split()
        candidates = [(id_, name) for id_, name, folded in everyone if all(w in folded.split() for w in words)]
        if len(candidates) == 1:
            return int(candidates[0][0])
        if not candidates:
            listed = ", ".join(name for _, name, _ in everyone) or "none yet: tct officer add NAME"
            raise NotFoundError(f"no officer matches {typed!r}; officers: {listed}")
        exact = candidates
    names = ", ".join(name for _, name in exact)
    raise NotFoundError(f"{typed!r} matches more than one officer ({names}); type more of the name")


def retire(session: Session, typed: str, *, actor: str) -> Officer:
    from tct.dates import utc_now

    officer = resolve(session, typed)
    officer.active = False
    officer.retired_at = utc_now()
    session.add(officer)
    audit.record(session, actor=actor, entity="officer", code=officer.name, action="retire",
                 before={"active": True}, after={"active": False})
    return officer
