"""The completion records export: columns, filters, formula safety, layouts, permissions."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import Role, User
from app.audit.models import AuditEvent
from app.content import store
from app.content.catalog import ContentCache
from app.db import utcnow
from app.learning import completion, progress
from app.learning.models import Assignment, Completion, QuizAttempt
from app.reports.completions import COLUMNS, SIASN_COLUMNS
from tests.factories import login, make_user, pppk_nip


def _complete(session: Session, user: User, code: str, when_days_ago: int = 0) -> Completion:
    """Finish a course for `user` through the services (modules, then a perfect final test)."""
    view = ContentCache().catalog(session).by_code[code]
    now = utcnow() - timedelta(days=when_days_ago)
    progress.enrol(session, user.id, view.course_id)
    for module in view.modules:
        progress.complete_module(
            session, user_id=user.id, course_id=view.course_id, slug=module.slug,
            version_id=view.version_id, now=now,
        )  # fmt: skip
    from app.content.models import QuizVersion

    quiz = session.scalar(
        select(QuizVersion).where(
            QuizVersion.course_version_id == view.version_id, QuizVersion.key == "tes-akhir"
        )
    )
    assert quiz is not None
    session.add(
        QuizAttempt(
            user_id=user.id, course_id=view.course_id, quiz_key="tes-akhir",
            quiz_version_id=quiz.id, number=1, seed="x", drawn=[], started_at=now,
            submitted_at=now, answers={}, score=0.9, correct_count=9, total=10,
        )
    )  # fmt: skip
    session.flush()
    done = completion.try_complete(session, user, view, now)
    assert done is not None
    session.commit()
    return done


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_hr_exports_completion_records_as_csv_for_indonesian_excel(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    login(client, make_user(session, roles={Role.HR}))
    learner = make_user(session, full_name='=HYPERLINK("http://x")', unit_name="Kelurahan Lere")
    done = _complete(session, learner, "PPP-101")
    response = client.get("/laporan/ekspor/unduh", params={"format": "csv"})
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    assert 'filename="rekap-penyelesaian-' in response.headers["content-disposition"]
    rows = _csv(response)
    assert rows[0] == COLUMNS
    row = dict(zip(COLUMNS, rows[1], strict=True))
    assert row["NIP"] == learner.nip
    assert row["Nama"].startswith("'=HYPERLINK")  # neutralised, shown as text
    assert row["Unit Kerja"] == "Kelurahan Lere"
    assert (row["Kode Kursus"], row["Kategori Kompetensi"], row["JP"]) == ("PPP-101", "Teknis", "6")
    assert row["Status"] == "Selesai" and row["Nilai Akhir"] == "90"
    assert row["Nomor Sertifikat"].startswith("LTR-")
    assert row["Tanggal Selesai"] == clock.local(done.completed_at).strftime("%d-%m-%Y")
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "export.completions"))
    assert event is not None and event.details["format"] == "csv"


def test_export_filters_by_status_course_unit_and_period(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    login(client, make_user(session, roles={Role.HR}))
    finished = make_user(session, unit_name="Dinas A")
    _complete(session, finished, "PPP-101", when_days_ago=40)
    learning = make_user(session, unit_name="Dinas B")
    view = ContentCache().catalog(session).by_code["KOM-101"]
    progress.enrol(session, learning.id, view.course_id)
    late = make_user(session, unit_name="Dinas B")
    progress.enrol(session, late.id, view.course_id)
    session.add(
        Assignment(
            user_id=late.id, course_id=view.course_id, due_on=(utcnow() - timedelta(days=3)).date()
        )
    )
    session.commit()

    def names(**params: str) -> set[str]:
        rows = _csv(client.get("/laporan/ekspor/unduh", params={"format": "csv", **params}))
        return {r[0] for r in rows[1:]}

    assert names() == {finished.nip, learning.nip, late.nip}
    assert names(status="selesai") == {finished.nip}
    assert names(status="berjalan") == {learning.nip}
    assert names(status="lewat_tenggat") == {late.nip}
    assert names(kursus="KOM-101") == {learning.nip, late.nip}
    assert names(unit=str(finished.unit_id)) == {finished.nip}
    recent = (utcnow() - timedelta(days=10)).date().isoformat()
    assert finished.nip not in names(dari=recent)


def test_xlsx_and_siasn_layouts(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    login(client, make_user(session, roles={Role.HR}))
    learner = make_user(session)
    _complete(session, learner, "KOM-101")
    response = client.get("/laporan/ekspor/unduh", params={"format": "xlsx", "tata_letak": "siasn"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert list(rows[0]) == SIASN_COLUMNS
    row = dict(zip(SIASN_COLUMNS, rows[1], strict=True))
    assert row["namaKursus"] == "Komunikasi Efektif bagi ASN"
    assert row["jumlahJam"] == 4 and row["jenisDiklatId"] == "16"
    assert "Kota Palu" in row["institusiPenyelenggara"]
    assert row["nipBaru"] == learner.nip
    workbook.close()


def test_export_filters_by_one_persons_nip_and_by_employee_type(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    login(client, make_user(session, roles={Role.HR}))
    pns = make_user(session)
    other_pns = make_user(session)
    pppk = make_user(session, nip=pppk_nip(seq=7), employee_type="PPPK", golongan="IX")
    for person in (pns, other_pns, pppk):
        _complete(session, person, "PPP-101")

    def nips(**params: str) -> list[str]:
        response = client.get("/laporan/ekspor/unduh", params={"format": "csv", **params})
        assert response.status_code == 200, response.text
        header, *rows = _csv(response)
        return sorted(row[header.index("NIP")] for row in rows)

    # Spaces between the NIP's groups are fine, as everywhere else.
    spaced = f"{pns.nip[:8]} {pns.nip[8:14]} {pns.nip[14]} {pns.nip[15:]}"
    assert nips(nip=spaced) == [pns.nip]
    assert nips(jenis="PPPK") == [pppk.nip]
    assert nips(jenis="PNS") == sorted([pns.nip, other_pns.nip])
    assert nips(nip=pppk.nip, jenis="PNS") == []
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export.completions")
    ).first()
    assert event is not None
    assert pns.nip not in str(event.details)  # the audit trail keeps a masked NIP only


def test_a_malformed_nip_filter_is_explained_and_nothing_is_exported(
    client: TestClient, session: Session
) -> None:
    login(client, make_user(session, roles={Role.HR}))
    for value, message in (("19920314-2019", "hanya boleh berisi angka"), ("1992", "18 digit")):
        response = client.get("/laporan/ekspor/unduh", params={"nip": value})
        assert response.status_code == 400
        assert message in response.text
    wrong_type = client.get("/laporan/ekspor/unduh", params={"jenis": "honorer"})
    assert "PNS atau PPPK" in wrong_type.text
    assert (
        session.scalar(select(AuditEvent).where(AuditEvent.action == "export.completions")) is None
    )


def test_bad_filters_are_explained_and_nothing_is_exported(
    client: TestClient, session: Session
) -> None:
    login(client, make_user(session, roles={Role.HR}))
    response = client.get("/laporan/ekspor/unduh", params={"dari": "31-12-2026"})
    assert response.status_code == 400
    assert "bukan tanggal" in response.text
    wrong_order = client.get(
        "/laporan/ekspor/unduh", params={"dari": "2026-12-01", "sampai": "2026-01-01"}
    )
    assert "tidak boleh sebelum" in wrong_order.text
    assert (
        session.scalar(select(AuditEvent).where(AuditEvent.action == "export.completions")) is None
    )


def test_learners_and_trainers_cannot_export(client: TestClient, session: Session) -> None:
    login(client, make_user(session, roles={Role.TRAINER}))
    assert client.get("/laporan/ekspor/unduh").status_code == 403
