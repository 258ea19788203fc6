"""Backups and restores of the register: a legal record that must survive a lost disk or a bad night.

Backup (SQLite): a consistent snapshot through SQLite's online backup API while other desks go
on writing — never a plain copy of a live file. The source is read inside one read transaction,
so the copy and the row counts it is checked against come from the same instant. The copy is
written under a hidden temporary name in the destination folder, checked (`PRAGMA
integrity_check`, the same row counts), made durable (fsync) and only then given its backup
name, by a link that never replaces an existing file. Any failure removes the temporary file:
no file ever carries a backup name unless it is a complete, healthy copy.

Where the time goes, and why each step is the cheap way to keep its promise: the copy is written
with `synchronous=OFF` (SQLite's own syncs of a file nobody can see yet are wasted: the one fsync
before the name is what makes it durable); the full `integrity_check` is kept rather than
`quick_check`, because quick_check skips the index-versus-table comparison and a copy that passed
it could still be refused by `tct restore` (whose check is the full one) — a backup that cannot be
restored is worse than a slow one; the sha256 of the summary is computed on another core while
SQLite checks the same bytes, and the copy's fsync follows it there (or, with gzip, the sha256 of
the compressed bytes as they are written); row
counts are `count(*)`, which SQLite answers from the smallest index. For a register already at
this tct's schema the command path never imports SQLAlchemy (see `tct.db.sqlite_register`).

Backup names are `tct-YYYYMMDD-HHMMSS.db` (`.db.gz` with gzip, `.dump` for PostgreSQL), in the
machine's local time, with `-2`, `-3`… when two backups start in the same second. Rotation
(`keep`) only ever considers files named that way; pre-upgrade and pre-restore copies and any
other file in the folder are never deleted.

PostgreSQL: `pg_dump --format=custom`, run on a snapshot exported from the transaction that
counts the rows, so the summary matches the dump exactly.

Restore (SQLite): the file (plain or gzip) is copied to a private scratch file beside the
register, checked there (integrity, foreign keys, a tct schema this version can read), upgraded
there if older, and given the `restore` audit event there; the user's file is only ever read.
The current register is backed up first (`tct-pre-restore-YYYYMMDD-HHMMSS.db` in the backups
folder, never rotated), then the scratch copy replaces it through the backup API into the live
file: one write transaction, so other readers see the old register or the new one, never a mix.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tct.db import TABLE_NAMES
from tct.errors import DatabaseError, TctError, UsageError

if TYPE_CHECKING:
    from tct.db import Database

Progress = Callable[[int, int], None]
"""Called with (done, total) as a long copy advances; the CLI draws a bar with it at a terminal."""

BACKUP_NAME = re.compile(r"^tct-(\d{8})-(\d{6})(?:-(\d+))?\.(?:db|db\.gz|dump)$")
BACKUP_FOLDER = "backups"
_FILE_SUFFIXES = (".db", ".gz", ".sqlite", ".sqlite3", ".dump", ".bak")
_GZIP_MAGIC = b"\x1f\x8b"
_PAGES_PER_STEP = 1024
_BLOCK = 1024 * 1024
# gzip's own default: about three times faster than level 9 on a register, for a file ~3% larger.
_GZIP_LEVEL = 6


class BackupFailed(TctError):
    """A backup or restore could not be completed; nothing was left under a backup name."""


@dataclass
class BackupResult:
    path: Path
    bytes: int
    sha256: str
    counts: dict[str, int]
    seconds: float
    removed: list[Path] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The documented JSON summary of `tct backup --format json`."""
        return {"path": str(self.path), "bytes": self.bytes, "sha256": self.sha256, "counts": self.counts,
                "seconds": round(self.seconds, 3)}


# --- backup -----------------------------------------------------------------------------------

def default_folder(db: Database | Path) -> Path:
    """`backups/` beside the database file."""
    path = db if isinstance(db, Path) else db.path
    if path is None:
        raise UsageError.said_as("err_pg_no_folder")
    return path.parent / BACKUP_FOLDER


def backup(db: Database | Path, to: Path | None = None, *, keep: int | None = None, compress: bool = False,
           progress: Progress | None = None) -> BackupResult:
    """Take a verified backup of the register (an opened database, or the file `tct.db.sqlite_register`
    found); with `keep`, then delete all but the newest `keep` tct backups of that folder.

    `to` is a folder when it exists as one, ends with a separator, or has no file suffix (.db,
    .gz, .sqlite, .sqlite3, .dump, .bak); otherwise it is the file to create (never replaced).
    """
    if keep is not None and keep < 1:
        raise UsageError.said_as("err_keep_at_least_one")
    started = time.monotonic()
    folder, target = _destination(db, to, compress)
    source = db if isinstance(db, Path) else db.path if db.is_sqlite else None
    if target is not None and source is not None:
        # An SQLite backup's name and bytes agree (restore reads either, a person the name); a
        # pg_dump file is pg_dump's own format, whatever it is called.
        if target.suffix.lower() == ".gz":
            compress = True
        elif compress:
            raise UsageError.said_as("err_gzip_name", path=target)
    if source is not None:
        made = _sqlite_backup(source, folder, target, compress=compress, progress=progress)
        path, counts, size, digest = made.path, made.counts, made.bytes, made.sha256
    else:
        assert not isinstance(db, Path)
        if compress:
            raise UsageError.said_as("err_gzip_postgres")
        path, counts = _pg_backup(db, folder, target)
        size, digest = size_and_digest(path)
    write_checksum(path, digest)
    removed = rotate(folder, keep, made=path, register=source) if keep is not None else []
    return BackupResult(path=path, bytes=size, sha256=digest, counts=counts, seconds=time.monotonic() - started,
                        removed=removed)


CHECKSUM_SUFFIX = ".sha256"


def checksum_file(backup_file: Path) -> Path:
    """Where a backup's sha256 is kept: beside it, in the form `sha256sum -c` reads."""
    return backup_file.with_name(backup_file.name + CHECKSUM_SUFFIX)


def write_checksum(path: Path, digest: str, *, failed: str = "none_made") -> None:
    """The backup's sha256 beside it (0600), so `tct restore` (or `sha256sum -c`) can tell later
    that the file is still the one that was verified: SQLite's own checks do not see a changed byte
    inside a row. Without it the backup does not count: it is removed and the command fails."""
    temporary = None
    try:
        temporary = _temporary(path.parent, CHECKSUM_SUFFIX)
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write(f"{digest}  {path.name}\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, checksum_file(path))
        _fsync_folder(path.parent)
    except (OSError, BackupFailed) as exc:
        _remove_quietly(temporary)
        path.unlink(missing_ok=True)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise BackupFailed.said_as("err_checksum_unwritable", coded={"failed": "label"}, path=path, reason=reason,
                                   failed=failed) from exc


_SHA256_LINE = re.compile(r"\\?([0-9a-fA-F]{64})[ \t]")


def _checked_against_checksum(source: Path, digest: str) -> None:
    """A backup whose checksum file says otherwise changed after it was verified: refused.

    A checksum file that cannot be read, or holds no sha256 (emptied, overwritten), says nothing
    about the backup: it is refused too (it cannot be verified), but said as what it is, with the
    way on: check the backup otherwise, or move the checksum file aside to restore on SQLite's
    checks alone."""
    recorded = checksum_file(source)
    try:
        text = recorded.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return  # (a backup made before tct kept checksums, or copied without its checksum file)
    except OSError as exc:
        raise BackupFailed.said_as("err_checksum_unreadable", source=source, recorded=recorded,
                                   reason=exc.strerror or str(exc)) from exc
    # The first line, as `sha256sum` writes it: 64 hex digits, then the name (a `\` before a name
    # it had to escape).
    lines = text.lstrip("\ufeff").strip().splitlines()
    found = _SHA256_LINE.match(lines[0] + " ") if lines else None
    if found is None:
        raise BackupFailed.said_as("err_checksum_malformed", source=source, recorded=recorded)
    if found.group(1).lower() != digest:
        raise BackupFailed.said_as("err_checksum_differs", source=source, recorded=recorded.name)


def _destination(db: Database | Path, to: Path | None, compress: bool) -> tuple[Path, Path | None]:
    """(folder, explicit file or None for a generated backup name)."""
    if to is None:
        return default_folder(db), None
    from tct.render import companion_of_database

    text = str(to)
    to = to.expanduser()
    if companion_of_database(to):  # (a folder or a file there would put every desk out of action)
        raise BackupFailed.said_as("err_output_is_companion", target=to)
    if to.is_dir() or text.endswith(("/", os.sep)) or (not to.exists() and to.suffix.lower() not in _FILE_SUFFIXES):
        return to, None
    if to.exists():
        raise BackupFailed.said_as("err_backup_exists", path=to)
    return to.parent, to


def _stamp_name(folder: Path, suffix: str, prefix: str = "tct") -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = folder / f"{prefix}-{stamp}{suffix}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{prefix}-{stamp}-{number}{suffix}"
        number += 1
    return candidate


def _prepare_folder(folder: Path) -> None:
    from tct.db import ensure_private_folder

    try:
        ensure_private_folder(folder)
    except OSError as exc:
        raise BackupFailed.said_as("err_backup_folder_uncreatable", folder=folder, reason=exc.strerror) from exc
    if not folder.is_dir():
        raise BackupFailed.said_as("err_backup_folder_not_folder", folder=folder)
    _sweep_stale(folder)


_TEMPORARY = re.compile(r"^\.tct-tmp-(\d+)-\d+\.")


def _sweep_stale(folder: Path) -> None:
    """Remove temporary files left by a tct that was killed (SIGKILL, power cut) mid-copy."""
    sweep_stale(folder, _TEMPORARY)


def sweep_stale(folder: Path, pattern: re.Pattern[str]) -> None:
    """Remove the files (or folders) of `folder` named by `pattern`, whose first group is the id of
    the tct process that made them, when that process is gone: a tct killed (SIGKILL, a power cut)
    while it wrote a copy of the register, a restore's scratch copy or an export leaves them, and
    each holds citizens' personal data (an export's, with --reveal, denouncers' identities that the
    audit trail never recorded, since the export did not finish)."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for path in entries:
        match = pattern.match(path.name)
        if not match or int(match.group(1)) == os.getpid():
            continue
        try:
            os.kill(int(match.group(1)), 0)
        except ProcessLookupError:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                _remove_quietly(path)
        except OSError:
            continue


def _temporary(folder: Path, suffix: str) -> Path:
    """A new private (0600) file with a hidden name that rotation and restore never take for a backup."""
    from tct.db import create_private_file

    for attempt in range(100):
        path = folder / f".tct-tmp-{os.getpid()}-{attempt}{suffix}"
        try:
            create_private_file(path)
            return path
        except FileExistsError:
            continue
    raise BackupFailed(f"cannot create a temporary file in {folder}")  # pragma: no cover


def _remove_quietly(*paths: Path | None) -> None:
    for path in paths:
        if path is None:
            continue
        for extra in (path, Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")):
            try:
                extra.unlink()
            except FileNotFoundError:
                pass
            except OSError:  # noqa: PERF203 — best effort; the name is hidden, never a backup name
                pass


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover — some systems cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _publish(temporary: Path, final: Path | None, folder: Path, suffix: str, prefix: str = "tct", *,
             synced: bool = False) -> Path:
    """Give the verified file its name without ever replacing an existing file (`synced`: its
    bytes are already on disk)."""
    if not synced:
        _fsync_file(temporary)
    while True:
        target = final or _stamp_name(folder, suffix, prefix)
        try:
            os.link(temporary, target)
        except FileExistsError:
            if final is not None:
                raise BackupFailed.said_as("err_backup_exists_now", path=final) from None
            continue
        except OSError:
            # A file system without hard links: the name was free a moment ago.
            if target.exists():
                if final is not None:
                    raise BackupFailed.said_as("err_backup_exists_now", path=final) from None
                continue
            os.rename(temporary, target)
            break
        temporary.unlink()
        break
    _fsync_folder(folder)
    return target


class _Timeout(Exception):
    pass


def _busy_timeout() -> float:
    from tct.db import busy_timeout

    return busy_timeout()


def _copy_pages(src: sqlite3.Connection, dst: sqlite3.Connection, *, progress: Progress | None = None,
                pages: int = -1, locked: Callable[[], None] | None = None) -> None:
    """src.backup(dst), but giving up when a lock is held past the busy timeout (Python's backup
    would otherwise wait for ever) and reporting progress as (done, total) pages.

    `locked` is called once after the first step, while the copy holds the destination's write
    lock and has committed nothing: no other connection can write it, and readers still see its
    old content (give `pages` smaller than the source for that moment to come before the end)."""
    deadline = time.monotonic() + _busy_timeout()
    pending = [locked] if locked is not None else []

    def step(status: int, remaining: int, total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            if time.monotonic() > deadline:
                raise _Timeout
            return
        if pending and remaining > 0:
            pending.pop()()
        if progress is not None:
            progress(total - remaining, total)

    try:
        src.backup(dst, pages=pages, progress=step, sleep=0.05)
    except _Timeout:
        raise sqlite3.OperationalError("database is locked") from None


def _count(con: sqlite3.Connection) -> dict[str, int]:
    """Rows per table, of the tables the file has (a register at an older schema may lack some)."""
    present = {name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return {name: int(con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
            for name in TABLE_NAMES if name in present}


def _integrity(con: sqlite3.Connection) -> list[str]:
    return [str(row[0]) for row in con.execute("PRAGMA integrity_check").fetchall() if row[0] != "ok"]


def _snapshot_copy(source: Path, target: Path, progress: Progress | None) -> dict[str, int]:
    """Copy the live file into `target` (an empty private file) and return the snapshot's row counts.

    The source's read transaction is held across the copy, so WAL writers go on while the copy
    and the counts see the same instant (the backup is not restarted by their commits).
    """
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, isolation_level=None, timeout=_busy_timeout())
    try:
        src.execute("BEGIN")
        counts = _count(src)
        dst = sqlite3.connect(target, isolation_level=None)
        try:
            # Durability comes from the fsync before the file is named (_publish), not from SQLite's
            # syncs of a hidden file that is thrown away if anything fails.
            dst.execute("PRAGMA synchronous=OFF")
            # Nobody else opens the hidden copy: its WAL index (the copy of a WAL register is one until
            # journal_mode=DELETE below) stays in memory, not in a -shm file on a disk that may be full.
            dst.execute("PRAGMA locking_mode=EXCLUSIVE")
            _copy_pages(src, dst, progress=progress, pages=_PAGES_PER_STEP if progress else -1)
            # A self-contained file: no -wal beside it, whatever the source's journal mode.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
        src.execute("COMMIT")
    finally:
        src.close()
    return counts


def _verify_copy(path: Path, counts: dict[str, int]) -> None:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        problems = _integrity(con)
        if problems:
            raise BackupFailed.said_as("err_copy_integrity", problem=problems[0])
        copied = _count(con)
    finally:
        con.close()
    if copied != counts:
        differ = ", ".join(f"{name} {counts[name]}→{copied.get(name)}" for name in counts
                           if copied.get(name) != counts[name])
        raise BackupFailed.said_as("err_copy_counts", differ=differ)


def _damage_of(source: Path) -> str | None:
    """The first problem SQLite's integrity check finds in the register itself, or None."""
    try:
        con = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=_busy_timeout())
        try:
            problems = _integrity(con)
        finally:
            con.close()
    except sqlite3.Error as exc:
        return str(exc)
    return problems[0] if problems else None


class _HashingWriter:
    """A binary file that also hashes and counts what goes through it."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: Any) -> int:
        self.digest.update(data)
        self.size += len(data)
        return int(self.raw.write(data))

    def flush(self) -> None:
        self.raw.flush()


def _gzip_file(plain: Path, packed: Path) -> tuple[int, str]:
    """Compress `plain` into `packed`; returns the size and sha256 of the compressed bytes, hashed
    as they are written rather than read back."""
    import gzip

    original = hashlib.sha256()
    with plain.open("rb") as source, packed.open("r+b") as raw:
        raw.truncate()
        out = _HashingWriter(raw)
        # mtime=0 and no file name in the header: the same register gives the same bytes.
        with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="", compresslevel=_GZIP_LEVEL) as zipped:
            for block in iter(lambda: source.read(_BLOCK), b""):
                original.update(block)
                zipped.write(block)
    _verify_gzip(packed, original.hexdigest())
    return out.size, out.digest.hexdigest()


def _verify_gzip(packed: Path, sha256: str) -> None:
    """The compressed file, read back from disk, must give the checked copy's bytes exactly: the
    file that gets a backup name is the one that was verified, not only its source."""
    import gzip
    import zlib

    digest = hashlib.sha256()
    try:
        with gzip.open(packed, "rb") as unpacked:
            for block in iter(lambda: unpacked.read(_BLOCK), b""):
                digest.update(block)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise BackupFailed.said_as("err_gzip_unreadable_back", error=str(exc)) from exc
    if digest.hexdigest() != sha256:
        raise BackupFailed.said_as("err_gzip_differs")


class _Digest(threading.Thread):
    """The size and sha256 of a finished file, read on another core while SQLite checks it
    (both only read it; hashlib and sqlite3 release the GIL), and then its fsync, which would
    otherwise wait until the check is over."""

    def __init__(self, path: Path) -> None:
        super().__init__(name="tct-backup-sha256", daemon=True)
        self.path = path
        self.size = 0
        self.sha256 = ""
        self.error: OSError | None = None
        self._stop_reading = threading.Event()

    def run(self) -> None:
        try:
            digest = hashlib.sha256()
            with self.path.open("rb") as handle:
                while not self._stop_reading.is_set():
                    block = handle.read(_BLOCK)
                    if not block:
                        os.fsync(handle.fileno())
                        self.sha256 = digest.hexdigest()
                        return
                    digest.update(block)
                    self.size += len(block)
        except OSError as exc:
            self.error = exc

    def result(self) -> tuple[int, str]:
        self.join()
        if self.error is not None:
            raise self.error
        return self.size, self.sha256

    def cancel(self) -> None:
        self._stop_reading.set()
        self.join()


@dataclass
class _Made:
    path: Path
    counts: dict[str, int]
    bytes: int
    sha256: str


def _sqlite_backup(source: Path, folder: Path, target: Path | None, *, compress: bool,
                   progress: Progress | None, prefix: str = "tct", suffix: str | None = None) -> _Made:
    _prepare_folder(folder)
    suffix = suffix or (".db.gz" if compress else ".db")
    plain = packed = None
    hashing = None
    try:
        try:
            plain = _temporary(folder, ".db")
            counts = _snapshot_copy(source, plain, progress)
            if not compress:
                hashing = _Digest(plain)
                hashing.start()
            try:
                _verify_copy(plain, counts)
            except BackupFailed as failed:
                damage = _damage_of(source) if getattr(failed.message, "key", None) == "err_copy_integrity" else None
                if damage is not None:  # (the copy is the register's pages: the register is damaged)
                    raise DatabaseError.said_as("err_backup_source_damaged", source=source, problem=damage) from None
                raise
            if hashing is not None:
                size, digest = hashing.result()
                hashing = None
            else:
                packed = _temporary(folder, ".db.gz")
                size, digest = _gzip_file(plain, packed)
                _remove_quietly(plain)
                plain = None
            final = _publish(packed or plain, target, folder, suffix, prefix,  # type: ignore[arg-type]
                             synced=not compress)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise BackupFailed.said_as("err_backup_no_space", folder=folder, megabytes=_megabytes(source)) from exc
            where = exc.filename or folder
            raise BackupFailed.said_as("err_backup_unwritable_at", folder=folder, reason=exc.strerror or str(exc),
                                         where=where) from exc
        except sqlite3.Error as exc:
            text = str(exc)
            if "malformed" in text or "not a database" in text:
                raise DatabaseError.said_as("err_backup_source_damaged", source=source, problem=text) from exc
            if "locked" in text or "busy" in text:
                raise DatabaseError.said_as("err_backup_source_locked", source=source) from exc
            if _out_of_space(exc, folder):
                raise BackupFailed.said_as("err_backup_no_space", folder=folder, megabytes=_megabytes(source)) from exc
            raise BackupFailed.said_as("err_backup_failed", source=source, folder=folder, problem=text) from exc
    except BaseException:
        if hashing is not None:
            hashing.cancel()
        _remove_quietly(plain, packed)
        raise
    return _Made(final, counts, size, digest)


def _no_room_left(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < _BLOCK
    except OSError:
        return False


def _out_of_space(exc: sqlite3.Error, folder: Path) -> bool:
    """SQLite's error for a full disk: SQLITE_FULL, or an I/O error (growing its shared-memory
    file, say) where hardly any room is left."""
    name = str(getattr(exc, "sqlite_errorname", ""))
    if name == "SQLITE_FULL":
        return True
    if not name.startswith("SQLITE_IOERR"):
        return False
    return _no_room_left(folder)


def _ran_out_of_space(exc: BaseException, folder: Path) -> bool:
    """Whether `exc`, or an error it was raised from, is the disk of `folder` filling up: an OSError
    (ENOSPC, EDQUOT), SQLite's (directly, or inside SQLAlchemy's or a tct error made from it), or a
    backup that said so. A restore meets it in many steps (the scratch copy, its upgrade, the
    pre-restore backup, its audit event, the copy into the live file), each with its own wrapper."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        if isinstance(link, OSError) and link.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(link, sqlite3.Error) and _out_of_space(link, folder):
            return True
        if isinstance(link, TctError) and getattr(link.message, "key", None) == "err_backup_no_space":
            return True
        original = getattr(link, "orig", None)  # (SQLAlchemy's DBAPIError)
        if isinstance(original, sqlite3.Error) and _out_of_space(original, folder):
            return True
        link = link.__cause__ or link.__context__
    return False


def _restore_no_space(folder: Path, source: Path) -> BackupFailed:
    return BackupFailed.said_as("err_restore_no_space", folder=folder, source=source, megabytes=_megabytes(source))


def pre_upgrade_copy(register: Path) -> Path:
    """The copy of an SQLite register `tct db upgrade` takes beside it first (called under the
    upgrade's write lock), named `STEM-pre-upgrade-YYYYMMDD-HHMMSS[-N]` with the register's suffix,
    with its sha256 beside it as a backup's (`tct restore` checks it: this is the copy to go back to).

    It is taken as a backup is: under a hidden temporary name, checked (integrity, the snapshot's
    row counts), made durable, and only then named, so a copy cut short (Ctrl-C, `kill -9`, a power
    cut, a full disk) never carries the name of the copy to go back to. One that cannot be made
    leaves nothing, and the error says why in one line: nothing is upgraded."""
    folder = register.parent
    try:
        made = _sqlite_backup(register, folder, None, compress=False, progress=None,
                              prefix=f"{register.stem}-pre-upgrade", suffix=register.suffix or ".db")
    except (BackupFailed, DatabaseError) as exc:
        cause = exc.__cause__
        if isinstance(cause, (OSError, sqlite3.Error)):
            raise copy_failed(cause, source=register, folder=folder) from exc
        values = getattr(exc.message, "values", {})
        problem = values.get("problem") or values.get("differ") or str(exc.message)
        raise BackupFailed.said_as("err_upgrade_copy_unchecked", problem=problem) from exc
    write_checksum(made.path, made.sha256, failed="none_upgraded")
    return made.path


def copy_failed(exc: OSError | sqlite3.Error, *, source: Path, folder: Path) -> BackupFailed:
    """The one-line error of a copy of the register taken before `tct db upgrade` that could not be
    written into `folder` (it has been removed; nothing was upgraded): a full disk said as such, as
    `tct backup` says it."""
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return BackupFailed.said_as("err_upgrade_no_space", folder=folder, megabytes=_megabytes(source))
        reason = exc.strerror or str(exc)
    else:
        if _out_of_space(exc, folder):
            return BackupFailed.said_as("err_upgrade_no_space", folder=folder, megabytes=_megabytes(source))
        reason = str(exc)
    return BackupFailed.said_as("err_upgrade_copy_failed", folder=folder, reason=reason)


def _same_file(path: Path, other: Path) -> bool:
    try:
        return os.path.samefile(path, other)
    except OSError:
        return False


def _megabytes(path: Path) -> str:
    """A file's size in MB (one decimal), for a message."""
    try:
        return f"{path.stat().st_size / 1e6:.1f}"
    except OSError:
        return "?"


def rotate(folder: Path, keep: int | None, *, made: Path | None = None, register: Path | None = None
           ) -> list[Path]:
    """Delete all but the newest `keep` files named like tct backups in `folder`; returns the deleted.

    Only names of the form tct-YYYYMMDD-HHMMSS[-N].db[.gz] or .dump are considered: every other
    file, including pre-upgrade and pre-restore copies, is left alone. `made`, the backup just
    taken, is one of the `keep` and never deleted, even when files named later than it are there
    (written while the clock was ahead). `register`, the file backed up, is never one of them
    either: a backup put in place as the register keeps its name, and the nightly backups may go
    to its folder; deleting it would leave the desks a new, empty register there.
    """
    if keep is None:
        return []
    ours = []
    for path in folder.iterdir():
        match = BACKUP_NAME.match(path.name)
        if match and path.is_file() and not path.is_symlink() and path != made \
                and not (register is not None and _same_file(path, register)):
            ours.append(((match.group(1), match.group(2), int(match.group(3) or 1)), path))
    ours.sort(reverse=True)
    if made is not None and made.parent == folder and BACKUP_NAME.match(made.name):
        keep -= 1
    removed = []
    for _, path in ours[keep:]:
        try:
            path.unlink()
            checksum_file(path).unlink(missing_ok=True)
        except OSError as exc:
            raise BackupFailed.said_as("err_old_backup_undeletable", path=path, reason=exc.strerror) from exc
        removed.append(path)
    return removed


def size_and_digest(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


# --- PostgreSQL -------------------------------------------------------------------------------

def _pg_dump_locked_out(said: str, waited_s: float, wait_s: float) -> bool:
    """Whether pg_dump gave up waiting for a table's lock (--lock-wait-timeout). Its words and the
    server's follow their languages (lc_messages: "canceling statement due to statement timeout",
    "storniere Anfrage ..."), but pg_dump names the statement that failed, and SQL is in none; and
    it failed only after the wait: a LOCK TABLE refused at once (no privilege on another program's
    table) is a failed backup, which waiting will not mend."""
    return "LOCK TABLE" in said and waited_s >= wait_s * 0.9


def _pg_backup(db: Database, folder: Path, target: Path | None) -> tuple[Path, dict[str, int]]:
    import subprocess

    from sqlalchemy.engine import make_url

    exe = shutil.which("pg_dump")
    if exe is None:
        raise BackupFailed.said_as("err_no_pg_dump")
    url = make_url(db.url)
    env = dict(os.environ)
    # The password, before the `@` or as `?password=`, never on the command line, where `ps` shows it
    password = url.password or url.query.get("password")
    if isinstance(password, tuple):  # (a parameter given twice: libpq takes the last)
        password = password[-1]
    if password:
        env["PGPASSWORD"] = str(password)
    libpq = (url.set(drivername="postgresql", password=None).difference_update_query(["password"])
             .render_as_string(hide_password=False))
    _prepare_folder(folder)
    temporary = None
    try:
        temporary = _temporary(folder, ".dump")
        with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            with conn.begin():
                snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
                present = {name for (name,) in conn.exec_driver_sql(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")}
                counts = {name: int(conn.exec_driver_sql(f'SELECT count(*) FROM "{name}"').scalar() or 0)
                          for name in TABLE_NAMES if name in present}  # (an older schema may lack some)
                # pg_dump waits for a share lock on every table: behind a `db upgrade` or a LOCK TABLE
                # that never ends, a nightly backup would hang and cron would never hear of it.
                wait = max(1, int(_busy_timeout() * 1000))
                started = time.monotonic()
                done = subprocess.run([exe, "--format=custom", "--no-password", f"--snapshot={snapshot}",
                                       f"--lock-wait-timeout={wait}", f"--file={temporary}", libpq],
                                      env=env, capture_output=True, text=True, check=False)
                waited = time.monotonic() - started
        if done.returncode != 0:
            said = " ".join((done.stderr or "").split())
            detail = said[:300]
            if _pg_dump_locked_out(said, waited, wait / 1000):
                raise DatabaseError.said_as("err_pg_register_locked", detail=detail)
            if _no_room_left(folder):  # (pg_dump says so in its own words, in the server's language)
                raise BackupFailed.said_as("err_pg_backup_no_space", folder=folder)
            raise BackupFailed.said_as("err_pg_dump_failed", detail=detail or f"exit {done.returncode}")
        checker = shutil.which("pg_restore")
        if checker is not None:
            listed = subprocess.run([checker, "--list", str(temporary)], capture_output=True, text=True, check=False)
            if listed.returncode != 0:
                raise BackupFailed.said_as("err_pg_dump_unreadable")
        final = _publish(temporary, target, folder, ".dump")
    except OSError as exc:
        _remove_quietly(temporary)
        raise BackupFailed.said_as("err_backup_unwritable", folder=folder, reason=exc.strerror or str(exc)) from exc
    except BaseException:
        _remove_quietly(temporary)
        raise
    return final, counts


# --- restore ----------------------------------------------------------------------------------

@dataclass
class RegisterSummary:
    """What a register holds, shown before a restore replaces it."""

    counts: dict[str, int]
    newest_visit: str | None  # "CODE at ISO-TIMESTAMP"
    schema: str | None
    timezone: str | None = None  # the office's, as its settings say (None: the default)

    def as_dict(self) -> dict[str, Any]:
        return {"counts": self.counts, "newest_visit": self.newest_visit, "schema": self.schema}


@dataclass
class RestorePlan:
    """A checked scratch copy of the file to restore, ready to replace the register at `target`."""

    source: Path
    target: Path
    scratch: Path
    sha256: str
    incoming: RegisterSummary
    current: RegisterSummary | None
    upgraded_from: str | None = None

    def discard(self) -> None:
        _remove_quietly(self.scratch)


@dataclass
class RestoreResult:
    target: Path
    source: Path
    pre_restore_backup: Path | None
    counts: dict[str, int]
    upgraded_from: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"path": str(self.target), "from": str(self.source),
                "pre_restore_backup": str(self.pre_restore_backup) if self.pre_restore_backup else None,
                "counts": self.counts, "upgraded_from": self.upgraded_from}


def _summary(con: sqlite3.Connection) -> RegisterSummary:
    counts = _count(con)  # (an older schema may not have every table yet)
    newest = None
    try:
        row = con.execute("SELECT code, visited_at FROM visit ORDER BY visited_at DESC, id DESC LIMIT 1").fetchone()
        if row:
            newest = f"{row[0]} at {str(row[1]).replace(' ', 'T')}"
    except sqlite3.OperationalError:
        pass
    try:
        schema = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        schema = None
    try:
        zone = con.execute("SELECT value FROM setting WHERE key = 'timezone'").fetchone()
        timezone = json.loads(zone[0]) if zone else None
    except (sqlite3.OperationalError, ValueError):
        timezone = None
    return RegisterSummary(counts=counts, newest_visit=newest, schema=str(schema[0]) if schema else None,
                           timezone=timezone if isinstance(timezone, str) else None)


def _unpack_into(source: Path, scratch: Path) -> None:
    """The file to restore, as a plain SQLite file in `scratch`; the user's file is only read."""
    from tct.db import SQLITE_HEADER

    try:
        with source.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        raise BackupFailed.said_as("err_no_file_unchanged", path=source) from None
    except IsADirectoryError:
        raise BackupFailed.said_as("err_restore_folder", path=source) from None
    except OSError as exc:
        raise BackupFailed.said_as("err_cannot_read_unchanged", path=source, reason=exc.strerror) from exc
    if head.startswith(_GZIP_MAGIC):
        import gzip

        try:
            with gzip.open(source, "rb") as packed, scratch.open("r+b") as out:
                shutil.copyfileobj(packed, out, 1024 * 1024)
        except (OSError, EOFError) as exc:
            raise BackupFailed.said_as("err_damaged_gzip", path=source, error=str(exc)) from exc
        with scratch.open("rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                raise BackupFailed.said_as("err_gzip_not_tct", path=source)
        return
    if head.startswith(b"PGDMP"):  # (pg_dump's custom format: the backup of a PostgreSQL register)
        raise BackupFailed.said_as("err_restore_pg_dump_file", path=source)
    if head != SQLITE_HEADER:
        raise BackupFailed.said_as("err_not_tct_file", path=source)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=_busy_timeout())
    dst = sqlite3.connect(scratch)
    try:
        _copy_pages(src, dst)
    finally:
        dst.close()
        src.close()


def _check_scratch(source: Path, scratch: Path) -> tuple[RegisterSummary, str | None]:
    """Refuse what is not a healthy tct database of a readable schema; upgrade an older one (in scratch)."""
    from tct.db import SCHEMA_HEAD, SCHEMA_REVISIONS

    con = sqlite3.connect(scratch, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=DELETE")
        problems = _integrity(con)
        if problems:
            raise BackupFailed.said_as("err_backup_damaged", path=source, problem=problems[0])
        broken = con.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise BackupFailed.said_as("err_backup_broken_rows", path=source, count=len(broken), table=broken[0][0])
        try:
            revisions = [str(row[0]) for row in con.execute("SELECT version_num FROM alembic_version")]
        except sqlite3.OperationalError:
            raise BackupFailed.said_as("err_no_schema_version", path=source) from None
    finally:
        con.close()
    if len(revisions) != 1:
        raise BackupFailed.said_as("err_schema_table_damaged", path=source)
    revision = revisions[0]
    if revision not in SCHEMA_REVISIONS:
        raise BackupFailed.said_as("err_backup_newer", path=source, revision=revision)
    upgraded_from = None
    if revision != SCHEMA_HEAD:
        from tct.db import open_database, run_migrations

        # Only the scratch copy is migrated (so not db.upgrade, which would copy it first).
        scratch_db = open_database(str(scratch), create=False, allow_old=True)
        try:
            with scratch_db.write_engine.connect() as conn:
                with conn.begin():
                    run_migrations(conn, SCHEMA_HEAD)
        finally:
            scratch_db.dispose()
        upgraded_from = revision
    con = sqlite3.connect(f"file:{scratch}?mode=ro", uri=True)
    try:
        summary = _summary(con)
    finally:
        con.close()
    return summary, upgraded_from


def _current_summary(target: Path) -> RegisterSummary | None:
    if not target.exists() or target.stat().st_size == 0:
        return None
    try:
        con = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            return _summary(con)
        finally:
            con.close()
    except sqlite3.Error:
        return RegisterSummary(counts={}, newest_visit=None, schema=None)  # damaged: nothing readable


def _digest_if_readable(source: Path) -> str | None:
    try:
        return size_and_digest(source)[1] if source.is_file() else None
    except OSError:
        return None


def prepare_restore(location: str | None, source: Path) -> RestorePlan:
    """Check `source` on a private scratch copy beside the register; nothing of the register changes.

    Works even when the current register is damaged or missing (that is when a restore is needed).
    """
    from tct.db import resolve_url, sqlite_path

    url = resolve_url(location)
    target = sqlite_path(url)
    if target is None:
        raise UsageError.said_as("err_restore_postgres")
    source = source.expanduser()
    try:
        if source.resolve() == target.resolve():
            raise UsageError.said_as("err_restore_itself", path=source)
    except OSError:
        pass
    try:
        from tct.db import ensure_private_folder

        ensure_private_folder(target.parent)
    except OSError as exc:
        raise BackupFailed.said_as("err_restore_folder_uncreatable", folder=target.parent,
                                   reason=exc.strerror) from exc
    _sweep_stale(target.parent)  # (the scratch copies of restores that were killed)
    scratch = None
    try:
        try:
            scratch = _temporary(target.parent, ".restore.db")
            # Its checksum first: a file changed or cut short since it was backed up is said to be
            # that, whatever SQLite or gzip would make of what is left (a file that cannot be read
            # is said so by _unpack_into).
            digest = _digest_if_readable(source)
            if digest is not None:
                _checked_against_checksum(source, digest)
            _unpack_into(source, scratch)
            incoming, upgraded_from = _check_scratch(source, scratch)
            if digest is None:
                digest = size_and_digest(source)[1]
                _checked_against_checksum(source, digest)
        except sqlite3.Error as exc:
            raise BackupFailed.said_as("err_unreadable_backup", path=source, error=str(exc)) from exc
        except OSError as exc:
            raise BackupFailed.said_as("err_restore_unprepared", target=target,
                                       reason=exc.strerror or str(exc)) from exc
    except Exception as exc:
        _remove_quietly(scratch)
        # A full disk beside the register, not a bad backup (SQLite says "database or disk is full"
        # while the scratch copy is written, checked or upgraded).
        if _ran_out_of_space(exc, target.parent):
            raise _restore_no_space(target.parent, source) from exc
        raise
    except BaseException:
        _remove_quietly(scratch)
        raise
    return RestorePlan(source=source, target=target, scratch=scratch, sha256=digest, incoming=incoming,
                       current=_current_summary(target), upgraded_from=upgraded_from)


def _audit_in_scratch(plan: RestorePlan, actor: str, pre_backup: Path | None) -> None:
    """The restore's audit event, written into the copy before it goes live (so both happen at once)."""
    from tct import audit
    from tct.db import open_database, write_session

    scratch_db = open_database(str(plan.scratch), create=False)
    try:
        with write_session(scratch_db) as session:
            after: dict[str, Any] = {"file": str(plan.source), "sha256": plan.sha256}
            if pre_backup is not None:
                after["pre_restore_backup"] = str(pre_backup)
            if plan.upgraded_from:
                after["upgraded_from"] = plan.upgraded_from
            audit.record(session, actor=actor, entity="register", code=plan.source.name, action="restore",
                         after=after)
    finally:
        scratch_db.dispose()
    con = sqlite3.connect(plan.scratch, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=DELETE")  # fold the -wal back so the file is complete
    finally:
        con.close()


def _pre_restore_backup(target: Path) -> tuple[Path | None, dict[str, int] | None]:
    """Back up the register about to be replaced, with its row counts; a damaged one is saved byte
    for byte (and has no counts)."""
    if not target.exists() or target.stat().st_size == 0:
        return None, None
    folder = target.parent / BACKUP_FOLDER
    try:
        made = _sqlite_backup(target, folder, None, compress=False, progress=None, prefix="tct-pre-restore")
    except (BackupFailed, DatabaseError, sqlite3.Error) as exc:
        if _ran_out_of_space(exc, folder):
            raise  # (said as such by restore; a byte-for-byte copy would not fit either)
    else:
        # Like every backup: the copy to go back to if the restore was a mistake, checked by `tct restore`.
        write_checksum(made.path, made.sha256, failed="none_changed")
        return made.path, made.counts
    # The register cannot be read through SQLite (damaged): keep its bytes, and its -wal, as they are.
    _prepare_folder(folder)
    temporary = None
    try:
        temporary = _temporary(folder, ".db")
        shutil.copyfile(target, temporary)
        final = _publish(temporary, None, folder, ".db", "tct-pre-restore")
        wal = Path(f"{target}-wal")
        if wal.exists():
            from tct.db import create_private_file

            create_private_file(Path(f"{final}-wal"))
            shutil.copyfile(wal, Path(f"{final}-wal"))
        return final, None
    except OSError as exc:
        _remove_quietly(temporary)
        raise BackupFailed.said_as("err_restore_no_safety_copy", reason=exc.strerror) from exc


def _page_size(path: Path) -> int:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(con.execute("PRAGMA page_size").fetchone()[0])
    finally:
        con.close()


def restore(plan: RestorePlan, *, actor: str) -> RestoreResult:
    """Replace the register with the checked scratch copy, after backing the register up.

    Ctrl-C or SIGTERM stops it with the register as it was until the copy into it is about to be
    committed; from then on it is too late (tct.interrupts): the restore is done, and said so."""
    with ExitStack() as past_return:
        return _restore(plan, actor=actor, past_return=past_return)


def _restore(plan: RestorePlan, *, actor: str, past_return: ExitStack) -> RestoreResult:
    from tct import interrupts
    from tct.db import make_private

    target = plan.target
    try:
        if target.is_file():  # (the register being replaced, and its -wal and -shm, which the copy writes)
            make_private(target)
        pre, pre_counts = _pre_restore_backup(target)
        _audit_in_scratch(plan, actor, pre)
        late: list[Path] = []

        def nothing_written_since(pre_counts: dict[str, int] | None = pre_counts) -> None:
            """Under the copy's write lock: a desk that wrote after the pre-restore backup was
            taken (every write adds an audit event, so the counts tell) would lose that write;
            back the register up again now that nobody can write it."""
            if pre_counts is None:
                return
            con = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
            try:
                now = _count(con)
            finally:
                con.close()
            if now != pre_counts:
                made = _sqlite_backup(target, target.parent / BACKUP_FOLDER, None, compress=False, progress=None,
                                      prefix="tct-pre-restore")
                write_checksum(made.path, made.sha256, failed="none_changed")
                late.append(made.path)

        if not target.exists() or target.stat().st_size == 0:
            _replace_file(plan.scratch, target)
        else:
            try:
                live_page = _page_size(target)
                if live_page != _page_size(plan.scratch):
                    # The backup API cannot change a WAL database's page size: match it in the copy.
                    con = sqlite3.connect(plan.scratch, isolation_level=None)
                    try:
                        con.execute(f"PRAGMA page_size={live_page}")
                        con.execute("VACUUM")
                    finally:
                        con.close()
                src = sqlite3.connect(f"file:{plan.scratch}?mode=ro", uri=True)
                dst = sqlite3.connect(target, timeout=_busy_timeout())
                try:
                    # In steps of at most half the file, so the check above runs after the first
                    # step, before anything is committed (and a large register is not copied a
                    # page at a time: 1.8 s became 2.9 s at 100,000 visits).
                    total = int(src.execute("PRAGMA page_count").fetchone()[0])
                    step = max(1, min(_PAGES_PER_STEP, total // 2))
                    holding: list[bool] = []

                    def before_the_last_step(done: int, total: int) -> None:
                        """The next step copies the rest and commits: an interruption that came
                        during it would surface after it, when the register is replaced."""
                        if total - done <= step and not holding:
                            past_return.enter_context(interrupts.held_back())
                            holding.append(True)

                    _copy_pages(src, dst, pages=step, locked=nothing_written_since, progress=before_the_last_step)
                finally:
                    dst.close()
                    src.close()
            except sqlite3.DatabaseError as exc:
                text = str(exc)
                if _ran_out_of_space(exc, target.parent):
                    raise
                if "locked" in text or "busy" in text:
                    raise DatabaseError.said_as("err_restore_target_locked", target=target) from exc
                if "malformed" not in text and "not a database" not in text:
                    raise
                # The current file is too damaged to be written through SQLite (it was saved above).
                _replace_file(plan.scratch, target)
        con = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            counts = _count(con)
        finally:
            con.close()
    except Exception as exc:
        # A full disk, at whichever step (the pre-restore backup, the audit event in the copy, the
        # copy into the live file, whose transaction is then undone): said as such, the backup
        # not blamed, and the register as it was.
        if _ran_out_of_space(exc, target.parent):
            raise _restore_no_space(target.parent, plan.source) from exc
        if isinstance(exc, OSError):
            raise BackupFailed.said_as("err_restore_failed", target=target, reason=exc.strerror or str(exc)) from exc
        if isinstance(exc, sqlite3.Error):
            raise BackupFailed.said_as("err_restore_failed", target=target, reason=str(exc)) from exc
        raise
    finally:
        plan.discard()
    if late:
        pre = late[-1]
    return RestoreResult(target=target, source=plan.source, pre_restore_backup=pre, counts=counts,
                         upgraded_from=plan.upgraded_from)


def _replace_file(scratch: Path, target: Path) -> None:
    """Put a complete copy in place by rename (for a missing or unreadable register), mode 0600."""
    temporary = _temporary(target.parent, ".db")
    try:
        shutil.copyfile(scratch, temporary)
        con = sqlite3.connect(temporary, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
        finally:
            con.close()
        _fsync_file(temporary)
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(temporary, target)
        _fsync_folder(target.parent)
    except BaseException:
        _remove_quietly(temporary)
        raise
