"""Credited learning: which learning counts toward an ASN's JP, for whom, in which year.

Read this first; every page, file and API response that shows or adds up JP reads through
this module (the learner's home and /riwayat with its CSV and PDF, HR's JP compliance and
its export, the dashboard, the completion export in both layouts, the JSON API).

The rule
--------
The rule follows the employee type (`rule_for`; figures and legal basis are settings):

- **PNS**: at least `settings.jp_target` JP (jam pelajaran, 45 minutes) of competency
  development a *calendar* year (`settings.jp_rule_pns`: PP 11/2017 Pasal 203, as amended by
  PP 17/2020). Below it, a PNS is "below target".
- **PPPK**: development of *at most* `settings.jp_allotment_pppk` JP per *contract year*
  (`settings.jp_rule_pppk`: PP 49/2018 Pasal 40). An allotment, never a minimum: a PPPK is
  never "below target", HR sees how much of the allotment was used.

The year a JP counts in is a `Window` (`window_for`): the local calendar year, or, for a PPPK
whose contract start (`users.contract_start_on`) is known, the contract year that begins on
the contract's anniversary in that year ("tahun 2026" = 1 March 2026 up to 28 February 2027
for a contract that started on 1 March). A PPPK without a known start counts per calendar
year, and every page says which applies. A window is nothing but other bounds: the same
predicates below take a window or, in bulk, a per-person CASE over the few contract starts.

Two kinds of learning count:

1. **A Lentera completion** -- a course completed online, or a class session attended
   (app.classes: the session's completion, with `class_session_id`; `course_id` is NULL for a
   stand-alone pelatihan klasikal and set when the session delivers a course) -- counts with
   the JP recorded on the completion, for the learner who completed, in the window holding
   the *local* date of `completed_at` (`app.clock`: with WITA, a course completed on
   31 December at 20.00 UTC was completed on 1 January and counts for the new year) -- unless
   its certificate is revoked.
   A completion may have several certificate rows: a correction re-issues a certificate by
   revoking the old one (reason "diganti") and issuing a new row for the same completion.
   The completion's *current* certificate is its newest row (highest id). The completion
   counts iff it has no certificate at all, or its current certificate is not revoked.
   A completion whose current certificate is revoked is still *listed* wherever completions
   are listed (marked revoked, with the reason and date) but is credited 0 JP, and it is
   left out of SIASN's file and of every total.
2. **External learning** (a workshop, ASN Unggul...) counts with its JP once HR verified it
   (status "verified"; pending and rejected count nothing), in the window holding its end
   date (a plain date: no zone applies).

Each counted item has a competency category: "teknis", "manajerial" or "sosial kultural".
A Lentera completion's category and title are the certificate's (frozen at issue), else
those of the course version completed (the current version when that one is gone). A class
completion always has a certificate (issued when the trainer finalises the session), so its
category and title are the session's as they were then. Queries that list completions join
the course with an OUTER join for that reason.

How to use it
-------------
- Per person: `app.learning.jp.jp_for_person` (their rule and window; entries and totals,
  revoked entries listed) -- the learner's pages and HR's person page both call it.
- In bulk: `totals_by_user` (grouped SQL, id lists in chunks), or the grouped subqueries
  `lentera_jp_by_user` / `external_jp_by_user` (given `contract_starts(session)`, and `User`
  joined by them) to join into a report's own SELECT.
- Row by row in SQL: `join_current_certificate` + `credited(...)` / `credited_jp(...)`
  when a query lists completions, or `completion_counts(...)` as a stand-alone predicate.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal, TypeVar

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, literal, select
from sqlalchemy.orm import QueryableAttribute, Session, aliased
from sqlalchemy.sql.selectable import Subquery

from app import clock
from app.accounts.models import EmployeeType, User
from app.content.models import Course, CourseVersion
from app.learning.models import Certificate, Completion, ExternalLearning

# The first year a JP record or an external submission may fall in (jp.py re-exports it).
EARLIEST_YEAR = 1990

# Bound parameters per IN (...) list: well under SQLite's and PostgreSQL's limits.
ID_CHUNK = 5000

# The current certificate of a completion, joined by `join_current_certificate`. Built once:
# an alias made per call re-creates a proxy for each of the table's columns.
current_certificate = aliased(Certificate, name="current_certificate")
completed_version = aliased(CourseVersion, name="completed_version")
_newer = aliased(Certificate, name="newer_certificate")
_revoked = aliased(Certificate, name="revoked_certificate")

AnySelect = TypeVar("AnySelect", bound=Select[*tuple[Any, ...]])
Column = ColumnElement[Any] | QueryableAttribute[Any]


# --- SQL building blocks -------------------------------------------------------------------------


def is_current(certificate: Any) -> ColumnElement[bool]:
    """True for a certificate row that is its completion's newest (the current one)."""
    return ~exists().where(
        _newer.completion_id == certificate.completion_id, _newer.id > certificate.id
    )


def current_certificate_on(
    completion_id: Column, certificate: Any = current_certificate
) -> ColumnElement[bool]:
    """The join condition that pairs a completion with its current certificate (if any)."""
    return and_(certificate.completion_id == completion_id, is_current(certificate))


def join_current_certificate(query: AnySelect, completion_id: Column = Completion.id) -> AnySelect:
    """`query` outer-joined to `current_certificate` (all NULL when there is none)."""
    return query.outerjoin(current_certificate, current_certificate_on(completion_id))


def credited(certificate: Any = current_certificate) -> ColumnElement[bool]:
    """With the current certificate joined: the completion counts (not revoked)."""
    revoked_at: QueryableAttribute[Any] = certificate.revoked_at
    return revoked_at.is_(None)


def credited_jp(
    jp: Column = Completion.jp, certificate: Any = current_certificate
) -> ColumnElement[int]:
    """With the current certificate joined: the JP a completion is credited (0 if revoked)."""
    return case((credited(certificate), jp), else_=0)


def completion_counts(completion_id: Column = Completion.id) -> ColumnElement[bool]:
    """Stand-alone predicate: the completion counts (its current certificate is not revoked)."""
    return ~exists().where(
        _revoked.completion_id == completion_id,
        _revoked.revoked_at.is_not(None),
        is_current(_revoked),
    )


# --- rules and windows ---------------------------------------------------------------------------


@dataclass(frozen=True)
class JPRule:
    """The JP rule of one employee type: a yearly minimum (PNS) or an allotment (PPPK)."""

    employee_type: str  # "PNS" or "PPPK"
    kind: Literal["minimum", "allotment"]
    jp: int  # the minimum, or the allotment
    citation: str  # the legal basis, from settings

    @property
    def is_minimum(self) -> bool:
        return self.kind == "minimum"


def rule_for(settings: Any, employee_type: str) -> JPRule:
    """The rule for `employee_type`, with its figure and legal basis from `settings`."""
    if employee_type == EmployeeType.PPPK:
        return JPRule("PPPK", "allotment", settings.jp_allotment_pppk, settings.jp_rule_pppk)
    return JPRule("PNS", "minimum", settings.jp_target, settings.jp_rule_pns)


@dataclass(frozen=True)
class Window:
    """The dates JP of `year` is counted in: local calendar year or a PPPK contract year."""

    year: int
    starts_on: date
    ends_on: date  # exclusive
    contract: bool  # True: a contract year from the PPPK's contract start

    @property
    def last_day(self) -> date:
        return self.ends_on - timedelta(days=1)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The UTC moments where the window starts and ends (end exclusive)."""
        return clock.day_start(self.starts_on), clock.day_start(self.ends_on)


def anniversary(start: date, year: int) -> date:
    """`start`'s day and month in `year` (a 29 February start falls on 28 February)."""
    try:
        return start.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def as_window(year: int | Window) -> Window:
    """`year` as a window: a calendar year, or the window given."""
    return year if isinstance(year, Window) else window_for(year)


def window_for(
    year: int, employee_type: str | None = None, contract_start_on: date | None = None
) -> Window:
    """The window of `year` for a person: the contract year beginning in `year` for a PPPK
    whose contract start is known, else the calendar year."""
    if employee_type == EmployeeType.PPPK and contract_start_on is not None:
        return Window(
            year,
            anniversary(contract_start_on, year),
            anniversary(contract_start_on, year + 1),
            True,
        )
    return Window(year, date(year, 1, 1), date(year + 1, 1, 1), False)


def current_year(today: date, employee_type: str, contract_start_on: date | None) -> int:
    """The year whose window holds `today` (a contract year may have begun last year)."""
    if today >= window_for(today.year, employee_type, contract_start_on).starts_on:
        return today.year
    return today.year - 1


def contract_starts(session: Session) -> list[date]:
    """The distinct known contract starts of PPPK: what the per-person windows branch on."""
    return list(
        session.scalars(
            select(User.contract_start_on)
            .where(User.employee_type == EmployeeType.PPPK, User.contract_start_on.is_not(None))
            .distinct()
            .order_by(User.contract_start_on)
        )
    )


def _per_person(
    year: int, starts: Sequence[date], pick: Any, type_: Any
) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """(start, end) as SQL: a CASE on the person's contract start (needs `User` joined)."""
    calendar = pick(window_for(year))
    if not starts:
        return literal(calendar[0], type_), literal(calendar[1], type_)
    branches = [
        (
            and_(User.employee_type == EmployeeType.PPPK, User.contract_start_on == start),
            pick(window_for(year, EmployeeType.PPPK, start)),
        )
        for start in starts
    ]
    return tuple(  # type: ignore[return-value]
        case(
            *((cond, literal(bounds[i], type_)) for cond, bounds in branches),
            else_=literal(calendar[i], type_),
        )
        for i in (0, 1)
    )


def completed_in(year: int | Window) -> ColumnElement[bool]:
    """Completions made in local calendar `year`, or in a window."""
    window = as_window(year)
    return completed_between(*window.bounds)


def completed_between(start: Any, end: Any) -> ColumnElement[bool]:
    """Completions made from `start` up to `end` (a window's UTC `bounds`, or bound parameters
    of a statement built once: see `app.learning.jp`)."""
    return and_(Completion.completed_at >= start, Completion.completed_at < end)


def completed_in_person_window(year: int, starts: Sequence[date]) -> ColumnElement[bool]:
    """Completions made in their learner's window of `year` (needs `User` joined)."""
    start, end = _per_person(year, starts, lambda w: w.bounds, Completion.completed_at.type)
    return and_(Completion.completed_at >= start, Completion.completed_at < end)


def external_credited_in(year: int | Window) -> ColumnElement[bool]:
    """External learning verified by HR that ended in calendar `year`, or in a window."""
    window = as_window(year)
    return external_credited_between(window.starts_on, window.ends_on)


def external_credited_between(starts_on: Any, ends_on: Any) -> ColumnElement[bool]:
    """Verified external learning that ended from `starts_on` up to `ends_on` (dates, or bound
    parameters of a statement built once)."""
    return and_(
        ExternalLearning.status == "verified",
        ExternalLearning.end_on >= starts_on,
        ExternalLearning.end_on < ends_on,
    )


def external_credited_in_person_window(year: int, starts: Sequence[date]) -> ColumnElement[bool]:
    """Verified external learning that ended in its learner's window (needs `User` joined)."""
    start, end = _per_person(
        year, starts, lambda w: (w.starts_on, w.ends_on), ExternalLearning.end_on.type
    )
    return and_(
        ExternalLearning.status == "verified",
        ExternalLearning.end_on >= start,
        ExternalLearning.end_on < end,
    )


def lentera_category() -> ColumnElement[str]:
    """A completion's category: its current certificate's, else the completed version's.

    Needs `current_certificate` and `completed_version` joined (see `lentera_credits`).
    """
    return func.coalesce(current_certificate.category, completed_version.category, "")


def lentera_credits(year: int, starts: Sequence[date] = ()) -> Select[*tuple[Any, ...]]:
    """Credited completions of `year`: (user_id, category, jp), one row per completion, in
    each learner's window (`starts`: the PPPK contract starts, see `contract_starts`)."""
    query: Select[*tuple[Any, ...]] = (
        select(
            Completion.user_id.label("user_id"),
            lentera_category().label("category"),
            Completion.jp.label("jp"),
        )
        # Outer: a stand-alone class session's completion has no course.
        .outerjoin(Course, Course.id == Completion.course_id)
        .join(User, User.id == Completion.user_id)
        .outerjoin(
            completed_version,
            completed_version.id
            == func.coalesce(Completion.course_version_id, Course.current_version_id),
        )
    )
    return join_current_certificate(query).where(
        completed_in_person_window(year, starts), credited()
    )


def external_credits(year: int, starts: Sequence[date] = ()) -> Select[*tuple[Any, ...]]:
    """Credited external learning of `year`: (user_id, category, jp), one row per item."""
    return (
        select(
            ExternalLearning.user_id.label("user_id"),
            ExternalLearning.category.label("category"),
            ExternalLearning.jp.label("jp"),
        )
        .join(User, User.id == ExternalLearning.user_id)
        .where(external_credited_in_person_window(year, starts))
    )


def _grouped(credits: Select[*tuple[Any, ...]], name: str) -> Subquery:
    rows = credits.subquery(f"{name}_rows")
    return (
        select(rows.c.user_id.label("user_id"), func.sum(rows.c.jp).label("jp"))
        .group_by(rows.c.user_id)
        .subquery(name)
    )


def lentera_jp_by_user(year: int, starts: Sequence[date] = ()) -> Subquery:
    """Grouped subquery (user_id, jp): each user's credited Lentera JP in their window of
    `year` (`starts`: `contract_starts(session)`; empty means calendar years for all).

    The same predicate as `lentera_credits`, without the joins that only give a category
    (reports over the whole city group every completion of the year).
    """
    query = select(Completion.user_id.label("user_id"), func.sum(Completion.jp).label("jp"))
    query = query.join(User, User.id == Completion.user_id)
    query = join_current_certificate(query).where(
        completed_in_person_window(year, starts), credited()
    )
    return query.group_by(Completion.user_id).subquery("lentera_jp")


def external_jp_by_user(year: int, starts: Sequence[date] = ()) -> Subquery:
    """Grouped subquery (user_id, jp): each user's credited external JP in their window."""
    return _grouped(external_credits(year, starts), "external_jp")


# --- totals in bulk ------------------------------------------------------------------------------


@dataclass
class Totals:
    """One person's credited JP in a year, by source and by competency category."""

    lentera: int = 0
    external: int = 0
    by_category: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.lentera + self.external


def chunks(ids: Sequence[int], size: int | None = None) -> Iterator[Sequence[int]]:
    """`ids` in slices of at most `size` (ID_CHUNK by default), one IN (...) list each."""
    size = size or ID_CHUNK
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def totals_by_user(
    session: Session, year: int, user_ids: Collection[int] | None = None
) -> dict[int, Totals]:
    """Each user's credited JP in their window of `year`, in two grouped queries (per chunk).

    Without `user_ids`, only users with some credited JP appear (read others as zero). With
    `user_ids`, every one of them appears; long lists are queried in chunks of 5,000.
    """
    totals: dict[int, Totals] = {}
    batches: list[Sequence[int] | None]
    if user_ids is None:
        batches = [None]
    else:
        wanted = sorted(set(user_ids))
        totals = {user_id: Totals() for user_id in wanted}
        batches = list(chunks(wanted))
    starts = contract_starts(session)
    for source, credits in (
        ("lentera", lentera_credits(year, starts)),
        ("external", external_credits(year, starts)),
    ):
        rows = credits.subquery(f"{source}_rows")
        grouped = select(rows.c.user_id, rows.c.category, func.sum(rows.c.jp)).group_by(
            rows.c.user_id, rows.c.category
        )
        for batch in batches:
            query = grouped if batch is None else grouped.where(rows.c.user_id.in_(batch))
            for user_id, category, jp in session.execute(query):
                person = totals.setdefault(user_id, Totals())
                amount = int(jp or 0)
                if source == "lentera":
                    person.lentera += amount
                else:
                    person.external += amount
                person.by_category[category] = person.by_category.get(category, 0) + amount
    return totals


def jp_by_user(
    session: Session, year: int, user_ids: Collection[int] | None = None
) -> dict[int, int]:
    """Each user's total credited JP in `year`: {user_id: total} (see `totals_by_user`)."""
    return {user_id: t.total for user_id, t in totals_by_user(session, year, user_ids).items()}
