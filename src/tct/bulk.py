"""Bulk-loading visits from a spreadsheet (`tct import --visits FILE.csv`).

Columns (header row required, any order; only `citizen` and `at` are needed on every row):
  citizen, id_number, address, phone, locality, people, representatives, type, field, content,
  at, officer, case, case_ref, handling, kind, escalated, note
`at` takes the same forms as `--at` (day-first dates: 10/02/2021 08:30). `case` attaches a row to an
existing case; `case_ref` is any label that ties rows of the file to one new case (the first row
with that label opens it). `escalated` is yes/no (có/không, true/false, 1/0).

An import is all rows or none: every row goes through the same checks as `tct visit add`, every bad
row is reported with its line number, and nothing is written unless all are good. The file is read
as a stream, so its size is bounded by the disk, not by memory.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from tct.errors import TctError, ValidationError

if TYPE_CHECKING:
    from sqlmodel import Session

    from tct.settings import Settings

COLUMNS = ("citizen", "id_number", "address", "phone", "locality", "people", "representatives", "type", "field",
           "content", "at", "officer", "case", "case_ref", "handling", "kind", "escalated", "note")
_TRUE = {"yes", "y", "true", "1", "co", "x"}
_FALSE = {"no", "n", "false", "0", "khong", ""}
MAX_PROBLEMS_SHOWN = 1000


class VisitsRejected(ValidationError):
    """A visits file with bad rows: each problem with its line number; nothing was imported."""

    def __init__(self, problems: list[tuple[int, str]], total: int, more: int = 0) -> None:
        count = len(problems) + more
        super().__init__(f"{count} bad row{'s' if count != 1 else ''} of {total}; nothing was imported")
        self.problems = problems  # the first MAX_PROBLEMS_SHOWN
        self.more = more  # bad rows beyond those, only counted (a file of millions of bad rows fits in memory)


@dataclass
class ImportSummary:
    rows: int = 0
    visits: list[str] = field(default_factory=list)
    new_cases: int = 0
    checked_only: bool = False
    warnings: list[tuple[int, str]] = field(default_factory=list)


def _flag(value: str, line: int) -> bool:
    from tct.text import fold

    key = fold(value or "")
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValidationError(f"escalated {value!r} is not yes or no")


def read_rows(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row; the header names the columns."""
    from tct.text import fold

    reader = csv.reader(lines)
    rows = _parsed(reader)
    try:
        header = next(rows)
    except StopIteration:
        raise ValidationError("the file is empty; it needs a header row naming the columns") from None
    names = [fold(name.lstrip("\ufeff")).replace(" ", "_").replace("-", "_") for name in header]
    unknown = [header[i] for i, name in enumerate(names) if name and name not in COLUMNS]
    if unknown:
        raise ValidationError(f"unknown column(s) {', '.join(unknown)}; the columns are {', '.join(COLUMNS)}")
    if "citizen" not in names:
        raise ValidationError("the header has no `citizen` column")
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(names):
            yield reader.line_num, {"__error__": f"{len(row)} cells, the header has {len(names)}"}
            continue
        yield reader.line_num, {names[i]: cell for i, cell in enumerate(row) if names[i]}


def _parsed(reader: Any) -> Iterator[list[str]]:
    """The reader's rows; a file the csv module cannot read on (a cell above its field limit of
    131,072 characters) is a one-line error naming the line, not a crash."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValidationError(f"line {reader.line_num}: {exc}; nothing was imported") from None
        yield row


CHUNK = 2000


def load(session: Session, lines: Iterable[str], *, settings: Settings, actor: str, check: bool = False,
         officer_fallback: str | None = None, source: str = "the file",
         progress: Callable[[int], None] | None = None) -> ImportSummary:
    """Import every row in the caller's transaction, or raise VisitsRejected having written nothing
    that the caller's rollback does not undo. Every row gets the checks of `tct visit add`
    (visits.prepare); rows are then written in batches, and the automatic flags of every case
    touched are recomputed once at the end. The import is one audit event."""
    from tct import visits
    from tct.dates import now_local

    summary = ImportSummary(checked_only=check)
    problems: list[tuple[int, str]] = []
    more_problems = 0  # bad rows beyond the first MAX_PROBLEMS_SHOWN: counted, not kept
    lookups: dict[Any, Any] = {}
    # The type and field of the row that opens each `case_ref` (later rows of the case default to them);
    # only these two values are kept, so memory does not grow with whole rows.
    first_of_ref: dict[str, tuple[str, str]] = {}
    writer = _Writer(session, settings, actor)
    pending: list[tuple[int, visits.PreparedVisit, str]] = []
    now = now_local(settings["timezone"])
    for line, row in read_rows(lines):
        summary.rows += 1
        if progress is not None and summary.rows % 1000 == 0:
            progress(summary.rows)
        if "__error__" in row:
            if len(problems) < MAX_PROBLEMS_SHOWN:
                problems.append((line, row["__error__"]))
            else:
                more_problems += 1
            continue
        try:
            ref = (row.get("case_ref") or "").strip()
            typed = _typed(row)
            if ref and ref in first_of_ref and not typed.case:
                first_type, first_field = first_of_ref[ref]
                typed.type, typed.field = typed.type or first_type, typed.field or first_field
            ready = visits.prepare(session, typed, settings=settings, now=now, officer_fallback=officer_fallback,
                                   lookups=lookups)
        except TctError as exc:
            if len(problems) < MAX_PROBLEMS_SHOWN:
                problems.append((line, exc.message))
            else:
                more_problems += 1
            continue
        if ref and ref not in first_of_ref:
            first_of_ref[ref] = (ready.type, ready.field)
        summary.warnings.extend((line, warning) for warning in ready.warnings)
        if problems:
            continue  # keep checking the rest, but nothing more will be written
        pending.append((line, ready, ref))
        if len(pending) >= CHUNK:
            writer.write(pending)
            pending = []
    if problems:
        raise VisitsRejected(problems, summary.rows, more_problems)
    if summary.rows == 0:
        raise ValidationError("the file has a header but no rows")
    writer.write(pending)
    writer.finish(source)
    summary.visits, summary.new_cases = writer.codes, writer.new_cases
    return summary


def _typed(row: dict[str, str]):  # type: ignore[no-untyped-def]
    from tct import visits

    people = (row.get("people") or "").strip()
    if people and not people.lstrip("-").isdigit():
        raise ValidationError(f"people {people!r} is not a whole number")
    if not (row.get("at") or "").strip():
        raise ValidationError("`at` (when the visit happened) is empty")
    return visits.VisitInput(
        citizen=row.get("citizen"), id_number=row.get("id_number") or None, address=row.get("address"),
        phone=row.get("phone") or None, locality=row.get("locality"), people=int(people) if people else None,
        representatives=row.get("representatives"), type=row.get("type") or None, field=row.get("field") or None,
        content=row.get("content"), at=row.get("at"), officer=row.get("officer") or None,
        case=(row.get("case") or "").strip() or None, handling=row.get("handling") or None,
        kind=row.get("kind") or None, escalated=_flag(row.get("escalated", ""), 0), note=row.get("note"))


class _Writer:
    """Writes prepared visits in batches: citizens, new cases and visits with reserved code blocks."""

    def __init__(self, session: Session, settings: Settings, actor: str) -> None:
        self.session, self.settings, self.actor = session, settings, actor
        self.citizen_by_number: dict[str, int] = {}
        self.case_by_ref: dict[str, int] = {}
        self.touched: set[int] = set()
        self.codes: list[str] = []
        self.new_cases = 0
        self.new_citizens = 0

    def _insert(self, model: Any, rows: list[dict[str, Any]]) -> list[int]:
        from sqlalchemy import func, insert, select

        if not rows:
            return []
        table = model.__table__
        if self.session.get_bind().dialect.name == "sqlite":
            # SQLAlchemy cannot batch INSERT … RETURNING in parameter order on SQLite and sends one
            # statement per row. Inside the import's write transaction (BEGIN IMMEDIATE) nobody else
            # inserts, so the rows take the ids SQLite would give them (after the highest) in one
            # executemany.
            first = int(self.session.execute(select(func.max(table.c.id))).scalar() or 0) + 1
            ids = list(range(first, first + len(rows)))
            self.session.execute(insert(table), [{**row, "id": new_id} for row, new_id in zip(rows, ids, strict=True)])
            return ids
        result = self.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
        return [row[0] for row in result]

    def _citizens(self, batch: list[Any]) -> list[int]:
        from sqlmodel import col, select

        from tct.dates import utc_now
        from tct.models import Citizen
        from tct.text import fold

        wanted = {r.details.id_number for _, r, _ in batch if r.details.id_number} - set(self.citizen_by_number)
        for start in range(0, len(wanted), 500):
            part = list(wanted)[start:start + 500]
            for citizen_id, number in self.session.execute(
                    select(Citizen.id, Citizen.id_number).where(col(Citizen.id_number).in_(part))):
                self.citizen_by_number[number] = citizen_id
        stamp = utc_now()
        new_rows, owners = [], []
        owned: set[str] = set()  # numbers of the citizens this batch creates (a set: no quadratic scan)
        for index, (_, ready, _) in enumerate(batch):
            number = ready.details.id_number
            if ready.same_as is not None or (number and number in self.citizen_by_number):
                continue
            if number and number in owned:
                continue
            if number:
                owned.add(number)
            d = ready.details
            new_rows.append({"name": d.name, "name_folded": fold(d.name), "id_number": number, "address": d.address,
                             "address_folded": fold(d.address) or None, "phone": d.phone, "locality": d.locality,
                             "created_at": stamp, "updated_at": stamp})
            owners.append((number, index))
        ids = self._insert(Citizen, new_rows)
        self.new_citizens += len(ids)
        by_index: dict[int, int] = {}
        for (number, index), citizen_id in zip(owners, ids, strict=True):
            if number:
                self.citizen_by_number[number] = citizen_id
            by_index[index] = citizen_id
        result = []
        for index, (_, ready, _) in enumerate(batch):
            number = ready.details.id_number
            result.append(ready.same_as or (self.citizen_by_number[number] if number else by_index[index]))
        return result

    def _cases(self, batch: list[Any], citizen_ids: list[int]) -> list[int]:
        from collections import Counter

        from tct.cases import deadline_for
        from tct.dates import utc_now
        from tct.db import reserve_numbers
        from tct.models import Case
        from tct.text import fold

        openers = []
        seen_refs: set[str] = set()
        for index, (_, ready, ref) in enumerate(batch):
            if ready.case is None and not (ref and (ref in self.case_by_ref or ref in seen_refs)):
                openers.append(index)
                if ref:
                    seen_refs.add(ref)
        years = Counter(batch[i][1].moment.year for i in openers)
        next_seq = {year: reserve_numbers(self.session, "case", year, count) for year, count in sorted(years.items())}
        stamp = utc_now()
        rows = []
        deadlines: dict[tuple[str, Any], Any] = {}  # by (type, day): working days are costly to count
        for index in openers:
            ready = batch[index][1]
            year, day = ready.moment.year, ready.moment.date()
            seq = next_seq[year]
            next_seq[year] += 1
            locality = ready.details.locality
            if (ready.type, day) not in deadlines:
                case = SimpleNamespace(type=ready.type, status="new", opened_on=day, accepted_on=None,
                                       extension_days=0)
                deadlines[(ready.type, day)] = deadline_for(case, self.settings)  # type: ignore[arg-type]
            rows.append({"code": f"VV-{year}-{seq:04d}", "year": year, "seq": seq, "type": ready.type,
                         "field": ready.field,
                         "locality": locality, "locality_folded": fold(locality) or None, "summary": ready.content,
                         "search_folded": fold(" ".join(filter(None, [ready.content, locality]))),
                         "within_authority": True, "status": "new", "opened_on": day,
                         "deadline": deadlines[(ready.type, day)],
                         "extension_days": 0,
                         "citizen_id": citizen_ids[index], "created_at": stamp, "updated_at": stamp})
        ids = dict(zip(openers, self._insert(Case, rows), strict=True))
        self.new_cases += len(ids)
        result = []
        for index, (_, ready, ref) in enumerate(batch):
            if ready.case is not None:
                case_id = ready.case.id
            elif index in ids:
                case_id = ids[index]
                if ref:
                    self.case_by_ref[ref] = case_id
            else:
                case_id = self.case_by_ref[ref]
            result.append(case_id)
        return result

    def write(self, batch: list[Any]) -> None:
        from collections import Counter

        from tct.dates import to_utc, utc_now
        from tct.db import reserve_numbers
        from tct.models import Visit
        from tct.visits import search_key

        if not batch:
            return
        citizen_ids = self._citizens(batch)
        case_ids = self._cases(batch, citizen_ids)
        years = Counter(ready.moment.year for _, ready, _ in batch)
        next_seq = {year: reserve_numbers(self.session, "visit", year, count) for year, count in sorted(years.items())}
        stamp = utc_now()
        rows = []
        for (_, ready, _), citizen_id, case_id in zip(batch, citizen_ids, case_ids, strict=True):
            year = ready.moment.year
            seq = next_seq[year]
            next_seq[year] += 1
            code = f"TCD-{year}-{seq:04d}"
            self.codes.append(code)
            rows.append({"code": code, "year": year, "seq": seq, "case_id": case_id, "citizen_id": citizen_id,
                         "officer_id": ready.officer.id, "visited_at": to_utc(ready.moment),
                         "visit_date": ready.moment.date(), "people": ready.people, "delegation": ready.delegation,
                         "representatives": "; ".join(ready.representatives) or None, "type": ready.type,
                         "field": ready.field, "content": ready.content, "handling": ready.handling,
                         "kind": ready.kind, "escalated": ready.escalated, "note": ready.note,
                         "search_folded": search_key(ready.type, ready.details, ready.content), "void": False,
                         "created_at": stamp, "updated_at": stamp})
            self.touched.add(case_id)
        from sqlalchemy import insert

        self.session.execute(insert(Visit.__table__), rows)

    def finish(self, source: str) -> None:
        from tct import audit, flags

        flags.refresh_many(self.session, sorted(self.touched), self.settings, actor=self.actor)
        if self.codes:
            audit.record(self.session, actor=self.actor, entity="import", code=source, action="import",
                         after={"visits": len(self.codes), "first": self.codes[0], "last": self.codes[-1],
                                "new_cases": self.new_cases, "new_citizens": self.new_citizens})


def problems_table(error: VisitsRejected) -> list[dict[str, Any]]:
    table: list[dict[str, Any]] = [{"line": line, "problem": message} for line, message in error.problems]
    if error.more:
        table.append({"line": None, "problem": f"…and {error.more} more bad row{'s' if error.more != 1 else ''}"})
    return table
