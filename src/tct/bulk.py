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
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from tct.errors import TctError, ValidationError
from tct.text import fold
from tct.visits import VisitInput  # (this module is imported by `tct import` alone, which needs it)

if TYPE_CHECKING:
    from sqlmodel import Session

    from tct.settings import Settings

COLUMNS = ("citizen", "id_number", "address", "phone", "locality", "people", "representatives", "type", "field",
           "content", "at", "officer", "case", "case_ref", "handling", "kind", "escalated", "note")
_TRUE = {"yes", "y", "true", "1", "co", "x"}
_FALSE = {"no", "n", "false", "0", "khong", ""}
MAX_PROBLEMS_SHOWN = 1000
_FLAG_KEYS: dict[str, str] = {}


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
    key = _FLAG_KEYS.get(value)
    if key is None:
        from tct.text import fold

        key = fold(value or "")
        if len(_FLAG_KEYS) < 100:  # the few spellings a file uses
            _FLAG_KEYS[value] = key
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
    unnamed = "" in names  # cells under a blank heading are ignored
    for row in rows:
        if not "".join(row).strip():  # (no cell holds anything but white space)
            continue
        if len(row) > len(names):
            yield reader.line_num, {"__error__": f"{len(row)} cells, the header has {len(names)}"}
            continue
        cells = dict(zip(names, row, strict=False))  # a short row gives only the cells it has
        if unnamed:
            cells.pop("", None)
        yield reader.line_num, cells


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
MEMO_LIMIT = 50_000  # texts and moments the writer remembers before it forgets them all
PAGE_CACHE_KIB = 32 * 1024
GC_THRESHOLD = 50_000  # allocations between two collections of the youngest objects (Python's default: 700)


def load(session: Session, lines: Iterable[str], *, settings: Settings, actor: str, check: bool = False,
         officer_fallback: str | None = None, source: str = "the file",
         progress: Callable[[int], None] | None = None) -> ImportSummary:
    """Import every row in the caller's transaction, or raise VisitsRejected having written nothing
    that the caller's rollback does not undo. Every row gets the checks of `tct visit add`
    (visits.prepare); rows are then written in batches, and the automatic flags of every case
    touched are recomputed once at the end. The import is one audit event."""
    writer = _Writer(session, settings, actor)
    with writer.db.page_cache(PAGE_CACHE_KIB), _few_collections():
        return _load(session, lines, writer, settings=settings, check=check, officer_fallback=officer_fallback,
                     source=source, progress=progress)


@contextmanager
def _few_collections() -> Iterator[None]:
    """Python's cycle collector run rarely while an import runs. An import keeps many objects alive
    for a while (a batch, the remembered values), so at the default threshold the collector sweeps
    them, and every object of tct's modules, over and over: 0.9 s of a 100,000-row import, 0.1 s
    at this threshold. The import makes few reference cycles; collecting now and then still frees
    them, so memory stays bounded."""
    import gc

    before = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _load(session: Session, lines: Iterable[str], writer: _Writer, *, settings: Settings, check: bool,
          officer_fallback: str | None, source: str, progress: Callable[[int], None] | None) -> ImportSummary:
    from tct import visits
    from tct.dates import now_local

    summary = ImportSummary(checked_only=check)
    problems: list[tuple[int, str]] = []
    more_problems = 0  # bad rows beyond the first MAX_PROBLEMS_SHOWN: counted, not kept
    lookups: dict[Any, Any] = {}
    # The type and field of the row that opens each `case_ref` (later rows of the case default to them);
    # only these two values are kept, so memory does not grow with whole rows.
    first_of_ref: dict[str, tuple[str, str]] = {}
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
        if ready.warnings:
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


def _typed(row: dict[str, str]) -> VisitInput:
    get = row.get
    people = (get("people") or "").strip()
    if people and not people.lstrip("-").isdigit():
        raise ValidationError(f"people {people!r} is not a whole number")
    at = get("at")
    if not (at or "").strip():
        raise ValidationError("`at` (when the visit happened) is empty")
    return VisitInput(
        citizen=get("citizen"), id_number=get("id_number") or None, address=get("address"),
        phone=get("phone") or None, locality=get("locality"), people=int(people) if people else None,
        representatives=get("representatives"), type=get("type") or None, field=get("field") or None,
        content=get("content"), at=at, officer=get("officer") or None,
        case=(get("case") or "").strip() or None, handling=get("handling") or None,
        kind=get("kind") or None, escalated=_flag(get("escalated", ""), 0), note=get("note"))


class _Folds(dict):  # type: ignore[type-arg]
    """fold() of the texts met lately, each computed when first met (names, places and contents
    repeat across rows); the writer empties it past MEMO_LIMIT, so memory stays bounded."""

    def __missing__(self, text: str | None) -> str:
        value = self[text] = fold(text)
        return value


class _Writer:
    """Writes prepared visits in batches: citizens, new cases and visits with reserved code blocks,
    as plain tuples in one executemany per table and batch (see Driver)."""

    def __init__(self, session: Session, settings: Settings, actor: str) -> None:
        self.session, self.settings, self.actor = session, settings, actor
        from tct.db import Driver

        self.db = Driver(session)
        self.citizen_by_number: dict[str, int] = {}
        self.case_by_ref: dict[str, int] = {}
        self.existing: set[int] = set()  # cases that were on the register before the import
        # New cases: imported visits * 2, + 1 when one of them is a delegation or escalated; only
        # those that can carry an automatic flag are refreshed (a new case has no flag yet).
        self.visits_of_new: dict[int, int] = {}
        self.codes: list[str] = []
        self.new_cases = 0
        self.new_citizens = 0
        self.folded = _Folds()
        self.moments: dict[datetime, tuple[Any, Any]] = {}  # visited_at and visit_date as stored

    def fold_joined(self, *parts: str | None) -> str:
        """fold(" ".join(parts)), from the folds of the parts: folding works character by
        character and turns every run of spaces into one, so the two agree (test_bulk checks it)."""
        folds = self.folded
        return " ".join([folded for part in parts if (folded := folds[part])])

    def _citizens(self, batch: list[Any]) -> list[int]:
        from tct.dates import utc_now

        db = self.db
        known = self.citizen_by_number
        wanted = list({number for _, r, _ in batch if (number := r.details.id_number) and number not in known})
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            for citizen_id, number in db.rows(
                    f"SELECT id, id_number FROM citizen WHERE id_number IN ({', '.join('?' * len(part))})", part):
                self.citizen_by_number[number] = citizen_id
        stamp = db.stamp(utc_now())
        new_rows, owners, folds = [], [], self.folded
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
            new_rows.append((d.name, folds[d.name], number, d.address, folds[d.address] or None, d.phone,
                             d.locality, stamp, stamp))
            owners.append((number, index))
        ids = db.new_ids("citizen", len(new_rows))
        db.many("INSERT INTO citizen (id, name, name_folded, id_number, address, address_folded, phone, locality, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(new_id, *row) for new_id, row in zip(ids, new_rows, strict=True)])
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

        db = self.db
        openers = []
        seen_refs: set[str] = set()
        for index, (_, ready, ref) in enumerate(batch):
            if ready.case is None and not (ref and (ref in self.case_by_ref or ref in seen_refs)):
                openers.append(index)
                if ref:
                    seen_refs.add(ref)
        years = Counter(batch[i][1].moment.year for i in openers)
        next_seq = {year: reserve_numbers(self.session, "case", year, count) for year, count in sorted(years.items())}
        stamp = db.stamp(utc_now())
        rows = []
        deadlines: dict[tuple[str, Any], Any] = {}  # by (type, day): working days are costly to count
        ids = db.new_ids("cases", len(openers))
        for index, case_id in zip(openers, ids, strict=True):
            ready = batch[index][1]
            year, day = ready.moment.year, ready.moment.date()
            seq = next_seq[year]
            next_seq[year] += 1
            locality = ready.details.locality
            if (ready.type, day) not in deadlines:
                case = SimpleNamespace(type=ready.type, status="new", opened_on=day, accepted_on=None,
                                       extension_days=0)
                deadlines[(ready.type, day)] = db.day(deadline_for(case, self.settings))  # type: ignore[arg-type]
            rows.append((case_id, f"VV-{year}-{seq:04d}", year, seq, ready.type, ready.field, locality,
                         self.folded[locality] or None, ready.content, self.fold_joined(ready.content, locality),
                         True, "new", db.day(day), deadlines[(ready.type, day)], 0, citizen_ids[index],
                         stamp, stamp))
        db.many("INSERT INTO cases (id, code, year, seq, type, field, locality, locality_folded, summary, "
                "search_folded, within_authority, status, opened_on, deadline, extension_days, citizen_id, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        by_index = dict(zip(openers, ids, strict=True))
        self.new_cases += len(ids)
        result = []
        for index, (_, ready, ref) in enumerate(batch):
            if ready.case is not None:
                case_id = ready.case.id
            elif index in by_index:
                case_id = by_index[index]
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

        if not batch:
            return
        db = self.db
        if len(self.folded) > MEMO_LIMIT:  # names and places repeat across batches; memory stays bounded
            self.folded.clear()
        if len(self.moments) > MEMO_LIMIT:
            self.moments.clear()
        moments = self.moments
        citizen_ids = self._citizens(batch)
        case_ids = self._cases(batch, citizen_ids)
        years = Counter(ready.moment.year for _, ready, _ in batch)
        next_seq = {year: reserve_numbers(self.session, "visit", year, count) for year, count in sorted(years.items())}
        stamp = db.stamp(utc_now())
        rows = []
        counts = self.visits_of_new
        for (_, ready, _), citizen_id, case_id in zip(batch, citizen_ids, case_ids, strict=True):
            year = ready.moment.year
            seq = next_seq[year]
            next_seq[year] += 1
            code = f"TCD-{year}-{seq:04d}"
            self.codes.append(code)
            when = moments.get(ready.moment)
            if when is None:
                when = moments[ready.moment] = (db.stamp(to_utc(ready.moment)), db.day(ready.moment.date()))
            # visits.search_key: a denouncer's name and address are left out of it.
            search = (self.folded[ready.content] if ready.type == "denunciation" else
                      self.fold_joined(ready.details.name, ready.details.address, ready.content))
            rows.append((code, year, seq, case_id, citizen_id, ready.officer.id, *when, ready.people,
                         ready.delegation, "; ".join(ready.representatives) or None, ready.type, ready.field,
                         ready.content, ready.handling, ready.kind, ready.escalated, ready.note, search, False,
                         stamp, stamp))
            if ready.case is not None:
                self.existing.add(case_id)
            else:
                counts[case_id] = (counts.get(case_id, 0) + 2) | (ready.delegation or ready.escalated)
        db.many("INSERT INTO visit (code, year, seq, case_id, citizen_id, officer_id, visited_at, visit_date, people, "
                "delegation, representatives, type, field, content, handling, kind, escalated, note, search_folded, "
                f"void, created_at, updated_at) VALUES ({', '.join('?' * 22)})", rows)

    def finish(self, source: str) -> None:
        from tct import audit, flags

        # A new case whose imported visits can set no flag (too few for a repeat, no delegation,
        # nothing escalated) has nothing to refresh: most cases of an import.
        least = 2 * int(self.settings["repeat.min_visits"])
        candidates = self.existing | {case_id for case_id, mark in self.visits_of_new.items()
                                      if mark & 1 or mark >= least}
        flags.refresh_many(self.session, sorted(candidates), self.settings, actor=self.actor)
        if self.codes:
            audit.record(self.session, actor=self.actor, entity="import", code=source, action="import",
                         after={"visits": len(self.codes), "first": self.codes[0], "last": self.codes[-1],
                                "new_cases": self.new_cases, "new_citizens": self.new_citizens})


def problems_table(error: VisitsRejected) -> list[dict[str, Any]]:
    table: list[dict[str, Any]] = [{"line": line, "problem": message} for line, message in error.problems]
    if error.more:
        table.append({"line": None, "problem": f"…and {error.more} more bad row{'s' if error.more != 1 else ''}"})
    return table
