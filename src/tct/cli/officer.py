"""`tct officer`: the officers who receive citizens."""

from __future__ import annotations

from typing import Annotated

import typer

from tct.cli.common import FormatOption, OutputFormat, lang, notice, state

app = typer.Typer(help="Officers who receive citizens.", no_args_is_help=True)

_COLUMNS = [("name", "name"), ("title", "officer_title"), ("unit", "unit"), ("phone", "phone"),
            ("active", "active")]


@app.command("add")
def add(name: Annotated[str, typer.Argument(help="Full name, e.g. 'Trần Thị Bình'.")],
        title: Annotated[str | None, typer.Option("--title", help="Job title.")] = None,
        unit: Annotated[str | None, typer.Option("--unit", help="Unit or department.")] = None,
        phone: Annotated[str | None, typer.Option("--phone", help="Phone number.")] = None,
        fmt: FormatOption = OutputFormat.table) -> None:
    """Add an officer to the register."""
    from tct import audit, officers, render
    from tct.db import write_session

    with write_session(state().db()) as session:
        officer = officers.add(session, name, title=title, unit=unit, phone=phone, actor=audit.current_actor())
        data = officers.as_dict(officer)
    if fmt.value == "table":
        notice(render.label("officer_added", lang(), name=data["name"]))
    else:
        render.record(data, None, fmt.value, lang=lang())


@app.command("list")
def list_(all_: Annotated[bool, typer.Option("--all", help="Include retired officers.")] = False,
          fmt: FormatOption = OutputFormat.table) -> None:
    """The officers on the register."""
    from tct import officers, render
    from tct.db import read_session

    with read_session(state().db()) as session:
        data = [officers.as_dict(o) for o in officers.listing(session, include_retired=all_)]
    render.rows(data, _COLUMNS, fmt.value, lang=lang())


@app.command("retire")
def retire(name: Annotated[str, typer.Argument(help="The officer's name (accents optional).")]) -> None:
    """Mark an officer as no longer receiving citizens (kept in the register and its history)."""
    import shlex

    from tct import audit, officers, render, rosters
    from tct.db import write_session

    with write_session(state().db()) as session:
        officer = officers.retire(session, name, actor=audit.current_actor())
        held = [row.shift_date for row in rosters.held_after_retiring(session, officer)]
    notice(render.label("officer_retired", lang(), name=officer.name))
    if held:  # (kept: the office head reassigns those days, then removes them; roster check lists them)
        first, last = f"{held[0]:%d/%m/%Y}", f"{held[-1]:%d/%m/%Y}"
        command = f"tct roster remove {shlex.quote(officer.name)} --date {first}" + (
            f" --to {last}" if last != first else "")
        notice(render.label("warning_line", lang(), text=render.label(
            "officer_retired_rostered", lang(), name=officer.name, count=len(held),
            span=first if last == first else f"{first}–{last}", command=command)))
