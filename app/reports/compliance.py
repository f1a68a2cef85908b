"""JP compliance: every active ASN's JP in a year against the target, per person and per unit.

The city has thousands of ASN, so nothing here loops over people with a query each: a page of
people is one SELECT that joins each person to their year's Lentera and external JP (two
grouped subqueries), and the per-unit summary is one grouped SELECT over the same join. The
counts a page needs (how many people match the filters) are read off the unit summary.
What counts (revoked certificates count nothing, local years) is `app.learning.credited`.

The rule follows the employee type: a PNS below `target` JP (the PNS minimum) is "below
target"; a PPPK has an allotment of at most `allotment` JP per contract year (per calendar year
while the contract start is unknown) and is never below anything: HR sees how much was used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Subquery

from app.accounts.models import EmployeeType, Unit, User
from app.learning import credited
from app.reports.exports import file_chunks

PAGE_SIZE = 100
# Reports go back to 2000 (before Lentera, external learning may be recorded) and forward to
# next year (external learning planned into January is entered in December).
MIN_YEAR = 2000
# Export columns: a data format HR pastes into its own sheets, so fixed Indonesian headers
# (like the completion export's), not interface text that changes with the reader's language.
COLUMNS = [
    "NIP", "Nama", "Unit Kerja", "Jabatan", "Golongan", "Jenis Pegawai", "JP Lentera",
    "JP Eksternal", "Total JP", "Target/Jatah", "Kekurangan", "Status", "Dihitung per",
]  # fmt: skip
STATUS_REACHED = "Tercapai"
STATUS_SHORT = "Belum tercapai"
STATUS_ALLOTMENT = "Jatah PPPK (paling banyak)"
PER_CALENDAR = "Tahun kalender"
PER_CONTRACT = "Tahun kontrak"
DEFAULT_ALLOTMENT = 24  # settings.jp_allotment_pppk's default; pages pass the setting itself


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
    """One ASN's JP in their window of the year against the rule of their employee type."""

    user_id: int
    nip: str
    full_name: str
    unit_name: str | None
    jabatan: str | None
    golongan: str | None
    lentera_jp: int
    external_jp: int
    target: int  # the PNS minimum, or the PPPK allotment
    employee_type: str = EmployeeType.PNS.value
    contract_year: bool = False  # counted per contract year (PPPK with a known start)

    @property
    def total(self) -> int:
        return self.lentera_jp + self.external_jp

    @property
    def is_allotment(self) -> bool:
        """A PPPK: the figure is an allotment (at most), never a minimum to fall short of."""
        return self.employee_type == EmployeeType.PPPK

    @property
    def shortfall(self) -> int:
        return 0 if self.is_allotment else max(0, self.target - self.total)

    @property
    def remaining_allotment(self) -> int:
        return max(0, self.target - self.total) if self.is_allotment else 0

    @property
    def reached(self) -> bool:
        """The PNS minimum is reached (always False for a PPPK: there is none to reach)."""
        return not self.is_allotment and self.total >= self.target

    @property
    def below(self) -> bool:
        return not self.is_allotment and self.total < self.target

    def export_row(self) -> tuple[object, ...]:
        """The row in the export's COLUMNS order."""
        shortfall: int | None = None  # left empty for a PPPK: there is no minimum
        if self.is_allotment:
            status = STATUS_ALLOTMENT
        else:
            status = STATUS_REACHED if self.reached else STATUS_SHORT
            shortfall = self.shortfall
        return (
            self.nip, self.full_name, self.unit_name, self.jabatan, self.golongan,
            self.employee_type, self.lentera_jp, self.external_jp, self.total, self.target,
            shortfall, status, PER_CONTRACT if self.contract_year else PER_CALENDAR,
        )  # fmt: skip


@dataclass(frozen=True)
class UnitSummary:
    """A unit kerja's (or, with `unit_id` None, the people without one) compliance."""

    unit_id: int | None
    unit_name: str | None
    people: int
    below: int
    total_jp: int
    pns: int | None = None  # the PNS among `people` (the only ones with a minimum)

    @property
    def share_below(self) -> float:
        """Share of the unit's PNS below target, 0..1 (PPPK have no minimum to be below)."""
        base = self.people if self.pns is None else self.pns
        return self.below / base if base else 0.0

    @property
    def average_jp(self) -> float:
        return self.total_jp / self.people if self.people else 0.0


def _jp_subqueries(session: Session, year: int) -> tuple[Subquery, Subquery]:
    """Per-user credited Lentera JP and verified external JP in each person's window of `year`.

    `app.learning.credited` builds them, so a year means exactly what it means on the
    learner's record (local year boundaries or the PPPK's contract year, revoked certificates
    count nothing, external learning counted when it ended).
    """
    starts = credited.contract_starts(session)
    return credited.lentera_jp_by_user(year, starts), credited.external_jp_by_user(year, starts)


def _jp_columns(
    session: Session, year: int
) -> tuple[ColumnElement[int], ColumnElement[int], Subquery, Subquery]:
    lentera, external = _jp_subqueries(session, year)
    return func.coalesce(lentera.c.jp, 0), func.coalesce(external.c.jp, 0), lentera, external


def _below(total: ColumnElement[int], target: int) -> ColumnElement[bool]:
    """Below the PNS minimum; a PPPK's allotment has no "below"."""
    return and_(User.employee_type == EmployeeType.PNS, total < target)


def _people_query(
    session: Session, filters: ComplianceFilters, target: int
) -> Select[*tuple[Any, ...]]:
    """Active ASN with their year's JP, filtered, ordered by unit then name."""
    lentera_jp, external_jp, lentera, external = _jp_columns(session, filters.year)
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
            User.employee_type,
            User.contract_start_on,
        )
        .outerjoin(Unit, Unit.id == User.unit_id)
        .outerjoin(lentera, lentera.c.user_id == User.id)
        .outerjoin(external, external.c.user_id == User.id)
        .where(User.is_active.is_(True))
    )
    if filters.unit_id is not None:
        query = query.where(User.unit_id == filters.unit_id)
    if filters.below_only:
        query = query.where(_below(lentera_jp + external_jp, target))
    return query


def _person(row: Sequence[Any], target: int, allotment: int) -> PersonJP:
    user_id, nip, name, unit, jabatan, golongan, lentera_jp, external_jp, kind, start = row
    pppk = kind == EmployeeType.PPPK
    return PersonJP(
        user_id=user_id, nip=nip, full_name=name, unit_name=unit, jabatan=jabatan,
        golongan=golongan, lentera_jp=int(lentera_jp), external_jp=int(external_jp),
        target=allotment if pppk else target, employee_type=kind,
        contract_year=pppk and start is not None,
    )  # fmt: skip


def _by_unit_then_name(query: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    # People without a unit last; the id breaks ties so pages never overlap or skip anyone.
    return query.order_by(Unit.name.is_(None), Unit.name, User.full_name, User.id)


def people_page(
    session: Session,
    filters: ComplianceFilters,
    *,
    target: int,
    allotment: int = DEFAULT_ALLOTMENT,
    page: int,
    page_size: int = PAGE_SIZE,
) -> list[PersonJP]:
    """One page of people matching `filters`, by unit kerja then name (one query)."""
    query = _by_unit_then_name(_people_query(session, filters, target))
    rows = session.execute(query.offset((page - 1) * page_size).limit(page_size)).all()
    return [_person(row, target, allotment) for row in rows]


def iter_people(
    session: Session,
    filters: ComplianceFilters,
    *,
    target: int,
    allotment: int = DEFAULT_ALLOTMENT,
    batch: int = 2000,
) -> Iterator[PersonJP]:
    """Every person matching `filters`, in page order, fetched in batches (for exports)."""
    query = _by_unit_then_name(_people_query(session, filters, target))
    for row in session.execute(query.execution_options(yield_per=batch)):
        yield _person(row, target, allotment)


def people_after(
    session: Session,
    year: int,
    *,
    target: int,
    allotment: int = DEFAULT_ALLOTMENT,
    cursor: int | None,
    limit: int,
) -> list[PersonJP]:
    """Up to `limit` active ASN with an id above `cursor`, in id order (the API's pages)."""
    query = _people_query(session, ComplianceFilters(year=year), target)
    query = query.order_by(User.id).limit(limit)
    if cursor is not None:
        query = query.where(User.id > cursor)
    return [_person(row, target, allotment) for row in session.execute(query)]


def unit_summary(session: Session, year: int, *, target: int) -> list[UnitSummary]:
    """Every unit's active ASN, how many PNS are below target and their JP, in one grouped
    query (PPPK are counted as people, never as below target).

    Sorted with the largest share below target first (ties: more people below, then name).
    Units without an active ASN are left out.
    """
    lentera_jp, external_jp, lentera, external = _jp_columns(session, year)
    total = lentera_jp + external_jp
    rows = session.execute(
        select(
            User.unit_id,
            Unit.name,
            func.count(User.id),
            func.sum(case((_below(total, target), 1), else_=0)),
            func.sum(total),
            func.sum(case((User.employee_type == EmployeeType.PNS, 1), else_=0)),
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
            pns=int(pns or 0),
        )
        for unit_id, name, people, below, jp_sum, pns in rows
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
        pns=sum(u.pns or 0 for u in units),
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
    allotment: int = DEFAULT_ALLOTMENT,
    fmt: Literal["csv", "xlsx"],
    delimiter: str = ";",
    bom: bool = True,
) -> Iterator[bytes]:
    """The compliance list as file chunks, formula-neutralised; reads in its own session.

    CSV streams as it is read; XLSX is written row by row to a temporary file (a write-only
    workbook keeps memory flat) and then streamed.
    """
    with open_session() as session:
        people = iter_people(session, filters, target=target, allotment=allotment)
        rows = (person.export_row() for person in people)
        yield from file_chunks(COLUMNS, rows, fmt, delimiter=delimiter, bom=bom)
