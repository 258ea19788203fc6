#!/usr/bin/env python3
"""Fill a tct register with a realistic synthetic register, through the library's bulk path.

    bench/seed.py --visits 1000000 --db /tmp/bench.db [--seed 1] [--start 2020] [--end 2024]

What it makes (the same seed gives the same data, ids, codes and timestamps):
- 8 officers (tct.officers.add) and a duty roster for every day (tct.rosters.add, by month:
  two main officers in the morning, two in the afternoon);
- N visits spread over the years with busier weeks before and after Tết (tct.periods.builtin)
  and few on weekends and days off, loaded by tct.bulk.load from an in-memory CSV stream: every
  row gets the checks of `tct visit add`, real codes, citizens (Vietnamese names, CCCD numbers,
  addresses and localities), new cases, and the automatic flags (crowd, repeat, escalated,
  hotspot) computed by the library;
- 3% delegations (5–40 people, with representatives), 30% of visits on an earlier case of the
  last months (`case_ref`), 2% escalated, 5% leader receptions;
- a lifecycle for the cases (accepted, resolved, closed, guided, transferred, and an open
  backlog), complex flags on some, and referrals to other agencies — written set-based with the
  rows and audit events `tct case accept/resolve/close/guide/transfer/flag/refer` would write
  (calling tct.cases.transition 700,000 times would take longer than the benchmark itself).

Timestamps the library takes from the clock (created_at, audit times) are pinned to
2025-01-01T00:00Z so that two runs with the same seed give the same file contents.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import deque
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

FIXED_NOW = datetime(2025, 1, 1, tzinfo=UTC)

FAMILY = ["Nguyễn"] * 38 + ["Trần"] * 11 + ["Lê"] * 10 + ["Phạm"] * 7 + ["Hoàng"] * 4 + ["Huỳnh"] * 4 + \
    ["Phan"] * 4 + ["Vũ"] * 3 + ["Võ"] * 3 + ["Đặng"] * 2 + ["Bùi"] * 2 + ["Đỗ"] * 2 + ["Hồ"] * 2 + \
    ["Ngô"] * 2 + ["Dương", "Lý", "Đinh", "Trịnh", "Mai", "Tô", "Lâm", "Quách"]
MIDDLE_M = ["Văn"] * 6 + ["Hữu", "Đức", "Minh", "Quang", "Công", "Thành", "Xuân", "Ngọc"]
MIDDLE_F = ["Thị"] * 6 + ["Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Hồng", "Bích", "Diệu"]
GIVEN_M = ["Hùng", "Dũng", "Đức", "Long", "Nam", "Tuấn", "Hải", "Sơn", "Bình", "Phúc", "Thắng", "Cường", "Hiếu",
           "Khánh", "Lâm", "Quân", "Tài", "Thịnh", "Trung", "Vinh", "An", "Bảo", "Đạt", "Hòa", "Lộc", "Nghĩa"]
GIVEN_F = ["Lan", "Hương", "Mai", "Hoa", "Hạnh", "Thảo", "Trang", "Linh", "Ngọc", "Yến", "Nhung", "Phương",
           "Tâm", "Thủy", "Vân", "Xuân", "Loan", "Dung", "Hằng", "Oanh", "Quyên", "Liên", "Nga", "Huệ"]
DISTRICTS = ["Châu Thành", "Chợ Gạo", "Gò Công Tây", "Cai Lậy", "Cái Bè", "Tân Phước", "Tân Phú Đông",
             "Gò Công Đông", "Thành phố Mỹ Tho", "Thị xã Gò Công"]
COMMUNES = ["Vĩnh Hòa Hiệp", "Tân Hương", "Long Định", "Bình Đức", "Song Thuận", "Đông Hòa", "Thạnh Phú",
            "Hòa Tịnh", "Mỹ Tịnh An", "Lương Hòa Lạc", "Phú Kiết", "Tân Thuận Bình", "Bình Phan", "Long Bình",
            "Thạnh Trị", "Tân Phú", "Mỹ Phong", "Đạo Thạnh", "Trung An", "Phước Thạnh", "Hậu Mỹ Bắc",
            "An Thái Trung", "Mỹ Thiện", "Thiện Trí", "Hòa Khánh", "Hiệp Đức", "Phú Nhuận", "Tam Bình",
            "Ngũ Hiệp", "Long Trung"]
STREETS = ["Hùng Vương", "Lê Lợi", "Nguyễn Trãi", "Trần Hưng Đạo", "Ấp Bắc", "Đinh Bộ Lĩnh", "Lý Thường Kiệt",
           "Nam Kỳ Khởi Nghĩa", "Ấp Mỹ Hòa", "Ấp Tân Thành", "Ấp Long Hưng", "Ấp Bình Hòa"]
CONTENT = {
    "land": ["Khiếu nại quyết định thu hồi đất và phương án bồi thường", "Tranh chấp ranh giới quyền sử dụng đất",
             "Đề nghị cấp giấy chứng nhận quyền sử dụng đất", "Phản ánh lấn chiếm đất công"],
    "housing": ["Khiếu nại việc cưỡng chế tháo dỡ công trình", "Đề nghị hỗ trợ tái định cư",
                "Phản ánh xây dựng nhà trái phép gây lún nứt"],
    "policy": ["Đề nghị giải quyết chế độ người có công", "Kiến nghị về trợ cấp bảo hiểm xã hội",
               "Khiếu nại việc cắt trợ cấp hộ nghèo"],
    "administration": ["Tố cáo cán bộ xã nhũng nhiễu khi làm thủ tục", "Phản ánh chậm giải quyết hồ sơ hành chính",
                       "Kiến nghị công khai danh sách hỗ trợ"],
    "justice": ["Đề nghị xem xét lại việc thi hành án dân sự", "Khiếu nại quyết định xử phạt vi phạm hành chính"],
    "press-media": ["Phản ánh thông tin sai sự thật trên mạng xã hội"],
    "telecom-it": ["Phản đối lắp trạm BTS gần khu dân cư", "Phản ánh cước viễn thông tính sai"],
    "other": ["Phản ánh ô nhiễm môi trường từ cơ sở chăn nuôi", "Kiến nghị sửa chữa đường giao thông nông thôn"],
}
FIELDS = list(CONTENT)
FIELD_WEIGHTS = [40, 12, 14, 12, 6, 2, 4, 10]
TYPES = ["complaint", "denunciation", "petition", "feedback"]
TYPE_WEIGHTS = [50, 10, 20, 20]
HANDLINGS = ["accepted", "guided", "answered", "transferred", "refused"]
HANDLING_WEIGHTS = [25, 45, 15, 10, 5]
OFFICERS = ["Trần Thị Bình", "Nguyễn Văn An", "Lê Minh Châu", "Phạm Thị Dung", "Hoàng Văn Em",
            "Võ Thị Giang", "Đặng Quốc Hưng", "Bùi Thị Kim"]
COLUMNS = ["citizen", "id_number", "address", "phone", "locality", "people", "representatives", "type", "field",
           "content", "at", "officer", "case_ref", "handling", "kind", "escalated", "note"]


def _pin_clock() -> None:
    """created_at and audit times come from tct.dates.utc_now; pin it before tct.models is imported."""
    import tct.dates

    tct.dates.utc_now = lambda: FIXED_NOW  # type: ignore[assignment]


# --- the calendar ------------------------------------------------------------------------------

def day_counts(total: int, first: date, last: date) -> list[tuple[date, int]]:
    """Visits per day: weekdays busy, weekends and days off quiet, the weeks around Tết busier."""
    from tct import periods
    from tct.daysoff import official_days_off

    off = official_days_off(first, last)
    weights: dict[date, float] = {}
    day = first
    while day <= last:
        weight = 1.0
        if day.weekday() == 5:
            weight = 0.06
        elif day.weekday() == 6:
            weight = 0.01
        if day in off:
            weight = 0.01
        weights[day] = weight
        day += timedelta(days=1)
    for year in range(first.year, last.year + 1):
        try:
            tet = periods.builtin("tet", year)
        except Exception:  # noqa: BLE001 — a year the holiday calendar does not cover
            continue
        for phase in tet.phases:
            if phase.name == "during":
                continue
            current = phase.start
            while current <= phase.end:
                if current in weights and weights[current] >= 1.0:
                    weights[current] = 2.5
                current += timedelta(days=1)
    scale = total / sum(weights.values())
    exact = [(d, w * scale) for d, w in weights.items()]
    counts = {d: int(x) for d, x in exact}
    left = total - sum(counts.values())
    for d, _ in sorted(exact, key=lambda item: (-(item[1] - int(item[1])), item[0]))[:left]:
        counts[d] += 1
    return sorted(counts.items())


def roster_months(first: date, last: date) -> list[tuple[date, date, list[str], list[str]]]:
    """(first day, last day, morning officers, afternoon officers) of each month: two main officers a shift."""
    months = []
    current = date(first.year, first.month, 1)
    index = 0
    while current <= last:
        following = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
        end = min(following - timedelta(days=1), last)
        rota = [OFFICERS[(index * 2 + k) % len(OFFICERS)] for k in range(4)]
        months.append((max(current, first), end, rota[:2], rota[2:]))
        current, index = following, index + 1
    return months


# --- the visits as CSV lines ------------------------------------------------------------------

def _csv_line(values: list[str]) -> str:
    out = []
    for value in values:
        if any(ch in value for ch in ',"\n'):
            value = '"' + value.replace('"', '""') + '"'
        out.append(value)
    return ",".join(out) + "\n"


class Citizens:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.count = 0

    def new(self) -> tuple[str, str, str, str, str]:
        """(name, id number, address, phone, locality) of a new person."""
        rng = self.rng
        self.count += 1
        female = rng.random() < 0.45
        name = " ".join([rng.choice(FAMILY), rng.choice(MIDDLE_F if female else MIDDLE_M),
                         rng.choice(GIVEN_F if female else GIVEN_M)])
        locality = f"{rng.choice(COMMUNES)}, {rng.choice(DISTRICTS)}"
        number = ""
        if rng.random() < 0.85:  # a CCCD: province 082, a century/sex digit, then a unique serial
            number = f"082{rng.choice('0123')}{self.count:08d}"
        address = f"Số {rng.randint(1, 300)} {rng.choice(STREETS)}, {locality}" if rng.random() < 0.7 else ""
        phone = f"09{rng.randint(0, 99_999_999):08d}" if rng.random() < 0.5 else ""
        return name, number, address, phone, locality


FIXED_PERIOD = ("tet", 2023)
FIXED_VISITS = 1000


def fixed_days() -> set[date]:
    """The days of the period that holds the same FIXED_VISITS visits whatever the register's size,
    so a report on it measures the cost of the register's size alone (issue: at most 1.3× as much
    in a 1,000,000-visit register as in a 10,000-visit one)."""
    from tct import periods

    period = periods.builtin(*FIXED_PERIOD)
    return {period.start + timedelta(days=k) for k in range((period.end - period.start).days + 1)}


class _Stream:
    """One independent stream of visits: its own random numbers, people and recent cases."""

    def __init__(self, seed: int, prefix: str, first_person: int) -> None:
        self.rng = random.Random(seed)
        self.people = Citizens(self.rng)
        self.people.count = first_person
        self.recent: deque[tuple[str, tuple[str, str, str, str, str], date]] = deque(maxlen=6000)
        self.prefix, self.cases = prefix, 0

    def day(self, day: date, count: int, morning: list[str], afternoon: list[str]):  # type: ignore[no-untyped-def]
        rng = self.rng
        for minute in sorted(rng.randint(0, 7 * 60) for _ in range(count)):
            if minute < 240:
                at = f"{day:%d/%m/%Y} {7 + (30 + minute) // 60:02d}:{(30 + minute) % 60:02d}"
                officer = rng.choice(morning)
            else:
                late = minute - 240
                at = f"{day:%d/%m/%Y} {13 + (30 + late) // 60:02d}:{(30 + late) % 60:02d}"
                officer = rng.choice(afternoon)
            old = None
            if self.recent and rng.random() < 0.30:
                # an earlier case of the last months: mostly the most recent ones
                back = min(len(self.recent), int(rng.expovariate(1 / 800)) + 1)
                old = self.recent[-back]
            person = old[1] if old is not None and rng.random() < 0.85 else self.people.new()
            name, number, address, phone, locality = person
            if rng.random() < 0.03:
                size = rng.choice([5, 6, 7, 8, 10, 12, 15, 20, 30, 40])
                reps = "; ".join(self.people.new()[0] for _ in range(rng.randint(1, 2 if size <= 10 else 5)))
            else:
                size, reps = (1 if rng.random() < 0.9 else rng.randint(2, 3)), ""
            if old is not None:
                ref, kind, field, content = old[0], "", "", ""
            else:
                self.cases += 1
                ref = f"{self.prefix}{self.cases}"
                kind = rng.choices(TYPES, TYPE_WEIGHTS)[0]
                field = rng.choices(FIELDS, FIELD_WEIGHTS)[0]
                content = rng.choice(CONTENT[field])
                self.recent.append((ref, person, day))
            handling = rng.choices(HANDLINGS, HANDLING_WEIGHTS)[0]
            reception = "leader" if rng.random() < 0.05 else ""
            escalated = "yes" if rng.random() < 0.02 else ""
            note = "Công dân cung cấp thêm tài liệu" if rng.random() < 0.05 else ""
            yield _csv_line([name, number, address, phone, locality, str(size), reps, kind, field, content, at,
                             officer, ref, handling, reception, escalated, note])


def visit_lines(total: int, seed: int, first: date, last: date):  # type: ignore[no-untyped-def]
    """The CSV header and one line per visit, in time order. The fixed period gets exactly
    FIXED_VISITS visits from a stream of its own (the same in every register of this seed)."""
    months = {(a.year, a.month): (morning, afternoon) for a, _, morning, afternoon in roster_months(first, last)}
    fixed = {d for d in fixed_days() if first <= d <= last}
    fixed_total = FIXED_VISITS if fixed and total >= 4 * FIXED_VISITS else 0
    spread = [(d, n) for d, n in day_counts(total - fixed_total, first, last) if d not in fixed]
    spread_total = sum(n for _, n in spread)
    main_counts = dict(spread)
    if total - fixed_total - spread_total and spread:  # what day_counts gave the fixed days goes elsewhere
        extra = total - fixed_total - spread_total
        for k in range(extra):
            d = spread[(k * 7919) % len(spread)][0]
            main_counts[d] += 1
    fixed_counts = dict(day_counts(fixed_total, min(fixed), max(fixed))) if fixed_total else {}
    main, side = _Stream(seed, "c", 0), _Stream(seed * 1000 + 2023, "f", 90_000_000)
    yield ",".join(COLUMNS) + "\n"
    day = first
    while day <= last:
        morning, afternoon = months[(day.year, day.month)]
        if day in fixed:
            yield from side.day(day, fixed_counts.get(day, 0), morning, afternoon)
        else:
            yield from main.day(day, main_counts.get(day, 0), morning, afternoon)
        day += timedelta(days=1)


# --- set-based lifecycle, flags and referrals ------------------------------------------------

def lifecycle(session, settings, seed: int, last: date, actor: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Accept, resolve, close, guide and transfer a share of the cases; flag some complex; refer some.

    Writes the same rows as tct.cases.transition / flags.flag / cases.refer (status changes,
    the case's new status, dates, result and deadline, audit events), set-based."""

    from tct.cases import deadline_of

    rng = random.Random(seed * 7 + 3)
    conn = session.connection().connection.driver_connection
    agencies = settings["referral.agencies"]
    stamp = FIXED_NOW.isoformat(sep=" ").replace("+00:00", "")
    made = {"status_changes": 0, "complex": 0, "referrals": 0}
    after_id = 0
    while True:
        rows = conn.execute("SELECT id, code, type, opened_on FROM cases WHERE id > ? ORDER BY id LIMIT 20000",
                            (after_id,)).fetchall()
        if not rows:
            break
        after_id = rows[-1][0]
        updates, changes, audits, flags, referrals = [], [], [], [], []
        for case_id, code, kind, opened in rows:
            opened_on = date.fromisoformat(opened)
            age = (last - opened_on).days
            r = rng.random()
            steps: list[tuple[str, str, date]] = []  # (action, to_status, day)
            day = opened_on
            result = agency = None

            def step(action: str, status: str, low: int, high: int) -> None:
                nonlocal day
                day = min(day + timedelta(days=rng.randint(low, high)), last)
                steps.append((action, status, day))  # noqa: B023 (called within this iteration only)

            if age > 90:  # most old cases are settled; 1.5% stay open (the backlog)
                if r < 0.85:
                    step("accept", "accepted", 1, 9)
                    step("resolve", "resolved", 10, 40)
                    step("close", "closed", 1, 10)
                elif r < 0.92:
                    step("guide", "guided", 0, 5)
                elif r < 0.985:
                    step("transfer", "transferred", 1, 7)
                elif r < 0.995:
                    step("accept", "accepted", 1, 9)
            else:
                if r < 0.35:
                    step("accept", "accepted", 1, 9)
                elif r < 0.50:
                    step("accept", "accepted", 1, 5)
                    step("resolve", "resolved", 5, 30)
                elif r < 0.60:
                    step("guide", "guided", 0, 5)
            status, accepted_on, resolved_on, closed_on, within = "new", None, None, None, True
            complex_ = kind in ("complaint", "denunciation") and rng.random() < 0.03
            previous = "new"
            for action, target, when in steps:
                if action == "accept":
                    accepted_on = when
                elif action == "resolve":
                    result = rng.choice(["upheld", "partly-upheld", "rejected", "rejected", "withdrawn"])
                    resolved_on = when
                elif action == "close":
                    closed_on = when
                elif action == "transfer":
                    agency, within = rng.choice(agencies), False
                elif action == "guide":
                    within = False
                status = target
                at = f"{when.isoformat()} 02:00:00.000000"
                changes.append((case_id, when.isoformat(), at, previous, target,
                                result if action == "resolve" else None, agency if action == "transfer" else None,
                                None, actor))
                audits.append((at, actor, "case", code, action,
                               json.dumps({"before": {"status": previous}, "after": {"status": target}},
                                          ensure_ascii=False, sort_keys=True), None))
                previous = target
            if complex_:
                flags.append((case_id, "complex", "manual", "Vụ việc phức tạp, nhiều nội dung", stamp, actor))
                audits.append((stamp, actor, "case", code, "flag",
                               json.dumps({"before": {}, "after": {"flag": "complex", "source": "manual"}}),
                               "Vụ việc phức tạp, nhiều nội dung"))
            if rng.random() < 0.05:
                sent = min(opened_on + timedelta(days=rng.randint(2, 20)), last)
                to = rng.choice(agencies)
                referrals.append((case_id, to, sent.isoformat(), None, stamp, actor))
                audits.append((stamp, actor, "case", code, "refer",
                               json.dumps({"before": {}, "after": {"sent_on": sent.isoformat(), "to": to}},
                                          ensure_ascii=False, sort_keys=True), None))
            if steps or complex_:
                deadline = deadline_of(kind, status, opened_on, accepted_on, 0, settings, complex_=complex_,
                                       status_changed_on=steps[-1][2] if steps else None)
                updates.append((status, accepted_on and accepted_on.isoformat(),
                                resolved_on and resolved_on.isoformat(), closed_on and closed_on.isoformat(),
                                result, agency, within, deadline and deadline.isoformat(),
                                steps[-1][2].isoformat() if steps else None, case_id))
        conn.executemany("UPDATE cases SET status = ?, accepted_on = ?, resolved_on = ?, closed_on = ?, result = ?, "
                         "transferred_to = ?, within_authority = ?, deadline = ?, status_changed_on = ? WHERE id = ?",
                         updates)
        conn.executemany("INSERT INTO case_status_change (case_id, changed_on, at, from_status, to_status, result, "
                         "agency, note, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", changes)
        conn.executemany("INSERT INTO case_flag (case_id, kind, source, reason, set_at, set_by) "
                         "VALUES (?, ?, ?, ?, ?, ?)", flags)
        conn.executemany("INSERT INTO referral (case_id, to_agency, sent_on, note, at, actor) "
                         "VALUES (?, ?, ?, ?, ?, ?)", referrals)
        conn.executemany("INSERT INTO audit_event (at, actor, entity, code, action, changes, reason) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)", audits)
        made["status_changes"] += len(changes)
        made["complex"] += len(flags)
        made["referrals"] += len(referrals)
    return made


# --- main ---------------------------------------------------------------------------------------

def seed(total: int, location: str, seed_value: int = 1, first: date = date(2020, 1, 1),
         last: date = date(2024, 12, 31), log=print) -> dict[str, float]:  # type: ignore[no-untyped-def]
    _pin_clock()
    from tct import bulk, officers, rosters, settings
    from tct.db import open_database, write_session

    actor = "seed"
    started = time.monotonic()
    db = open_database(location)
    try:
        with write_session(db) as session:
            if session.connection().exec_driver_sql("SELECT count(*) FROM visit").scalar():
                raise SystemExit(f"{location} already holds visits; seed an empty register")
            for name in OFFICERS:
                officers.add(session, name, title="Chuyên viên", unit="Ban Tiếp công dân", actor=actor)
            for month_start, month_end, morning, afternoon in roster_months(first, last):
                for name in morning:
                    rosters.add(session, name, start=month_start, end=month_end, shift="morning", role="main",
                                actor=actor)
                for name in afternoon:
                    rosters.add(session, name, start=month_start, end=month_end, shift="afternoon", role="main",
                                actor=actor)
        roster_done = time.monotonic()
        log(f"officers and roster: {roster_done - started:.1f} s")
        with write_session(db) as session:
            current = settings.load(session)

            def progress(rows: int) -> None:
                if rows % 100_000 == 0:
                    log(f"  {rows} rows, {rows / (time.monotonic() - roster_done):.0f} rows/s")

            summary = bulk.load(session, visit_lines(total, seed_value, first, last), settings=current, actor=actor,
                                source=f"seed-{seed_value}.csv", progress=progress)
        loaded = time.monotonic()
        log(f"bulk.load: {summary.rows} visits, {summary.new_cases} cases in {loaded - roster_done:.1f} s "
            f"({summary.rows / (loaded - roster_done):.0f} rows/s)")
        with write_session(db) as session:
            made = lifecycle(session, settings.load(session), seed_value, last, actor)
        finished = time.monotonic()
        log(f"lifecycle: {made} in {finished - loaded:.1f} s")
    finally:
        db.dispose()
    if db.path is not None:
        import sqlite3

        con = sqlite3.connect(db.path)
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            con.close()
    total_s = time.monotonic() - started
    log(f"seeded {total} visits in {total_s:.1f} s")
    return {"seconds": total_s, "load_seconds": loaded - roster_done, "rows": summary.rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, required=True)
    parser.add_argument("--db", required=True, help="file path or SQLAlchemy URL of an empty register")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=int, default=2020, help="first year")
    parser.add_argument("--end", type=int, default=2024, help="last year")
    args = parser.parse_args(argv)
    seed(args.visits, args.db, args.seed, date(args.start, 1, 1), date(args.end, 12, 31),
         log=lambda line: print(line, file=sys.stderr, flush=True))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
