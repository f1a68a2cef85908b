"""The CSV fast path (cells computed by the database) writes the Python path's file, byte for byte.

The Python path (`exports.rows_for` + `csv_safe.csv_stream`, still used for XLSX) is the
oracle: awkward data (WITA midnight, formula triggers, quotes, delimiters, line breaks, the
separator character, anonymised people, revoked certificates, every category and status) is
exported through both, for every layout, delimiter, BOM setting and filter.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Role, Unit, User
from app.audit.models import AuditEvent
from app.classes.models import ClassSession
from app.config import Settings
from app.content.models import Course, CourseVersion
from app.learning.models import Assignment, Certificate, Completion, Enrolment
from app.privacy import service as privacy
from app.reports import (
    completion_sources,
    completions,
    completions_csv,
    csv_batches,
    exports,
    siasn,
)
from app.reports.completions import ExportFilters
from tests.factories import login, make_user

TODAY = date(2026, 3, 15)  # the export's "today" (WITA), fixed so statuses are stable
AWKWARD = [
    '=HYPERLINK("http://x")', "+62 811", "-minus", "@mention", "\tTab", "\rCR", "Titik; koma",
    "Dr. Budi, M.Si", 'Kutip "ganda"', "Baris\nbaru", "Baris\r\nCRLF", "unit\x1fsep", "",
    "Wa Ode Nurhaya", "Ñoño é", "'apostrof", " spasi", "0 angka", ":titik dua", "?tanya",
    ">lebih", "Zainal",
]  # fmt: skip
NIP_STARTS = '=-+@;"'  # NIPs are validated on input; the export must not rely on it
# Around WITA midnight (16:00 UTC), across a year end, with and without microseconds.
MOMENTS = [
    datetime(2026, 3, 1, 15, 59, 59, 999999, UTC), datetime(2026, 3, 1, 16, 0, tzinfo=UTC),
    datetime(2026, 3, 1, 16, 30, tzinfo=UTC), datetime(2025, 12, 31, 16, 30, tzinfo=UTC),
    datetime(2025, 12, 31, 15, 59, tzinfo=UTC), datetime(2026, 2, 28, 23, 59, 59, tzinfo=UTC),
]  # fmt: skip


def _version(session: Session, course: Course, number: int, **fields: object) -> CourseVersion:
    version = CourseVersion(
        course_id=course.id, number=number, content_hash="0" * 64, engine_version="1",
        source="disk", summary="", level="dasar", authors=[], version_label=f"v{number}",
        passing_score=70, score_policy="best", prerequisites=[], total_minutes=60, **fields,
    )  # fmt: skip
    session.add(version)
    session.flush()
    return version


def _courses(session: Session) -> list[Course]:
    specs = [
        ("K-1", "Pelayanan Publik", "teknis"), ("=K2", 'Judul; "kutip"', "manajerial"),
        ("K;3", "-Judul\nbaris", "sosial kultural"), ("K,4'%s", "Lain-lain", "=lainnya"),
    ]  # fmt: skip
    courses = []
    for code, title, category in specs:
        course = Course(code=code, folder=code)
        session.add(course)
        session.flush()
        course.current_version_id = _version(session, course, 2, title=title,
                                             category=category, jp=6).id  # fmt: skip
        courses.append(course)
    return courses


@pytest.fixture
def awkward_data(session: Session) -> list[User]:
    """People x courses in every state the export knows, with awkward text everywhere."""
    courses = _courses(session)
    old = _version(session, courses[0], 1, title="@Versi lama", category="teknis", jp=3)
    units = [Unit(name=name or "(kosong)") for name in AWKWARD[:8]] + [Unit(name="Dinas, B")]
    session.add_all(units)
    people = []
    for n, name in enumerate(AWKWARD):
        nip = f"{NIP_STARTS[n]}{n:017d}" if n < len(NIP_STARTS) else str(199001012015031000 + n)
        people.append(
            User(
                nip=nip,
                employee_type="PNS",
                full_name=name,
                unit=units[n % len(units)] if n % 5 else None,
                jabatan=AWKWARD[-n] or None,
                golongan=["III/a", "-", None, "=1"][n % 4],
            )
        )
    session.add_all(people)
    session.flush()
    moments = itertools.cycle(MOMENTS)
    for n, (person, course) in enumerate(itertools.product(people, courses)):
        if (n * 7 + person.id) % 5 == 4:
            continue  # not everyone takes every course
        enrolled = next(moments) - timedelta(days=n % 3)
        session.add(Enrolment(user_id=person.id, course_id=course.id, enrolled_at=enrolled))
        kind = (n + n // len(courses)) % 4  # varies along people and along courses
        if kind == 3:
            done = Completion(
                user_id=person.id, course_id=course.id, final_score=[0, 87, 100][n % 3],
                course_version_id=None if n % 2 else course.current_version_id,
                started_at=None if n % 2 else enrolled, completed_at=next(moments), jp=4 + n % 3,
            )  # fmt: skip
            session.add(done)
            session.flush()
            if n % 3:
                session.add(_certificate(done, person, course, n))
        elif kind:  # assigned: late (due before TODAY), due today, or due later
            due = TODAY + timedelta(days=[-1, 0, 30][n % 3])
            session.add(Assignment(user_id=person.id, course_id=course.id, due_on=due))
    session.flush()
    _classes(session, people)
    # One completion of an older version keeps that version's title.
    first = session.scalars(select(Completion).where(Completion.course_id == courses[0].id))
    next(iter(first)).course_version_id = old.id
    privacy.anonymise(session, people[1], actor_id=None, via="test")
    session.flush()
    return people


CLASS_TITLES = ["Pelatihan\x1fklasikal", '=Kelas "kutip"', "Kelas; titik koma", "Kelas\nbaris"]
CLASS_CATEGORIES = ["teknis", "manajerial", "sosial kultural", "=lainnya"]


def _classes(session: Session, people: list[User]) -> None:
    """Stand-alone class completions (no course, no enrolment): valid, revoked and without a
    certificate, awkward titles (the separator too, so SQLite re-reads a class row)."""
    for n, (title, category) in enumerate(zip(CLASS_TITLES, CLASS_CATEGORIES, strict=True)):
        starts = MOMENTS[n]
        row = ClassSession(
            title=f"Sesi {n}", course_id=None, jp=2 + n, category="teknis", starts_at=starts,
            ends_at=starts + timedelta(hours=2), capacity=30, status="finalised",
        )  # fmt: skip
        session.add(row)
        session.flush()
        for m, person in enumerate(people[n::3]):
            done = Completion(
                user_id=person.id, class_session_id=row.id, started_at=starts,
                completed_at=starts + timedelta(hours=2), final_score=100 - m, jp=row.jp,
            )  # fmt: skip
            session.add(done)
            session.flush()
            if m % 4 == 3:
                continue  # no certificate: the session's title and category
            session.add(
                Certificate(
                    number=f"LTR-2026-KELAS{row.id}-{m}", completion_id=done.id,
                    full_name=person.full_name, nip=person.nip, employee_type="PNS",
                    course_code=f"KELAS-{row.id}", course_title=title, category=category,
                    jp=row.jp, completed_on=TODAY, final_score=100 - m,
                    revoked_at=MOMENTS[m % len(MOMENTS)] if m % 2 else None,
                    revoke_reason=AWKWARD[m % len(AWKWARD)] or None if m % 2 else None,
                )
            )  # fmt: skip


def _certificate(done: Completion, person: User, course: Course, n: int) -> Certificate:
    return Certificate(
        number=["LTR-2026-", "-LTR;", 'L"'][n // 4 % 3] + str(n), completion_id=done.id,
        full_name=person.full_name, nip=person.nip, employee_type="PNS", course_code=course.code,
        course_title="t", category="teknis", jp=done.jp, completed_on=TODAY, final_score=1,
        revoked_at=MOMENTS[n % len(MOMENTS)] if n % 2 else None,
        # Awkward reasons too (formula triggers, delimiters, line breaks), some missing.
        revoke_reason=AWKWARD[n % len(AWKWARD)] or None if n % 2 else None,
    )  # fmt: skip


def _python_path(session: Session, layout: str, filters: ExportFilters, **csv: object) -> bytes:
    header, rows = exports.rows_for(session, layout, filters, '=BKPSDM; Kota "Palu"')  # type: ignore[arg-type]
    return b"".join(exports.file_chunks(header, rows, "csv", **csv))  # type: ignore[arg-type]


def _fast_path(session: Session, layout: str, filters: ExportFilters, **csv: object) -> bytes:
    chunks = completions_csv.export_chunks(
        session,
        layout,
        filters,
        '=BKPSDM; Kota "Palu"',
        **csv,  # type: ignore[arg-type]
    )
    return b"".join(chunks)


FILTERS = {
    "all": {},
    "from WITA day of a 16:30 UTC completion": {"date_from": date(2026, 3, 2)},
    "up to the WITA day before": {"date_to": date(2026, 3, 1)},
    "year end window": {"date_from": date(2025, 12, 31), "date_to": date(2026, 1, 1)},
    "course with a formula code": {"course_code": "=K2"},
    "course with a semicolon": {"course_code": "K;3"},
    "quote and placeholder in a course code": {"course_code": "K,4'%s"},
    "SQL in a filter": {"course_code": "K'; DROP TABLE users; --%(x)s"},
    "selesai": {"status": "selesai"},
    "berjalan": {"status": "berjalan"},
    "lewat tenggat": {"status": "lewat_tenggat"},
}


@pytest.mark.parametrize("layout", ["lentera", "siasn"])
@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize("bom", [True, False])
def test_fast_csv_is_byte_identical_to_the_python_path_for_every_filter(
    session: Session, awkward_data: list[User], layout: str, delimiter: str, bom: bool
) -> None:
    unit_id = awkward_data[3].unit_id
    cases = {
        **FILTERS,
        "unit": {"unit_id": unit_id},
        "one person": {"nip": awkward_data[4].nip},
        "PNS": {"employee_type": "PNS"},
        "PPPK": {"employee_type": "PPPK"},
    }
    for label, values in cases.items():
        filters = ExportFilters(today=TODAY, **values)  # type: ignore[arg-type]
        expected = _python_path(session, layout, filters, delimiter=delimiter, bom=bom)
        got = _fast_path(session, layout, filters, delimiter=delimiter, bom=bom)
        assert got == expected, label


def test_awkward_data_covers_every_status_category_and_certificate_state(
    session: Session, awkward_data: list[User]
) -> None:
    text = _python_path(session, "lentera", ExportFilters(today=TODAY), delimiter=";")
    shown = ["Selesai", "Sedang berjalan", "Lewat tenggat", "Teknis", "Manajerial",
             "Sosial Kultural", "'=lainnya", "K,4'%s", "@Versi lama", "LTR-2026-", "KELAS-",
             "Kelas; titik koma", "Sesi "]  # fmt: skip
    for value in shown:
        assert value.encode() in text, value
    revoked = session.scalars(select(Certificate.number).where(Certificate.revoked_at.is_not(None)))
    assert any(number.encode() in text for number in revoked)
    assert b";Dicabut;" in text and b";Berlaku;" in text
    reasons = session.scalars(
        select(Certificate.revoke_reason).where(Certificate.revoke_reason.is_not(None))
    )
    assert len(set(reasons)) > 3
    assert text.count(b"\r\n") > 60


def test_fast_csv_batches_mix_clean_and_quoted_rows_identically(
    session: Session, awkward_data: list[User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small batches: some need no quoting, some quoting, some a re-read (separator in data)."""
    monkeypatch.setattr(csv_batches, "BATCH", 3)
    reread: list[list[int]] = []
    real = completions.rows_by_id

    def spy(session: Session, layout: str, filters: ExportFilters, issuer: str, ids: list[int]):  # type: ignore[no-untyped-def]
        reread.append(ids)
        return real(session, layout, filters, issuer, ids)

    monkeypatch.setattr(completions, "rows_by_id", spy)
    for delimiter in (";", ","):
        filters = ExportFilters(today=TODAY)
        expected = _python_path(session, "lentera", filters, delimiter=delimiter, bom=True)
        chunks = list(
            completions_csv.export_chunks(
                session, "lentera", filters, "x", delimiter=delimiter, bom=True
            )
        )
        assert len(chunks) > 20  # streamed a batch at a time, never the whole file at once
        assert b"".join(chunks) == expected
    if session.get_bind().dialect.name == "sqlite":
        assert reread  # the name holding the separator went through the Python path
        # ... and so did the class title holding it, found again by its row key.
        assert any(key >= completion_sources.CLASS_KEYS for keys in reread for key in keys)


def test_fast_csv_reports_progress_per_batch(session: Session, awkward_data: list[User]) -> None:
    seen: list[int] = []
    filters = ExportFilters(today=TODAY)
    data = b"".join(
        completions_csv.export_chunks(
            session, "lentera", filters, "x", delimiter=";", bom=False, progress=seen.append
        )
    )
    assert sum(seen) == completions.count_records(session, filters) > 0
    assert data.startswith(b"NIP;Nama;")


def test_fast_csv_refuses_an_unknown_delimiter(session: Session) -> None:
    with pytest.raises(ValueError, match="delimiter"):
        list(
            completions_csv.export_chunks(
                session, "lentera", ExportFilters(), "x", delimiter="|", bom=False
            )
        )


def test_web_download_takes_the_fast_path_and_is_audited(
    client: TestClient, session: Session, settings: Settings, awkward_data: list[User]
) -> None:
    login(client, make_user(session, roles={Role.HR}))
    params = {"format": "csv", "tata_letak": "siasn", "pemisah": "koma", "bom": "false"}
    response = client.get("/laporan/ekspor/unduh", params=params)
    assert response.status_code == 200
    options = siasn.Options.from_settings(settings)
    header, rows = exports.rows_for(session, "siasn", ExportFilters(), options)
    expected = b"".join(exports.file_chunks(header, rows, "csv", delimiter=","))
    assert response.content == expected
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "export.completions"))
    assert event is not None and event.details["layout"] == "siasn"


def test_an_export_stopped_midway_leaves_the_connection_usable(
    session: Session, awkward_data: list[User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A download cancelled after the first batches: the query is stopped and drained."""
    monkeypatch.setattr(csv_batches, "BATCH", 3)
    chunks = completions_csv.export_chunks(
        session, "lentera", ExportFilters(today=TODAY), "x", delimiter=";", bom=False
    )
    assert next(chunks).startswith(b"NIP;")
    assert next(chunks)
    chunks.close()
    session.rollback()  # as the request's session does when the response is abandoned
    assert session.scalar(select(func.count()).select_from(User)) == 0  # rolled back, working
