"""The register's tables, declared once as SQLModel classes.

Conventions: timestamps (`*_at`) are aware UTC; calendar days (`*_on`, `*_date`) are office-local
dates. Enumerated values (type, field, status, …) are stored as their English keys whatever the
display language. Every text a person searches has a folded copy (`*_folded`, see tct.text.fold)
in an indexed column, so search runs in SQL on both SQLite and PostgreSQL.
Visits and audit events are never deleted (database triggers refuse it, see migrations).
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlalchemy import true as sa_true
from sqlmodel import Field, SQLModel

from tct.dates import utc_now


class Entity(SQLModel):
    """Base of every table. Table models are never validated (SQLModel skips validation for them),
    so pydantic's validator is built on first use instead of at import: half of `tct.models`'s
    import time, which every command touching the register pays."""

    model_config = {"defer_build": True}  # type: ignore[assignment]


class Setting(Entity, table=True):
    """A value of `tct config`; the value is JSON text."""

    __tablename__ = "setting"
    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utc_now)


class AuditEvent(Entity, table=True):
    """One write to the register (nhật ký): append-only, never updated or deleted."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_code_at", "code", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utc_now, index=True)
    actor: str = Field(max_length=200)
    entity: str = Field(max_length=40)
    code: str | None = Field(default=None, max_length=200)
    action: str = Field(max_length=40)
    changes: str | None = Field(default=None, sa_column=Column(Text))
    reason: str | None = Field(default=None, sa_column=Column(Text))


class CodeCounter(Entity, table=True):
    """The last number handed out for a kind of code in a year: gapless, one row per (kind, year)."""

    __tablename__ = "code_counter"
    kind: str = Field(primary_key=True, max_length=20)
    year: int = Field(primary_key=True)
    last: int = 0


class Officer(Entity, table=True):
    """A civil servant who receives citizens (công chức tiếp công dân)."""

    __tablename__ = "officer"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    name_folded: str = Field(max_length=200, index=True)
    title: str | None = Field(default=None, max_length=200)
    unit: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    active: bool = True
    created_at: datetime = Field(default_factory=utc_now)
    retired_at: datetime | None = None


class Citizen(Entity, table=True):
    """A person who came to the desk; one record per ID number (CCCD/CMND) when given."""

    __tablename__ = "citizen"
    # A search by a part of the name or address is tested on this index alone (migration 0010).
    __table_args__ = (Index("ix_citizen_name_address_folded", "name_folded", "address_folded"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    name_folded: str = Field(max_length=200)
    id_number: str | None = Field(default=None, max_length=12, unique=True)
    address: str | None = Field(default=None, max_length=500)
    address_folded: str | None = Field(default=None, max_length=500)
    phone: str | None = Field(default=None, max_length=50)
    locality: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)


class Case(Entity, table=True):
    """A matter (vụ việc) that one or more visits bring. `deadline` is stored so backlog is a query."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("year", "seq", name="uq_cases_year_seq"),
        Index("ix_cases_status_deadline", "status", "deadline"),
        Index("ix_cases_deadline", "deadline"),  # `case list`, most urgent first (migration 0011)
        # The backlog of a past day reads its two ranges of cases from these alone (migration 0012).
        # (A partial index below is partial on PostgreSQL too: its migration says so. A postgresql_where
        # here would load SQLAlchemy's PostgreSQL dialect, about 50 ms, in every command on SQLite.)
        Index("ix_cases_status_opened", "status", "opened_on", "status_changed_on", "first_visit_on",
              "history_in_order", "type", "code"),
        # (of the cases that took a step: a new case, one of most an import brings, is not written to it)
        Index("ix_cases_status_changed_opened", "status_changed_on", "opened_on", "first_visit_on", "type", "code",
              sqlite_where=text("status_changed_on IS NOT NULL")),
        # (the few whose history is out of date order: the backlog's third range, migration 0013)
        Index("ix_cases_history_out_of_order", "status_changed_on", "opened_on", "first_visit_on", "history_in_order",
              "status", "type", "code", sqlite_where=text("NOT history_in_order")),
    )
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    year: int
    seq: int
    type: str = Field(max_length=20)
    field: str = Field(max_length=40)
    locality: str | None = Field(default=None, max_length=200)
    locality_folded: str | None = Field(default=None, max_length=200, index=True)
    summary: str | None = Field(default=None, sa_column=Column(Text))
    search_folded: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    within_authority: bool = True
    status: str = Field(default="new", max_length=20)
    result: str | None = Field(default=None, max_length=20)
    transferred_to: str | None = Field(default=None, max_length=300)
    opened_on: date = Field(index=True)
    accepted_on: date | None = None
    resolved_on: date | None = None
    closed_on: date | None = None
    deadline: date | None = None
    extension_days: int = 0
    # The latest day of its status history, so the cases open on a past day are found by index.
    status_changed_on: date | None = None
    # The day of its first non-void visit (None while every visit is void): received by a day only if
    # a visit came by then. opened_on may be earlier, never past the first step of its history.
    first_visit_on: date | None = None
    # False when its history, read in date order, does not end at its status on status_changed_on
    # (steps an older tct let be entered out of date order): a past day's backlog then reads the history.
    history_in_order: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})
    citizen_id: int | None = Field(default=None, foreign_key="citizen.id", index=True)
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)


class CaseStatusChange(Entity, table=True):
    """One step of a case's lifecycle, with the values that step needs (result, agency)."""

    __tablename__ = "case_status_change"
    __table_args__ = (Index("ix_case_status_change_case_day", "case_id", "changed_on", "id", "to_status"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    changed_on: date = Field(index=True)
    at: datetime = Field(default_factory=utc_now)
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str = Field(max_length=20)
    result: str | None = Field(default=None, max_length=20)
    agency: str | None = Field(default=None, max_length=300)
    note: str | None = Field(default=None, sa_column=Column(Text))
    actor: str = Field(max_length=200)


class CaseExtension(Entity, table=True):
    """A lawful extension of a case's resolution deadline (gia hạn)."""

    __tablename__ = "case_extension"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    days: int
    reason: str = Field(sa_column=Column(Text, nullable=False))
    at: datetime = Field(default_factory=utc_now)
    actor: str = Field(max_length=200)


class CaseFlag(Entity, table=True):
    """A flag on a case (crowd, repeat, escalated, complex, hotspot); cleared, never deleted."""

    __tablename__ = "case_flag"
    __table_args__ = (Index("ix_case_flag_case_kind", "case_id", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id")
    kind: str = Field(max_length=20, index=True)
    source: str = Field(max_length=10)  # auto | manual
    reason: str | None = Field(default=None, sa_column=Column(Text))
    set_at: datetime = Field(default_factory=utc_now)
    set_by: str = Field(max_length=200)
    cleared_at: datetime | None = None
    cleared_by: str | None = Field(default=None, max_length=200)
    clear_reason: str | None = Field(default=None, sa_column=Column(Text))


class Referral(Entity, table=True):
    """Information on a case sent to another agency (phối hợp, cung cấp thông tin)."""

    __tablename__ = "referral"
    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    to_agency: str = Field(max_length=300)
    sent_on: date = Field(index=True)
    note: str | None = Field(default=None, sa_column=Column(Text))
    at: datetime = Field(default_factory=utc_now)
    actor: str = Field(max_length=200)


class Visit(Entity, table=True):
    """One reception of one citizen or one delegation (lượt tiếp).

    `visited_at` is UTC; `visit_date` is the office-local day it belongs to in every report.
    """

    __tablename__ = "visit"
    __table_args__ = (
        UniqueConstraint("year", "seq", name="uq_visit_year_seq"),
        Index("ix_visit_date_void", "visit_date", "void"),
        Index("ix_visit_case_at", "case_id", "visited_at"),
        Index("ix_visit_case_void_date", "case_id", "void", "visit_date"),
        Index("ix_visit_officer_at", "officer_id", "visited_at"),
        # (the delegation visits alone, by day: a past day's hotspots in the report, migration 0015)
        Index("ix_visit_delegation_date", "visit_date", "case_id", sqlite_where=text("delegation AND NOT void")),
    )
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    year: int
    seq: int
    case_id: int = Field(foreign_key="cases.id")
    citizen_id: int = Field(foreign_key="citizen.id", index=True)
    officer_id: int = Field(foreign_key="officer.id")  # (indexed with visited_at: ix_visit_officer_at)
    visited_at: datetime = Field(index=True)
    visit_date: date
    people: int = 1
    delegation: bool = False
    representatives: str | None = Field(default=None, max_length=1000)
    type: str = Field(max_length=20)
    field: str = Field(max_length=40)
    content: str | None = Field(default=None, sa_column=Column(Text))
    handling: str = Field(default="guided", max_length=20)
    kind: str = Field(default="regular", max_length=10)
    escalated: bool = False
    note: str | None = Field(default=None, sa_column=Column(Text))
    search_folded: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    void: bool = False
    void_reason: str | None = Field(default=None, sa_column=Column(Text))
    voided_at: datetime | None = None
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)


class DutyShift(Entity, table=True):
    """An officer's reception duty on one day (lịch trực tiếp công dân)."""

    __tablename__ = "duty_shift"
    __table_args__ = (Index("ix_duty_shift_date_officer", "shift_date", "officer_id"),)
    id: int | None = Field(default=None, primary_key=True)
    officer_id: int = Field(foreign_key="officer.id", index=True)
    shift_date: date
    shift: str = Field(max_length=20)  # morning | afternoon | full | custom
    start_time: time
    end_time: time
    role: str = Field(default="main", max_length=10)  # main | backup | leader
    location: str | None = Field(default=None, max_length=300)
    note: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utc_now)


class Period(Entity, table=True):
    """A custom reporting period (built-in holiday periods are computed, not stored)."""

    __tablename__ = "period"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    title: str = Field(max_length=300)
    start: date
    end: date
    before_days: int = 0
    after_days: int = 0
    created_at: datetime = Field(default_factory=utc_now)


FOUNDATION_TABLES = ("setting", "audit_event", "code_counter")
REGISTER_TABLES = ("officer", "citizen", "cases", "case_status_change", "case_extension", "case_flag",
                   "referral", "visit", "duty_shift", "period")
ALL_TABLES = FOUNDATION_TABLES + REGISTER_TABLES
