"""Settings (`tct config`): stored in the database so every desk sharing a register agrees.

Each setting has a type, a default (the legal value where the law sets one, see domain.md)
and a validator. Later features add their definitions here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tct.errors import NotFoundError, ValidationError

if TYPE_CHECKING:
    from sqlmodel import Session

    from tct.db import Driver

DEFAULT_FIELDS = ["land", "housing", "policy", "administration", "justice", "press-media", "telecom-it", "other"]
DEFAULT_AGENCIES = [
    "Thanh tra tỉnh",
    "Ban Tiếp công dân tỉnh",
    "Công an tỉnh",
    "Bộ Chỉ huy Quân sự tỉnh",
    "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
    "UBND huyện",
]
_KEY = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9_-]+)*$")
_HHMM_RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class SettingDef:
    key: str
    kind: str  # text | int | timezone | list | hours
    default: Any
    help: str
    minimum: int | None = None
    maximum: int | None = None


DEFINITIONS: dict[str, SettingDef] = {d.key: d for d in [
    SettingDef("agency.name", "text", "", "agency name printed in report headers"),
    SettingDef("timezone", "timezone", "Asia/Ho_Chi_Minh", "office time zone for typed times and report days"),
    SettingDef("delegation.min_people", "int", 5, "people in one visit that make it a delegation "
               "(Law on Citizen Reception 2013, art. 30)", 2, 100),
    SettingDef("visit.fields", "list", DEFAULT_FIELDS, "fields (lĩnh vực) a visit may be filed under"),
    SettingDef("repeat.min_visits", "int", 3, "visits to one case within the window that flag it repeat", 2, 100),
    SettingDef("repeat.window_days", "int", 30, "window in days for the repeat flag", 1, 366),
    SettingDef("hotspot.min_cases", "int", 2, "crowd cases in one locality within the window that make a hotspot",
               1, 100),
    SettingDef("hotspot.window_days", "int", 30, "window in days for hotspots", 1, 366),
    SettingDef("deadline.complaint_days", "int", 30, "days to resolve a complaint after acceptance "
               "(Law on Complaints 2011)", 1, 365),
    SettingDef("deadline.complaint_complex_days", "int", 45, "days to resolve a complex complaint", 1, 365),
    SettingDef("deadline.denunciation_days", "int", 30, "days to resolve a denunciation after acceptance "
               "(Law on Denunciations 2018)", 1, 365),
    SettingDef("deadline.denunciation_extension_days", "int", 30, "longest single extension of a denunciation",
               1, 365),
    SettingDef("deadline.petition_days", "int", 10, "days to process a petition or feedback after receipt", 1, 365),
    SettingDef("alerts.due_within_days", "int", 3, "alert on open cases due within this many days", 0, 60),
    SettingDef("alerts.delegation_days", "int", 7, "alert on delegations of the last this many days", 1, 60),
    SettingDef("period.before_days", "int", 7, "days in the 'before' phase of a holiday period", 0, 60),
    SettingDef("period.after_days", "int", 7, "days in the 'after' phase of a holiday period", 0, 60),
    SettingDef("shift.morning", "hours", "07:30-11:30", "hours of the morning duty shift"),
    SettingDef("shift.afternoon", "hours", "13:30-17:00", "hours of the afternoon duty shift"),
    SettingDef("referral.agencies", "list", DEFAULT_AGENCIES, "agencies offered for case referrals"),
]}


def definition(key: str) -> SettingDef:
    try:
        return DEFINITIONS[key]
    except KeyError:
        raise NotFoundError.said_as("err_unknown_setting", key=key) from None


def parse_value(key: str, raw: str) -> Any:
    """Turn the text typed after `tct config set KEY` into a validated value."""
    from tct.text import clean

    spec = definition(key)
    if spec.kind == "int":
        try:
            value = int(raw.strip())
        except ValueError:
            raise ValidationError.said_as("err_setting_not_a_number", key=key, raw=raw) from None
        if spec.minimum is not None and value < spec.minimum or spec.maximum is not None and value > spec.maximum:
            raise ValidationError.said_as("err_setting_out_of_range", key=key, low=spec.minimum, high=spec.maximum)
        return value
    if spec.kind == "timezone":
        from tct.dates import office_tz

        value = raw.strip()
        office_tz(value)
        return value
    if spec.kind == "list":
        # (";" or a line each, as README says: an agency's name may hold commas, "UBND huyện Châu
        # Thành, tỉnh An Giang")
        items = [clean(part, label=key, max_len=300) for part in re.split(r"[;\n]", raw)]
        items = [item for item in items if item]
        if key == "visit.fields":
            items = [_field_code(item) for item in items]
        if not items:
            raise ValidationError.said_as("err_setting_list_empty", key=key)
        if len(set(items)) != len(items):
            raise ValidationError.said_as("err_setting_list_twice", key=key)
        return items
    if spec.kind == "hours":
        value = raw.strip()
        match = _HHMM_RANGE.match(value)
        if not match or (match.group(1), match.group(2)) >= (match.group(3), match.group(4)):
            raise ValidationError.said_as("err_setting_hours", key=key)
        return value
    return clean(raw, label=key, max_len=300) or ""


def _field_code(typed: str) -> str:
    """A field of `visit.fields` typed by its Vietnamese name ("đất đai", "Nhà ở") is the field whose
    code the register keeps ("land", "housing"), as `--field` takes it: stored under the words, it was
    a new field, and the visits filed under it counted apart from those under its code in the report."""
    from tct.i18n import VALUES
    from tct.vocab import FIELD_ALIASES, _key, lookup

    known = {code: (*FIELD_ALIASES.get(code, ()), _key(names[1]), _key(names[0]))
             for code, names in VALUES["field"].items()}
    return lookup(typed, known) or typed


def check_stored(key: str, value: Any) -> None:
    """`value` as `tct config set KEY` would have stored it, or a ValidationError: an imported
    register brings its settings from a file, and a value of the wrong kind (a number where a list
    of fields belongs) would make every later command fail."""
    spec = DEFINITIONS.get(key)
    if spec is None:
        return  # a setting of a newer tct at the same schema: kept, unread (as `load` does)
    shown = json.dumps(value, ensure_ascii=True)[:60]
    if spec.kind == "text":  # (text stored by an earlier tct may hold what `clean` now takes out)
        good = isinstance(value, str) and len(value) <= 300 and "\x00" not in value
    elif spec.kind == "list":
        good = (isinstance(value, list) and bool(value) and all(isinstance(item, str) and item for item in value)
                and len(set(value)) == len(value))
    else:
        good = (isinstance(value, str | int) and not isinstance(value, bool)
                and parse_value(key, str(value)) == value)
    if not good:
        raise ValidationError.said_as("err_setting_cannot_hold", key=key, shown=shown)


class Settings:
    """All settings of one register, read once per command."""

    def __init__(self, stored: dict[str, Any]) -> None:
        self._stored = stored

    def __getitem__(self, key: str) -> Any:
        spec = definition(key)
        return self._stored.get(key, spec.default)

    def is_default(self, key: str) -> bool:
        return key not in self._stored

    def items(self) -> list[tuple[SettingDef, Any]]:
        return [(spec, self[spec.key]) for spec in DEFINITIONS.values()]


def load(source: Session | Driver) -> Settings:
    """The settings as this session (or read) sees them, read once per session (a visit add needs
    them in several places); `set_value` forgets the copy."""
    cached = source.info.get(_CACHE)
    if cached is not None:
        return cached
    from tct.db import Driver

    stored = {}
    for key, value in Driver.of(source).rows('SELECT "key", value FROM setting'):
        if key in DEFINITIONS:
            stored[key] = json.loads(value)
    source.info[_CACHE] = Settings(stored)
    return source.info[_CACHE]


_CACHE = "tct.settings"
_COMPLEX_NO_SHORTER = ("deadline.complaint_days", "deadline.complaint_complex_days")


def set_value(session: Session, key: str, raw: str, *, actor: str) -> tuple[Any, Any]:
    """Validate and store a setting, with an audit event; returns (before, after)."""
    from tct import audit
    from tct.dates import utc_now
    from tct.models import Setting

    value = parse_value(key, raw)
    before = load(session)[key]
    if key == "timezone" and value != before:
        from sqlmodel import select

        from tct.models import Visit

        # Each visit's day (the report's, the flags', the roster's) was taken in the office's time
        # zone when it was entered, and stored: another zone would date new visits differently from
        # the old ones, and a visit at 00:30 would be counted on one day and shown on another.
        if session.exec(select(Visit.id).limit(1)).first() is not None:
            raise ValidationError.said_as("err_timezone_with_visits", before=before)
    if key in _COMPLEX_NO_SHORTER:
        # Law on Complaints 2011: a complex case has longer (45 days, not 30), never shorter, to be settled.
        current = load(session)
        ordinary, complex_ = ((value, current["deadline.complaint_complex_days"]) if key == "deadline.complaint_days"
                              else (current["deadline.complaint_days"], value))
        if complex_ < ordinary:
            raise ValidationError.said_as("err_complex_shorter", complex_=complex_, ordinary=ordinary)
    session.info.pop(_CACHE, None)
    row = session.get(Setting, key)
    if row is None:
        row = Setting(key=key, value=json.dumps(value, ensure_ascii=False))
    else:
        row.value = json.dumps(value, ensure_ascii=False)
        row.updated_at = utc_now()
    session.add(row)
    if before != value:
        audit.record(session, actor=actor, entity="setting", code=key, action="set",
                     before={"value": before}, after={"value": value})
        # The register follows the new rule at once: its flags, and the stored deadlines of open cases.
        if key.startswith("hotspot."):
            from tct import flags

            flags.refresh_hotspots_everywhere(session, load(session), actor=actor)
        elif key.startswith("repeat."):
            from tct import flags

            flags.refresh_repeats_everywhere(session, load(session), actor=actor)
        elif key.startswith("deadline."):
            from tct import cases

            cases.refresh_open_deadlines(session, load(session), actor=actor, reason=f"{key} = {value}")
    return before, value
