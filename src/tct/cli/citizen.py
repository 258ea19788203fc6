"""`tct citizen`: who came, how often, about what — so a repeat visitor is obvious at the desk."""

from __future__ import annotations

from typing import Annotated

import typer

from tct.cli.common import FormatOption, OutputFormat, at_most, lang, reading, state

app = typer.Typer(help="Citizens and their visit history.", no_args_is_help=True)

_COLUMNS = [("ref", "citizen_ref"), ("name", "name"), ("locality", "locality"), ("visits", "visits"),
            ("last_visit", "last_visit")]


@app.command("list")
def list_(search: Annotated[str | None, typer.Option(
              "--search", help="Name or address (accents optional); finds denouncers only with --reveal.")] = None,
          limit: Annotated[int, typer.Option("--limit", min=1, max=100000)] = 100,
          reveal: Annotated[bool, typer.Option("--reveal", help="Show denouncers' identities (audited).")] = False,
          fmt: FormatOption = OutputFormat.table) -> None:
    """Citizens on the register with their number of visits. Denouncers are masked unless --reveal."""
    from tct import audit, citizens, render

    with reading(reveal=reveal) as source:
        data = at_most(citizens.listing(source, search=search, limit=limit + 1, reveal=reveal), limit)
        if reveal:
            audit.reveal(source, entity="citizen", after={"search": search})
    for item in data:
        item["ref"] = f"CD-{item['id']}"
    render.rows(data, _COLUMNS, fmt.value, lang=lang(),
                fields=("id", "name", "id_number", "address", "phone", "locality", "masked", "visits", "last_visit",
                        "ref"))


@app.command("show")
def show(ref: Annotated[str, typer.Argument(help="CD-N from `citizen list`, or an ID number.")],
         fmt: FormatOption = OutputFormat.table) -> None:
    """A citizen with every visit and case, oldest first. Showing a denouncer is audited."""
    from tct import audit, citizens, render, settings, visits
    from tct.db import read_session, write_session

    database = state().db()
    with read_session(database) as session:  # (no wait for another desk's write: see `visit show`)
        current = settings.load(session)
        citizen = citizens.resolve(session, ref)
        records = [visits.record(session, v, tz=current["timezone"]) for v in citizens.history(session, citizen.id)]
        reveals = citizens.is_denouncer(session, citizen.id)
    if reveals:
        with write_session(database) as session:
            audit.reveal(session, entity="citizen", code=f"CD-{citizen.id}")
    data = {**citizens.as_dict(citizen), "ref": f"CD-{citizen.id}",
            "visits": [{k: r[k] for k in ("code", "visited_at", "case", "type", "field", "people", "handling",
                                          "void")} for r in records],
            "cases": sorted({r["case"] for r in records})}
    if fmt.value == "json":
        render.record(data, None, "json")
        return
    render.record(data, [("ref", "citizen_ref"), ("name", "name"), ("id_number", "id_number"),
                         ("address", "address"), ("phone", "phone"), ("locality", "locality"), ("cases", "cases")],
                  fmt.value, lang=lang(), title=data["name"])
    from tct.dates import iso_text

    when = "visited_at"
    if fmt.value in ("table", "md"):  # day-first on screen, as `visit show` and `visit list` print them
        when = "visited"
        for item in data["visits"]:
            item[when] = iso_text(item["visited_at"])
    render.rows(data["visits"], [("code", "code"), (when, "visited_at"), ("case", "case"),
                                 ("type", "visit_type"), ("people", "people"), ("handling", "handling"),
                                 ("void", "void")], fmt.value, lang=lang(), follows=True)
