"""A learner's JP record for one year: the entries and totals /riwayat and HR's page show.

What counts, for whom and in which year is `app.learning.credited` (read it first); this
module lists one person's year (their window: calendar or PPPK contract year) through it.
A completion whose certificate is revoked is listed too, marked revoked with its reason and
date, and credited 0 JP.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Literal

from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import EmployeeType, User
from app.accounts.viewer import Person
from app.config import get_settings
from app.content.models import Course
from app.learning import credited
from app.learning.credited import EARLIEST_YEAR as EARLIEST_YEAR  # re-exported for the routes
from app.learning.credited import JPRule, Window, completed_version, current_certificate
from app.learning.models import Completion, ExternalLearning


@dataclass(frozen=True)
class RecordEntryView:
    """One line of the learning record: a Lentera completion or verified external learning."""

    source: Literal["lentera", "external"]
    title: str
    category: str  # "teknis", "manajerial" or "sosial kultural"
    organiser: str | None  # None for Lentera (the BKPSDM runs it)
    completed_on: date  # local date (app.clock)
    jp: int  # the JP the learning is worth
    final_score: int | None = None  # Lentera only, 0..100
    course_code: str | None = None
    certificate_number: str | None = None
    certificate_revoked: bool = False
    revoked_on: date | None = None  # local date of the revocation
    revoke_reason: str | None = None
    external_id: int | None = None
    completion_id: int | None = None  # Lentera only

    @property
    def credited_jp(self) -> int:
        """The JP this entry adds to the year: 0 when its certificate is revoked."""
        return 0 if self.certificate_revoked else self.jp


@dataclass(frozen=True)
class JPYear:
    """A learner's JP for one year against the target; entries' `credited_jp` add up to
    `total` (revoked entries are listed with 0)."""

    year: int
    lentera_jp: int
    external_jp: int
    total: int
    target: int
    remaining: int  # JP still short of the minimum, or (PPPK) left of the allotment
    entries: list[RecordEntryView]
    rule: JPRule | None = None  # None: the PNS minimum `target`, no citation known
    window: Window | None = None  # None: the calendar year

    @property
    def reached(self) -> bool:
        return self.remaining == 0

    @property
    def is_allotment(self) -> bool:
        """A PPPK's allotment (at most), never a minimum to be below."""
        return self.rule is not None and not self.rule.is_minimum

    @property
    def lentera_entries(self) -> list[RecordEntryView]:
        return [e for e in self.entries if e.source == "lentera"]

    def by_category(self) -> dict[str, int]:
        """Credited JP per competency category (categories without JP left out)."""
        totals: dict[str, int] = {}
        for entry in self.entries:
            if entry.credited_jp:
                totals[entry.category] = totals.get(entry.category, 0) + entry.credited_jp
        return totals


# The record's two reads are built once, with bound parameters: building a SELECT of this size
# and its cache key took about a third of the learner home's CPU per request (py-spy on
# `bench/page_statements.py`); SQLAlchemy memoises the key on the statement object.
_USER = bindparam("user_id", type_=Integer)


@cache
def _lentera_statement() -> Select[*tuple[Any, ...]]:
    certificate = current_certificate
    query = (
        select(
            Completion.completed_at,
            Completion.jp,
            Completion.final_score,
            Course.code,
            completed_version.title,
            credited.lentera_category(),
            certificate.number,
            certificate.revoked_at,
            certificate.revoke_reason,
            certificate.course_title,
            Completion.id,
        )
        # Outer: a stand-alone class session's completion has no course (its certificate
        # gives the title and category).
        .outerjoin(Course, Course.id == Completion.course_id)
        # The version the learner completed; the current one if that version is gone.
        .outerjoin(
            completed_version,
            completed_version.id
            == func.coalesce(Completion.course_version_id, Course.current_version_id),
        )
    )
    moment = Completion.completed_at.type
    return credited.join_current_certificate(query).where(
        Completion.user_id == _USER,
        credited.completed_between(
            bindparam("start", type_=moment), bindparam("end", type_=moment)
        ),
    )


@cache
def _external_statement() -> Select[ExternalLearning]:
    day = ExternalLearning.end_on.type
    return select(ExternalLearning).where(
        ExternalLearning.user_id == _USER,
        credited.external_credited_between(
            bindparam("starts_on", type_=day), bindparam("ends_on", type_=day)
        ),
    )


def lentera_entries(session: Session, user_id: int, year: int | Window) -> list[RecordEntryView]:
    """The learner's Lentera completions in `year`, credited or revoked, with their current
    certificate if any."""
    start, end = credited.as_window(year).bounds
    query = _lentera_statement()
    params = {"user_id": user_id, "start": start, "end": end}
    entries = []
    for row in session.execute(query, params):
        (completed_at, jp, score, code, title, category, number, revoked_at, reason) = row[:9]
        cert_title: str | None = row[9]
        completion_id: int = row[10]
        entries.append(
            RecordEntryView(
                source="lentera",
                # A certificate's text is frozen at issue: the record says what it says.
                title=cert_title or title or code,
                category=category,
                organiser=None,
                completed_on=clock.local_date(completed_at),
                jp=jp,
                final_score=score,
                course_code=code,
                certificate_number=number,
                certificate_revoked=revoked_at is not None,
                revoked_on=clock.local_date(revoked_at) if revoked_at is not None else None,
                revoke_reason=reason,
                completion_id=completion_id,
            )
        )
    return entries


def external_entries(session: Session, user_id: int, year: int | Window) -> list[RecordEntryView]:
    """The learner's verified external learning that ended in `year`."""
    window = credited.as_window(year)
    params = {"user_id": user_id, "starts_on": window.starts_on, "ends_on": window.ends_on}
    rows = session.scalars(_external_statement(), params).all()
    return [
        RecordEntryView(
            source="external",
            title=row.title,
            category=row.category,
            organiser=row.organiser,
            completed_on=row.end_on,
            jp=row.jp,
            certificate_number=row.certificate_number,
            external_id=row.id,
        )
        for row in rows
    ]


def jp_for_year(
    session: Session,
    user_id: int,
    year: int,
    *,
    target: int | None = None,
    rule: JPRule | None = None,
    window: Window | None = None,
) -> JPYear:
    """The learner's JP in `window` (local calendar `year` by default), Lentera and verified
    external, newest entry first; revoked completions are listed and credited 0."""
    if target is None:  # pages pass the rule's figure; the PNS target is a setting
        target = get_settings().jp_target
    span: int | Window = window or year
    lentera = lentera_entries(session, user_id, span)
    external = external_entries(session, user_id, span)
    entries = sorted(
        lentera + external,
        key=lambda e: (e.completed_on, e.source == "lentera", e.title.casefold()),
        reverse=True,
    )
    lentera_jp = sum(e.credited_jp for e in lentera)
    external_jp = sum(e.credited_jp for e in external)
    total = lentera_jp + external_jp
    return JPYear(
        year=year,
        lentera_jp=lentera_jp,
        external_jp=external_jp,
        total=total,
        target=target,
        remaining=max(0, target - total),
        entries=entries,
        rule=rule,
        window=window,
    )


def submissions_in(session: Session, user_id: int, year: int | Window) -> list[Any]:
    """Every external submission (any status) that ended in the window, newest first: the
    list beside the record, in the same window as its credited JP."""
    from app.learning.external import ExternalView

    window = credited.as_window(year)
    rows = session.scalars(
        select(ExternalLearning)
        .where(
            ExternalLearning.user_id == user_id,
            ExternalLearning.end_on >= window.starts_on,
            ExternalLearning.end_on < window.ends_on,
        )
        .order_by(ExternalLearning.end_on.desc(), ExternalLearning.id.desc())
    )
    return [ExternalView.of(row) for row in rows]


def contract_start(session: Session, person: Person) -> Any:
    """The person's contract start (PPPK), read fresh: the viewer snapshot does not carry it.
    None without a query for anyone else: only a PPPK's window depends on it
    (`credited.window_for`)."""
    if person.employee_type != EmployeeType.PPPK:
        return None
    return session.scalar(select(User.contract_start_on).where(User.id == person.id))


def current_year(session: Session, person: Person, *, today: date | None = None) -> int:
    """The year whose window holds today for `person` (see `credited.current_year`)."""
    return credited.current_year(
        today or clock.today(), person.employee_type, contract_start(session, person)
    )


def jp_for_person(session: Session, person: Person, year: int, settings: Any) -> JPYear:
    """`person`'s JP in their window of `year` against the rule of their employee type: the
    one call every page showing one person's JP makes (learner's and HR's alike)."""
    rule = credited.rule_for(settings, person.employee_type)
    window = credited.window_for(year, person.employee_type, contract_start(session, person))
    return jp_for_year(session, person.id, year, target=rule.jp, rule=rule, window=window)


def jp_by_user(
    session: Session, year: int, user_ids: Collection[int] | None = None
) -> dict[int, int]:
    """Each user's total credited JP in `year`: {user_id: total} (`credited.jp_by_user`)."""
    return credited.jp_by_user(session, year, user_ids)


def record_years(session: Session, user_id: int, *, today: date | None = None) -> list[int]:
    """The years worth offering in the year selector, newest first: the current year and
    every year with a completion or an external submission (whatever its status)."""
    current = (today or clock.today()).year
    years = {current}
    completed = session.scalars(
        select(Completion.completed_at).where(Completion.user_id == user_id)
    )
    years.update(clock.local_date(moment).year for moment in completed)
    ended = session.scalars(
        select(ExternalLearning.end_on).where(ExternalLearning.user_id == user_id).distinct()
    )
    years.update(day.year for day in ended)
    return sorted((y for y in years if EARLIEST_YEAR <= y <= current), reverse=True)
