"""Citizens (công dân): one record per ID number; repeat visitors are obvious at the desk.

The same ID number is the same citizen. The same folded name and address is only *offered* as a
match (at the desk's prompt), never merged silently.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tct import audit
from tct.errors import NotFoundError, ValidationError
from tct.i18n import said
from tct.text import MAX_LINE, MAX_NAME, clean, fold, initials

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlmodel import Session

    from tct.db import Driver
    from tct.models import Citizen, Visit

_DIGITS = re.compile(r"[0-9]+")


def ascii_digits(text: str) -> str:
    """Every decimal digit as its ASCII digit: a full-width ０９１ (a Japanese or Chinese input
    method) or Arabic-Indic ٠٩١ is the number 091, so it must be stored and looked up as 091.
    Digit-like signs that are not decimal digits (², ①) are left alone, and so refused."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def normalise_id_number(typed: str | None) -> str | None:
    """A CCCD (12 digits, starting with a province code 001–096) or an old CMND (9 digits)."""
    # (plain digits, as typed most of the time, have nothing to clean: a bulk import checks thousands)
    value = typed if typed and typed.isascii() and typed.isdigit() else clean(typed, label="--id-number", max_len=40)
    if value is None:
        return None
    digits = ascii_digits(value).replace(" ", "").replace(".", "").replace("-", "")
    if not _DIGITS.fullmatch(digits) or len(digits) not in (9, 12):
        raise ValidationError.said_as("err_not_an_id_number", label="--id-number", value=value)
    if len(digits) == 12 and not 1 <= int(digits[:3]) <= 96:
        raise ValidationError.said_as("err_id_number_province", label="--id-number", value=value)
    return digits


def normalise_phone(typed: str | None, label: str = "--phone") -> str | None:
    value = typed if typed and typed.isascii() and typed.isdigit() else clean(typed, label=label, max_len=50)
    if value is None:
        return None
    value = ascii_digits(value)
    digits = [ch for ch in value if ch in "0123456789"]
    if not all(ch in "0123456789 +-.()" for ch in value) or not 8 <= len(digits) <= 15:
        raise ValidationError.said_as("err_not_a_phone", label=label, value=value)
    return value


def _compared(name: str, value: str) -> str:
    """An address as compared (accents, case and spaces aside); a phone by its digits, +84 being
    the leading 0 (0987 654 321, 0987.654.321 and +84 987 654 321 are one number)."""
    if name != "phone":
        return fold(value)
    digits = "".join(ch for ch in ascii_digits(value) if ch.isdigit())
    return "0" + digits[2:] if value.lstrip(" (").startswith("+84") else digits


@dataclass(slots=True)  # (a bulk import makes one a row)
class CitizenDetails:
    """What the desk typed about a person, cleaned and validated (nothing written yet)."""

    name: str
    id_number: str | None = None
    address: str | None = None
    phone: str | None = None
    locality: str | None = None

    @classmethod
    def from_typed(cls, name: str | None, *, id_number: str | None = None, address: str | None = None,
                   phone: str | None = None, locality: str | None = None) -> CitizenDetails:
        cleaned = clean(name, label="--citizen", max_len=MAX_NAME, required=True)
        assert cleaned is not None
        return cls(name=cleaned, id_number=normalise_id_number(id_number),
                   address=clean(address, label="--address", max_len=MAX_LINE), phone=normalise_phone(phone),
                   locality=clean(locality, label="--locality", max_len=MAX_NAME))


@dataclass
class CitizenMatch:
    citizen: Citizen
    created: bool
    warnings: list[str] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)  # fields an existing record was missing, now filled


def same_name(typed: str, stored: str) -> bool:
    """Whether a name typed is the one on record. Tone marks tell names apart (Hà and Hạ, Lan and
    Lân, often of one family and one matter): a name typed with accents must have the record's,
    wherever the old or new spelling puts a tone (Thuý is Thúy, Hoà is Hòa); one typed without any
    (`nguyen thi ha`, or `Đo Thi Lan` with its đ alone), or a record kept so, is any name of those letters."""
    if fold(typed) != fold(stored):
        return False
    if not _accented(typed) or not _accented(stored):
        return True
    return _spelled(typed) == _spelled(stored)


# The Vietnamese tone marks (the vowels' other marks, ă â ê ô ơ ư, make other letters).
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


def _accented(name: str) -> bool:
    """Whether a name is written with its vowels' marks or tones (đ alone is typed on any keyboard)."""
    return fold(name) != " ".join(name.casefold().replace("đ", "d").split())


def _spelled(name: str) -> list[tuple[str, str]]:
    """Each word of a name as its letters without their tone, and its tone: Thuý and Thúy alike."""
    words = []
    for word in unicodedata.normalize("NFD", name.casefold()).split():
        words.append(("".join(c for c in word if c not in _TONES), "".join(sorted(c for c in word if c in _TONES))))
    return words


def similar(session: Session, details: CitizenDetails) -> list[Citizen]:
    """Citizens with the same folded name and address: offered at the prompt, never merged silently."""
    from sqlmodel import col, select

    from tct.models import Citizen

    query = select(Citizen).where(col(Citizen.name_folded) == fold(details.name))
    if details.address:
        query = query.where(col(Citizen.address_folded) == fold(details.address))
    else:
        query = query.where(col(Citizen.address_folded).is_(None))
    found = list(session.exec(query.order_by(col(Citizen.id))).all())
    # Never a protected record (a denouncer's, or a namesake's): "Same person as CD-1 Đỗ Thị Lan?"
    # would confirm to whoever typed the name that this person denounced, in the record's spelling,
    # with its address. The desk matches them by ID number or --same-as.
    protected = denouncers(session, [citizen.id for citizen in found])
    return [citizen for citizen in found if citizen.id not in protected]


def by_id_number(session: Session, id_number: str) -> Citizen | None:
    from sqlmodel import col, select

    from tct.models import Citizen

    return session.exec(select(Citizen).where(col(Citizen.id_number) == id_number)).first()


def record_for(session: Session, details: CitizenDetails, *, actor: str, same_as: int | None = None) -> CitizenMatch:
    """The citizen record a visit belongs to: found by ID number (or an explicit match), else new."""
    from tct.dates import utc_now
    from tct.models import Citizen

    warnings: list[str] = []
    existing = None
    if same_as is not None:
        existing = session.get(Citizen, same_as)
        if existing is None:
            raise NotFoundError.said_as("err_no_citizen_number", number=same_as)
        if details.id_number and existing.id_number and details.id_number != existing.id_number:
            raise ValidationError.said_as("err_other_id_number", number=same_as)
    elif details.id_number:
        existing = by_id_number(session, details.id_number)
        if existing is not None and fold(existing.name) != fold(details.name):
            # A denouncer's name is never told to whoever types their ID number (Law on Denunciations 2018).
            known = initials(existing.name) if is_denouncer(session, existing.id) else existing.name
            warnings.append(said("warn_id_number_known", number=details.id_number, known=known))
    if existing is not None:
        changed = {}
        for name in ("id_number", "address", "phone", "locality"):
            value = getattr(details, name)
            if value and getattr(existing, name) is None:
                setattr(existing, name, value)
                changed[name] = True
            elif name in ("address", "phone") and value and _compared(name, value) != _compared(
                    name, getattr(existing, name)):
                # (the record keeps what it holds, as it always did; the officer is told, not left to
                # believe the new address or phone was taken. Neither is named: it may be a denouncer's.)
                warnings.append(said(f"warn_{name}_kept", number=existing.id))
        if changed:
            existing.address_folded = fold(existing.address) or None
            existing.updated_at = utc_now()
            session.add(existing)
            audit.record(session, actor=actor, entity="citizen", code=f"CD-{existing.id}", action="complete",
                         after={"fields": sorted(changed)})
        return CitizenMatch(existing, False, warnings, sorted(changed))
    citizen = Citizen(name=details.name, name_folded=fold(details.name), id_number=details.id_number,
                      address=details.address, address_folded=fold(details.address) or None,
                      phone=details.phone, locality=details.locality)
    session.add(citizen)
    session.flush()
    # The audit trail names the record, never the person (denouncers' identities are protected).
    audit.record(session, actor=actor, entity="citizen", code=f"CD-{citizen.id}", action="create")
    return CitizenMatch(citizen, True, warnings)


def as_dict(citizen: Citizen, *, masked: bool = False) -> dict[str, Any]:
    return _shown(citizen.id, citizen.name, citizen.id_number, citizen.address, citizen.phone, citizen.locality,
                  masked=masked)


def _shown(citizen_id: int | None, name: str, id_number: str | None, address: str | None, phone: str | None,
           locality: str | None, *, masked: bool) -> dict[str, Any]:
    """A citizen as shown: a denouncer by initials, without ID number, address, phone or locality
    (a part of the address, which the report and the export leave out too)."""
    return {"id": citizen_id, "name": initials(name) if masked else name,
            "id_number": None if masked else id_number, "address": None if masked else address,
            "phone": None if masked else phone, "locality": None if masked else locality, "masked": masked}


def history(session: Session, citizen_id: int) -> list[Visit]:
    """Every visit of the citizen, void ones included, oldest first."""
    from sqlmodel import col, select

    from tct.models import Visit

    return list(session.exec(select(Visit).where(col(Visit.citizen_id) == citizen_id)
                             .order_by(col(Visit.visited_at), col(Visit.id))).all())


def is_denouncer(session: Session, citizen_id: int) -> bool:
    """Whether the person's identity is protected everywhere: they came to denounce, or share the
    name of someone who did (the rule of `denouncers`), so that `case show`, `citizen show` and the
    warning on a known ID number mask whom the lists mask."""
    from tct.db import Driver

    return bool(Driver.of(session).rows(f"SELECT citizen.id FROM citizen WHERE citizen.id = ? AND {protected_sql()}",
                                        [citizen_id]))


def denouncers(source: Session | Driver, citizen_ids: list[int]) -> set[int]:
    """Those of the citizens whose identity is protected: who ever came to denounce (on a visit
    typed denunciation or on any visit to a denunciation case, void visits included), and their
    namesakes (protected_sql). Masked in every row, a complaint of theirs included (Law on
    Denunciations 2018: their identity is secret)."""
    from tct.db import Driver

    ids = {i for i in citizen_ids if i is not None}
    if not ids:
        return set()
    db = Driver.of(source)
    names = dict(db.rows_in("SELECT citizen.id, citizen.name_folded FROM citizen WHERE citizen.id IN ({ids})",
                            sorted(ids)))
    protected = protected_names(db, names.values())
    return {citizen_id for citizen_id, name in names.items() if name in protected}


def protected_names(source: Session | Driver, folded: Iterable[str]) -> set[str]:
    """Those of the names (folded) that are a denouncer's (protected_sql): one probe a name, not a
    citizen (`alerts` masks thousands of repeat visitors, many of a name); also the names of a
    delegation's representatives, which may be a denouncer's too."""
    from tct.db import IDS_AT_ONCE, Driver

    db = Driver.of(source)
    names = sorted({name for name in folded if name})
    found: set[str] = set()
    for at in range(0, len(names), IDS_AT_ONCE):  # (one statement a few hundred names: each a table row, probed)
        chunk = names[at:at + IDS_AT_ONCE]
        found.update(name for name, in db.rows(
            f"SELECT names.column1 FROM (VALUES {', '.join(['(?)'] * len(chunk))}) AS names "
            f"WHERE EXISTS (SELECT visit.id {_NAMESAKES_DENOUNCING} AND namesake.name_folded = names.column1)", chunk))
    return found


# The visits that make their citizen a denouncer (the rule of `denouncers`), for a statement to end.
_DENOUNCING_VISITS = ("FROM visit JOIN cases ON cases.id = visit.case_id "
                      "WHERE (visit.type = 'denunciation' OR cases.type = 'denunciation')")


def denouncer_sql(citizen_id: str) -> str:
    """A condition true of the citizen whose id is the column `citizen_id` (of an outer query) when
    they are a denouncer (the rule of `denouncers`), for a query to test it per row."""
    return f"EXISTS (SELECT visit.id {_DENOUNCING_VISITS} AND visit.citizen_id = {citizen_id})"


def protected_sql(citizen: str = "citizen") -> str:
    """A condition true of the row of `citizen` (the table's name in an outer query) when its
    identity is protected: they came to denounce, or one who did has their name (folded). Without
    an ID number typed, a denouncer who comes back with a complaint is a second record of the same
    name, which would name them beside their own masked one (in the report with --reveal, in
    `alerts`, in the lists); `tct export` withholds a denouncer's name wherever it is, so on their
    namesakes too. (The index of folded names finds the namesakes, that of citizen_id their visits.)"""
    return f"EXISTS (SELECT visit.id {_NAMESAKES_DENOUNCING} AND namesake.name_folded = {citizen}.name_folded)"


# The visits that make a name protected (protected_sql), each with its citizen as `namesake`.
_NAMESAKES_DENOUNCING = ("FROM citizen AS namesake JOIN visit ON visit.citizen_id = namesake.id "
                         "JOIN cases ON cases.id = visit.case_id "
                         "WHERE (visit.type = 'denunciation' OR cases.type = 'denunciation')")


def _unprotected_in_name_order(db: Driver, conditions: list[str], params: list[Any], limit: int) -> list[Any]:
    """The first `limit` citizens meeting `conditions` whose name is not protected, in name order, as
    `listing` reads its rows. Read a name at a time rather than tested row by row (protected_sql: a
    probe of every namesake's visits for each row): a few hundred rows in name order, their names
    tested in one statement (protected_names), a protected name's other rows skipped by the index."""
    page: list[Any] = []
    known: dict[str, bool] = {}
    after: list[str] = []
    after_params: list[Any] = []
    chunk = max(limit, 200)
    while len(page) < limit:
        found = db.rows("SELECT citizen.id, citizen.name, citizen.id_number, citizen.address, citizen.phone, "
                        "citizen.locality, citizen.name_folded FROM citizen"
                        f"{' WHERE ' + ' AND '.join(conditions + after) if conditions or after else ''} "
                        "ORDER BY citizen.name_folded, citizen.id LIMIT ?", [*params, *after_params, chunk])
        if not found:
            break
        fresh = {row[6] for row in found} - known.keys()
        protected = protected_names(db, fresh)
        known.update((name, name in protected) for name in fresh)
        page += [row[:6] for row in found if not known[row[6]]][:limit - len(page)]
        last = found[-1]
        if len(found) < chunk:
            break
        if known[last[6]]:  # (the rest of a protected name, skipped)
            after, after_params = ["citizen.name_folded > ?"], [last[6]]
        else:
            after = ["(citizen.name_folded > ? OR (citizen.name_folded = ? AND citizen.id > ?))"]
            after_params = [last[6], last[6], last[0]]
    return page


def listing(source: Session | Driver, *, search: str | None = None, limit: int = 100,
            reveal: bool = False) -> list[dict[str, Any]]:
    """Citizens with their visit counts; a denouncer is masked unless `reveal`.

    The page of citizens is found first (in name order, a search tested on the index of folded
    names and addresses, migration 0010), then the visits of those citizens alone are counted:
    counting every citizen's visits first took seconds on a large register. Void visits do not
    count, but a voided denunciation still protects its denouncer (denouncers). Plain SQL
    through a Driver, so that `citizen list` reads a plain SQLite register without SQLAlchemy."""
    from tct.db import Driver
    from tct.text import like_pattern

    db = Driver.of(source)
    conditions: list[str] = []
    params: list[Any] = []
    if search:
        pattern = like_pattern(search)
        conditions.append("(citizen.name_folded LIKE ? ESCAPE '\\' OR citizen.address_folded LIKE ? ESCAPE '\\')")
        params += [pattern, pattern]

    def rows(where: list[str], order: str, count: int) -> list[Any]:
        return db.rows("SELECT citizen.id, citizen.name, citizen.id_number, citizen.address, citizen.phone, "
                       f"citizen.locality FROM citizen{' WHERE ' + ' AND '.join(where) if where else ''} "
                       f"ORDER BY {order} LIMIT ?", [*params, count])

    if reveal:
        page = rows(conditions, "citizen.name_folded, citizen.id", limit)
    else:
        # A search matches a name or an address, and the protected are masked: a masked row found would
        # say that the person typed denounced, so they are left out of it. Without one, a masked row among
        # the others, in the order of the name it hides, would narrow that name far beyond its initials
        # (between Trần Thị Thu and Trần Thị Tú), and so would the page it falls on: the others in name
        # order, then the masked, by record number.
        page = _unprotected_in_name_order(db, conditions, params, limit)
        if not search and len(page) < limit:
            page += rows([protected_sql()], "citizen.id", limit - len(page))
    ids = [row[0] for row in page]
    stats = {citizen_id: (visits, last) for citizen_id, visits, last in db.rows_in(
        "SELECT citizen_id, sum(CASE WHEN void = ? THEN 1 ELSE 0 END), max(CASE WHEN void = ? THEN visit_date END) "
        "FROM visit WHERE citizen_id IN ({ids}) GROUP BY citizen_id", ids, [db.flag(False), db.flag(False)])}
    protected = set() if reveal else denouncers(db, ids)
    result = []
    for row in page:
        count, last = stats.get(row[0], (0, None))
        result.append({**_shown(*row, masked=row[0] in protected), "visits": int(count or 0),
                       "last_visit": db.read_day(last).isoformat() if last else None})
    return result


def resolve(session: Session, typed: str) -> Citizen:
    """A citizen by register number (`12`, `CD-12`) or by ID number (9 or 12 digits)."""
    from tct.models import Citizen

    key = ascii_digits(clean(typed, label="citizen") or "").upper().removeprefix("CD-")
    if _DIGITS.fullmatch(key) and len(key) in (9, 12):
        found = by_id_number(session, key)
        if found is not None:
            return found
    if _DIGITS.fullmatch(key) and len(key) < 9:
        found = session.get(Citizen, int(key))
        if found is not None:
            return found
    if any(char.isalpha() for char in key.removeprefix("CD")):  # a name: show takes a number, the search finds it
        raise NotFoundError.said_as("err_no_citizen_by_name", typed=typed)
    raise NotFoundError.said_as("err_no_citizen", typed=typed)
