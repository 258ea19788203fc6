"""`tct log`: the audit trail of every write."""

from __future__ import annotations

import re
from typing import Annotated

import typer

from tct.cli.common import FormatOption, OutputFormat, lang, state

_RECORD_CODE = re.compile(r"(?:tcd|vv)-\d{4}-\d+|cd-\d+", re.IGNORECASE)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_COLUMNS = [("at", "at"), ("actor", "actor"), ("entity", "entity"), ("code", "code"), ("action", "action"),
            ("changes", "changes"), ("reason", "reason")]


def log(
    entity: Annotated[str | None, typer.Option("--entity", metavar="CODE",
                                               help="Only the events of this record: a visit, case or citizen "
                                                    "code (TCD-2021-0001, VV-2021-0001, CD-2), an officer's name "
                                                    "or a setting key.")] = None,
    since: Annotated[str | None, typer.Option("--from", help="From this day (inclusive).")] = None,
    until: Annotated[str | None, typer.Option("--to", help="Up to this day (inclusive).")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100000, help="The newest N events.")] = 100,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List the audit trail, oldest first: the newest 100 events unless --limit says more."""
    import json
    from datetime import datetime, time, timedelta

    from tct import audit, dates, render, settings
    from tct.db import read_session

    with read_session(state().db()) as session:
        tz = settings.load(session)["timezone"]
        start = end = None
        if since:
            start = datetime.combine(dates.parse_date(since, tz=tz, label="--from"), time(), dates.office_tz(tz))
        if until:
            end = datetime.combine(dates.parse_date(until, tz=tz, label="--to") + timedelta(days=1), time(),
                                   dates.office_tz(tz))
        if start is not None and end is not None and end <= start:
            from tct.errors import ValidationError
            from tct.i18n import label

            raise ValidationError(label("to_before_from", lang()))
        if entity and _RECORD_CODE.fullmatch(entity.strip()):  # codes are stored in capitals, numbers padded
            from tct.cases import code_key

            entity = code_key(entity)
        events = audit.events(session, code=entity, since=start, until=end, limit=limit + 1)
    if entity and not events:  # (a mistyped code would otherwise look like a record nobody touched)
        from tct.cli.common import notice
        from tct.i18n import label

        notice(label("log_no_events", lang(), entity=entity))
    if len(events) > limit:  # (one more than asked for, the oldest: there are older events)
        from tct.cli.common import notice
        from tct.i18n import label

        notice(label("log_limited", lang(), limit=limit))
        events = events[1:]
    readable = fmt.value in ("table", "md")
    data = [{"id": e.id, "at": dates.local_text(e.at, tz) if readable else dates.local_iso(e.at, tz),
             "actor": e.actor, "entity": e.entity, "code": e.code, "action": e.action,
             "changes": json.loads(e.changes) if e.changes else None, "reason": e.reason}
            for e in events]
    if readable:
        from tct.i18n import reason_label, value_label

        for item in data:
            if item["entity"] == "setting" and item["code"] == "visit.fields" and item["changes"] and lang() == "vi":
                # (the fields by their names, as `config get` says them: "đất đai; nhà ở", not "land, housing")
                item["changes"] = {side: {"value": "; ".join(value_label("field", field, lang())
                                                             for field in values["value"])
                                          if isinstance(values.get("value"), list) else values.get("value")}
                                   for side, values in item["changes"].items() if isinstance(values, dict)}
            item["changes"] = _readable_changes(item["changes"], tz, lang(), item["entity"])
            if item["entity"] == "case" and item["action"] in ("flag", "unflag", "repair"):  # (where tct gives one)
                item["reason"] = reason_label(item["reason"], lang())
    if fmt.value == "table":
        render.rows(_on_screen(data), _SCREEN_COLUMNS, fmt.value, lang=lang())
        return
    # (a reason column no event fills would only take width from the changes)
    columns = _COLUMNS if not readable or any(item["reason"] for item in data) else _COLUMNS[:-1]
    render.rows(data, columns, fmt.value, lang=lang(),
                fields=("id", "at", "actor", "entity", "code", "action", "changes", "reason"))


# On a screen of 80 columns, seven columns left the changes ~7 characters wide, each word cut in
# two: the record is said in one column ("vụ việc VV-2021-0022") and the reason closes the changes.
_SCREEN_COLUMNS = [("at", "at"), ("actor", "actor"), ("record", "entity"), ("action", "action"),
                   ("changes", "changes")]


def _on_screen(data: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    from tct.i18n import label, value_label

    shown = []
    for item in data:
        what = value_label("entity", item["entity"], lang())
        changes = item["changes"] or ""
        if item["reason"]:
            changes += ("; " if changes else "") + f"{label('reason', lang())}: {item['reason']}"
        shown.append({**item, "record": f"{what} {item['code']}" if item["code"] else what, "changes": changes})
    return shown


# An audited field → the label tables give it, where that is not its own name; and the fields
# whose values are codes (a kind of i18n.VALUES), said in the reader's language.
_FIELD_LABELS = {"type": "visit_type", "kind": "reception_kind", "fields": "changed_fields", "flag": "log_flag",
                 "source": "log_flag_source", "decided_on": "log_decided_on", "void_reason": "log_void_reason",
                 "status_changed_on": "log_status_changed_on", "search": "log_search"}
# The same key naming another thing on another kind of record: a period's name is its code (tet-2021),
# not a person's full name; a shift's start and end are hours, a period's days.
_ENTITY_FIELD_LABELS = {
    ("period", "name"): "log_period_code", ("period", "title"): "period_title", ("period", "start"): "period_start",
    ("period", "end"): "period_end", ("period", "before_days"): "log_before_days",
    ("period", "after_days"): "log_after_days",
    ("officer", "title"): "officer_title",
    ("duty_shift", "date"): "roster_date", ("duty_shift", "shift"): "roster_shift",
    ("duty_shift", "role"): "roster_role",
    ("duty_shift", "start"): "log_shift_start", ("duty_shift", "end"): "log_shift_end",
    ("duty_shift", "location"): "roster_location", ("duty_shift", "note"): "roster_note",
    ("case", "to"): "log_referred_to", ("case", "sent_on"): "log_sent_on", ("case", "days"): "log_extension_days",
    ("import", "visits"): "log_import_visits", ("import", "first"): "log_import_first",
    ("import", "last"): "log_import_last", ("import", "new_cases"): "log_new_cases",
    ("import", "new_citizens"): "log_new_citizens",
    ("register", "file"): "log_file", ("register", "sha256"): "log_sha256",
    ("register", "pre_restore_backup"): "log_pre_restore_backup", ("register", "upgraded_from"): "log_upgraded_from",
    ("register", "last"): "log_counter_last",
}
_FIELD_VALUES = {"type": "type", "field": "field", "handling": "handling", "status": "status", "kind": "kind",
                 "result": "result", "flag": "flag", "source": "source", "shift": "shift", "role": "role"}


def _readable_changes(changes: dict | None, tz: str, language: str = "en",  # type: ignore[type-arg]
                      entity: str = "") -> str:
    """`field: before → after` for a person reading the table (times in the office's time zone);
    in Vietnamese, the fields and their coded values in Vietnamese too (JSON and CSV keep the trail's
    own keys and codes)."""
    if not changes:
        return ""
    before, after = changes.get("before", {}), changes.get("after", {})
    if not before:
        return ", ".join(f"{_field(key, language, entity)}={_value(key, value, tz, language)}"
                         for key, value in sorted(after.items()) if value not in (None, ""))
    parts = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        shown = ["—" if value in (None, "") else _value(key, value, tz, language) for value in (old, new)]
        parts.append(f"{_field(key, language, entity)}: {shown[0]} → {shown[1]}")
    return "; ".join(parts)


def _field(key: str, language: str, entity: str = "") -> str:
    from tct.i18n import LABELS, label

    name = _ENTITY_FIELD_LABELS.get((entity, key)) or _FIELD_LABELS.get(key, key)
    return label(name, language) if language != "en" and name in LABELS else key


def _value(key: str, value: object, tz: str, language: str) -> object:
    from tct.i18n import label, value_label

    if isinstance(value, list | tuple):  # the fields a citizen's record gained, a day's shifts…
        return ", ".join(str(_field(item, language) if key == "fields" and isinstance(item, str)
                             else _value(key, item, tz, language)) for item in value)
    if language == "en":
        return _readable(value, tz)
    if isinstance(value, bool):
        return label("yes" if value else "no", language)
    if key in _FIELD_VALUES and isinstance(value, str):
        return value_label(_FIELD_VALUES[key], value, language)
    return _readable(value, tz)


def _readable(value: object, tz: str) -> object:
    """A timestamp the trail keeps in UTC (2021-02-20T02:00:00+00:00) as the office's wall-clock
    time (20/02/2021 09:00), a day (a deadline, 2021-02-20) day-first as everywhere a person reads
    one (20/02/2021); anything else as it is."""
    from datetime import date, datetime

    from tct import dates

    if isinstance(value, str) and len(value) == 10 and _ISO_DAY.fullmatch(value):
        try:
            return dates.day_text(date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, str) and len(value) > 19 and value[10:11] == "T":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            return dates.local_text(moment, tz)
    return value
