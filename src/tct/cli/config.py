"""`tct config`: settings stored in the register (agency name, time zone, thresholds)."""

from __future__ import annotations

from typing import Annotated

import typer

from tct.cli.common import FormatOption, OutputFormat, lang, notice, state

app = typer.Typer(help="Settings stored in the register.", no_args_is_help=True)

_COLUMNS = [("key", "key"), ("value", "value"), ("default", "default")]


def _row(spec, value, is_default: bool) -> dict:  # type: ignore[no-untyped-def]
    return {"key": spec.key, "value": value, "default": is_default, "help": spec.help}


def _as_typed(value, key: str = ""):  # type: ignore[no-untyped-def]
    """A list as `config set` takes it back ("land; housing"): items may hold commas. The fields
    in Vietnamese by their names ("đất đai; nhà ở"), which `config set` takes back as their codes."""
    if key == "visit.fields" and isinstance(value, list) and lang() == "vi":
        from tct.i18n import value_label

        value = [value_label("field", item, lang()) for item in value]
    return "; ".join(value) if isinstance(value, list) else value


@app.command("list")
def list_(fmt: FormatOption = OutputFormat.table) -> None:
    """Every setting with its value and whether it is the default."""
    from tct import render, settings
    from tct.db import read_session

    with read_session(state().db()) as session:
        current = settings.load(session)
    readable = fmt.value in ("table", "md")
    data = [_row(spec, _as_typed(value, spec.key) if readable else value, current.is_default(spec.key))
            for spec, value in current.items()]
    render.rows(data, _COLUMNS, fmt.value, lang=lang())


@app.command("get")
def get(key: Annotated[str, typer.Argument(help="Setting name, e.g. agency.name")],
        fmt: FormatOption = OutputFormat.table) -> None:
    """One setting's value."""
    from tct import render, settings
    from tct.db import read_session

    spec = settings.definition(key)
    with read_session(state().db()) as session:
        current = settings.load(session)
    value = current[key]
    if fmt.value == "table":
        render.text_block(render.display(_as_typed(value, key), lang()))
    else:
        render.record(_row(spec, value, current.is_default(key)), None, fmt.value, lang=lang())


@app.command("set")
def set_(key: Annotated[str, typer.Argument(help="Setting name, e.g. agency.name")],
         value: Annotated[str, typer.Argument(help="New value; lists are separated by ';'")]) -> None:
    """Change a setting (validated, audited)."""
    from tct import audit, render, settings
    from tct.db import write_session
    from tct.i18n import label

    with write_session(state().db()) as session:
        _, after = settings.set_value(session, key, value, actor=audit.current_actor())
    notice(label("setting_saved", lang(), key=key, value=render.display(_as_typed(after, key), lang())))
