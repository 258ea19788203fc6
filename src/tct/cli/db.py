"""`tct db`: where the register is, its health, and schema upgrades."""

from __future__ import annotations

from typing import Annotated

import typer

from tct.cli.common import FormatOption, OutputFormat, lang, notice, state, terminate_cleanly

app = typer.Typer(help="The database: location, health, upgrades.", no_args_is_help=True)


@app.command("info")
def info(fmt: FormatOption = OutputFormat.table) -> None:
    """Location, schema version, size and rows per table."""
    from tct import db as store
    from tct import render
    from tct.i18n import label

    data = store.info(state().db(allow_old=True))
    if fmt.value == "json":
        render.record(data, None, "json")
        return
    summary = [("location", "location"), ("dialect", "dialect"), ("schema", "schema"),
               ("schema_head", "schema_head"), ("size_bytes", "size_bytes")]
    render.record(data, summary, fmt.value, lang=lang(), title=label("db_info", lang()))
    if fmt.value != "csv":
        render.rows([{"table": name, "rows": count} for name, count in data["tables"].items()],
                    [("table", "table"), ("rows", "rows")], fmt.value, lang=lang(), follows=True)


@app.command("check")
def check(fmt: FormatOption = OutputFormat.table,
          repair: Annotated[bool, typer.Option(
              "--repair", help="Give each case whose stored day of its latest status change is not its "
                               "history's that day again, its first visit's day and its history-order mark as "
                               "its visits and history say, its extension days (and deadline) those granted "
                               "since its acceptance or reopening, and bring each code counter behind its year's "
                               "highest code up to it (each in the audit trail); other problems are only reported."
          )] = False) -> None:
    """Integrity and foreign-key checks; exit 1 when either finds a problem."""
    from tct import db as store
    from tct import render
    from tct.errors import CheckFailed
    from tct.i18n import label, value_label

    database = state().db(create=False)
    if repair:
        from tct import audit, cases

        with store.write_session(database) as session:
            actor = audit.current_actor()
            repaired = cases.repair_status_days(session, actor=actor)
            derived = cases.repair_derived(session, actor=actor)
            extended = cases.repair_extension_days(session, actor=actor)
            counters = store.repair_counters(session, actor=actor)
        for code in repaired:
            notice(label("status_day_repaired", lang(), code=code))
        for code in derived:
            notice(label("derived_repaired", lang(), code=code))
        for code in extended:
            notice(label("extension_days_repaired", lang(), code=code))
        for kind, year, highest in counters:
            notice(label("counter_repaired", lang(), kind=value_label("entity", kind, lang()), year=year,
                         highest=highest))
    problems = store.check(database)
    if fmt.value == "json":
        render.record({"location": database.location, "ok": not problems, "problems": problems}, None, "json")
    elif problems:
        render.rows([{"problems": line} for line in problems], [("problems", "problems")], fmt.value, lang=lang())
    else:
        notice(label("check_ok", lang(), location=database.location))
    if problems:
        raise CheckFailed(label("check_failed", lang(), location=database.location, count=len(problems)))


@app.command("upgrade")
def upgrade() -> None:
    """Apply pending migrations, after a consistent copy of an SQLite file beside it."""
    from tct import db as store
    from tct.i18n import label

    database = state().db(allow_old=True)
    with terminate_cleanly():  # (SIGTERM: the copy's temporary file removed, nothing upgraded)
        old, new, backup = store.upgrade(database)
    if old == new:  # (also when another desk upgraded it while this one waited)
        notice(label("up_to_date", lang(), location=database.location, new=new))
    elif backup is None:  # PostgreSQL: no copy is made
        notice(label("upgraded_server", lang(), location=database.location, old=old, new=new))
    else:
        notice(label("upgraded", lang(), location=database.location, old=old, new=new, backup=backup))
