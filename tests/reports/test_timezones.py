"""One clock: the JP year, follow-up due dates and export dates follow LENTERA_TIMEZONE.

The same UTC moments are read in WIB (Asia/Jakarta, UTC+7), WITA (Asia/Makassar, UTC+8)
and WIT (Asia/Jayapura, UTC+9): the learner's record, HR's compliance, the API, the
follow-up date and the completion export (Python path, database fast path, XLSX) must all
put a completion on the same local day and year, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import Role, User
from app.config import Settings
from app.content.models import Course, CourseVersion
from app.evaluation import service as evaluation
from app.learning import jp
from app.learning.models import Completion, Enrolment
from app.reports import completions_csv, compliance, exports, tokens
from app.reports.completions import ExportFilters
from tests.factories import make_user

# 31 Dec 2025: 15.30 UTC is 22.30 WIB, 23.30 WITA, 00.30 WIT (1 Jan);
#              16.30 UTC is 23.30 WIB, 00.30 WITA (1 Jan), 01.30 WIT (1 Jan).
EARLY = datetime(2025, 12, 31, 15, 30, tzinfo=UTC)
LATE = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)
ZONES = {
    # zone: (local day of EARLY, local day of LATE)
    "Asia/Jakarta": (date(2025, 12, 31), date(2025, 12, 31)),
    "Asia/Makassar": (date(2025, 12, 31), date(2026, 1, 1)),
    "Asia/Jayapura": (date(2026, 1, 1), date(2026, 1, 1)),
}


@pytest.fixture(params=list(ZONES))
def zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """Configure the clock in one of Indonesia's three zones; back to WITA afterwards."""
    name: str = request.param
    before = clock.zone().key
    clock.configure(name)
    yield name
    clock.configure(before)


@pytest.fixture
def settings(database_url: str, tmp_path: Path, zone: str) -> Settings:
    """The app's settings in the zone under test (create_app configures the clock from it)."""
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "var",
        secret_key="test-secret-key-" + "x" * 32,
        timezone=zone,
        load_content_on_start=False,
        _env_file=None,
    )


def _course(session: Session, code: str, jp_value: int) -> Course:
    course = Course(code=code, folder=code.lower())
    session.add(course)
    session.flush()
    version = CourseVersion(
        course_id=course.id, number=1, content_hash="0" * 64, engine_version="1",
        source="disk", summary="", level="dasar", authors=[], version_label="v1",
        passing_score=70, score_policy="best", prerequisites=[], total_minutes=60,
        title=f"Kursus {code}", category="teknis", jp=jp_value,
    )  # fmt: skip
    session.add(version)
    session.flush()
    course.current_version_id = version.id
    return course


@pytest.fixture
def learner(session: Session) -> User:
    """A learner who completed one course at EARLY (4 JP) and one at LATE (6 JP)."""
    person = make_user(session, full_name="Andi Lasampa")
    for code, moment, jp_value in (("TZ-EARLY", EARLY, 4), ("TZ-LATE", LATE, 6)):
        course = _course(session, code, jp_value)
        session.add(Enrolment(user_id=person.id, course_id=course.id, enrolled_at=moment))
        session.add(
            Completion(
                user_id=person.id,
                course_id=course.id,
                course_version_id=course.current_version_id,
                started_at=moment,
                completed_at=moment,
                final_score=90,
                jp=jp_value,
            )
        )
    session.commit()
    return person


def _jp_per_year(zone: str) -> dict[int, int]:
    early, late = ZONES[zone]
    years: dict[int, int] = {2025: 0, 2026: 0}
    years[early.year] += 4
    years[late.year] += 6
    return years


def test_the_clock_is_the_configured_zone(zone: str, app: object) -> None:
    assert clock.zone().key == zone
    assert clock.abbreviation() == {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA",
                                    "Asia/Jayapura": "WIT"}[zone]  # fmt: skip


def test_jp_year_boundary_is_local_midnight_everywhere(
    session: Session, learner: User, zone: str
) -> None:
    expected = _jp_per_year(zone)
    for year, total in expected.items():
        assert jp.jp_for_year(session, learner.id, year).total == total, year
        rows = compliance.iter_people(session, compliance.ComplianceFilters(year=year), target=20)
        assert {p.user_id: p.total for p in rows}[learner.id] == total
    days = {
        e.course_code: e.completed_on for e in jp.jp_for_year(session, learner.id, 2025).entries
    }
    days |= {
        e.course_code: e.completed_on for e in jp.jp_for_year(session, learner.id, 2026).entries
    }
    assert (days["TZ-EARLY"], days["TZ-LATE"]) == ZONES[zone]


def test_api_jp_summary_uses_the_local_year(
    client: TestClient, session: Session, learner: User, zone: str
) -> None:
    hr = make_user(session, roles={Role.HR})
    _token, plain = tokens.create(session, "SIMPEG", actor_id=hr.id)
    session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    for year, total in _jp_per_year(zone).items():
        body = client.get("/api/v1/jp-summary", params={"year": year}, headers=headers).json()
        assert {i["nip"]: i["total_jp"] for i in body["items"]}[learner.nip] == total
    # `from`/`to` are local days too: 1 January holds the completions after local midnight.
    body = client.get(
        "/api/v1/completions", params={"from": "2026-01-01", "to": "2026-01-01"}, headers=headers
    ).json()
    after_midnight = {code for code, day in zip(("TZ-EARLY", "TZ-LATE"), ZONES[zone], strict=True)
                      if day == date(2026, 1, 1)}  # fmt: skip
    assert {i["course_code"] for i in body["items"]} == after_midnight


def test_follow_up_is_due_counted_from_the_local_day(zone: str) -> None:
    settings = Settings(timezone=zone, follow_up_days=30, _env_file=None)
    early, late = ZONES[zone]
    assert evaluation.follow_up_date(settings, EARLY) == date.fromordinal(early.toordinal() + 30)
    assert evaluation.follow_up_date(settings, LATE) == date.fromordinal(late.toordinal() + 30)


def _dates(rows: list[dict[str, str]]) -> dict[str, tuple[str, str]]:
    return {row["Kode Kursus"]: (row["Tanggal Mulai"], row["Tanggal Selesai"]) for row in rows}


@pytest.mark.parametrize("layout", ["lentera", "siasn"])
def test_export_dates_are_local_in_the_python_path_the_sql_path_and_xlsx(
    session: Session, learner: User, zone: str, layout: str
) -> None:
    filters = ExportFilters(today=date(2026, 3, 1))
    header, rows = exports.rows_for(session, layout, filters, "BKPSDM")  # type: ignore[arg-type]
    python = b"".join(exports.file_chunks(header, rows, "csv", delimiter=";"))
    fast = b"".join(
        completions_csv.export_chunks(session, layout, filters, "BKPSDM", delimiter=";", bom=False)
    )
    assert fast == python
    records = list(csv.DictReader(io.StringIO(python.decode("utf-8")), delimiter=";"))
    early, late = (day.strftime("%d-%m-%Y") for day in ZONES[zone])
    if layout == "lentera":
        assert _dates(records) == {"TZ-EARLY": (early, early), "TZ-LATE": (late, late)}
    else:
        got = {(r["namaKursus"], r["tanggalSelesaiKursus"], r["tahunKursus"]) for r in records}
        assert got == {
            ("Kursus TZ-EARLY", early, early[-4:]),
            ("Kursus TZ-LATE", late, late[-4:]),
        }
    header, rows = exports.rows_for(session, layout, filters, "BKPSDM")  # type: ignore[arg-type]
    book = load_workbook(io.BytesIO(b"".join(exports.file_chunks(header, rows, "xlsx"))))
    cells = list(book.active.iter_rows(values_only=True))
    if layout == "lentera":
        done = cells[0].index("Tanggal Selesai")
        assert sorted(row[done].date() for row in cells[1:]) == sorted(ZONES[zone])
    else:  # SIASN's layout holds its dates as SIASN's DD-MM-YYYY text
        done = cells[0].index("tanggalSelesaiKursus")
        assert sorted(row[done] for row in cells[1:]) == sorted([early, late])


def test_export_date_filters_are_local_days(session: Session, learner: User, zone: str) -> None:
    for day in (date(2025, 12, 31), date(2026, 1, 1)):
        filters = ExportFilters(date_from=day, date_to=day, today=date(2026, 3, 1))
        data = b"".join(
            completions_csv.export_chunks(
                session, "lentera", filters, "BKPSDM", delimiter=";", bom=False
            )
        )
        codes = {
            r["Kode Kursus"] for r in csv.DictReader(io.StringIO(data.decode()), delimiter=";")
        }
        expected = {code for code, local in zip(("TZ-EARLY", "TZ-LATE"), ZONES[zone], strict=True)
                    if local == day}  # fmt: skip
        assert codes == expected, day
