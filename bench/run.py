#!/usr/bin/env python3
"""Time whole processes of the installed `tct` against their floors and print the table of issue 9.

    bench/run.py [--sizes 10000,100000,1000000] [--runs 5] [--seed 1] [--work DIR] [--tct PATH]
                 [--import-rows 100000]

For each size it seeds a register with bench/seed.py (or reuses the one cached in the work
folder, keyed by size, seed and the hash of seed.py), copies it, and runs each command and its
floor alternately, `--runs` times each, as separate processes. A row gives the median wall time
and its min–max, the median CPU time (user + system: what the process itself cost, whatever else
the machine was doing), the peak memory (maximum resident set, from wait4's rusage), the floor's
median, the ratio, the target and whether it is met. Throughput rows (import, export, backup)
give rows/s or MB/s from the median wall time.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
TCT = ROOT / ".venv" / "bin" / "tct"
SQLITE = shutil.which("sqlite3")
IMPORT_ROWS = 100_000  # enough that the ~0.4 s start-up does not decide the rate
SEARCH = "nguyen van"
REPORT_PERIOD = "tet-2021"   # grows with the register
FIXED_PERIOD = "tet-2023"    # holds the same visits in every register (bench/seed.py FIXED_PERIOD)
ALERTS_ON = "2024-12-31"     # the register's last day


@dataclass
class Sample:
    wall: float
    cpu: float
    rss_mb: float
    code: int
    out_bytes: int = 0


@dataclass
class Series:
    samples: list[Sample] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def rss(self) -> float:
        return max(s.rss_mb for s in self.samples)

    @property
    def failed(self) -> int | None:
        """The exit code of a failed run (-9: killed at the time limit), None when all succeeded."""
        return next((s.code for s in self.samples if s.code != 0), None)

    def span(self) -> str:
        walls = [s.wall for s in self.samples]
        return f"{min(walls):.3f}–{max(walls):.3f}"


TIME_LIMIT_S = 600.0      # a command still running after this is killed and reported as such
MEMORY_LIMIT = 3 * 1024**3  # address space of a command: a runaway one fails instead of swapping the machine


def _limits() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_once(argv: list[str], env: dict[str, str], *, stdout: Path | None = None, cwd: Path | None = None) -> Sample:
    """One process, timed from spawn to exit, with its own rusage (wait4). A failure (non-zero
    exit, killed at the time limit) is kept as a sample with its code (-9: killed)."""
    import threading

    out = open(stdout, "wb") if stdout else subprocess.DEVNULL  # noqa: SIM115
    try:
        started = time.perf_counter()
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                   cwd=cwd, preexec_fn=_limits)
        timer = threading.Timer(TIME_LIMIT_S, process.kill)
        timer.start()
        stderr = process.stderr.read() if process.stderr else b""
        _, status, usage = os.wait4(process.pid, 0)  # stderr closed: the process has ended or is ending
        timer.cancel()
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if stdout:
            out.close()  # type: ignore[union-attr]
    if process.returncode != 0:
        print(f"{' '.join(argv)[:200]} failed (exit {process.returncode}): "
              f"{stderr.decode(errors='replace').strip()[-300:]}", file=sys.stderr, flush=True)
    size = stdout.stat().st_size if stdout and stdout.exists() else 0
    return Sample(wall=wall, cpu=usage.ru_utime + usage.ru_stime, rss_mb=usage.ru_maxrss / 1024,
                  code=process.returncode, out_bytes=size)


# --- the registers -----------------------------------------------------------------------------

def seeded(work: Path, size: int, seed: int) -> Path:
    digest = hashlib.sha256((HERE / "seed.py").read_bytes()).hexdigest()[:8]
    path = work / f"seed-{size}-s{seed}-{digest}.db"
    if path.exists():
        return path
    partial = path.with_name(path.name + ".tmp")
    for extra in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        extra.unlink(missing_ok=True)
    print(f"seeding {size} visits into {path} …", file=sys.stderr, flush=True)
    started = time.perf_counter()
    subprocess.run([str(PYTHON), str(HERE / "seed.py"), "--visits", str(size), "--db", str(partial),
                    "--seed", str(seed)], check=True)
    print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    partial.rename(path)
    return path


def fresh_copy(source: Path, target: Path) -> Path:
    for extra in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        extra.unlink(missing_ok=True)
    shutil.copyfile(source, target)
    os.chmod(target, 0o600)
    return target


def import_file(work: Path, rows: int, seed: int) -> Path:
    """A visits CSV of `rows` rows in December 2024 (after the register's other visits)."""
    path = work / f"import-{rows}-s{seed}.csv"
    if path.exists():
        return path
    sys.path.insert(0, str(HERE))
    from datetime import date

    import seed as seeding  # noqa: PLC0415

    lines = seeding.visit_lines(rows, seed + 1, date(2024, 12, 1), date(2024, 12, 31))
    partial = path.with_name(path.name + ".tmp")
    with partial.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(line)
    partial.rename(path)
    return path


# --- one size ----------------------------------------------------------------------------------

@dataclass
class Row:
    name: str
    series: Series
    floor_name: str
    floor: Series | None
    target: str
    value: str
    ratio: float | None
    met: bool | None


def register_copy(size: int, args: argparse.Namespace, work: Path) -> tuple[Path, Path, dict[str, str]]:
    """A scratch folder holding a copy of the seeded register of `size` visits, at this tct's
    schema, and the environment that points `tct` at it."""
    source = seeded(work, size, args.seed)
    folder = Path(tempfile.mkdtemp(prefix=f"run-{size}-", dir=work))
    db = fresh_copy(source, folder / "tct.db")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TCT_", "_TCT_"))}
    env.update({"TCT_DB": str(db), "TCT_LANG": "en", "NO_COLOR": "1", "TCT_OFFICER": "Trần Thị Bình"})
    tct = [str(args.tct)]
    info = subprocess.run(tct + ["db", "info", "-f", "json"], env=env, capture_output=True, text=True, check=True)
    import json

    schema = json.loads(info.stdout)
    if schema["schema"] != schema["schema_head"]:  # a register seeded by an older tct: upgrade the copy
        started = time.perf_counter()
        subprocess.run(tct + ["db", "upgrade"], env=env, check=True, capture_output=True)
        print(f"upgraded the copy from schema {schema['schema']} in {time.perf_counter() - started:.1f} s",
              file=sys.stderr, flush=True)
        for old in folder.glob("*pre-upgrade*"):
            old.unlink()
    return folder, db, env


def measure(size: int, args: argparse.Namespace, work: Path) -> tuple[list[Row], dict[str, Series], str]:
    folder, db, env = register_copy(size, args, work)
    tct, py = [str(args.tct)], [str(PYTHON)]
    runs = args.runs
    series: dict[str, Series] = {}

    def alternate(pairs: list[tuple[str, list[str], dict[str, str], Path | None]]) -> None:
        for _ in range(runs):
            for key, argv, extra_env, stdout in pairs:
                if key in series and series[key].failed is not None:
                    continue  # once failed (or killed), not run again
                series.setdefault(key, Series()).samples.append(run_once(argv, {**env, **extra_env}, stdout=stdout))

    # start-up: --help, Tab completion, and their floors
    complete = {"_TCT_COMPLETE": "complete_bash", "COMP_WORDS": "tct vi", "COMP_CWORD": "1"}
    alternate([("python -c pass", py + ["-c", "pass"], {}, None),
               ("import typer", py + ["-c", "import typer"], {}, None),
               ("tct --help", tct + ["--help"], {}, None),
               ("completion", tct, complete, None),
               ("import typer, sqlmodel", py + ["-c", "import typer, sqlmodel"], {}, None),
               # tct ends its process with os._exit once its work is flushed (no interpreter teardown);
               # the same floors ending that way show what tct's own work costs
               ("import typer; os._exit", py + ["-c", "import typer, os; os._exit(0)"], {}, None),
               ("import typer, sqlmodel; os._exit", py + ["-c", "import typer, sqlmodel, os; os._exit(0)"], {},
                None)])

    # the desk: visit add with every option, against the import floor and sqlite3 inserting a row
    counter = iter(range(10**6))

    def visit_add() -> list[str]:
        n = next(counter)
        return tct + ["visit", "add", "--citizen", "Nguyễn Văn Đức", "--id-number", f"0910780{n:05d}",
                      "--address", "Số 12 Ấp Bắc, Vĩnh Hòa Hiệp", "--phone", "0912345678",
                      "--locality", "Vĩnh Hòa Hiệp, Châu Thành", "--people", "7",
                      "--representatives", "Nguyễn Văn Đức; Lê Thị Mai", "--type", "khiếu-nại",
                      "--field", "telecom-it", "--content", "Phản đối lắp trạm BTS", "--at", "20/12/2024 09:00",
                      "--officer", "tran thi binh", "--handling", "accepted", "--kind", "regular", "--escalated",
                      "--note", "bench", "--yes"]

    sql_insert = ("BEGIN IMMEDIATE; INSERT INTO audit_event (at, actor, entity, code, action) "
                  "VALUES (CURRENT_TIMESTAMP, 'bench', 'bench', NULL, 'bench'); COMMIT;")
    for _ in range(runs):
        for key, argv in (("import typer, sqlmodel", py + ["-c", "import typer, sqlmodel"]),
                          ("import typer, sqlmodel; os._exit", py + ["-c", "import typer, sqlmodel, os; os._exit(0)"]),
                          ("tct visit add", visit_add()),
                          ("sqlite3 insert", [SQLITE, str(db), sql_insert])):
            series.setdefault(key, Series()).samples.append(run_once(argv, env))

    # the inspector and the desk at scale: search, report, alerts, against sqlite3 doing the query
    sql_search = ("SELECT v.code FROM visit v JOIN cases c ON c.id = v.case_id JOIN citizen z ON z.id = v.citizen_id "
                  f"WHERE v.void = 0 AND v.search_folded LIKE '%{SEARCH}%' ORDER BY v.visited_at DESC, v.id DESC "
                  "LIMIT 100;")
    sql_report = ("SELECT type, field, count(*), count(DISTINCT case_id) FROM visit WHERE void = 0 AND "
                  "visit_date BETWEEN '{start}' AND '{end}' GROUP BY type, field;")
    periods = {}
    for name in (REPORT_PERIOD, FIXED_PERIOD):
        out = subprocess.run(tct + ["period", "show", name, "-f", "json"], env=env, capture_output=True, text=True,
                             check=True)
        import json

        data = json.loads(out.stdout)
        periods[name] = (data["start"], data["end"])
    sql_citizens = (f"SELECT id FROM citizen WHERE name_folded LIKE '%{SEARCH}%' OR address_folded LIKE '%{SEARCH}%' "
                    "ORDER BY name_folded, id LIMIT 100;")
    alternate([("tct visit list --search", tct + ["visit", "list", "--search", SEARCH], {}, None),
               ("sqlite3 search", [SQLITE, str(db), sql_search], {}, None),
               # the desk looking up a returning citizen (not a target of the issue: beside the visits' search)
               ("tct citizen list --search", tct + ["citizen", "list", "--search", SEARCH], {}, None),
               ("sqlite3 citizen search", [SQLITE, str(db), sql_citizens], {}, None),
               (f"tct report {REPORT_PERIOD}", tct + ["report", REPORT_PERIOD, "--format", "json"], {}, None),
               (f"sqlite3 {REPORT_PERIOD}", [SQLITE, str(db), sql_report.format(
                   start=periods[REPORT_PERIOD][0], end=periods[REPORT_PERIOD][1])], {}, None),
               (f"tct report {FIXED_PERIOD}", tct + ["report", FIXED_PERIOD, "--format", "json"], {}, None),
               (f"sqlite3 {FIXED_PERIOD}", [SQLITE, str(db), sql_report.format(
                   start=periods[FIXED_PERIOD][0], end=periods[FIXED_PERIOD][1])], {}, None),
               ("tct alerts", tct + ["alerts", "--on", ALERTS_ON], {}, None),
               ("sqlite3 alerts", [SQLITE, str(db), "SELECT count(*) FROM cases WHERE status IN ('new','accepted') "
                                   f"AND deadline <= date('{ALERTS_ON}', '+3 days');"], {}, None)])

    # the administrator: backup and export, against sqlite3's .backup and .dump
    backups = folder / "backups"
    dump = folder / "dump.sql"
    exported = folder / "export.json"
    for k in range(runs):
        for key, argv, stdout in (
                ("tct backup", tct + ["backup", "--to", str(backups / f"b{k}.db")], None),
                ("sqlite3 .backup", [SQLITE, str(db), f".backup '{backups}/s{k}.db'"], None),
                ("tct export", tct + ["export", "--output", str(exported)], None),
                # the same export with identities kept: how much of the time withholding takes
                ("tct export --reveal", tct + ["export", "--reveal", "--output", str(exported)], None),
                ("sqlite3 .dump", [SQLITE, str(db), ".dump"], dump)):
            if key in series and series[key].failed is not None:
                continue
            if key == "sqlite3 .backup":
                backups.mkdir(mode=0o700, exist_ok=True)
            exported.unlink(missing_ok=True)
            sample = run_once(argv, env, stdout=stdout)
            if key.startswith("tct export") and exported.exists():
                sample.out_bytes = exported.stat().st_size
            series.setdefault(key, Series()).samples.append(sample)
            for old in backups.glob("*.db"):
                old.unlink()
    db_bytes = db.stat().st_size

    # bulk import of a file of visits (into the register, which grows by them each run): another
    # file each run, as an office imports new visits (the same file again would be warned of row by
    # row as already in the register, which is not the import's usual work)
    for k in range(runs):
        csv_path = import_file(work, args.import_rows, args.seed + k)
        for key, argv in (("tct import --visits", tct + ["import", "--visits", str(csv_path)]),
                          ("sqlite3 .import", [SQLITE, ":memory:", f".import --csv '{csv_path}' t"])):
            if key in series and series[key].failed is not None:
                continue
            series.setdefault(key, Series()).samples.append(run_once(argv, env))

    phases = import_phases(db, env, import_file(work, args.import_rows, args.seed + runs), series)
    rows = table(series, db_bytes, args.import_rows)
    shutil.rmtree(folder, ignore_errors=True)
    return rows, series, phases


# The import's two sides timed in turn in one process (tct import --visits runs them at once, in two
# processes): the reader's checks of every row into batches, then the writer's INSERTs of those
# batches (less the automatic flags of the cases touched, timed apart), then the commit.
_IMPORT_PHASES = """
import os, sys, time
from pathlib import Path
from tct import bulk, flags, settings
from tct.db import open_database, read_session, write_session
database = open_database(sys.argv[1])
path = Path(sys.argv[2])
spent = [0.0]
refresh = flags.refresh_many
def timed(*args, **kwargs):
    started = time.perf_counter()
    try:
        return refresh(*args, **kwargs)
    finally:
        spent[0] += time.perf_counter() - started
flags.refresh_many = timed
with read_session(database) as session, path.open(encoding="utf-8-sig", newline="") as lines:
    started = time.perf_counter()
    reader = bulk.Reader(session, settings.load(session), officer_fallback=os.environ.get("TCT_OFFICER"))
    with bulk._few_collections():
        items = list(reader.batches(lines))
    read = time.perf_counter() - started
started = time.perf_counter()
with write_session(database) as session:
    bulk.load(session, [], settings=settings.load(session), actor="bench", source=path.name, batches=iter(items))
    written = time.perf_counter()
committed = time.perf_counter()
database.dispose()
print(read, written - started - spent[0], spent[0], committed - written)
"""


def import_phases(db: Path, env: dict[str, str], csv_path: Path, series: dict[str, Series]) -> str:
    """Where the import's time goes at this size: its two sides in turn, on another file."""
    done = subprocess.run([str(PYTHON), "-c", _IMPORT_PHASES, str(db), str(csv_path)], env=env, capture_output=True,
                          text=True)
    if done.returncode != 0:
        return f"the import's phases: failed ({done.stderr.strip().splitlines()[-1:]})"
    read, write, refresh, commit = (float(value) for value in done.stdout.split())
    whole = series["tct import --visits"]
    timed = f"; the import itself ran both at once in {whole.wall:.2f} s (median)" if whole.failed is None else ""
    return (f"the import's phases in one process, in turn ({csv_path.name}): reading and checking the rows "
            f"{read:.2f} s, writing them {write:.2f} s, the automatic flags {refresh:.2f} s, the commit "
            f"{commit:.2f} s{timed}")


def table(s: dict[str, Series], db_bytes: int, import_rows: int) -> list[Row]:
    rows: list[Row] = []

    def relative(name: str, floor: str, limit: float, label: str | None = None) -> None:
        ratio = s[name].wall / s[floor].wall
        rows.append(Row(label or name, s[name], floor, s[floor], f"≤ {limit}× floor", f"{s[name].wall:.3f} s", ratio,
                        ratio <= limit))

    def absolute(name: str, floor: str, limit: float) -> None:
        rows.append(Row(name, s[name], floor, s[floor], f"≤ {limit} s", f"{s[name].wall:.3f} s",
                        s[name].wall / s[floor].wall, s[name].wall <= limit))

    def rate(name: str, floor: str, amount: float, unit: str, limit: float, floor_amount: float | None = None
             ) -> None:
        value = amount / s[name].wall
        if value <= 0:  # the command failed or wrote nothing (e.g. killed at the memory cap)
            rows.append(Row(name, s[name], floor, s[floor], f"≥ {limit:,.0f} {unit}", "failed", None, False))
            return
        floor_value = (floor_amount if floor_amount is not None else amount) / s[floor].wall
        rows.append(Row(name, s[name], floor, s[floor], f"≥ {limit:,.0f} {unit}", f"{value:,.0f} {unit}",
                        floor_value / value, value >= limit))

    rows.append(Row("python -c pass", s["python -c pass"], "", None, "", f"{s['python -c pass'].wall:.3f} s", None,
                    None))
    relative("tct --help", "import typer", 1.6)
    relative("completion", "import typer", 1.6)
    relative("tct visit add", "import typer, sqlmodel", 1.3)
    relative("tct --help", "import typer; os._exit", 1.6, "tct --help (floor ending as tct does)")
    relative("completion", "import typer; os._exit", 1.6, "completion (floor ending as tct does)")
    relative("tct visit add", "import typer, sqlmodel; os._exit", 1.3, "tct visit add (floor ending as tct does)")
    rows.append(Row("sqlite3 insert", s["sqlite3 insert"], "", None, "", f"{s['sqlite3 insert'].wall:.3f} s", None,
                    None))
    absolute("tct visit list --search", "sqlite3 search", 1.5)
    absolute("tct citizen list --search", "sqlite3 citizen search", 1.5)
    absolute(f"tct report {REPORT_PERIOD}", f"sqlite3 {REPORT_PERIOD}", 1.5)
    absolute(f"tct report {FIXED_PERIOD}", f"sqlite3 {FIXED_PERIOD}", 1.5)
    absolute("tct alerts", "sqlite3 alerts", 1.5)
    mb = 1024 * 1024
    rate("tct backup", "sqlite3 .backup", db_bytes / mb, "MB/s", 50)
    export_bytes = statistics.median(x.out_bytes for x in s["tct export"].samples)
    dump_bytes = statistics.median(x.out_bytes for x in s["sqlite3 .dump"].samples)
    rate("tct export", "sqlite3 .dump", export_bytes / mb, "MB/s", 50, dump_bytes / mb)
    revealed_bytes = statistics.median(x.out_bytes for x in s["tct export --reveal"].samples)
    rate("tct export --reveal", "sqlite3 .dump", revealed_bytes / mb, "MB/s", 50, dump_bytes / mb)
    rate("tct import --visits", "sqlite3 .import", import_rows, "rows/s", 20_000)
    return rows


def render(size: int, rows: list[Row], runs: int) -> str:
    lines = [f"### {size:,} visits ({runs} runs each, alternating with the floors)", "",
             "| command | result (median) | wall min–max s | CPU s | peak MB | floor | floor median s "
             "| ÷ floor | target | met |",
             "|---|---:|---:|---:|---:|---|---:|---:|---|---|"]
    for row in rows:
        floor_wall = f"{row.floor.wall:.3f}" if row.floor else ""
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else ""
        met = "" if row.met is None else ("yes" if row.met else "**no**")
        if row.series.failed is not None:
            why = (f"killed after {TIME_LIMIT_S:.0f} s" if row.series.failed == -9
                   else f"failed (exit {row.series.failed}, {MEMORY_LIMIT // 1024**3} GB address-space limit)")
            row.value, ratio, met = why, "", "**no**"
        lines.append(f"| {row.name} | {row.value} | {row.series.span()} | {row.series.cpu:.3f} | "
                     f"{row.series.rss:.0f} | {row.floor_name} | {floor_wall} | {ratio} | {row.target} | {met} |")
    peak = [r for r in rows if r.name.startswith(("tct visit list", "tct report", "tct import", "tct export"))]
    worst = max(peak, key=lambda r: r.series.rss)
    lines.append(f"| peak memory (report, search, import, export) | {worst.series.rss:.0f} MB ({worst.name}) | | | | "
                 f"| | | ≤ 250 MB | {'yes' if worst.series.rss <= 250 else '**no**'} |")
    return "\n".join(lines)


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    version = subprocess.run([str(PYTHON), "-c", "import sqlite3, sys; print(sys.version.split()[0], "
                              "sqlite3.sqlite_version)"], capture_output=True, text=True).stdout.split()
    shell = subprocess.run([SQLITE, "--version"], capture_output=True, text=True).stdout.split()[0]
    load = os.getloadavg()
    return (f"{os.cpu_count()} CPUs (nproc), {cpu}, {platform.system()} {platform.release()}; Python {version[0]}, "
            f"SQLite {version[1]} (sqlite3 shell {shell}); load average at the end {load[0]:.1f} {load[1]:.1f} "
            f"{load[2]:.1f} (other work shares the machine: compare the CPU column too)")


def same_period_ratio(small: int, large: int, args: argparse.Namespace) -> str:
    """The report of the fixed period on the smallest and the largest register, run alternately
    (twice `--runs` times each): both sizes meet the same state of the machine, which the tables,
    measured minutes apart, do not."""
    copies = {size: register_copy(size, args, args.work) for size in (small, large)}
    walls: dict[int, Series] = {small: Series(), large: Series()}
    argv = [str(args.tct), "report", FIXED_PERIOD, "--format", "json"]
    try:
        for _ in range(2 * args.runs):
            for size, (_, _, env) in copies.items():
                walls[size].samples.append(run_once(argv, env))
        share = ("" if any(walls[size].failed is not None for size in walls) else  # (while the copies exist)
                 backlog_share({size: db for size, (_, db, _) in copies.items()}, walls, args.runs))
    finally:
        for folder, _, _ in copies.values():
            shutil.rmtree(folder, ignore_errors=True)
    failed = [size for size in (small, large) if walls[size].failed is not None]
    if failed:
        return (f"report {FIXED_PERIOD}, the two registers alternately: failed at {failed[0]:,} visits "
                f"(exit {walls[failed[0]].failed}); no ratio")
    ratio = walls[large].wall / walls[small].wall
    verdict = "met" if ratio <= 1.3 else "missed"
    return (f"report {FIXED_PERIOD}, the two registers alternately ({2 * args.runs} runs each): "
            f"{walls[large].wall:.3f} s ({walls[large].span()}) at {large:,} visits, {walls[small].wall:.3f} s "
            f"({walls[small].span()}) at {small:,}: {ratio:.2f}× (target ≤ 1.3×: {verdict})\n{share}")


# The report's data (report.build) and section 5 alone (report._backlog), timed in turn in one
# process, `runs` times each after one warm-up of both.
_BACKLOG_TIMING = """
import statistics, sys, time
from pathlib import Path
from tct import periods, report, settings
from tct.db import plain_reading
with plain_reading(Path(sys.argv[1])) as db:
    current = settings.load(db)
    period = periods.resolve(db, sys.argv[2])
    cases = len(report.build(db, period, current)["backlog"])
    report._backlog(db, period.end, current)
    whole, backlog = [], []
    for _ in range(int(sys.argv[3])):
        started = time.perf_counter()
        report.build(db, period, current)
        middle = time.perf_counter()
        report._backlog(db, period.end, current)
        whole.append(middle - started)
        backlog.append(time.perf_counter() - middle)
print(cases, statistics.median(whole), statistics.median(backlog))
"""


def backlog_share(dbs: dict[int, Path], walls: dict[int, Series], runs: int) -> str:
    """What section 5 (the backlog: every case of the register open and overdue on the period's
    last day, as issue 6 asks) costs of the fixed period's report at each size, and the ratio of the
    rest: the one section whose work follows the register's open caseload, not the period's visits."""
    own: dict[int, tuple[int, float, float]] = {}
    for size, db in dbs.items():
        done = subprocess.run([str(PYTHON), "-c", _BACKLOG_TIMING, str(db), FIXED_PERIOD, str(2 * runs)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            return f"section 5 on its own: failed at {size:,} visits ({done.stderr.strip().splitlines()[-1:]})"
        cases, whole, backlog = done.stdout.split()
        own[size] = int(cases), float(whole), float(backlog)
    small, large = min(dbs), max(dbs)
    rest = {size: walls[size].wall - own[size][2] for size in dbs}
    return (f"the report's data in one process ({2 * runs} runs each, median): {own[large][1] * 1000:.0f} ms at "
            f"{large:,} visits, {own[small][1] * 1000:.0f} ms at {small:,}, of which section 5 (the backlog of the "
            f"period's last day) {own[large][2] * 1000:.0f} ms for {own[large][0]:,} cases and "
            f"{own[small][2] * 1000:.0f} ms for {own[small][0]:,} cases, the rest "
            f"{(own[large][1] - own[large][2]) * 1000:.0f} ms and {(own[small][1] - own[small][2]) * 1000:.0f} ms; "
            f"the report's median less section 5: {rest[large]:.3f} s and {rest[small]:.3f} s, "
            f"{rest[large] / rest[small]:.2f}×")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "tct-bench",
                        help="folder for seeded registers (cached) and scratch copies")
    parser.add_argument("--tct", type=Path, default=TCT)
    parser.add_argument("--import-rows", type=int, default=IMPORT_ROWS, help="rows of the visits CSV imported")
    args = parser.parse_args(argv)
    if SQLITE is None:
        raise SystemExit("the sqlite3 command-line shell is needed for the floors (apt-get install sqlite3)")
    args.work.mkdir(parents=True, exist_ok=True)
    # An editable install (make's .venv) leaves tct's bytecode to be written on first run, which
    # PYTHONDONTWRITEBYTECODE prevents; a regular `pip install` compiles it. Compile it as pip would,
    # so every run starts like an installed tct.
    subprocess.run([str(PYTHON), "-m", "compileall", "-q", str(ROOT / "src" / "tct")], check=True,
                   stdout=subprocess.DEVNULL)
    sizes = [int(x) for x in args.sizes.split(",")]
    print(f"bench/run.py --sizes {args.sizes} --runs {args.runs} --seed {args.seed}\n")
    fixed: dict[int, float] = {}
    for size in sizes:
        rows, series, phases = measure(size, args, args.work)
        print(render(size, rows, args.runs) + "\n", flush=True)
        print(phases + "\n", flush=True)
        fixed[size] = series[f"tct report {FIXED_PERIOD}"].wall
    if len(fixed) > 1:
        small, large = min(fixed), max(fixed)
        print(f"report {FIXED_PERIOD} (the same visits in every register), in the tables above (measured minutes "
              f"apart): {fixed[large]:.3f} s at {large:,} visits, {fixed[small]:.3f} s at {small:,}: "
              f"{fixed[large] / fixed[small]:.2f}×")
        print(same_period_ratio(small, large, args))
    print(f"\nmachine: {machine()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
