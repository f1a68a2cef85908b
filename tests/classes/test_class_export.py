"""Class completions in HR's completion export (Lentera layout, XLSX, SIASN file): a stand-alone
pelatihan klasikal is one row of its own, a course's class is listed once through its
enrolment, revoked certificates follow credited.py's rule, and every filter applies."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.content.models import Course, CourseVersion
from app.db import utcnow
from app.learning import completion as completion_service
from app.learning.models import Completion, Enrolment
from app.reports import completions, exports, siasn
from app.reports.completions import COLUMNS, ExportFilters
from app.reports.siasn_batches import SiasnExportBatch
from tests.classes.conftest import NOW, MakeSession, finalise_present
from tests.factories import login, make_user, pppk_nip

DAY = "07-12-2026"  # NOW's local (WITA) date


def _download(client: TestClient, **params: str) -> list[dict[str, str]]:
    response = client.get("/laporan/ekspor/unduh", params={"format": "csv", **params})
    assert response.status_code == 200, response.text
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    return list(reader)


def _rows(session: Session, layout: str, **filters: Any) -> list[dict[str, Any]]:
    options = siasn.Options(issuer="BKPSDM Kota Palu")
    header, rows = exports.rows_for(session, layout, ExportFilters(**filters), options)  # type: ignore[arg-type]
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_a_stand_alone_class_attendee_is_one_row_in_the_csv_the_xlsx_and_the_siasn_file(
    client: TestClient,
    session: Session,
    make_session: MakeSession,
    learners: list[User],
    trainer: User,
) -> None:
    row = make_session(jp=4, category="teknis")
    (certificate,) = finalise_present(session, row, learners[:1], trainer)
    person = learners[0]
    login(client, make_user(session, roles={Role.HR}))

    listed = [r for r in _download(client) if r["NIP"] == person.nip]
    assert listed == [
        {
            "NIP": person.nip, "Nama": person.full_name, "Unit Kerja": person.unit_name or "",
            "Jabatan": person.jabatan or "", "Golongan": person.golongan or "",
            "Kode Kursus": f"KELAS-{row.id}", "Judul Kursus": "Pelatihan Pelayanan Prima",
            "Kategori Kompetensi": "Teknis", "JP": "4", "Tanggal Mulai": DAY,
            "Tanggal Selesai": DAY, "Nilai Akhir": "100", "Status": "Selesai",
            "Nomor Sertifikat": certificate.number, "Status Sertifikat": "Berlaku",
            "Tanggal Dicabut": "", "Alasan Pencabutan": "", "JP Diakui": "4",
        }
    ]  # fmt: skip
    assert certificate.number.startswith(f"LTR-2026-KELAS{row.id}-")

    response = client.get("/laporan/ekspor/unduh", params={"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    cells = [dict(zip(COLUMNS, r, strict=True)) for r in values[1:]]
    (xlsx,) = [r for r in cells if r["NIP"] == person.nip]
    assert (xlsx["Kode Kursus"], xlsx["JP"], xlsx["JP Diakui"]) == (f"KELAS-{row.id}", 4, 4)
    assert xlsx["Tanggal Selesai"] == datetime(2026, 12, 7)  # a date cell, local day

    (record,) = [r for r in _download(client, tata_letak="siasn") if r["nipBaru"] == person.nip]
    assert record == {
        "pnsOrangId": "", "instansiId": "",
        # Classroom training: its category's kind (3 Diklat Teknis, certificate kind T), not
        # the e-learning default (16) the courses get with these settings.
        "jenisDiklatId": "3", "jenisKursus": "", "jenisKursusSertipikat": "T",
        "namaKursus": "Pelatihan Pelayanan Prima", "institusiPenyelenggara": record[
            "institusiPenyelenggara"], "jumlahJam": "4", "tahunKursus": "2026",
        "tanggalKursus": DAY, "tanggalSelesaiKursus": DAY,
        "nomorSertipikat": certificate.number, "nipBaru": person.nip,
        "nama": person.full_name, "namaInstansi": record["namaInstansi"],
    }  # fmt: skip
    assert record["institusiPenyelenggara"]


@pytest.mark.parametrize("category", ["manajerial", "sosial kultural"])
def test_each_class_category_has_its_classroom_kind_in_siasn(
    session: Session,
    make_session: MakeSession,
    learners: list[User],
    trainer: User,
    category: str,
) -> None:
    finalise_present(session, make_session(category=category), learners[:1], trainer)
    (record,) = _rows(session, "siasn")
    expected = {"manajerial": "5", "sosial kultural": "6"}[category]
    assert (record["jenisDiklatId"], record["jenisKursusSertipikat"]) == (expected, None)


def test_a_revoked_class_certificate_is_dicabut_with_0_jp_and_left_out_of_siasn(
    session: Session, make_session: MakeSession, learners: list[User], trainer: User
) -> None:
    revoked, kept = finalise_present(session, make_session(), learners[:2], trainer)
    completion_service.revoke_certificate(
        session, revoked, actor_id=trainer.id, reason="Daftar hadir keliru", now=utcnow()
    )
    session.commit()
    rows = {r["NIP"]: r for r in _rows(session, "lentera")}
    gone = rows[learners[0].nip]
    assert (gone["Status Sertifikat"], gone["JP"], gone["JP Diakui"]) == ("Dicabut", 4, 0)
    assert gone["Alasan Pencabutan"] == "Daftar hadir keliru" and gone["Tanggal Dicabut"]
    assert (rows[learners[1].nip]["Status Sertifikat"], rows[learners[1].nip]["JP Diakui"]) == (
        "Berlaku", 4,
    )  # fmt: skip
    assert [r["nomorSertipikat"] for r in _rows(session, "siasn")] == [kept.number]


def test_a_course_class_attendee_is_listed_once_through_the_enrolment(
    session: Session,
    make_session: MakeSession,
    learners: list[User],
    trainer: User,
    demo_content: Any,
) -> None:
    course = session.scalars(select(Course).where(Course.code == "PPP-101")).one()
    online = learners[1]  # finished the same course online: e-learning in SIASN
    session.add(Enrolment(user_id=online.id, course_id=course.id, enrolled_at=NOW))
    session.add(
        Completion(user_id=online.id, course_id=course.id, final_score=90, jp=6,
                   course_version_id=course.current_version_id, completed_at=NOW)
    )  # fmt: skip
    (certificate,) = finalise_present(
        session, make_session(course_id=course.id, jp=6), [learners[0]], trainer
    )
    lentera = [r for r in _rows(session, "lentera") if r["NIP"] == learners[0].nip]
    assert [(r["Kode Kursus"], r["JP Diakui"], r["Nomor Sertifikat"]) for r in lentera] == [
        ("PPP-101", 6, certificate.number)
    ]
    kinds = {
        r["nipBaru"]: (r["jenisDiklatId"], r["nomorSertipikat"]) for r in _rows(session, "siasn")
    }
    assert kinds == {learners[0].nip: ("3", certificate.number), online.nip: ("16", None)}


def test_every_filter_applies_to_class_rows(
    session: Session, make_session: MakeSession, trainer: User
) -> None:
    pns = make_user(session, unit_name="Dinas Kesehatan")
    pppk = make_user(session, nip=pppk_nip(seq=3), employee_type="PPPK", golongan="IX",
                     unit_name="Dinas Pendidikan")  # fmt: skip
    revoked = make_user(session, unit_name="Dinas Kesehatan")
    row = make_session(capacity=3)
    certificates = finalise_present(session, row, [pns, pppk, revoked], trainer)
    completion_service.revoke_certificate(
        session, certificates[2], actor_id=trainer.id, reason="salah", now=utcnow()
    )
    session.commit()

    def listed(**filters: Any) -> set[str]:
        return {r["NIP"] for r in _rows(session, "lentera", **filters)}

    everyone = {pns.nip, pppk.nip, revoked.nip}
    assert listed() == everyone
    assert listed(date_from=date(2026, 12, 7), date_to=date(2026, 12, 7)) == everyone
    assert listed(date_from=date(2026, 12, 8)) == set()
    assert listed(date_to=date(2026, 12, 6)) == set()
    assert listed(unit_id=pppk.unit_id) == {pppk.nip}
    assert listed(nip=pns.nip) == {pns.nip}
    assert listed(employee_type="PPPK") == {pppk.nip}
    assert listed(employee_type="PNS") == {pns.nip, revoked.nip}
    assert listed(status="selesai") == everyone
    assert listed(status="berjalan") == listed(status="lewat_tenggat") == set()
    assert listed(course_code="PPP-101") == listed(course_code=f"KELAS-{row.id}") == set()
    assert listed(credited_only=True) == {pns.nip, pppk.nip}
    assert listed(since=NOW + timedelta(days=1)) == set()
    assert completions.count_records(session, ExportFilters(unit_id=pns.unit_id)) == 2
    assert {r["nipBaru"] for r in _rows(session, "siasn", employee_type="PNS")} == {pns.nip}


def test_a_siasn_since_batch_picks_up_a_class_finalised_after_the_last_export(
    client: TestClient,
    session: Session,
    make_session: MakeSession,
    learners: list[User],
    trainer: User,
) -> None:
    (before,) = finalise_present(session, make_session(), learners[:1], trainer)
    session.add(
        SiasnExportBatch(created_at=NOW + timedelta(days=1), via="web", format="csv",
                         filters={}, row_count=1)
    )  # fmt: skip
    later = make_session(
        starts_at=NOW + timedelta(days=2), ends_at=NOW + timedelta(days=2, hours=2)
    )
    (after,) = finalise_present(session, later, learners[1:2], trainer)
    login(client, make_user(session, roles={Role.HR}))
    rows = _download(client, tata_letak="siasn", perubahan="true")
    assert [(r["nipBaru"], r["nomorSertipikat"], r["tanggalSelesaiKursus"]) for r in rows] == [
        (learners[1].nip, after.number, "09-12-2026")
    ]
    assert before.number not in {r["nomorSertipikat"] for r in rows}
    batch = session.scalars(select(SiasnExportBatch).order_by(SiasnExportBatch.id.desc())).first()
    assert batch is not None and batch.row_count == 1


def test_sqlite_merges_courses_and_classes_without_sorting_the_enrolments(
    session: Session,
) -> None:
    """A million enrolments stream in key order (the rowid): only the class branch is sorted."""
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's plan; PostgreSQL sorts the joined rows as it did before classes")
    query = completions.records_query(ExportFilters())
    sql = str(query.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
    plan = [tuple(r) for r in session.execute(text("EXPLAIN QUERY PLAN " + sql))]
    details = {node: detail for node, _parent, _x, detail in plan}
    assert "MERGE (UNION ALL)" in details.values(), plan
    assert "SCAN enrolments" in details.values(), plan
    (left,) = [node for node, detail in details.items() if detail == "LEFT"]
    sorts = [parent for _n, parent, _x, detail in plan if "TEMP B-TREE" in detail]
    assert left not in sorts and 0 not in sorts, plan


def test_class_rows_come_after_the_course_rows(
    session: Session, make_session: MakeSession, learners: list[User], trainer: User
) -> None:
    finalise_present(session, make_session(), learners[:2], trainer)
    course = Course(code="TEK-9", folder="tek-9")
    session.add(course)
    session.flush()
    version = CourseVersion(
        course_id=course.id, number=1, content_hash="0" * 64, engine_version="1",
        source="disk", summary="", level="dasar", authors=[], version_label="v1",
        passing_score=70, score_policy="best", prerequisites=[], total_minutes=60,
        title="Kursus", category="teknis", jp=2,
    )  # fmt: skip
    session.add(version)
    session.flush()
    course.current_version_id = version.id
    session.add(Enrolment(user_id=learners[2].id, course_id=course.id, enrolled_at=NOW))
    session.commit()
    codes = [r["Kode Kursus"] for r in _rows(session, "lentera")]
    assert codes[0] == "TEK-9" and len(codes) == 3
    assert all(code.startswith("KELAS-") for code in codes[1:])
