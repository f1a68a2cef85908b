"""Where the completion export's rows come from: two SELECTs with the same columns, joined by
UNION ALL in `completions.records_query`.

1. **Course enrolments** (`enrolment_rows`), with their completion where there is one: who
   finished a course, who is still learning, who is past a mandatory deadline. A course
   delivered by a class session is here too: attending enrols the learner (source "class"),
   so such a completion is listed once, through its enrolment.
2. **Stand-alone class completions** (`class_rows`): a pelatihan klasikal has no course
   (`completions.course_id` NULL), hence no enrolment. Its row is always completed ("Selesai"):
   title, category and code are its current certificate's (frozen when the trainer finalised
   the session, `app.learning.credited`), else the session's; the JP, dates and score
   (the attendance percentage) are the completion's; assignment and due date do not apply.

Each row carries one integer `row_key`: an enrolment's id, or CLASS_KEYS + a class
completion's id. The export is ordered by it (course rows, then class rows) and reads rows
again by it (`completions.rows_by_id`, the CSV fast path's re-read on SQLite). One plain
column as the order lets SQLite merge the two branches, each read in key order (the
enrolments by rowid, without sorting a million rows), instead of sorting the whole union:
for that SQLite needs the branches' columns to have the same affinity, hence the CASTs and
COALESCEs in `class_rows` that mirror `enrolment_rows`.

Whether a completion counts is `app.learning.credited`'s rule, through its building blocks
(the current certificate joined; `credited` / `credited_jp`) in both branches. The export's
filters (`ExportFilters`) are defined here, beside the queries that apply them; callers
import them from `app.reports.completions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
)

from app import clock
from app.accounts import nip as nip_rules
from app.accounts.models import Unit, User
from app.classes.models import ClassSession
from app.content.models import Course, CourseVersion
from app.learning import credited
from app.learning.credited import current_certificate
from app.learning.models import Assignment, Completion, Enrolment

Status = Literal["selesai", "berjalan", "lewat_tenggat"]


@dataclass(frozen=True)
class ExportFilters:
    date_from: date | None = None
    date_to: date | None = None
    unit_id: int | None = None
    course_code: str | None = None
    status: Status | None = None
    # One person (their NIP or NI PPPK) and/or one employee type ("PNS" or "PPPK").
    nip: str | None = None
    employee_type: Literal["PNS", "PPPK"] | None = None
    today: date = field(default_factory=clock.today)
    # Only completions that count (SIASN's layout): a revoked certificate's row is left out.
    credited_only: bool = False
    # Only completions completed, or whose current certificate was (re-)issued, at or after
    # this moment: "changes since the last SIASN export" (`siasn_batches.last_export_at`).
    since: datetime | None = None

    def describe(self) -> dict[str, Any]:
        """The filters as recorded in the audit log."""
        changes = {"since": self.since.isoformat()} if self.since is not None else {}
        return {
            **changes,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "unit_id": self.unit_id,
            "course": self.course_code,
            "status": self.status,
            # Masked: the audit trail keeps no NIP in its details (anonymisation cannot reach it).
            "nip": nip_rules.mask(self.nip) if self.nip else None,
            "employee_type": self.employee_type,
        }


# Above any enrolment id (2^48), below 2^63: a class row's key is this plus its completion id.
CLASS_KEYS = 1 << 48
# The labels of the columns both branches select, in order (the export's row tuples).
NAMES = ("nip", "name", "unit", "jabatan", "golongan", "code", "title", "category", "jp",
         "started", "completed", "score", "due_on", "number", "revoked_at", "revoke_reason",
         "credited_jp", "jenis_diklat", "class_session_id", "row_key")  # fmt: skip


def _labelled(*columns: Any) -> list[ColumnElement[Any]]:
    return [column.label(name) for column, name in zip(columns, NAMES, strict=True)]


def _common_filters(
    query: Select[*tuple[Any, ...]], filters: ExportFilters, moment: Any
) -> Select[*tuple[Any, ...]]:
    """The filters both branches apply alike (period, person, changes since, credited)."""
    if filters.date_from:
        query = query.where(moment >= clock.day_start(filters.date_from))
    if filters.date_to:
        query = query.where(moment < clock.day_start(filters.date_to) + timedelta(days=1))
    if filters.unit_id is not None:
        query = query.where(User.unit_id == filters.unit_id)
    if filters.nip:
        query = query.where(User.nip == filters.nip)
    if filters.employee_type:
        query = query.where(User.employee_type == filters.employee_type)
    if filters.since is not None:
        query = query.where(
            or_(
                Completion.completed_at >= filters.since,
                current_certificate.issued_at >= filters.since,
            )
        )
    if filters.credited_only:
        query = query.where(Completion.id.is_not(None), credited.credited())
    return query


def enrolment_rows(filters: ExportFilters) -> Select[*tuple[Any, ...]]:
    """One row per course enrolment, with its completion and assignment where there are."""
    version = CourseVersion
    columns = _labelled(
        User.nip, User.full_name, Unit.name, User.jabatan, User.golongan, Course.code,
        version.title, version.category, func.coalesce(Completion.jp, version.jp),
        func.coalesce(Completion.started_at, Enrolment.enrolled_at),
        Completion.completed_at, Completion.final_score, Assignment.due_on,
        current_certificate.number, current_certificate.revoked_at,
        current_certificate.revoke_reason,
        case((Completion.id.is_(None), null()), else_=credited.credited_jp()),
        version.jenis_diklat_siasn, Completion.class_session_id, Enrolment.id,
    )  # fmt: skip
    query = (
        select(*columns)
        .select_from(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .join(Course, Course.id == Enrolment.course_id)
        .outerjoin(
            Completion,
            and_(
                Completion.user_id == Enrolment.user_id, Completion.course_id == Enrolment.course_id
            ),
        )
        .join(
            version,
            version.id == func.coalesce(Completion.course_version_id, Course.current_version_id),
        )
        .outerjoin(current_certificate, credited.current_certificate_on(Completion.id))
        .outerjoin(
            Assignment,
            and_(
                Assignment.user_id == Enrolment.user_id, Assignment.course_id == Enrolment.course_id
            ),
        )
    )
    moment = func.coalesce(Completion.completed_at, Enrolment.enrolled_at)
    query = _common_filters(query, filters, moment)
    if filters.course_code:
        query = query.where(Course.code == filters.course_code)
    if filters.status == "selesai":
        query = query.where(Completion.id.is_not(None))
    elif filters.status == "lewat_tenggat":
        query = query.where(Completion.id.is_(None), Assignment.due_on < filters.today)
    elif filters.status == "berjalan":
        query = query.where(
            Completion.id.is_(None),
            or_(Assignment.due_on.is_(None), Assignment.due_on >= filters.today),
        )
    return query


def class_rows(filters: ExportFilters) -> Select[*tuple[Any, ...]] | None:
    """One row per stand-alone class completion; None when the filters leave none (a course
    code names a course; "still learning" and "past due" never hold for a class row)."""
    if filters.course_code or filters.status in ("berjalan", "lewat_tenggat"):
        return None
    # Each column's expression has the affinity of the enrolment branch's (see the docstring).
    columns = _labelled(
        User.nip, User.full_name, Unit.name, User.jabatan, User.golongan,
        current_certificate.course_code,
        cast(func.coalesce(current_certificate.course_title, ClassSession.title), String),
        cast(func.coalesce(current_certificate.category, ClassSession.category), String),
        func.coalesce(Completion.jp, current_certificate.jp),
        func.coalesce(Completion.started_at, Completion.completed_at), Completion.completed_at,
        Completion.final_score, null().cast(Date), current_certificate.number,
        current_certificate.revoked_at, current_certificate.revoke_reason,
        credited.credited_jp(), null().cast(Integer), Completion.class_session_id,
        cast(Completion.id + literal_column(str(CLASS_KEYS), BigInteger), BigInteger),
    )  # fmt: skip
    query = (
        select(*columns)
        .select_from(Completion)
        .join(User, User.id == Completion.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .join(ClassSession, ClassSession.id == Completion.class_session_id)
        .outerjoin(current_certificate, credited.current_certificate_on(Completion.id))
        # A class of a course has course_id set: it is listed through its enrolment.
        .where(Completion.course_id.is_(None))
    )
    return _common_filters(query, filters, Completion.completed_at)
