"""JP compliance: every active ASN's JP in a year against the target, per person and per unit.

The city has thousands of ASN, so nothing here loops over people with a query each: a page of
people is one SELECT that joins each person to their year's Lentera and external JP (two
grouped subqueries), and the per-unit summary is one grouped SELECT over the same join. The
counts a page needs (how many people match the filters) are read off the unit summary.
What counts (revoked certificates count nothing, local years) is `app.learning.credited`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Subquery

from app.accounts.models import Unit, User
from app.learning import credited
from app.reports.exports import file_chunks

PAGE_SIZE = 100
# Reports go back to 2000 (before Lentera, external learning may be recorded) and forward to
# next year (external learning planned into January is entered in December).
MIN_YEAR = 2000
# Export columns: a data format HR pastes into its own sheets, so fixed Indonesian headers
# (like the completion export's), not interface text that changes with the reader's language.
COLUMNS = [
    "NIP", "Nama", "Unit Kerja", "Jabatan", "Golongan", "JP Lentera", "JP Eksternal",
    "Total JP", "Target", "Kekurangan", "Status",
]  # fmt: skip
STATUS_REACHED = "Tercapai"
STATUS_SHORT = "Belum tercapai"


@dataclass(frozen=True)
class ComplianceFilters:
    year: int
    unit_id: int | None = None
    below_only: bool = False

    def describe(self) -> dict[str, Any]:
        """The filters as recorded in the audit log."""
        return {"year": self.year, "unit_id": self.unit_id, "below_target_only": self.below_only}


@dataclass(frozen=True)
class PersonJP:
    """One ASN's JP in the year against the target."""

    user_id: int
    nip: str
    full_name: str
    unit_name: str | None
    jabatan: str | None
    golongan: str | None
    lentera_jp: int
    external_jp: int
    target: int

    @property
    def total(self) -> int:
        return self.lentera_jp + self.external_jp

    @property
    def shortfall(self) -> int:
        return max(0, self.target - self.total)

    @property
    def reached(self) -> bool:
        return self.total >= self.target

    def export_row(self) -> tuple[object, ...]:
        """The row in the export's COLUMNS order."""
        return (
            self.nip, self.full_name, self.unit_name, self.jabatan, self.golongan,
            self.lentera_jp, self.external_jp, self.total, self.target, self.shortfall,
            STATUS_REACHED if self.reached else STATUS_SHORT,
        )  # fmt: skip


@dataclass(frozen=True)
class UnitSummary:
    """A unit kerja's (or, with `unit_id` None, the people without one) compliance."""

    unit_id: int | None
    unit_name: str | None
    people: int
    below: int
    total_jp: int

    @property
    def share_below(self) -> float:
        """Share of the unit's ASN below target, 0..1."""
        return self.below / self.people if self.people else 0.0

    @property
    def average_jp(self) -> float:
        return self.total_jp / self.people if self.people else 0.0


def _jp_subqueries(year: int) -> tuple[Subquery, Subquery]:
    """Per-user credited Lentera JP and verified external JP in `year`, grouped.

    `app.learning.credited` builds them, so a year means exactly what it means on the
    learner's record (local year boundaries, revoked certificates count nothing, external
    learning counted in the year it ended).
    """
    return credited.lentera_jp_by_user(year), credited.external_jp_by_user(year)


def _jp_columns(year: int) -> tuple[ColumnElement[int], ColumnElement[int], Subquery, Subquery]:
    lentera, external = _jp_subqueries(year)
    return func.coalesce(lentera.c.jp, 0), func.coalesce(external.c.jp, 0), lentera, external


def _people_query(filters: ComplianceFilters, target: int) -> Select[*tuple[Any, ...]]:
    """Active ASN with their year's JP, filtered, ordered by unit then name."""
    lentera_jp, external_jp, lentera, external = _jp_columns(filters.year)
    query = (
        select(
            User.id,
            User.nip,
            User.full_name,
            Unit.name,
            User.jabatan,
            User.golongan,
            lentera_jp,
            external_jp,
        )
        .outerjoin(Unit, Unit.id == User.unit_id)
        .outerjoin(lentera, lentera.c.user_id == User.id)
        .outerjoin(external, external.c.user_id == User.id)
        .where(User.is_active.is_(True))
    )
    if filters.unit_id is not None:
        query = query.where(User.unit_id == filters.unit_id)
    if filters.below_only:
        query = query.where(lentera_jp + external_jp < target)
    return query


def _person(row: Sequence[Any], target: int) -> PersonJP:
    user_id, nip, name, unit, jabatan, golongan, lentera_jp, external_jp = row
    return PersonJP(
        user_id=user_id, nip=nip, full_name=name, unit_name=unit, jabatan=jabatan,
        golongan=golongan, lentera_jp=int(lentera_jp), external_jp=int(external_jp),
        target=target,
    )  # fmt: skip


def _by_unit_then_name(query: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    # People without a unit last; the id breaks ties so pages never overlap or skip anyone.
    return query.order_by(Unit.name.is_(None), Unit.name, User.full_name, User.id)


def people_page(
    session: Session,
    filters: ComplianceFilters,
    *,
    target: int,
    page: int,
    page_size: int = PAGE_SIZE,
) -> list[PersonJP]:
    """One page of people matching `filters`, by unit kerja then name (one query)."""
    query = _by_unit_then_name(_people_query(filters, target))
    rows = session.execute(query.offset((page - 1) * page_size).limit(page_size)).all()
    return [_person(row, target) for row in rows]


def iter_people(
    session: Session, filters: ComplianceFilters, *, target: int, batch: int = 2000
) -> Iterator[PersonJP]:
    """Every person matching `filters`, in page order, fetched in batches (for exports)."""
    query = _by_unit_then_name(_people_query(filters, target))
    for row in session.execute(query.execution_options(yield_per=batch)):
        yield _person(row, target)


def people_after(
    session: Session, year: int, *, target: int, cursor: int | None, limit: int
) -> list[PersonJP]:
    """Up to `limit` active ASN with an id above `cursor`, in id order (the API's pages)."""
    query = _people_query(ComplianceFilters(year=year), target).order_by(User.id).limit(limit)
    if cursor is not None:
        query = query.where(User.id > cursor)
    return [_person(row, target) for row in session.execute(query)]


def unit_summary(session: Session, year: int, *, target: int) -> list[UnitSummary]:
    """Every unit's active ASN, how many are below target and their JP, in one grouped query.

    Sorted with the largest share below target first (ties: more people below, then name).
    Units without an active ASN are left out.
    """
    lentera_jp, external_jp, lentera, external = _jp_columns(year)
    total = lentera_jp + external_jp
    rows = session.execute(
        select(
            User.unit_id,
            Unit.name,
            func.count(User.id),
            func.sum(case((total < target, 1), else_=0)),
            func.sum(total),
        )
        .outerjoin(Unit, Unit.id == User.unit_id)
        .outerjoin(lentera, lentera.c.user_id == User.id)
        .outerjoin(external, external.c.user_id == User.id)
        .where(User.is_active.is_(True))
        .group_by(User.unit_id, Unit.name)
    ).all()
    units = [
        UnitSummary(
            unit_id=unit_id,
            unit_name=name,
            people=int(people),
            below=int(below or 0),
            total_jp=int(jp_sum or 0),
        )
        for unit_id, name, people, below, jp_sum in rows
    ]
    units.sort(key=lambda u: (-u.share_below, -u.below, u.unit_name is None, u.unit_name or ""))
    return units


def city_totals(units: Sequence[UnitSummary]) -> UnitSummary:
    """The whole city's figures, added up from the unit summary."""
    return UnitSummary(
        unit_id=None,
        unit_name=None,
        people=sum(u.people for u in units),
        below=sum(u.below for u in units),
        total_jp=sum(u.total_jp for u in units),
    )


def matching_count(units: Sequence[UnitSummary], filters: ComplianceFilters) -> int:
    """How many people the person list has under `filters`, read off the unit summary."""
    chosen = [u for u in units if filters.unit_id is None or u.unit_id == filters.unit_id]
    return sum(u.below if filters.below_only else u.people for u in chosen)


def export_chunks(
    open_session: Callable[[], AbstractContextManager[Session]],
    filters: ComplianceFilters,
    *,
    target: int,
    fmt: Literal["csv", "xlsx"],
    delimiter: str = ";",
    bom: bool = True,
) -> Iterator[bytes]:
    """The compliance list as file chunks, formula-neutralised; reads in its own session.

    CSV streams as it is read; XLSX is written row by row to a temporary file (a write-only
    workbook keeps memory flat) and then streamed.
    """
    with open_session() as session:
        rows = (person.export_row() for person in iter_people(session, filters, target=target))
        yield from file_chunks(COLUMNS, rows, fmt, delimiter=delimiter, bom=bom)
