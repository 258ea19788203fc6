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
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from tct.errors import TctError, ValidationError
from tct.i18n import said
from tct.text import fold
from tct.visits import VisitInput  # (this module is imported by `tct import` alone, which needs it)

if TYPE_CHECKING:
    from pathlib import Path

    from sqlmodel import Session

    from tct.db import Database
    from tct.forking import Channel
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
        self.total = total
        self.more = more  # bad rows beyond those, only counted (a file of millions of bad rows fits in memory)


# A file imported a second time warns on every row: each kind of warning is kept for its first rows,
# then counted, so that the lines say what happened instead of scrolling 100,000 times (and the
# import does not hold 100,000 warnings in memory).
WARNINGS_OF_A_KIND = 10


@dataclass
class ImportSummary:
    rows: int = 0
    visits: list[str] = field(default_factory=list)
    new_cases: int = 0
    checked_only: bool = False
    warnings: list[tuple[int, Any]] = field(default_factory=list)  # the first WARNINGS_OF_A_KIND of each kind
    more_warnings: dict[str, list[int]] = field(default_factory=dict)  # kind: [how many more, line of its first]

    def keep_warnings(self, warnings: list[tuple[int, Any]]) -> None:
        """Add a batch's warnings (in file order): the texts kept, the others counted (the reader
        sends the text of only the first WARNINGS_OF_A_KIND of each kind: Reader._as_kept)."""
        for line, warning in warnings:
            more = self.more_warnings.setdefault(getattr(warning, "key", str(warning)), [0, line])
            if isinstance(warning, _Warning):
                more[0] += 1
            else:
                self.warnings.append((line, warning))

    def warnings_beyond(self) -> list[tuple[str, int, int]]:
        """(kind, how many more, line of its first) of each kind warned of more than it kept."""
        return [(kind, count, first) for kind, (count, first) in self.more_warnings.items() if count > 0]


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
    raise ValidationError.said_as("err_not_yes_or_no", value=value)


def read_rows(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row; the header names the columns."""
    from tct.text import fold

    reader = csv.reader(lines)
    rows = _parsed(reader)
    try:
        header = next(rows)
    except StopIteration:
        raise ValidationError.said_as("err_visits_file_empty") from None
    names = [fold(name.lstrip("\ufeff")).replace(" ", "_").replace("-", "_") for name in header]
    unknown = [header[i] for i, name in enumerate(names) if name and name not in COLUMNS]
    if unknown:
        hint = ""
        if len(header) == 1 and ";" in header[0]:  # a spreadsheet saved with ';' (a Vietnamese or European locale)
            hint = said("hint_semicolon_header")
        raise ValidationError.said_as("err_unknown_visit_columns", unknown=", ".join(unknown),
                                      columns=", ".join(COLUMNS), hint=hint)
    twice = sorted({header[i] for i, name in enumerate(names) if name and names.count(name) > 1})
    if twice:
        raise ValidationError.said_as("err_columns_twice", columns=", ".join(twice))
    if "citizen" not in names:
        raise ValidationError.said_as("err_no_citizen_column")
    unnamed = "" in names  # cells under a blank heading are ignored
    for row in rows:
        if not "".join(row).strip():  # (no cell holds anything but white space)
            continue
        if len(row) > len(names):
            yield reader.line_num, {"__error__": said("err_too_many_cells", cells=len(row), columns=len(names))}
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
            raise ValidationError.said_as("err_csv_line", line=reader.line_num, error=str(exc)) from None
        yield row


CHUNK = 2000
FIRST_CHUNK = 250
MEMO_LIMIT = 50_000  # texts and moments the reader remembers before it forgets them all
# SQLite's page cache while an import writes: the indexes it inserts into at random places (a
# citizen's name, a case's locality, the visits of cases already on the register) outgrow a smaller
# one in a large register, whose pages then go to the WAL and are read back over and over (by hand
# on the 1,000,000-visit register, 100,000 rows: 7.5 s with 32 MiB, 5.1 s with 64 MiB).
PAGE_CACHE_KIB = 64 * 1024
GC_THRESHOLD = 50_000  # allocations between two collections of the youngest objects (Python's default: 700)


def load(session: Session, lines: Iterable[str], *, settings: Settings, actor: str, check: bool = False,
         officer_fallback: str | None = None, source: str = "the file",
         progress: Callable[[int], None] | None = None,
         batches: Iterable[Batch | Outcome] | None = None) -> ImportSummary:
    """Import every row in the caller's transaction, or raise VisitsRejected having written nothing
    that the caller's rollback does not undo. Every row gets the checks of `tct visit add`
    (visits.prepare); rows are then written in batches, and the automatic flags of every case
    touched are recomputed once at the end. The import is one audit event.

    `batches` are the file's rows already read and checked by a ReaderProcess (then `lines` is not
    read here); by default this process reads them itself."""
    writer = _Writer(session, settings, actor)
    with writer.db.page_cache(PAGE_CACHE_KIB), _few_collections():
        if batches is None:
            batches = Reader(session, settings, officer_fallback=officer_fallback).batches(lines)
        summary = ImportSummary(checked_only=check)
        for item in batches:
            if isinstance(item, Outcome):
                return _finished(writer, item, summary, source)
            writer.write(item)
            summary.keep_warnings(item.warnings)
            if progress is not None:
                progress(item.read)
    raise RuntimeError("the reader of the file ended without its outcome")  # (a bug, not bad input)


def _finished(writer: _Writer, outcome: Outcome, summary: ImportSummary, source: str) -> ImportSummary:
    if outcome.problems:
        raise VisitsRejected(outcome.problems, outcome.rows, outcome.more_problems)
    if outcome.rows == 0:
        raise ValidationError.said_as("err_visits_file_no_rows")
    writer.finish(outcome, source)
    summary.rows = outcome.rows
    summary.visits, summary.new_cases = writer.codes, writer.new_cases
    return summary


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


@dataclass
class Batch:
    """Up to CHUNK checked rows, as plain values ready for the INSERTs, only the ids and codes
    missing (a ReaderProcess pickles them to the writer). A citizen or case is referred to by its
    id when it is already on the register, or by -(n + 1) for the n-th new one of this import; the
    new ones are listed in that order."""

    read: int  # data rows of the file read so far
    citizens: list[tuple[Any, ...]]  # CITIZEN_COLUMNS
    cases: list[tuple[Any, ...]]  # (citizen ref, year, *CASE_COLUMNS)
    visits: list[tuple[Any, ...]]  # (case ref, citizen ref, year, *VISIT_COLUMNS)
    warnings: list[tuple[int, str]]


@dataclass
class Outcome:
    """The end of the file: its rows, the bad ones, and the cases whose automatic flags may change."""

    rows: int
    problems: list[tuple[int, str]]
    more_problems: int  # bad rows beyond the first MAX_PROBLEMS_SHOWN: counted, not kept
    refresh: list[int]  # case refs, as in Batch
    received_earlier: list[int] = field(default_factory=list)  # new cases a later row gave an earlier visit


CITIZEN_COLUMNS = "name, name_folded, id_number, address, address_folded, phone, locality"
CASE_COLUMNS = ("type, field, locality, locality_folded, summary, search_folded, within_authority, status, "
                "opened_on, first_visit_on, deadline, extension_days, status_changed_on, closed_on")
VISIT_COLUMNS = ("officer_id, visited_at, visit_date, people, delegation, representatives, type, field, content, "
                 "handling, kind, escalated, note, search_folded, void")


# Where a Batch's case row holds its status (after citizen, year).
_CASE_STATUS = 2 + CASE_COLUMNS.split(", ").index("status")
# Where a Batch's visit row holds its day and whether it is a delegation (after case, citizen, year).
_VISIT_DAY = 3 + VISIT_COLUMNS.split(", ").index("visit_date")
_VISIT_DELEGATION = 3 + VISIT_COLUMNS.split(", ").index("delegation")


class Reader:
    """The file's rows → Batches of checked values. Every row gets the checks of `tct visit add`
    (visits.prepare); the citizens it names are matched by identity number against the register
    and the file, and the rows of one `case_ref` are tied to one new case. Needs only to read the
    register, so it can run in a second process (ReaderProcess)."""

    def __init__(self, session: Session, settings: Settings, *, officer_fallback: str | None = None) -> None:
        from tct.dates import now_local
        from tct.db import Driver

        self.session, self.settings, self.officer_fallback = session, settings, officer_fallback
        self.db = Driver(session)
        self.now = now_local(settings["timezone"])
        self.lookups: dict[Any, Any] = {}
        self.folded = _Folds()
        self.moments: dict[datetime, tuple[Any, Any, Any]] = {}  # visited_at and visit_date as stored, the minute
        self.deadlines: dict[tuple[str, Any], Any] = {}  # by (type, day): working days are costly to count
        self.citizen_by_number: dict[str, int] = {}  # refs of the citizens met, by identity number
        self.case_by_ref: dict[str, int] = {}  # refs of the new cases, by the file's `case_ref`
        # The citizen of each case rows come back to (by the case's id, or the file's `case_ref`): its
        # ref and folded name, so a row under that name with no identity number is that citizen again.
        self.citizen_of_case: dict[int | str, tuple[int, str]] = {}  # case (or case_ref): its citizen, their name
        self.visits_before: int | None = None  # the highest visit id before the import (_already_in)
        self.protected: dict[str, bool] = {}  # whether a folded name is a denouncer's, on the register (_already_in)
        self.warnings_kept: dict[str, int] = {}  # warnings of each kind so far (_as_kept)
        self.opened_on: dict[int, Any] = {}  # the day of each new case of a `case_ref`, by its ref
        self.denunciations: set[int] = set()  # the new cases of the file that are denunciations, by their ref
        self.received_earlier: set[int] = set()  # those a later row of the file brings before that day
        self.new_citizens = 0
        self.new_cases = 0
        self.existing: set[int] = set()  # cases that were on the register before the import
        # New cases (by n of the ref): imported visits * 2, + 1 when one of them is a delegation or
        # escalated; only those that can carry an automatic flag are refreshed (a new case has none yet).
        self.visits_of_new: dict[int, int] = {}

    def batches(self, lines: Iterable[str]) -> Iterator[Batch | Outcome]:
        """Batches of the good rows, then the Outcome. After the first bad row nothing more is
        batched, but every row is still checked, so the person sees every problem at once."""
        from tct import visits

        rows = 0
        problems: list[tuple[int, str]] = []
        more_problems = 0
        # The type and field of the row that opens each `case_ref` (later rows of the case default to them);
        # only these two values are kept, so memory does not grow with whole rows.
        first_of_ref: dict[str, tuple[str, str]] = {}
        pending: list[tuple[int, visits.PreparedVisit, str]] = []
        warnings: list[tuple[int, str]] = []
        size = FIRST_CHUNK  # a small first batch, so a writer in another process starts sooner
        settings, now, fallback, lookups, session = (self.settings, self.now, self.officer_fallback, self.lookups,
                                                     self.session)
        for line, row in read_rows(lines):
            rows += 1
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
                ready = visits.prepare(session, typed, settings=settings, now=now, officer_fallback=fallback,
                                       lookups=lookups)
            except TctError as exc:
                if len(problems) < MAX_PROBLEMS_SHOWN:
                    problems.append((line, _by_column(exc.message)))
                else:
                    more_problems += 1
                continue
            if ref and ref not in first_of_ref:
                first_of_ref[ref] = (ready.type, ready.field)
            if ready.warnings:
                warnings.extend((line, warning) for warning in ready.warnings)
            if problems:
                continue  # keep checking the rest, but nothing more will be written
            pending.append((line, ready, ref))
            if len(pending) >= size:
                yield self._batch(pending, rows, warnings)
                pending, warnings = [], []
                size = min(2 * size, CHUNK)
        if pending or warnings:
            yield self._batch(pending, rows, warnings)
        least = 2 * int(settings["repeat.min_visits"])
        refresh = sorted(self.existing) + [-(n + 1) for n, mark in sorted(self.visits_of_new.items())
                                           if mark & 1 or mark >= least]
        yield Outcome(rows, problems, more_problems, refresh, sorted(self.received_earlier))

    def fold_joined(self, *parts: str | None) -> str:
        """fold(" ".join(parts)), from the folds of the parts: folding works character by
        character and turns every run of spaces into one, so the two agree (test_bulk checks it)."""
        folds = self.folded
        return " ".join([folded for part in parts if (folded := folds[part])])

    def _stored(self, moment: datetime) -> tuple[Any, Any, Any]:
        """A row's moment as the visit stores it (visited_at in UTC, visit_date), and its minute as
        Driver.minute_key says it (_already_in), remembered: a file's rows share their moments (ten
        rows a minute in a busy office), and strftime is costly."""
        when = self.moments.get(moment)
        if when is None:
            from tct.dates import to_utc

            db = self.db
            stamp = db.stamp(to_utc(moment))
            when = self.moments[moment] = (stamp, db.day(moment.date()), db.minute_key(stamp))
        return when

    def _batch(self, pending: list[Any], read: int, warnings: list[tuple[int, str]]) -> Batch:
        if len(self.folded) > MEMO_LIMIT:  # names and places repeat across batches; memory stays bounded
            self.folded.clear()
        if len(self.moments) > MEMO_LIMIT:
            self.moments.clear()
        warnings = self._as_kept(sorted(warnings + self._already_in(pending), key=lambda item: item[0]))
        citizens, citizen_refs = self._citizens(pending)
        cases, case_refs = self._cases(pending, citizen_refs)
        return Batch(read, citizens, cases, self._visits(pending, citizen_refs, case_refs), warnings)

    def _as_kept(self, warnings: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
        """The warnings in the order ImportSummary.keep_warnings takes them: the first
        WARNINGS_OF_A_KIND of each kind as texts, which it keeps, the others as their kind alone,
        which it counts (a file imported again warns of every row: 100,000 texts were made, sent
        to the writer and dropped)."""
        kept = self.warnings_kept
        shown = []
        for line, warning in warnings:
            kind = getattr(warning, "key", str(warning))
            count = kept.get(kind, 0)
            kept[kind] = count + 1
            if count < WARNINGS_OF_A_KIND:
                warning = said(kind, code=warning.code) if isinstance(warning, _Warning) else warning
            elif not isinstance(warning, _Warning):
                warning = _Warning(kind, None)
            shown.append((line, warning))
        return shown

    def _already_in(self, pending: list[Any]) -> list[tuple[int, str]]:
        """A warning for each row whose citizen (by name) already has a visit at that very minute on
        the register, as it stood before the import: the file imported a second time, or rows also
        typed at the desk, which would count twice in every report. (The visit is named by its code,
        never the citizen: a warning never names a denouncer.) A minute, not a second: a visit
        logged at the desk without --at holds the seconds it was saved at (08:00:27), the file's row
        the minute (08:00)."""
        from tct.citizens import denouncer_sql, protected_names

        db = self.db
        if self.visits_before is None:
            self.visits_before = int(db.rows("SELECT coalesce(max(id), 0) FROM visit")[0][0])
        wanted: dict[Any, list[tuple[int, str, int]]] = {}
        names_met, officers_met = set(), set()  # (minute, folded name) and (minute, officer id) of the rows
        days = set()
        stored, folds = self._stored, self.folded
        for line, ready, _ in pending:
            _, day, minute = stored(ready.moment)
            folded, officer_id = folds[ready.details.name], ready.officer.id
            wanted.setdefault(minute, []).append((line, folded, officer_id))
            names_met.add((minute, folded))
            officers_met.add((minute, officer_id))
            days.add(day)
        # The visits of the batch's span of minutes (a day's are read past in C), each with its
        # citizen's folded name and whether they are a denouncer, to the minute where SQL can say it.
        moments = [ready.moment for _, ready, _ in pending]
        span = [db.minute_key(min(moments)), db.minute_key(max(moments) + timedelta(minutes=1))]
        seen = db.rows_in(
            f"SELECT {db.minute_of('seen.visited_at')}, seen.year, seen.seq, seen.code, seen.officer_id, "
            f"citizen.name_folded, CASE WHEN seen.type = 'denunciation' OR {denouncer_sql('citizen.id')} "
            "THEN 1 ELSE 0 END FROM visit AS seen JOIN citizen ON citizen.id = seen.citizen_id "
            f"WHERE seen.void = ? AND seen.id <= ? AND {db.stamps_between('seen.visited_at')} "
            "AND seen.visit_date IN ({ids})",
            sorted(days), [db.flag(False), self.visits_before, *span])
        # One warning a row, naming the first such visit (in code order) of its citizen at that minute,
        # or of a denouncer at that minute received by the row's officer, whichever came first. A
        # denouncer's visit is warned of whatever the row's name, in words that do not say whether it
        # matched: by name, `import --check` (which leaves no trace) would confirm a name guessed from
        # the initials `visit list` shows (T. T. T. at 08:30, with its officer). By officer, not to
        # every row of the minute: on a register several desks share, nearly every minute holds a
        # denouncer's visit, and a warning on every row says nothing.
        first_secret: dict[tuple[Any, int], tuple[tuple[int, int], str]] = {}
        first_named: dict[tuple[Any, str], tuple[tuple[int, int], str]] = {}
        matched = []
        for minute, *rest in seen:
            if type(minute) is not str or len(minute) != 16 or minute[10] != " ":
                minute = db.minute_key(minute)  # (PostgreSQL's time, or one stored around tct)
            if minute in wanted:
                matched.append((minute, *rest))
        # A denouncer's namesake is masked as they are (citizens.protected_sql): warned of as a denouncer.
        # Asked only of the names of visits a row meets (its minute and name, or its minute and officer),
        # and once a name an import: its answer is the one the first batch that asked it got (a file
        # imported a second time meets a visit on every row, thousands of names a batch). (Read in this
        # process, the batches written before count: a denunciation of the file can protect a name.)
        known = self.protected
        asked = {name for minute, _, _, _, officer_id, name, secret in matched if not secret and name not in known
                 and ((minute, name) in names_met or (minute, officer_id) in officers_met)}
        if asked:
            namesakes = protected_names(db, asked)
            known.update((name, name in namesakes) for name in asked)
        for minute, year, seq, code, officer_id, name, secret in matched:
            secret = secret or known.get(name, False)
            table, key = (first_secret, (minute, officer_id)) if secret else (first_named, (minute, name))
            best = table.get(key)
            if best is None or (year, seq) < best[0]:
                table[key] = ((year, seq), code)
        warnings = []
        for minute, rows in wanted.items():
            for line, folded, officer_id in rows:
                named = first_named.get((minute, folded))
                secret = first_secret.get((minute, officer_id))
                if named is not None and (secret is None or named[0] < secret[0]):
                    warnings.append((line, _Warning("warn_visit_already_in", named[1])))
                elif secret is not None:
                    warnings.append((line, _Warning("warn_visit_at_that_minute", secret[1])))
        return warnings

    def _citizens(self, pending: list[Any]) -> tuple[list[tuple[Any, ...]], list[int]]:
        """The new citizens of the batch, and the ref of each row's citizen: one on the register
        or met earlier in the file with the same identity number, else a new one."""
        from tct.citizens import same_name

        known = self.citizen_by_number
        wanted = list({number for _, r, _ in pending if (number := r.details.id_number) and number not in known})
        for citizen_id, number in self.db.rows_in("SELECT id, id_number FROM citizen WHERE id_number IN ({ids})",
                                                  wanted):
            known[number] = citizen_id
        of_case = self.citizen_of_case
        wanted_cases = list({r.case.id for _, r, _ in pending
                             if r.case is not None and r.case.citizen_id and r.case.id not in of_case})
        for case_id, citizen_id, name in self.db.rows_in(
                "SELECT c.id, c.citizen_id, z.name FROM cases c JOIN citizen z ON z.id = c.citizen_id "
                "WHERE c.id IN ({ids})", wanted_cases):
            of_case[case_id] = (citizen_id, name)
        new_rows: list[tuple[Any, ...]] = []
        refs: list[int] = []
        folds = self.folded
        for _, ready, case_ref in pending:
            if ready.same_as is not None:
                refs.append(ready.same_as)
                continue
            d = ready.details
            number = d.id_number
            if number and number in known:
                refs.append(known[number])
                continue
            # Back about their case (`case`, or a `case_ref` of the file) under the name it was opened
            # with, no identity number typed: that case's citizen, as at the desk (visit add --case),
            # not a new record each row, which would hide a repeat visitor from `tct alerts`.
            key = ready.case.id if ready.case is not None else case_ref or None
            theirs = of_case.get(key) if key is not None and not number else None
            if theirs is not None and (theirs[1] == d.name or same_name(d.name, theirs[1])):
                refs.append(theirs[0])
                continue
            ref = -(self.new_citizens + len(new_rows) + 1)
            new_rows.append((d.name, folds[d.name], number, d.address, folds[d.address] or None, d.phone, d.locality))
            if number:
                known[number] = ref
            if ready.case is None and case_ref and case_ref not in of_case:  # (the row that opens it)
                of_case[case_ref] = (ref, d.name)
            refs.append(ref)
        self.new_citizens += len(new_rows)
        return new_rows, refs

    def _cases(self, pending: list[Any], citizen_refs: list[int]) -> tuple[list[tuple[Any, ...]], list[int]]:
        """The cases the batch opens (a row with no `case`, the first of its `case_ref`), and the
        ref of each row's case."""
        from tct.cases import SETTLED_AT_THE_DESK, deadline_of

        db, deadlines, by_ref = self.db, self.deadlines, self.case_by_ref
        yes = db.flag(True)
        new_rows: list[tuple[Any, ...]] = []
        refs: list[int] = []
        for (_, ready, ref), citizen_ref in zip(pending, citizen_refs, strict=True):
            if ready.case is not None:
                refs.append(ready.case.id)
                self.existing.add(ready.case.id)
                continue
            if ref and ref in by_ref:
                refs.append(by_ref[ref])
                if ready.moment.date() < self.opened_on[by_ref[ref]]:  # (the file need not be in date order)
                    self.received_earlier.add(by_ref[ref])
                continue
            case_ref = -(self.new_cases + len(new_rows) + 1)
            day = ready.moment.date()
            deadline = deadlines.get((ready.type, day))
            if deadline is None:
                deadline = deadlines[(ready.type, day)] = db.day(deadline_of(ready.type, "new", day, None, 0,
                                                                             self.settings))
            locality = ready.details.locality
            stored_day = self._stored(ready.moment)[1]
            # A petition or feedback answered at the visit that opens it is closed then (as `visit add`
            # closes it: cases.close_answered_at_the_desk); the writer adds the step to its history.
            answered = ready.handling == "answered" and ready.type in SETTLED_AT_THE_DESK
            new_rows.append((citizen_ref, day.year, ready.type, ready.field, locality, self.folded[locality] or None,
                             ready.content, self.fold_joined(ready.content, locality), yes,
                             "closed" if answered else "new", stored_day, stored_day, None if answered else deadline,
                             0, stored_day if answered else None, stored_day if answered else None))
            if ref:
                by_ref[ref] = case_ref
                self.opened_on[case_ref] = day
                if ready.type == "denunciation":
                    self.denunciations.add(case_ref)
            refs.append(case_ref)
        self.new_cases += len(new_rows)
        return new_rows, refs

    def _visits(self, pending: list[Any], citizen_refs: list[int], case_refs: list[int]) -> list[tuple[Any, ...]]:
        db, moments, counts, stored = self.db, self.moments, self.visits_of_new, self._stored
        flag = db.flag
        no = flag(False)
        rows = []
        for (_, ready, _), citizen_ref, case_ref in zip(pending, citizen_refs, case_refs, strict=True):
            moment = ready.moment
            stamp, day, _ = moments.get(moment) or stored(moment)
            # visits.search_key: a denouncer's name and address are left out of it (a visit typed
            # denunciation, or any visit to a denunciation case, one a `case_ref` of the file opened too).
            secret = ready.type == "denunciation" or (ready.case.type == "denunciation" if ready.case is not None
                                                      else case_ref in self.denunciations)
            search = (self.folded[ready.content] if secret else
                      self.fold_joined(ready.details.name, ready.details.address, ready.content))
            rows.append((case_ref, citizen_ref, moment.year, ready.officer.id, stamp, day, ready.people,
                         flag(ready.delegation), "; ".join(ready.representatives) or None, ready.type, ready.field,
                         ready.content, ready.handling, ready.kind, flag(ready.escalated), ready.note, search, no))
            if case_ref < 0:
                n = -case_ref - 1
                counts[n] = (counts.get(n, 0) + 2) | (ready.delegation or ready.escalated)
        return rows


PROCESS_MIN_BYTES = 1 << 20  # a smaller file is read in this process: a fork costs more than it saves


class ReaderProcess:
    """A second process that reads and checks the file while this one writes (tct.forking): on a
    2-core desk PC the checks of 100,000 rows take about as long as the INSERTs.

    Forked before this process opens the register, it opens its own connection and imports while
    this one does, and waits until the writer holds the write lock before it reads anything, so it
    checks the rows against the very state the import writes on. It never writes to the register."""

    def __init__(self, path: Path, open_register: Callable[[], Database], *, officer_fallback: str | None) -> None:
        from tct.forking import SecondProcess

        self.path, self.open_register, self.officer_fallback = path, open_register, officer_fallback
        self.helper = SecondProcess(self._read, lost="the process reading the file stopped before the end; "
                                                     "nothing was imported")

    @staticmethod
    def worth_it(path: Path) -> bool:
        import stat

        from tct import forking

        try:
            info = path.stat()
        except OSError:
            return False
        return forking.available() and stat.S_ISREG(info.st_mode) and info.st_size >= PROCESS_MIN_BYTES

    def __enter__(self) -> ReaderProcess:
        self.helper.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.helper.__exit__(*exc_info)

    @property
    def pid(self) -> int:
        return self.helper.pid

    def batches(self) -> Iterator[Batch | Outcome]:
        """Tell the reader to start (call with the write lock held), then its Batches and Outcome."""
        self.helper.send("go")
        while True:
            item = self.helper.receive()
            yield item
            if isinstance(item, Outcome):
                return

    def _read(self, channel: Channel) -> None:
        # Everything up to the first read while the writer opens the register: the first batch comes sooner.
        import sqlmodel  # noqa: F401

        from tct import cases, daysoff, db, models, officers, settings, visits  # noqa: F401

        daysoff.covered_years()  # (the calendar of working days, for the new cases' deadlines)

        register = self.open_register()
        if channel.receive() != "go":
            return
        outcome = None
        try:
            with _few_collections(), db.read_session(register) as session, \
                    self.path.open(encoding="utf-8-sig", newline="") as lines:
                reader = Reader(session, settings.load(session), officer_fallback=self.officer_fallback)
                for item in reader.batches(lines):
                    if isinstance(item, Outcome):
                        outcome = item  # sent once the read transaction is over
                        break
                    channel.send(item)
        finally:
            register.dispose()
        channel.send(outcome)


@dataclass(slots=True)
class _Warning:
    """A warning of the import's duplicate check (its label and the visit's code) before it is said,
    or one ImportSummary only counts (Reader._as_kept)."""

    key: str
    code: str | None


def _by_column(message: str) -> str:
    """A check's message naming the file's column (`at`, `id_number`) where the desk's would name
    the option (`--at`, `--id-number`): the person fixing the file looks for a column."""
    from tct.i18n import Said

    if not isinstance(message, Said):
        return message
    values = dict(message.values)
    for name in ("label", "options"):
        value = values.get(name)
        if isinstance(value, str) and not isinstance(value, Said) and "--" in value:
            values[name] = ", ".join(part.strip().removeprefix("--").replace("-", "_") for part in value.split(","))
    return said(message.key, coded=message.coded, **values) if values != message.values else message


def _typed(row: dict[str, str]) -> VisitInput:
    get = row.get
    people = (get("people") or "").strip()
    if people and not people.lstrip("-").isdigit():
        raise ValidationError.said_as("err_people_not_whole", people=people)
    at = get("at")
    if not (at or "").strip():
        raise ValidationError.said_as("err_at_empty")
    return VisitInput(
        citizen=get("citizen"), id_number=get("id_number") or None, address=get("address"),
        phone=get("phone") or None, locality=get("locality"), people=int(people) if people else None,
        representatives=get("representatives"), type=get("type") or None, field=get("field") or None,
        content=get("content"), at=at, officer=get("officer") or None,
        case=(get("case") or "").strip() or None, handling=get("handling") or None,
        kind=get("kind") or None, escalated=_flag(get("escalated", ""), 0), note=get("note"))


class _Folds(dict):  # type: ignore[type-arg]
    """fold() of the texts met lately, each computed when first met (names, places and contents
    repeat across rows); the reader empties it past MEMO_LIMIT, so memory stays bounded."""

    def __missing__(self, text: str | None) -> str:
        value = self[text] = fold(text)
        return value


class _Writer:
    """Writes Batches: gives the new citizens, cases and visits their ids and codes (blocks of
    codes reserved per year), as plain tuples in one executemany per table and batch (see Driver)."""

    def __init__(self, session: Session, settings: Settings, actor: str) -> None:
        from array import array

        from tct.db import Driver

        self.session, self.settings, self.actor = session, settings, actor
        self.db = Driver(session)
        self.citizen_ids = array("q")  # the id of the n-th new citizen (ref -(n + 1))
        self.case_ids = array("q")
        self.codes: list[str] = []
        self.new_cases = 0
        self.new_citizens = 0
        self.delegation_days: list[Any] = []  # the first and last day of the delegation visits written, as stored

    def write(self, batch: Batch) -> None:
        from tct.dates import utc_now

        db = self.db
        stamp = db.stamp(utc_now())
        citizen_ids, case_ids = self.citizen_ids, self.case_ids
        ids = db.new_ids("citizen", len(batch.citizens))
        db.many(f"INSERT INTO citizen (id, created_at, updated_at, {CITIZEN_COLUMNS}) "
                f"VALUES ({', '.join('?' * 10)})", [(new_id, stamp, stamp, *row)
                                                    for new_id, row in zip(ids, batch.citizens, strict=True)])
        citizen_ids.extend(ids)
        self.new_citizens += len(ids)

        ids = db.new_ids("cases", len(batch.cases))
        next_seq = self._numbers("case", batch.cases, 1)
        rows = []
        for case_id, (citizen, year, *columns) in zip(ids, batch.cases, strict=True):
            seq = next_seq[year]
            next_seq[year] = seq + 1
            rows.append((case_id, f"VV-{year}-{seq:04d}", year, seq,
                         citizen if citizen > 0 else citizen_ids[-citizen - 1], stamp, stamp, *columns))
        db.many("INSERT INTO cases (id, code, year, seq, citizen_id, created_at, updated_at, "
                f"{CASE_COLUMNS}) VALUES ({', '.join('?' * 21)})", rows)
        closed = {case_id: row[1] for case_id, row in zip(ids, rows, strict=True)
                  if row[_CASE_STATUS + 5] == "closed"}  # (row: id, code, year, seq, citizen, stamps, then the Batch's)
        case_ids.extend(ids)
        self.new_cases += len(ids)

        next_seq = self._numbers("visit", batch.visits, 2)
        rows = []
        codes = self.codes
        for case, citizen, year, *columns in batch.visits:
            seq = next_seq[year]
            next_seq[year] = seq + 1
            code = f"TCD-{year}-{seq:04d}"
            codes.append(code)
            rows.append((code, year, seq, case if case > 0 else case_ids[-case - 1],
                         citizen if citizen > 0 else citizen_ids[-citizen - 1], stamp, stamp, *columns))
        db.many("INSERT INTO visit (code, year, seq, case_id, citizen_id, created_at, updated_at, "
                f"{VISIT_COLUMNS}) VALUES ({', '.join('?' * 22)})", rows)
        if closed:  # the step of each case closed as answered at the desk, naming the visit that opened it
            from tct import audit
            from tct.i18n import label

            steps: dict[int, tuple[Any, ...]] = {}
            events = []
            for code, _, _, case_id, _, _, _, *columns in rows:
                if case_id in closed and case_id not in steps:
                    note = label("note_answered_at_the_desk", code=code)
                    steps[case_id] = (case_id, columns[_VISIT_DAY - 3], stamp, "new", "closed", note, self.actor)
                    events.append(audit.event_row(db, actor=self.actor, entity="case", code=closed[case_id],
                                                  action="close", before={"status": "new"},
                                                  after={"status": "closed"}, reason=note))
            db.many("INSERT INTO case_status_change (case_id, changed_on, at, from_status, to_status, note, actor) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", list(steps.values()))
            db.many(audit.INSERT_ROW, events)  # (as visit add writes it: the import's one event names no case)
        days = self.delegation_days + [row[_VISIT_DAY] for row in batch.visits if row[_VISIT_DELEGATION]]
        if days:
            self.delegation_days = [min(days), max(days)]

    def _numbers(self, kind: str, rows: list[tuple[Any, ...]], year_at: int) -> dict[int, int]:
        """The first number of the block reserved in each year of the rows."""
        from collections import Counter

        from tct.db import reserve_numbers

        years = Counter(row[year_at] for row in rows)
        return {year: reserve_numbers(self.session, kind, year, count) for year, count in sorted(years.items())}

    def _follow_first_visits(self, existing: list[int]) -> None:
        """The cases on the register that the file gave a visit earlier than their first, or a visit
        at all when every one they had was void (cases.first_visit_on): their opening day and
        deadline follow it (cases.follow_first_visit), found by one statement."""
        from tct import cases
        from tct.models import Case

        db = self.db
        for (case_id,) in db.rows_in("SELECT cases.id FROM cases WHERE EXISTS (SELECT visit.id FROM visit "
                                     "WHERE visit.case_id = cases.id AND visit.void = ? "
                                     "AND (cases.first_visit_on IS NULL OR visit.visit_date < cases.first_visit_on)) "
                                     "AND cases.id IN ({ids})", existing, [db.flag(False)]):
            cases.follow_first_visit(self.session, self.session.get(Case, case_id), self.settings, actor=self.actor)

    def finish(self, outcome: Outcome, source: str) -> None:
        from tct import audit, flags

        case_ids = self.case_ids
        self._follow_first_visits([ref for ref in outcome.refresh if ref > 0] +
                                  [case_ids[-ref - 1] for ref in outcome.received_earlier])
        days = self.delegation_days
        flags.refresh_many(self.session, sorted(ref if ref > 0 else case_ids[-ref - 1] for ref in outcome.refresh),
                           self.settings, actor=self.actor,
                           delegation_days=(self.db.read_day(days[0]), self.db.read_day(days[1])) if days else None)
        if self.codes:
            audit.record(self.session, actor=self.actor, entity="import", code=source, action="import",
                         after={"visits": len(self.codes), "first": self.codes[0], "last": self.codes[-1],
                                "new_cases": self.new_cases, "new_citizens": self.new_citizens})


def problems_table(error: VisitsRejected) -> list[dict[str, Any]]:
    table: list[dict[str, Any]] = [{"line": line, "problem": message} for line, message in error.problems]
    if error.more:
        table.append({"line": None, "problem": said("more_bad_rows" if error.more != 1 else "one_more_bad_row",
                                                     count=error.more)})
    return table
