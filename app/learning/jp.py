"""JP (jam pelajaran) per calendar year: what a learner earned on Lentera and elsewhere.

Every ASN is owed at least `settings.jp_target` JP of competency development a year
(PP 11/2017, UU 20/2023). A year is a calendar year in WITA, where Palu is: a course completed
on 31 December at 20.00 UTC was completed on 1 January in Palu and counts for the new year.
Lentera completions count when completed; external learning counts once HR verified it, in
the year it ended.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, aliased

from app.content.models import Course, CourseVersion
from app.db import utcnow
from app.learning.models import Certificate, Completion, ExternalLearning

# The zone the `datetime` template filter shows times in; a year boundary must agree with it.
WITA = ZoneInfo("Asia/Makassar")
EARLIEST_YEAR = 1990
DEFAULT_TARGET = 20  # settings.jp_target's default; pages pass the setting itself
# Bound parameters per IN (...) list: well under SQLite's and PostgreSQL's limits.
_ID_CHUNK = 5000


@dataclass(frozen=True)
class RecordEntryView:
    """One line of the learning record: a Lentera completion or verified external learning."""

    source: Literal["lentera", "external"]
    title: str
    category: str  # "teknis", "manajerial" or "sosial kultural"
    organiser: str | None  # None for Lentera (the BKPSDM runs it)
    completed_on: date  # in WITA
    jp: int
    final_score: int | None = None  # Lentera only, 0..100
    course_code: str | None = None
    certificate_number: str | None = None
    certificate_revoked: bool = False
    external_id: int | None = None


@dataclass(frozen=True)
class JPYear:
    """A learner's JP for one year against the target; `entries` add up to `total`."""

    year: int
    lentera_jp: int
    external_jp: int
    total: int
    target: int
    remaining: int
    entries: list[RecordEntryView]

    @property
    def reached(self) -> bool:
        return self.remaining == 0

    @property
    def lentera_entries(self) -> list[RecordEntryView]:
        return [e for e in self.entries if e.source == "lentera"]


def wita_today() -> date:
    """Today's date in Palu."""
    return utcnow().astimezone(WITA).date()


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The UTC instants where `year` starts and ends in WITA (end exclusive)."""
    start = datetime(year, 1, 1, tzinfo=WITA).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=WITA).astimezone(UTC)
    return start, end


def _completed_in(year: int) -> ColumnElement[bool]:
    start, end = year_bounds(year)
    return and_(Completion.completed_at >= start, Completion.completed_at < end)


def _verified_in(year: int) -> ColumnElement[bool]:
    return and_(
        ExternalLearning.status == "verified",
        ExternalLearning.end_on >= date(year, 1, 1),
        ExternalLearning.end_on <= date(year, 12, 31),
    )


# Built once: an alias made per call re-creates a proxy for each of the table's columns, which
# measured 0.5 ms per learner's home page (a quarter of its CPU).
_COMPLETED_VERSION = aliased(CourseVersion, name="completed_version")


def lentera_entries(session: Session, user_id: int, year: int) -> list[RecordEntryView]:
    """The learner's Lentera completions in `year`, with their certificate if any."""
    version = _COMPLETED_VERSION
    rows = session.execute(
        select(
            Completion.completed_at,
            Completion.jp,
            Completion.final_score,
            Course.code,
            version.title,
            version.category,
            Certificate.number,
            Certificate.revoked_at,
            Certificate.course_title,
            Certificate.category,
        )
        .join(Course, Course.id == Completion.course_id)
        # The version the learner completed; the current one if that version is gone.
        .outerjoin(
            version,
            version.id == func.coalesce(Completion.course_version_id, Course.current_version_id),
        )
        .outerjoin(Certificate, Certificate.completion_id == Completion.id)
        .where(Completion.user_id == user_id, _completed_in(year))
    ).all()
    entries = []
    for row in rows:
        (completed_at, jp, score, code, title, category, number, revoked_at) = row[:8]
        cert_title, cert_category = row[8], row[9]
        entries.append(
            RecordEntryView(
                source="lentera",
                # A certificate's text is frozen at issue: the record says what it says.
                title=cert_title or title or code,
                category=cert_category or category or "",
                organiser=None,
                completed_on=completed_at.astimezone(WITA).date(),
                jp=jp,
                final_score=score,
                course_code=code,
                certificate_number=number,
                certificate_revoked=revoked_at is not None,
            )
        )
    return entries


def external_entries(session: Session, user_id: int, year: int) -> list[RecordEntryView]:
    """The learner's verified external learning that ended in `year`."""
    rows = session.scalars(
        select(ExternalLearning).where(ExternalLearning.user_id == user_id, _verified_in(year))
    ).all()
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
    session: Session, user_id: int, year: int, *, target: int = DEFAULT_TARGET
) -> JPYear:
    """The learner's JP in `year` (WITA), Lentera and verified external, newest entry first."""
    lentera = lentera_entries(session, user_id, year)
    external = external_entries(session, user_id, year)
    entries = sorted(
        lentera + external,
        key=lambda e: (e.completed_on, e.source == "lentera", e.title.casefold()),
        reverse=True,
    )
    lentera_jp = sum(e.jp for e in lentera)
    external_jp = sum(e.jp for e in external)
    total = lentera_jp + external_jp
    return JPYear(
        year=year,
        lentera_jp=lentera_jp,
        external_jp=external_jp,
        total=total,
        target=target,
        remaining=max(0, target - total),
        entries=entries,
    )


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _ID_CHUNK):
        yield ids[start : start + _ID_CHUNK]


def jp_by_user(
    session: Session, year: int, user_ids: Collection[int] | None = None
) -> dict[int, int]:
    """Each user's total JP in `year` in two grouped queries: {user_id: total}.

    Without `user_ids`, only users with some JP appear (read others as 0). With `user_ids`,
    every one of them appears, 0 included; long lists are queried in chunks of 5,000.
    """
    totals: dict[int, int] = {}
    lentera = select(Completion.user_id, func.sum(Completion.jp)).where(_completed_in(year))
    external = select(ExternalLearning.user_id, func.sum(ExternalLearning.jp)).where(
        _verified_in(year)
    )
    if user_ids is None:
        batches: list[Sequence[int] | None] = [None]
    else:
        wanted = sorted(set(user_ids))
        totals = dict.fromkeys(wanted, 0)
        batches = list(_chunks(wanted))
    for batch in batches:
        for query, column in (
            (lentera, Completion.user_id),
            (external, ExternalLearning.user_id),
        ):
            if batch is not None:
                query = query.where(column.in_(batch))
            for user_id, jp in session.execute(query.group_by(column)):
                totals[user_id] = totals.get(user_id, 0) + int(jp or 0)
    return totals


def record_years(session: Session, user_id: int, *, today: date | None = None) -> list[int]:
    """The years worth offering in the year selector, newest first: the current year and
    every year with a completion or an external submission (whatever its status)."""
    current = (today or wita_today()).year
    years = {current}
    completed = session.scalars(
        select(Completion.completed_at).where(Completion.user_id == user_id)
    )
    years.update(moment.astimezone(WITA).year for moment in completed)
    ended = session.scalars(
        select(ExternalLearning.end_on).where(ExternalLearning.user_id == user_id).distinct()
    )
    years.update(day.year for day in ended)
    return sorted((y for y in years if EARLIEST_YEAR <= y <= current), reverse=True)
