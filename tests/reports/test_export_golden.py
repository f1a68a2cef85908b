"""Golden files for the completion export: what HR's file holds, pinned byte for byte.

Fixed data (people, courses, enrolments, completions with a valid, a revoked and no
certificate, an overdue and an ongoing assignment, a stand-alone class attended) exported in
both layouts as CSV (Python path and database fast path, which must both equal the golden
bytes) and as XLSX (the cell values, pinned as JSON). A deliberate change of the export
updates the golden files with `LENTERA_UPDATE_GOLDEN=1 pytest tests/reports/test_export_golden.py`,
and the diff shows in review exactly what HR's file gained or lost.
"""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.classes.models import ClassSession
from app.content.models import Course, CourseVersion
from app.learning.models import Assignment, Certificate, Completion, Enrolment
from app.reports import completions_csv, exports, siasn
from app.reports.completions import ExportFilters
from tests.factories import make_user, nip, pppk_nip

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("LENTERA_UPDATE_GOLDEN") == "1"
TODAY = date(2026, 6, 1)
ISSUER = "BKPSDM Kota Palu"
SIASN = siasn.Options(
    issuer=ISSUER, instansi_id="CONTOH-ID-INSTANSI-SIASN", instansi_name="Pemerintah Kota Palu"
)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _course(session: Session, code: str, title: str, category: str, jp: int) -> Course:
    course = Course(code=code, folder=code.lower())
    session.add(course)
    session.flush()
    version = CourseVersion(
        course_id=course.id, number=1, content_hash="0" * 64, engine_version="1",
        source="disk", summary="", level="dasar", authors=[], version_label="v1",
        passing_score=70, score_policy="best", prerequisites=[], total_minutes=60,
        title=title, category=category, jp=jp,
    )  # fmt: skip
    session.add(version)
    session.flush()
    course.current_version_id = version.id
    return course


def _complete(
    session: Session,
    person: User,
    course: Course,
    at: datetime,
    *,
    number: str | None = None,
    revoked: tuple[datetime, str] | None = None,
) -> None:
    session.add(Enrolment(user_id=person.id, course_id=course.id, enrolled_at=utc(2026, 1, 2, 1)))
    version = session.get(CourseVersion, course.current_version_id)
    assert version is not None
    done = Completion(
        user_id=person.id, course_id=course.id, course_version_id=version.id,
        started_at=utc(2025, 12, 1, 1), completed_at=at, final_score=88, jp=version.jp,
    )  # fmt: skip
    session.add(done)
    session.flush()
    if number is not None:
        session.add(
            Certificate(
                number=number,
                completion_id=done.id,
                full_name=person.full_name,
                nip=person.nip,
                employee_type=person.employee_type,
                course_code=course.code,
                course_title=version.title,
                category=version.category,
                jp=version.jp,
                completed_on=date(2026, 1, 1),
                final_score=88,
                revoked_at=revoked[0] if revoked else None,
                revoke_reason=revoked[1] if revoked else None,
            )
        )


@pytest.fixture
def fixed_data(session: Session) -> None:
    """Two ASN (a PNS and a PPPK) and three courses, in every state the export shows."""
    rina = make_user(
        session, nip=nip(birth="19850312", appointed="201001", gender="2", seq=7),
        full_name="Rina Tadulako", unit_name="Dinas Kesehatan", jabatan="Perawat Ahli Muda",
        golongan="III/c",
    )  # fmt: skip
    yusuf = make_user(
        session, nip=pppk_nip(birth="19920720", year="2023", seq=11), employee_type="PPPK",
        full_name="Yusuf Lamakarate", unit_name="Dinas Pendidikan dan Kebudayaan",
        jabatan="=Guru Ahli Pertama", golongan="IX",
    )  # fmt: skip
    ppp = _course(session, "PPP-101", "Pelayanan Publik Prima", "teknis", 6)
    kom = _course(session, "KOM-101", "Komunikasi Efektif ASN", "sosial kultural", 4)
    mwk = _course(session, "MWK-201", "Manajemen Waktu; Kepemimpinan", "manajerial", 8)
    _complete(session, rina, ppp, utc(2026, 2, 10, 3), number="LNT-2026-000001")
    _complete(
        session, rina, kom, utc(2025, 12, 31, 16, 30), number="LNT-2026-000002",
        revoked=(utc(2026, 3, 4, 17), "Nilai ujian tidak sah"),
    )  # fmt: skip
    _complete(session, yusuf, ppp, utc(2026, 4, 1, 23, 59))  # no certificate (yet)
    session.add(Enrolment(user_id=yusuf.id, course_id=kom.id, enrolled_at=utc(2026, 5, 1)))
    session.add(Assignment(user_id=yusuf.id, course_id=kom.id, due_on=date(2026, 5, 31)))
    session.add(Enrolment(user_id=rina.id, course_id=mwk.id, enrolled_at=utc(2026, 5, 2)))
    session.add(Assignment(user_id=rina.id, course_id=mwk.id, due_on=date(2026, 7, 1)))
    _attended_class(session, rina)
    session.commit()


def _attended_class(session: Session, person: User) -> None:
    """A stand-alone pelatihan klasikal (no course) the person attended, as finalised."""
    row = ClassSession(
        title="Pelatihan Penulisan Naskah Dinas", course_id=None, jp=3, category="manajerial",
        starts_at=utc(2026, 3, 10, 1), ends_at=utc(2026, 3, 10, 4), capacity=20,
        status="finalised", finalised_at=utc(2026, 3, 10, 4),
    )  # fmt: skip
    session.add(row)
    session.flush()
    done = Completion(
        user_id=person.id, class_session_id=row.id, started_at=row.starts_at,
        completed_at=row.ends_at, final_score=100, jp=3,
    )  # fmt: skip
    session.add(done)
    session.flush()
    session.add(
        Certificate(
            number="LTR-2026-KELAS1-AAAAA", completion_id=done.id, full_name=person.full_name,
            nip=person.nip, employee_type=person.employee_type, course_code="KELAS-1",
            course_title=row.title, category=row.category, jp=3, completed_on=date(2026, 3, 10),
            final_score=100, issued_at=row.ends_at,
        )
    )  # fmt: skip


def _check(name: str, produced: bytes) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_bytes(produced)
    assert produced == path.read_bytes(), name


@pytest.mark.parametrize("layout", ["lentera", "siasn"])
def test_csv_export_matches_its_golden_file_on_both_paths(
    session: Session, fixed_data: None, layout: str
) -> None:
    filters = ExportFilters(today=TODAY)
    issuer = SIASN if layout == "siasn" else ISSUER
    header, rows = exports.rows_for(session, layout, filters, issuer)  # type: ignore[arg-type]
    python = b"".join(exports.file_chunks(header, rows, "csv", delimiter=";", bom=True))
    fast = b"".join(
        completions_csv.export_chunks(session, layout, filters, issuer, delimiter=";", bom=True)
    )
    _check(f"ekspor-{layout}.csv", python)
    assert fast == python


@pytest.mark.parametrize("layout", ["lentera", "siasn"])
def test_xlsx_export_cell_values_match_their_golden_file(
    session: Session, fixed_data: None, layout: str
) -> None:
    issuer = SIASN if layout == "siasn" else ISSUER
    header, rows = exports.rows_for(session, layout, ExportFilters(today=TODAY), issuer)  # type: ignore[arg-type]
    book = load_workbook(io.BytesIO(b"".join(exports.file_chunks(header, rows, "xlsx"))))
    sheet = book.active
    assert sheet is not None and sheet.title == "Rekap"
    cells = [
        [value.isoformat() if isinstance(value, datetime | date) else value for value in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in cells)
    _check(f"ekspor-{layout}.xlsx.json", text.encode("utf-8"))
