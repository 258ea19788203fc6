"""Officers (công chức tiếp công dân): who receives citizens and who is on duty.

Wherever a command takes an officer, the name may be typed without accents or capitals
(`tran thi binh`); it must match exactly one officer. Tone marks tell names apart (Nguyễn Thị Hà
and Nguyễn Thị Hạ are two people), so the register is unique on the full NFC name and a name typed
with its accents means that officer before any accent-insensitive match is tried.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tct import audit
from tct.errors import NotFoundError, ValidationError
from tct.i18n import said
from tct.text import MAX_NAME, clean, fold, nfc

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

    clean_name = clean(name, label=said("officer_name"), max_len=MAX_NAME, required=True)
    assert clean_name is not None
    folded = fold(clean_name)
    namesakes = session.exec(select(Officer).where(col(Officer.name_folded) == folded,
                                                   col(Officer.active).is_(True))).all()
    clash = next((other for other in namesakes if _clash(other.name, clean_name)), None)
    if clash is not None:
        raise ValidationError.said_as("err_officer_exists", name=clash.name)
    officer = Officer(name=clean_name, name_folded=folded, title=clean(title, label="--title"),
                      unit=clean(unit, label="--unit"), phone=_phone(phone))
    session.add(officer)
    session.flush()
    audit.record(session, actor=actor, entity="officer", code=officer.name, action="create",
                 after={k: v for k, v in as_dict(officer).items() if v is not None and k != "id"})
    return officer


def _name_key(name: str) -> str:
    """A name compared as a name: NFC, case-insensitive, tone marks kept (Hà ≠ Hạ)."""
    return nfc(nfc(name).casefold())


def _accent_free(name: str) -> bool:
    return _name_key(name) == fold(name)


def _clash(registered: str, new: str) -> bool:
    """Two active officers may not share a name. Names that fold alike are still different names
    (Tuấn, Tuân), unless one is written without any accents: `Le Van An` beside `Lê Văn An` is the
    same name typed lazily, and would take `le van an` from the officer who owns it."""
    if _name_key(registered) == _name_key(new):
        return True
    return fold(registered) == fold(new) and (_accent_free(registered) or _accent_free(new))


def _phone(phone: str | None) -> str | None:
    from tct.citizens import normalise_phone

    return normalise_phone(phone)  # (as a citizen's: ASCII digits, 8 to 15 of them)


def listing(session: Session, *, include_retired: bool = False) -> list[Officer]:
    from sqlmodel import col, select

    from tct.models import Officer

    query = select(Officer)
    if not include_retired:
        query = query.where(col(Officer.active).is_(True))
    return list(session.exec(query.order_by(col(Officer.name_folded), col(Officer.id))).all())


def resolve(session: Session, typed: str, *, include_retired: bool = False) -> Officer:
    """The one officer a typed name means (see resolve_id)."""
    from tct.models import Officer

    officer = session.get(Officer, resolve_id(session, typed, include_retired=include_retired))
    assert officer is not None  # (found in this very transaction)
    return officer


def registered_name(source: Session | Driver, typed: str) -> str:
    """The registered name of the one officer, active or retired, that a typed name means (see
    resolve_id); the same errors when it means none or several."""
    from tct.db import Driver

    db = Driver.of(source)
    return str(db.rows("SELECT name FROM officer WHERE id = ?", [resolve_id(db, typed, include_retired=True)])[0][0])


def resolve_id(source: Session | Driver, typed: str, *, include_retired: bool = False) -> int:
    """The id of the one officer a typed name means, read as plain columns.

    The full name as typed (any case, NFC) wins, so `Nguyễn Thị Hạ` never means Nguyễn Thị Hà;
    else the accent-folded full name; else the officers whose name holds every typed word. More
    than one officer at any step is an error naming them, never a guess.
    """
    from tct.db import Driver

    wanted = clean(typed, label="officer", max_len=MAX_NAME) or ""
    key, name_key = fold(wanted), _name_key(wanted)
    if not key:
        raise ValidationError.said_as("err_officer_name_required")
    db = Driver.of(source)
    everyone = [(int(id_), name, folded, bool(active)) for id_, name, folded, active
                in db.rows("SELECT id, name, name_folded, active FROM officer ORDER BY id")]
    pool = [(id_, name, folded) for id_, name, folded, active in everyone if active or include_retired]
    matches = [(id_, name) for id_, name, _ in pool if _name_key(name) == name_key]
    if not matches and not _accent_free(wanted):  # typed with its accents: that very person, not a namesake
        retired = next((name for _, name, _, active in everyone
                        if not active and _name_key(name) == name_key), None)
        if retired is not None:  # not someone else whose name folds alike
            raise NotFoundError.said_as("err_officer_retired", names=retired)
        matches = [(id_, name) for id_, name, folded in pool if folded == key]
    if not matches:
        words = key.split()
        matches = [(id_, name) for id_, name, folded in pool if all(w in folded.split() for w in words)]
        if not matches:
            # typed without accents or in part, a retired officer's name: say so, not "no officer"
            gone = [name for _, name, folded, active in everyone if not active and not include_retired
                    and (folded == key or all(w in folded.split() for w in words))]
            if gone:
                raise NotFoundError.said_as("err_officer_retired", names=", ".join(gone))
            listed = ", ".join(name for _, name, _ in pool) or said("no_officers_yet")
            raise NotFoundError.said_as("err_no_officer", typed=typed, listed=listed)
    if len(matches) == 1:
        return matches[0][0]
    names = ", ".join(name for _, name in matches)
    accents_only = len({fold(name) for _, name in matches}) == 1 < len({_name_key(name) for _, name in matches})
    hint = said("hint_type_accents") if accents_only else said("hint_type_more")
    raise NotFoundError.said_as("err_officer_ambiguous", typed=typed, names=names, hint=hint)


def retire(session: Session, typed: str, *, actor: str) -> Officer:
    from tct.dates import utc_now

    officer = resolve(session, typed)
    officer.active = False
    officer.retired_at = utc_now()
    session.add(officer)
    audit.record(session, actor=actor, entity="officer", code=officer.name, action="retire",
                 before={"active": True}, after={"active": False})
    return officer
