"""Every consumer of credited learning gives the same JP per person and year.

Random histories (`random.Random(seed)`) of PNS and PPPK learners (some PPPK with a known
contract start, so their year is a contract year): Lentera completions (some within half an
hour of a local new year or of a contract anniversary), certificates valid, revoked and
re-issued, external learning verified, rejected and pending. The rule is written out once
more here, in plain Python (`jp_year` and `build_history`), as the oracle; then the learner's
record service, /riwayat and its CSV, the home page, HR's compliance rows and export, the API's
jp-summary and completions, the completion export (Python path, database fast path, XLSX, both
layouts) and the dashboard's completion counts must all agree with it, on SQLite and
PostgreSQL. Completion lists ranged by dates agree with the calendar-year oracle.
"""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import Role, User
from app.content.models import Course, CourseVersion
from app.learning import credited, jp
from app.learning.models import Certificate, Completion, Enrolment, ExternalLearning
from app.reports import completions_csv, compliance, dashboard, exports, tokens
from app.reports.completions import ExportFilters
from tests.factories import login, make_user, nip, pppk_nip
from tests.learning.conftest import AddExternal

YEARS = (2024, 2025, 2026)
CATEGORIES = ("teknis", "manajerial", "sosial kultural")
REASONS = ("Nilai ujian tidak sah", "=Kecurangan; terbukti", 'Salah "peserta"', "diganti")


# Contract starts of the PPPK who have one: an ordinary day, and 29 February (its anniversary
# falls on 28 February in other years).
CONTRACT_STARTS = (date(2022, 3, 1), date(2020, 2, 29))


def jp_year(day: date, contract_start: date | None) -> int:
    """The oracle's year of a local `day`: the calendar year, or the contract year (the one
    that began on the latest anniversary of `contract_start` on or before `day`)."""
    if contract_start is None:
        return day.year
    month, dom = contract_start.month, contract_start.day
    if (month, dom) == (2, 29):
        dom = 29 if day.year % 4 == 0 and (day.year % 100 or day.year % 400 == 0) else 28
    return day.year if (day.month, day.day) >= (month, dom) else day.year - 1


@dataclass
class History:
    people: list[User]
    # (user id, year) -> credited JP in the person's year (calendar or contract), by the oracle
    lentera: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    external: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    categories: dict[tuple[int, int], dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    # (user id, calendar year) -> credited Lentera JP: what date-ranged completion lists give
    lentera_calendar: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    credited_completions: int = 0
    revoked_completions: int = 0
    reissued: int = 0
    contract_people: int = 0

    def total(self, user_id: int, year: int) -> int:
        return self.lentera[user_id, year] + self.external[user_id, year]


def reissue_allowed(session: Session) -> bool:
    """Whether certificates.completion_id may hold a second row (re-issue's migration)."""
    unique = inspect(session.get_bind()).get_unique_constraints("certificates")
    return not any(c["column_names"] == ["completion_id"] for c in unique)


def _courses(session: Session, rng: random.Random) -> list[Course]:
    courses = []
    for n in range(5):
        course = Course(code=f"ACAK-{n}", folder=f"acak-{n}")
        session.add(course)
        session.flush()
        version = CourseVersion(
            course_id=course.id, number=1, content_hash="0" * 64, engine_version="1",
            source="disk", summary="", level="dasar", authors=[], version_label="v1",
            passing_score=70, score_policy="best", prerequisites=[], total_minutes=60,
            title=f"Kursus Acak {n}", category=CATEGORIES[n % 3], jp=rng.randint(2, 8),
        )  # fmt: skip
        session.add(version)
        session.flush()
        course.current_version_id = version.id
        courses.append(course)
    return courses


def _moment(rng: random.Random) -> datetime:
    """A completion time: often within half an hour of a local (WITA) new year or of a
    contract anniversary (1 March, 28 or 29 February)."""
    if rng.random() < 0.15:
        year = rng.choice((2024, 2025, 2026))
        day = rng.choice((date(year, 3, 1), date(year, 2, 28), date(year, 3, 1)))
        return clock.day_start(day) + timedelta(seconds=rng.randint(-1800, 1800))
    if rng.random() < 0.35:
        year = rng.choice((2023, 2024, 2025))
        return datetime(year, 12, 31, 15, 30, tzinfo=UTC) + timedelta(seconds=rng.randint(0, 3600))
    start = datetime(2024, 1, 1, tzinfo=UTC)
    return start + timedelta(seconds=rng.randint(0, 365 * 3 * 86400 - 60 * 86400))


def _certificate(done: Completion, person: User, course: Course, number: str) -> Certificate:
    return Certificate(
        number=number, completion_id=done.id, full_name=person.full_name, nip=person.nip,
        employee_type=person.employee_type, course_code=course.code, course_title="Judul beku",
        category="teknis", jp=done.jp, completed_on=clock.local_date(done.completed_at),
        final_score=done.final_score,
    )  # fmt: skip


def build_history(
    session: Session, add_external: AddExternal, seed: int, *, reissue: bool
) -> History:
    """People, completions, certificates and external learning drawn from `seed`."""
    rng = random.Random(seed)
    courses = _courses(session, rng)
    units = ["Dinas Kesehatan", "Bappeda", "Dinas Pendidikan dan Kebudayaan"]
    people = []
    for n in range(8):
        pppk = n % 3 == 2 or n == 7
        person = make_user(
            session,
            # Their own birth dates: the factories' default NIPs (a process-wide sequence) can
            # never collide with these, whatever ran before in the worker.
            nip=(
                pppk_nip(birth="19910909", seq=100 + seed * 10 + n)
                if pppk
                else nip(birth="19880808", seq=100 + seed * 10 + n)
            ),
            employee_type="PPPK" if pppk else "PNS",
            full_name=f"Pegawai Acak {seed}-{n}",
            unit_name=units[n % 3],
            golongan="IX" if pppk else "III/b",
        )
        if pppk and n != 2:  # one PPPK without a known start: calendar years
            person.contract_start_on = CONTRACT_STARTS[n % 2]
        if n == 3:  # a stale start on a PNS changes nothing: PNS count calendar years
            person.contract_start_on = date(2021, 6, 1)
        people.append(person)
    session.flush()
    history = History(people=people)
    history.contract_people = sum(
        p.employee_type == "PPPK" and p.contract_start_on is not None for p in people
    )
    serial = 0
    for person in people:
        start = person.contract_start_on if person.employee_type == "PPPK" else None
        for course in courses:
            if rng.random() < 0.25:
                continue
            version = session.get(CourseVersion, course.current_version_id)
            assert version is not None
            completed_at = _moment(rng)
            session.add(
                Enrolment(
                    user_id=person.id,
                    course_id=course.id,
                    enrolled_at=completed_at - timedelta(days=rng.randint(0, 20)),
                )
            )
            done = Completion(
                user_id=person.id, course_id=course.id, course_version_id=version.id,
                completed_at=completed_at, final_score=rng.randint(70, 100), jp=version.jp,
                # Some started before the year began: the year is the completion's.
                started_at=completed_at - timedelta(days=rng.randint(0, 40)),
            )  # fmt: skip
            session.add(done)
            session.flush()
            state = rng.choice(
                ["none", "valid", "valid", "revoked", "reissued", "reissued_revoked"]
            )
            if not reissue and state.startswith("reissued"):
                state = "valid" if state == "reissued" else "revoked"
            certificates: list[Certificate] = []
            if state != "none":
                serial += 1
                certificates.append(_certificate(done, person, course, f"ACAK-{seed}-{serial}"))
            if state.startswith("reissued"):
                first = certificates[0]
                first.revoked_at = completed_at + timedelta(days=3)
                first.revoke_reason = "diganti"
                serial += 1
                certificates.append(_certificate(done, person, course, f"ACAK-{seed}-{serial}"))
                history.reissued += 1
            if state in ("revoked", "reissued_revoked"):
                certificates[-1].revoked_at = completed_at + timedelta(days=rng.randint(1, 90))
                certificates[-1].revoke_reason = rng.choice(REASONS[:3])
            for certificate in certificates:  # one at a time: the newest gets the highest id
                session.add(certificate)
                session.flush()
            counts = not certificates or certificates[-1].revoked_at is None
            local_day = clock.local_date(completed_at)
            year = jp_year(local_day, start)
            if counts:
                history.credited_completions += 1
                history.lentera[person.id, year] += done.jp
                history.lentera_calendar[person.id, local_day.year] += done.jp
                # The current certificate's category is frozen at issue ("teknis" here).
                category = certificates[-1].category if certificates else version.category
                history.categories[person.id, year][category] += done.jp
            else:
                history.revoked_completions += 1
        for _ in range(rng.randint(0, 4)):
            boundaries = [
                date(2024, 12, 31),
                date(2025, 1, 1),
                date(2025, 12, 31),
                date(2026, 1, 1),
                date(2025, 2, 28),
                date(2025, 3, 1),
            ]
            end_on = rng.choice([*boundaries, date(2024, 1, 1) + timedelta(rng.randint(0, 1000))])
            status = rng.choice(["verified", "verified", "rejected", "pending"])
            category = rng.choice(CATEGORIES)
            amount = rng.randint(1, 12)
            add_external(
                person, status=status, end_on=end_on, jp=amount, category=category,
                start_on=end_on - timedelta(days=rng.randint(0, 5)),
            )  # fmt: skip
            if status == "verified":
                year = jp_year(end_on, start)
                history.external[person.id, year] += amount
                history.categories[person.id, year][category] += amount
    session.commit()
    return history


# --- reading each consumer -----------------------------------------------------------------------


def _csv_rows(data: bytes, delimiter: str = ";") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


def _sum_by_nip(
    rows: Iterable[Mapping[str, object]], column: str, nip: str = "NIP"
) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        value = row[column]
        totals[str(row[nip])] += int(value) if value not in ("", None) else 0  # type: ignore[call-overload]
    return dict(totals)


def _year_filters(year: int, layout_status: str | None = "selesai") -> ExportFilters:
    return ExportFilters(
        date_from=date(year, 1, 1),
        date_to=date(year, 12, 31),
        status=layout_status,  # type: ignore[arg-type]
        today=date(2026, 12, 1),
    )


def _export_sums(session: Session, year: int) -> dict[str, dict[str, int]]:
    """Credited Lentera JP per NIP from every form of the completion export."""
    filters = _year_filters(year)
    sums: dict[str, dict[str, int]] = {}
    header, rows = exports.rows_for(session, "lentera", filters, "BKPSDM")
    sums["python"] = _sum_by_nip(
        [dict(zip(header, row, strict=True)) for row in rows],
        "JP Diakui",
    )
    fast = b"".join(
        completions_csv.export_chunks(
            session, "lentera", filters, "BKPSDM", delimiter=";", bom=True
        )
    )
    sums["fast csv"] = _sum_by_nip(_csv_rows(fast), "JP Diakui")
    header, rows = exports.rows_for(session, "lentera", filters, "BKPSDM")
    book = load_workbook(io.BytesIO(b"".join(exports.file_chunks(header, rows, "xlsx"))))
    cells = list(book.active.iter_rows(values_only=True))
    sums["xlsx"] = _sum_by_nip(
        [dict(zip(cells[0], row, strict=True)) for row in cells[1:]],
        "JP Diakui",
    )
    header, rows = exports.rows_for(session, "siasn", filters, "BKPSDM")
    sums["siasn python"] = _sum_by_nip(
        [dict(zip(header, row, strict=True)) for row in rows],
        "jumlahJam",  # SIASN's own field names (app/reports/siasn.py)
        nip="nipBaru",
    )
    fast = b"".join(
        completions_csv.export_chunks(session, "siasn", filters, "BKPSDM", delimiter=",", bom=False)
    )
    sums["siasn fast csv"] = _sum_by_nip(_csv_rows(fast, ","), "jumlahJam", nip="nipBaru")
    return sums


def _api_get(client: TestClient, path: str, headers: dict[str, str], **params: object) -> list:  # type: ignore[type-arg]
    items: list[dict[str, object]] = []
    cursor = None
    while True:
        query = {**params, "limit": 3, **({"cursor": cursor} if cursor is not None else {})}
        body = client.get(path, params=query, headers=headers).json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items


# --- the test ------------------------------------------------------------------------------------


def check_every_consumer(client: TestClient, session: Session, history: History, hr: User) -> None:
    people = history.people
    ids = [p.id for p in people]
    by_nip = {p.nip: p for p in people}
    _token, plain = tokens.create(session, "SIMPEG", actor_id=hr.id)
    session.commit()
    bearer = {"Authorization": f"Bearer {plain}"}
    assert history.credited_completions and history.revoked_completions
    settings = client.app.state.settings  # type: ignore[attr-defined]

    for year in YEARS:
        expected = {p.id: history.total(p.id, year) for p in people}
        # Completion lists are ranged by calendar dates, whatever the person's JP year.
        expected_lentera = {p.nip: history.lentera_calendar[p.id, year] for p in people}

        # The learner's record service, per person and in bulk.
        for person in people:
            record = jp.jp_for_person(session, person, year, settings)
            assert (record.lentera_jp, record.external_jp) == (
                history.lentera[person.id, year],
                history.external[person.id, year],
            ), (person.nip, year)
            assert record.total == sum(e.credited_jp for e in record.entries)
            assert record.by_category() == {
                k: v for k, v in history.categories[person.id, year].items() if v
            }
        bulk = credited.totals_by_user(session, year, ids)
        assert {i: t.total for i, t in bulk.items()} == expected
        assert {i: {k: v for k, v in t.by_category.items() if v} for i, t in bulk.items()} == {
            i: {k: v for k, v in history.categories[i, year].items() if v} for i in ids
        }
        everyone = credited.jp_by_user(session, year)
        assert {i: everyone.get(i, 0) for i in ids} == expected

        # HR's compliance rows and its export.
        filters = compliance.ComplianceFilters(year=year)
        rows = {p.user_id: p.total for p in compliance.iter_people(session, filters, target=20)}
        assert {i: rows[i] for i in ids} == expected
        exported = b"".join(
            compliance.export_chunks(lambda: nullcontext(session), filters, target=20, fmt="csv")
        )
        totals = {r["NIP"]: int(r["Total JP"]) for r in _csv_rows(exported)}
        assert {by_nip[n].id: totals[n] for n in by_nip} == expected

        # The API: jp-summary and the completions' credited JP.
        summary = _api_get(client, "/api/v1/jp-summary", bearer, year=year)
        totals = {item["nip"]: item["total_jp"] for item in summary}
        assert {by_nip[n].id: totals[n] for n in by_nip} == expected
        for item in summary:
            if item["nip"] in by_nip:
                person = by_nip[item["nip"]]
                pppk = person.employee_type == "PPPK"
                assert item["rule"] == ("allotment" if pppk else "minimum")
                contract = pppk and person.contract_start_on is not None
                assert item["counted_per"] == ("contract_year" if contract else "calendar_year")
        done = _api_get(
            client,
            "/api/v1/completions",
            bearer,
            **{"from": f"{year}-01-01", "to": f"{year}-12-31"},
        )
        credited_api: dict[str, int] = defaultdict(int)
        for item in done:
            credited_api[item["nip"]] += item["credited_jp"]
            assert item["credited_jp"] == (0 if item["certificate_revoked"] else item["jp"])
        assert {n: credited_api.get(n, 0) for n in by_nip} == expected_lentera

        # The completion export in every form, summed per NIP.
        for form, sums in _export_sums(session, year).items():
            assert {n: sums.get(n, 0) for n in by_nip} == expected_lentera, (form, year)

    # The learner's own pages, each person in each year (and the home page this year).
    this_year = clock.today().year
    for person in people:
        client.cookies.clear()  # log the previous person out
        login(client, person)
        for year in YEARS:
            page = client.get("/riwayat", params={"tahun": year})
            assert page.context["record"].total == history.total(person.id, year)
            download = client.get("/riwayat/unduh.csv", params={"tahun": year})
            own = _csv_rows(download.content)
            assert sum(int(r["JP"]) for r in own) == history.total(person.id, year)
            assert sum(r["Status Sertifikat"] == "Dicabut" for r in own) == sum(
                e.certificate_revoked for e in page.context["record"].entries
            )
        home = client.get("/")
        start = person.contract_start_on if person.employee_type == "PPPK" else None
        home_year = jp_year(clock.today(), start)
        assert home_year in (this_year, this_year - 1)
        assert home.context["jp_year"].year == home_year
        assert home.context["jp_year"].total == history.total(person.id, home_year)

    # The dashboard: a completion counts as done only when credited.
    rates = dashboard.completion_by_unit(session)
    assert sum(r.completed for r in rates) == history.credited_completions
    assert sum(r.enrolled for r in rates) == (
        history.credited_completions + history.revoked_completions
    )


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_every_consumer_gives_the_same_jp_per_person_and_year(
    client: TestClient, session: Session, add_external: AddExternal, seed: int
) -> None:
    hr = make_user(session, roles={Role.HR})
    history = build_history(session, add_external, seed, reissue=reissue_allowed(session))
    check_every_consumer(client, session, history, hr)


@pytest.mark.parametrize("seed", [5, 6])
def test_a_reissued_certificate_counts_once_through_its_newest_row(
    client: TestClient, session: Session, add_external: AddExternal, seed: int
) -> None:
    if not reissue_allowed(session):
        pytest.skip(
            "certificates.completion_id is still unique: the certificate re-issue migration "
            "(issue 12 item 2, revision 0011) drops it; un-skip after merging it"
        )
    hr = make_user(session, roles={Role.HR})
    history = build_history(session, add_external, seed, reissue=True)
    assert history.reissued
    check_every_consumer(client, session, history, hr)


def test_the_history_uses_every_certificate_state_and_both_employee_types(
    session: Session, add_external: AddExternal
) -> None:
    history = build_history(session, add_external, 1, reissue=False)
    assert {p.employee_type for p in history.people} == {"PNS", "PPPK"}
    assert history.contract_people == 2  # and one PPPK without a known contract start
    assert history.credited_completions and history.revoked_completions
    statuses = {row.status for row in session.query(ExternalLearning)}
    assert statuses == {"verified", "rejected", "pending"}
    moments = [c.completed_at for c in session.query(Completion)]
    assert any(m.month == 12 and m.day == 31 and m.hour >= 16 for m in moments)  # new year local
    assert any(m.month == 12 and m.day == 31 and m.hour == 15 for m in moments)  # still old year
