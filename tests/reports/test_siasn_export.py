"""SIASN's riwayat kursus export: the layout against the documented reference, the ZIP of
certificate PDFs, and "changes since the last SIASN export" batches."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.audit.models import AuditEvent
from app.config import Settings
from app.content.format import course_meta
from app.content.format.problems import ProblemLog
from app.content.models import Blob, Course, CourseVersion
from app.learning.models import Certificate, Completion, Enrolment
from app.reports import completions_csv, exports, siasn, siasn_batches, siasn_zip
from app.reports.completions import ExportFilters
from tests.factories import login, make_user

INSTANSI_ID = "A5EB03E23C52F6A0E040640A040252AD"
OPTIONS = siasn.Options(
    issuer="BKPSDM Kota Palu", instansi_id=INSTANSI_ID, instansi_name="Pemerintah Kota Palu",
    by_category=True,
)  # fmt: skip


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _course(
    session: Session, code: str, category: str, jp: int, jenis: int | None = None
) -> Course:
    course = Course(code=code, folder=code.lower())
    session.add(course)
    session.flush()
    version = CourseVersion(
        course_id=course.id, number=1, content_hash="0" * 64, engine_version="1",
        source="disk", summary="", level="dasar", authors=[], version_label="v1",
        passing_score=70, score_policy="best", prerequisites=[], total_minutes=60,
        title=f"Kursus {code}", category=category, jp=jp, jenis_diklat_siasn=jenis,
    )  # fmt: skip
    session.add(version)
    session.flush()
    course.current_version_id = version.id
    return course


def _pdf(session: Session, text: str) -> str:
    data = b"%PDF-1.7 " + text.encode()
    sha = hashlib.sha256(data).hexdigest()
    session.add(Blob(sha256=sha, size=len(data), data=data))
    session.flush()
    return sha


def _certificate(
    session: Session, done: Completion, person: User, course: Course, number: str, **extra: object
) -> Certificate:
    version = session.get(CourseVersion, course.current_version_id)
    assert version is not None
    certificate = Certificate(
        number=number, completion_id=done.id, full_name=person.full_name, nip=person.nip,
        employee_type=person.employee_type, course_code=course.code, course_title=version.title,
        category=version.category, jp=version.jp, completed_on=date(2026, 3, 2),
        final_score=90, pdf_sha256=_pdf(session, number), **extra,
    )  # fmt: skip
    session.add(certificate)
    session.flush()
    return certificate


def _complete(session: Session, person: User, course: Course, at: datetime) -> Completion:
    session.add(Enrolment(user_id=person.id, course_id=course.id, enrolled_at=utc(2026, 2, 1, 1)))
    done = Completion(
        user_id=person.id, course_id=course.id, course_version_id=course.current_version_id,
        started_at=at - timedelta(days=2), completed_at=at, final_score=90, jp=6,
    )  # fmt: skip
    session.add(done)
    session.flush()
    return done


@pytest.fixture
def history(session: Session) -> dict[str, User]:
    """Valid, revoked and re-issued certificates, and a completion without one."""
    teknis = _course(session, "TEK-1", "teknis", 6)
    manajerial = _course(session, "MAN-1", "manajerial", 6)
    sosial = _course(session, "SOS-1", "sosial kultural", 6, jenis=22)  # its kursus.yaml says
    valid, revoked, reissued, plain = (make_user(session) for _ in range(4))
    _certificate(session, _complete(session, valid, teknis, utc(2026, 3, 2, 2)), valid, teknis,
                 "LNT-2026-000010", issued_at=utc(2026, 3, 2, 2))  # fmt: skip
    _certificate(
        session, _complete(session, revoked, teknis, utc(2026, 3, 2, 2)), revoked, teknis,
        "LNT-2026-000011", revoked_at=utc(2026, 3, 5), revoke_reason="Nilai tidak sah",
        issued_at=utc(2026, 3, 2, 2),
    )  # fmt: skip
    done = _complete(session, reissued, manajerial, utc(2026, 3, 3, 2))
    old = _certificate(
        session, done, reissued, manajerial, "LNT-2026-000012",
        revoked_at=utc(2026, 3, 6), revoke_reason="diganti", issued_at=utc(2026, 3, 3, 2),
    )  # fmt: skip
    new = _certificate(
        session, done, reissued, manajerial, "LNT-2026-000013", replaces_id=old.id,
        issued_at=utc(2026, 3, 6),
    )  # fmt: skip
    old.replaced_by_id = new.id
    _complete(session, plain, sosial, utc(2025, 12, 31, 17))  # 1 January 2026 in WITA
    session.commit()
    return {"valid": valid, "revoked": revoked, "reissued": reissued, "plain": plain}


def _rows(
    session: Session, options: siasn.Options = OPTIONS, **filters: object
) -> list[dict[str, Any]]:
    header, rows = exports.rows_for(session, "siasn", ExportFilters(**filters), options)  # type: ignore[arg-type]
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_reference_table_holds_siasn_jenis_diklat_ids_and_certificate_kinds() -> None:
    names = {entry.id: entry.name for entry in siasn.JENIS_DIKLAT.values()}
    assert names == {
        1: "Diklat Struktural", 2: "Diklat Fungsional", 3: "Diklat Teknis", 4: "Workshop",
        5: "Pelatihan Manajerial", 6: "Pelatihan Sosial Kultural", 7: "Sosialisasi",
        8: "Bimbingan Teknis", 9: "Seminar", 10: "Magang", 11: "Kursus", 16: "E-Learning",
        22: "Belajar Mandiri",
    }  # fmt: skip
    kinds = {entry.id: entry.certificate_kind for entry in siasn.JENIS_DIKLAT.values()}
    assert (kinds[2], kinds[3], kinds[8]) == ("F", "T", "P")
    assert set(kinds.values()) <= {*siasn.CERTIFICATE_KINDS, ""}
    assert siasn.BY_CATEGORY == {"teknis": 3, "manajerial": 5, "sosial kultural": 6}
    assert siasn.FIELDS == [
        "pnsOrangId", "instansiId", "jenisDiklatId", "jenisKursus", "jenisKursusSertipikat",
        "namaKursus", "institusiPenyelenggara", "jumlahJam", "tahunKursus", "tanggalKursus",
        "tanggalSelesaiKursus", "nomorSertipikat",
    ]  # fmt: skip


def test_siasn_layout_column_by_column_leaves_revoked_out_and_shows_the_reissued_number(
    session: Session, history: dict[str, User]
) -> None:
    rows = {row["nipBaru"]: row for row in _rows(session)}
    assert set(rows) == {history[k].nip for k in ("valid", "reissued", "plain")}
    valid = rows[history["valid"].nip]
    assert valid == {
        "pnsOrangId": None, "instansiId": INSTANSI_ID, "jenisDiklatId": "3", "jenisKursus": None,
        "jenisKursusSertipikat": "T", "namaKursus": "Kursus TEK-1",
        "institusiPenyelenggara": "BKPSDM Kota Palu", "jumlahJam": 6, "tahunKursus": 2026,
        "tanggalKursus": "28-02-2026", "tanggalSelesaiKursus": "02-03-2026",
        "nomorSertipikat": "LNT-2026-000010", "nipBaru": history["valid"].nip,
        "nama": history["valid"].full_name, "namaInstansi": "Pemerintah Kota Palu",
    }  # fmt: skip
    reissued = rows[history["reissued"].nip]
    assert reissued["nomorSertipikat"] == "LNT-2026-000013"
    assert (reissued["jenisDiklatId"], reissued["jenisKursusSertipikat"]) == ("5", None)
    plain = rows[history["plain"].nip]
    # The course's own `jenis_diklat_siasn` (22 Belajar Mandiri) wins over the category's 6.
    assert (plain["jenisDiklatId"], plain["jenisKursusSertipikat"]) == ("22", "P")
    assert plain["nomorSertipikat"] is None
    assert (plain["tanggalSelesaiKursus"], plain["tahunKursus"]) == ("01-01-2026", 2026)


def test_siasn_layout_without_category_mapping_reports_every_course_as_e_learning(
    session: Session, history: dict[str, User]
) -> None:
    rows = _rows(session, siasn.Options(issuer="BKPSDM"))
    kinds = {row["nipBaru"]: row["jenisDiklatId"] for row in rows}
    assert kinds == {
        history["valid"].nip: "16",
        history["reissued"].nip: "16",
        history["plain"].nip: "22",
    }
    assert {row["instansiId"] for row in rows} == {None}


@pytest.mark.parametrize("by_category", [True, False])
def test_siasn_fast_csv_is_byte_identical_to_the_python_path(
    session: Session, history: dict[str, User], by_category: bool
) -> None:
    options = siasn.Options(**{**OPTIONS.__dict__, "by_category": by_category})
    header, rows = exports.rows_for(session, "siasn", ExportFilters(), options)
    python = b"".join(exports.file_chunks(header, rows, "csv", delimiter=";", bom=True))
    fast = b"".join(
        completions_csv.export_chunks(
            session, "siasn", ExportFilters(), options, delimiter=";", bom=True
        )
    )
    assert fast == python
    assert python.count(b"\r\n") == 4


def test_changes_since_lists_new_completions_and_reissued_certificates_only(
    session: Session, history: dict[str, User]
) -> None:
    since = utc(2026, 3, 5)
    rows = _rows(session, since=since)
    # Everything was completed before `since`: only the certificate re-issued after it returns.
    assert [(row["nipBaru"], row["nomorSertipikat"]) for row in rows] == [
        (history["reissued"].nip, "LNT-2026-000013")
    ]


def _hr_client(client: TestClient, app: FastAPI, session: Session, settings: Settings) -> User:
    app.state.settings = settings.model_copy(
        update={"siasn_instansi_id": INSTANSI_ID, "siasn_jenis_diklat_by_category": True}
    )
    hr = make_user(session, roles={Role.HR})
    login(client, hr)
    return hr


def test_siasn_zip_holds_the_file_and_exactly_the_listed_certificates_pdfs(
    client: TestClient, app: FastAPI, session: Session, settings: Settings,
    history: dict[str, User],
) -> None:  # fmt: skip
    _hr_client(client, app, session, settings)
    params = {"format": "csv", "tata_letak": "siasn", "lampiran": "true", "pemisah": "koma"}
    as_xlsx = client.get("/laporan/ekspor/unduh", params={**params, "format": "xlsx"})
    xlsx_names = zipfile.ZipFile(io.BytesIO(as_xlsx.content)).namelist()
    assert sorted(name.rsplit(".", 1)[1] for name in xlsx_names) == ["pdf", "pdf", "xlsx"]
    response = client.get("/laporan/ekspor/unduh", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    data_name = next(name for name in names if name.endswith(".csv"))
    assert names == sorted([data_name, "LNT-2026-000010.pdf", "LNT-2026-000013.pdf"])
    assert archive.read("LNT-2026-000013.pdf") == b"%PDF-1.7 LNT-2026-000013"
    text = archive.read(data_name).decode("utf-8-sig")
    records = list(csv.DictReader(io.StringIO(text)))
    numbers = {row["nomorSertipikat"] for row in records if row["nomorSertipikat"]}
    assert {siasn_zip.pdf_name(number) for number in numbers} == set(names) - {data_name}


def test_each_siasn_download_is_a_recorded_audited_batch_and_the_next_holds_only_changes(
    client: TestClient, app: FastAPI, session: Session, settings: Settings,
    history: dict[str, User],
) -> None:  # fmt: skip
    hr = _hr_client(client, app, session, settings)
    params = {"format": "csv", "tata_letak": "siasn", "pemisah": "koma"}
    first = client.get("/laporan/ekspor/unduh", params=params)
    assert first.status_code == 200 and first.text.count("\r\n") == 4
    batch = session.scalars(select(siasn_batches.SiasnExportBatch)).one()
    assert (batch.actor_id, batch.row_count, batch.via, batch.format) == (hr.id, 3, "web", "csv")
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export.siasn_batch")
    ).one()
    assert event.actor_id == hr.id and event.details["rows"] == 3
    # Nothing changed since: only the header.
    again = client.get("/laporan/ekspor/unduh", params={**params, "perubahan": "true"})
    assert again.text.count("\r\n") == 1
    latest = session.scalars(
        select(siasn_batches.SiasnExportBatch).order_by(siasn_batches.SiasnExportBatch.id.desc())
    ).first()
    assert latest is not None and latest.row_count == 0 and latest.filters["since"]
    page = client.get("/laporan/ekspor")
    assert page.context["last_siasn_export"] is not None


def test_unknown_jenis_diklat_setting_is_refused(settings: Settings) -> None:
    with pytest.raises(ValidationError, match="jenis diklat"):
        Settings(**{**settings.model_dump(), "siasn_jenis_diklat": 99})


KURSUS_YAML = """kode: SIA-101
judul: Kursus SIASN
ringkasan: Satu kalimat.
kategori: teknis
jp: 2
tingkat: dasar
penulis: [Penulis]
versi: "1.0"
nilai_lulus: 70
nilai_dihitung: terbaik
"""


@pytest.mark.parametrize(("line", "expected"), [("", None), ("jenis_diklat_siasn: 8\n", 8)])
def test_kursus_yaml_may_name_the_siasn_kind_of_training(
    tmp_path: Path, line: str, expected: int | None
) -> None:
    path = tmp_path / "kursus.yaml"
    path.write_text(KURSUS_YAML + line, encoding="utf-8")
    problems = ProblemLog()
    read = course_meta.read_course_meta(path, "kursus.yaml", problems)
    assert read.meta is not None and read.meta.jenis_diklat_siasn == expected


def test_kursus_yaml_with_an_unknown_siasn_kind_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "kursus.yaml"
    path.write_text(KURSUS_YAML + "jenis_diklat_siasn: 99\n", encoding="utf-8")
    problems = ProblemLog()
    read = course_meta.read_course_meta(path, "kursus.yaml", problems)
    assert read.meta is None
    assert any("jenis_diklat_siasn 99" in problem.message for problem in problems.items)
