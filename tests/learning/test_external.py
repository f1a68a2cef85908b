"""External learning: submitting it, checking every field, its file, and HR's verification."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import Role, User
from app.audit.models import AuditEvent
from app.content.models import Blob
from app.db import make_engine, make_sessionmaker, session_scope, utcnow
from app.learning import external, jp
from app.learning.external import AlreadyDecided, InvalidSubmission, RawSubmission
from app.learning.models import ExternalLearning
from tests.factories import csrf_token, login, make_user
from tests.learning.conftest import PDF_BYTES, AddExternal

TODAY = clock.today()
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32
MB = 1024 * 1024


def form(**overrides: str) -> dict[str, str]:
    """A valid submission form; override any field."""
    fields = {
        "title": "Pelatihan Kepemimpinan Pengawas",
        "organiser": "BPSDM Provinsi Sulawesi Tengah",
        "category": "manajerial",
        "start_on": (TODAY - timedelta(days=20)).isoformat(),
        "end_on": (TODAY - timedelta(days=10)).isoformat(),
        "jp": "32",
        "certificate_number": "800/123/BPSDM/2026",
    }
    fields.update(overrides)
    return fields


def post_submission(
    client: TestClient,
    fields: dict[str, str],
    file: tuple[str, bytes, str] | None = ("sertifikat.pdf", PDF_BYTES, "application/pdf"),
) -> Any:
    token = csrf_token(client, "/riwayat/eksternal")
    files = {"file": file} if file is not None else None
    return client.post("/riwayat/eksternal", data={"csrf_token": token, **fields}, files=files)


def stored_counts(session: Session) -> tuple[int, int]:
    rows = session.scalar(select(func.count()).select_from(ExternalLearning))
    blobs = session.scalar(select(func.count()).select_from(Blob))
    return rows or 0, blobs or 0


# --- checking the input (pure) ------------------------------------------------------------------


def check(raw: RawSubmission, name: str = "sertifikat.pdf", data: bytes = PDF_BYTES) -> Any:
    return external.check_submission(raw, name, data, today=TODAY, max_bytes=MB)


def test_a_valid_submission_is_cleaned() -> None:
    checked = check(RawSubmission(**form(title="  Pelatihan   Kepemimpinan\n ")))

    assert checked.title == "Pelatihan Kepemimpinan"
    assert checked.jp == 32
    assert checked.end_on == TODAY - timedelta(days=10)
    assert checked.file_type == "application/pdf"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "  "}, "title", "Nama pelatihan wajib diisi."),
        ({"title": "x" * 301}, "title", "Nama pelatihan paling banyak 300 karakter."),
        ({"organiser": ""}, "organiser", "Penyelenggara wajib diisi."),
        ({"organiser": "y" * 201}, "organiser", "Penyelenggara paling banyak 200 karakter."),
        ({"category": "olahraga"}, "category", "Pilih kategori kompetensi"),
        ({"start_on": ""}, "start_on", "Tanggal mulai wajib diisi."),
        ({"start_on": "31/12/2025"}, "start_on", "Tanggal mulai tidak valid"),
        ({"start_on": "2025-02-30"}, "start_on", "Tanggal mulai tidak valid"),
        ({"start_on": "1989-12-31"}, "start_on", "tidak boleh sebelum tahun 1990"),
        (
            {"end_on": (TODAY + timedelta(days=1)).isoformat()},
            "end_on",
            "Tanggal selesai tidak boleh di masa depan.",
        ),
        (
            {"start_on": TODAY.isoformat(), "end_on": (TODAY - timedelta(days=1)).isoformat()},
            "end_on",
            "Tanggal selesai tidak boleh sebelum tanggal mulai.",
        ),
        ({"jp": ""}, "jp", "JP wajib diisi."),
        ({"jp": "0"}, "jp", "JP harus antara 1 dan 200"),
        ({"jp": "201"}, "jp", "JP harus antara 1 dan 200"),
        ({"jp": "-3"}, "jp", "JP harus bilangan bulat"),
        ({"jp": "2,5"}, "jp", "JP harus bilangan bulat"),
        ({"jp": "٣"}, "jp", "JP harus bilangan bulat"),
        (
            {"certificate_number": "9" * 101},
            "certificate_number",
            "Nomor sertifikat paling banyak 100 karakter.",
        ),
    ],
)
def test_each_wrong_field_gets_its_own_message(
    overrides: dict[str, str], field: str, message: str
) -> None:
    with pytest.raises(InvalidSubmission) as caught:
        check(RawSubmission(**form(**overrides)))

    assert list(caught.value.errors) == [field]
    assert message in caught.value.errors[field]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("sertifikat.pdf", b"", "Pilih berkas sertifikat"),
        ("sertifikat.docx", b"PK\x03\x04 word", "Berkas harus PDF, JPG, atau PNG (bukan .docx)."),
        ("sertifikat", PDF_BYTES, "Berkas harus PDF, JPG, atau PNG (bukan .?)."),
        ("sertifikat.pdf", b"<html><script>alert(1)</script>", "bukan PDF yang sah"),
        ("sertifikat.pdf", b"MZ\x90\x00 program", "bukan PDF yang sah"),
        ("foto.jpg", PNG_BYTES, "Berkas bernama .jpg tetapi isinya PNG"),
        ("sertifikat.pdf", JPEG_BYTES, "Berkas bernama .pdf tetapi isinya JPG"),
        ("besar.pdf", PDF_BYTES + b"0" * MB, "Berkas lebih besar dari 1 MB."),
    ],
)
def test_files_are_judged_by_their_bytes_not_their_name(
    name: str, data: bytes, message: str
) -> None:
    with pytest.raises(InvalidSubmission) as caught:
        check(RawSubmission(**form()), name, data)

    assert message in caught.value.errors["file"]


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("Sertifikat.PDF", PDF_BYTES, "application/pdf"),
        ("foto.jpeg", JPEG_BYTES, "image/jpeg"),
        ("foto.JPG", JPEG_BYTES, "image/jpeg"),
        ("pindai.png", PNG_BYTES, "image/png"),
    ],
)
def test_pdf_jpg_and_png_are_accepted(name: str, data: bytes, kind: str) -> None:
    assert check(RawSubmission(**form()), name, data).file_type == kind


def test_every_wrong_field_is_reported_at_once() -> None:
    with pytest.raises(InvalidSubmission) as caught:
        check(RawSubmission(), "x.exe", b"MZ")

    assert set(caught.value.errors) == {
        "title",
        "organiser",
        "category",
        "start_on",
        "end_on",
        "jp",
        "file",
    }


def test_file_names_lose_paths_and_control_characters() -> None:
    assert external.clean_file_name("C:\\Users\\andi\\sertifikat.pdf") == "sertifikat.pdf"
    assert external.clean_file_name("../../etc/passwd\x00.pdf") == "passwd.pdf"
    assert external.clean_file_name("") == "berkas"
    assert len(external.clean_file_name("a" * 300 + ".pdf")) == 200
    assert external.clean_file_name("a" * 300 + ".pdf").endswith(".pdf")


# --- submitting over HTTP -----------------------------------------------------------------------


def test_submission_is_stored_pending_with_its_file_and_audited(
    session: Session, client: TestClient, learner: User
) -> None:
    login(client, learner)

    response = post_submission(client, form())

    assert response.status_code == 303
    end = TODAY - timedelta(days=10)
    assert response.headers["location"] == f"/riwayat?tahun={end.year}&terkirim=1"
    row = session.scalars(select(ExternalLearning)).one()
    assert (row.user_id, row.status, row.jp, row.category) == (
        learner.id,
        "pending",
        32,
        "manajerial",
    )
    assert row.file_name == "sertifikat.pdf" and row.file_type == "application/pdf"
    assert session.get(Blob, row.file_sha256).data == PDF_BYTES  # type: ignore[union-attr]
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "learning.external_submitted")
    ).one()
    assert (event.actor_id, event.target_id) == (learner.id, str(row.id))
    page = client.get(response.headers["location"]).text
    assert "menunggu verifikasi BKPSDM" in page
    assert "Pelatihan Kepemimpinan Pengawas" in page
    assert jp.jp_for_year(session, learner.id, end.year).total == 0  # pending counts nothing


@pytest.mark.parametrize(
    ("fields", "file", "field", "message"),
    [
        (
            form(end_on=(TODAY + timedelta(days=3)).isoformat()),
            None,
            "end_on",
            "Tanggal selesai tidak boleh di masa depan.",
        ),
        (
            form(start_on="2024-05-10", end_on="2024-05-01"),
            None,
            "end_on",
            "Tanggal selesai tidak boleh sebelum tanggal mulai.",
        ),
        (form(start_on="1985-01-01"), None, "start_on", "tidak boleh sebelum tahun 1990"),
        (form(jp="0"), None, "jp", "JP harus antara 1 dan 200"),
        (
            form(),
            ("sertifikat.pdf", b"<!doctype html><p>bukan pdf</p>", "application/pdf"),
            "file",
            "bukan PDF yang sah",
        ),
        (form(), ("", b"", "application/octet-stream"), "file", "Pilih berkas sertifikat"),
    ],
)
def test_bad_submission_is_refused_with_a_message_and_nothing_stored(
    session: Session,
    client: TestClient,
    learner: User,
    fields: dict[str, str],
    file: tuple[str, bytes, str] | None,
    field: str,
    message: str,
) -> None:
    login(client, learner)
    before = stored_counts(session)

    if file is None:
        response = post_submission(client, fields)
    else:
        response = post_submission(client, fields, file)

    assert response.status_code == 400
    assert response.template.name == "learning/external_form.html"
    assert message in response.context["errors"][field]
    assert 'role="alert"' in response.text
    assert f'id="e-{field}"' in response.text
    assert stored_counts(session) == before
    assert fields["title"] in response.text  # what was typed is kept


def test_oversized_file_is_refused(
    session: Session, client: TestClient, learner: User, settings: Any
) -> None:
    settings.max_upload_mb = 1
    login(client, learner)
    before = stored_counts(session)

    response = post_submission(
        client, form(), ("besar.pdf", PDF_BYTES + b"0" * MB, "application/pdf")
    )

    assert response.status_code == 400
    assert "Berkas lebih besar dari 1 MB." in response.text
    assert stored_counts(session) == before


def test_missing_file_part_is_refused(session: Session, client: TestClient, learner: User) -> None:
    login(client, learner)

    response = post_submission(client, form(), None)

    assert response.status_code == 400
    assert "Pilih berkas sertifikat" in response.text
    assert stored_counts(session) == (0, 0)


def test_the_same_certificate_file_cannot_be_submitted_twice(
    session: Session, client: TestClient, learner: User
) -> None:
    login(client, learner)
    assert post_submission(client, form()).status_code == 303

    response = post_submission(client, form(title="Judul lain"))

    assert response.status_code == 400
    assert "sudah pernah Anda ajukan" in response.text
    assert stored_counts(session) == (1, 1)


def test_submitting_requires_the_csrf_token(
    session: Session, client: TestClient, learner: User
) -> None:
    login(client, learner)

    response = client.post(
        "/riwayat/eksternal",
        data=form(),
        files={"file": ("sertifikat.pdf", PDF_BYTES, "application/pdf")},
    )

    assert response.status_code == 403
    assert stored_counts(session) == (0, 0)


def test_form_page_has_labels_for_every_field(client: TestClient, learner: User) -> None:
    login(client, learner)

    html = client.get("/riwayat/eksternal").text

    for name in ("title", "organiser", "category", "start_on", "end_on", "jp", "file"):
        assert f'<label for="f-{name}">' in html
        assert f'id="f-{name}"' in html
    assert 'type="date"' in html and 'enctype="multipart/form-data"' in html


# --- the file -----------------------------------------------------------------------------------


def test_owner_hr_and_nobody_else_can_open_the_file(
    session: Session, client: TestClient, learner: User, hr: User, add_external: AddExternal
) -> None:
    row = add_external(learner, end_on=date(2025, 3, 1))
    path = f"/riwayat/eksternal/{row.id}/berkas"

    login(client, learner)
    own = client.get(path)
    assert own.status_code == 200
    assert own.content.startswith(b"%PDF")
    assert own.headers["content-type"] == "application/pdf"
    assert own.headers["x-content-type-options"] == "nosniff"
    assert own.headers["content-disposition"].startswith('inline; filename="sertifikat.pdf"')
    assert own.headers["cache-control"] == "private, no-store"

    client.cookies.clear()
    login(client, make_user(session))
    assert client.get(path).status_code == 404
    assert client.get("/riwayat/eksternal/999999/berkas").status_code == 404

    client.cookies.clear()
    login(client, hr)
    assert client.get(path).status_code == 200

    client.cookies.clear()
    assert client.get(path).status_code == 303  # anonymous: to the login page


# --- HR's queue ---------------------------------------------------------------------------------


def decide(client: TestClient, external_id: int, action: str, reason: str = "") -> Any:
    token = csrf_token(client, "/pegawai/verifikasi")
    return client.post(
        f"/pegawai/verifikasi/{external_id}",
        data={"csrf_token": token, "action": action, "reason": reason},
    )


def test_learners_cannot_open_or_use_the_queue(
    session: Session, client: TestClient, learner: User, add_external: AddExternal
) -> None:
    other = add_external(make_user(session), end_on=date(2025, 1, 1))
    login(client, learner)

    assert client.get("/pegawai/verifikasi").status_code == 403
    token = csrf_token(client, "/riwayat")
    response = client.post(
        f"/pegawai/verifikasi/{other.id}", data={"csrf_token": token, "action": "verify"}
    )
    assert response.status_code == 403


def test_queue_lists_pending_submissions_oldest_first_with_nip_and_unit(
    session: Session, client: TestClient, learner: User, hr: User, add_external: AddExternal
) -> None:
    now = utcnow()
    add_external(learner, end_on=date(2025, 2, 1), title="Kedua", submitted_at=now)
    add_external(
        learner, end_on=date(2025, 1, 1), title="Pertama", submitted_at=now - timedelta(days=3)
    )
    add_external(learner, end_on=date(2025, 1, 1), title="Sudah", status="verified")
    login(client, hr)

    response = client.get("/pegawai/verifikasi")

    assert response.status_code == 200
    assert response.template.name == "learning/external_queue.html"
    items = response.context["items"]
    assert [item.title for item in items] == ["Pertama", "Kedua"]
    html = response.text
    assert "Nur Aisyah Lamarauna" in html and "Dinas Kesehatan" in html
    nip = learner.nip
    assert f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}" in html
    assert f"/riwayat/eksternal/{items[0].id}/berkas" in html
    assert "Sudah" not in html


def test_hr_verifies_a_submission_and_its_jp_count(
    session: Session, client: TestClient, learner: User, hr: User, add_external: AddExternal
) -> None:
    row = add_external(learner, end_on=date(2025, 8, 1), jp=12)
    login(client, hr)

    response = decide(client, row.id, "verify")

    assert response.status_code == 303
    assert response.headers["location"] == "/pegawai/verifikasi?hasil=diverifikasi"
    session.refresh(row)
    assert (row.status, row.reviewed_by_id) == ("verified", hr.id)
    assert row.reviewed_at is not None
    assert jp.jp_for_year(session, learner.id, 2025).total == 12
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "learning.external_verified")
    ).one()
    assert (event.actor_id, event.target_id) == (hr.id, str(row.id))


def test_rejecting_needs_a_reason_which_the_learner_then_sees(
    session: Session, client: TestClient, learner: User, hr: User, add_external: AddExternal
) -> None:
    row = add_external(learner, end_on=date(TODAY.year, 1, 1), title="Seminar Daring")
    login(client, hr)

    refused = decide(client, row.id, "reject", "   ")
    assert refused.status_code == 400
    assert "Tulis alasan penolakan" in refused.text
    session.refresh(row)
    assert row.status == "pending"

    response = decide(client, row.id, "reject", "Nama di sertifikat tidak sesuai.")
    assert response.status_code == 303
    session.refresh(row)
    assert (row.status, row.reject_reason) == ("rejected", "Nama di sertifikat tidak sesuai.")
    assert (
        session.scalars(select(AuditEvent).where(AuditEvent.action == "learning.external_rejected"))
        .one()
        .details["reason"]
        == "Nama di sertifikat tidak sesuai."
    )

    client.cookies.clear()
    login(client, learner)
    page = client.get("/riwayat").text
    assert "Ditolak" in page and "Nama di sertifikat tidak sesuai." in page


def test_deciding_twice_is_refused_and_keeps_the_first_decision(
    session: Session, client: TestClient, learner: User, hr: User, add_external: AddExternal
) -> None:
    row = add_external(learner, end_on=date(2025, 8, 1))
    login(client, hr)
    assert decide(client, row.id, "verify").status_code == 303

    again = decide(client, row.id, "reject", "Terlambat")

    assert again.status_code == 409
    assert "sudah diverifikasi sebelumnya" in again.text
    session.refresh(row)
    assert (row.status, row.reject_reason) == ("verified", None)


def test_a_decision_on_a_stale_copy_loses_to_the_one_already_made(
    session: Session,
    session_factory: Any,
    learner: User,
    hr: User,
    add_external: AddExternal,
) -> None:
    row = add_external(learner, end_on=date(2025, 8, 1))  # this session keeps it as pending
    other_hr = make_user(session, roles={Role.HR})
    with session_factory() as first:
        external.decide(first, row.id, actor_id=hr.id, verify=True)
        first.commit()
    assert row.status == "pending"  # stale: passes the quick check in decide()

    with pytest.raises(AlreadyDecided, match="sudah diverifikasi"):
        external.decide(session, row.id, actor_id=other_hr.id, verify=False, reason="x")
    assert (row.status, row.reviewed_by_id) == ("verified", hr.id)


def test_hr_cannot_decide_their_own_submission(
    client: TestClient, hr: User, add_external: AddExternal
) -> None:
    row = add_external(hr, end_on=date(2025, 8, 1))
    login(client, hr)

    response = decide(client, row.id, "verify")

    assert response.status_code == 403
    assert "pengajuan Anda sendiri" in response.text


def test_unknown_action_and_unknown_submission_are_refused(
    client: TestClient, learner: User, hr: User, add_external: AddExternal
) -> None:
    row = add_external(learner, end_on=date(2025, 8, 1))
    login(client, hr)

    assert decide(client, row.id, "approve").status_code == 400
    assert decide(client, 999999, "verify").status_code == 404


def test_concurrent_decisions_do_not_both_win(fresh_database_url: str) -> None:
    """Two HR officers press at the same moment, on two connections: one wins, one is told."""
    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    try:
        with session_scope(factory) as setup:
            owner = make_user(setup)
            first_hr = make_user(setup, roles={Role.HR})
            second_hr = make_user(setup, roles={Role.HR})
            setup.add(Blob(sha256="a" * 64, size=len(PDF_BYTES), data=PDF_BYTES))
            row = ExternalLearning(
                user_id=owner.id,
                title="Diklat",
                organiser="LAN",
                category="teknis",
                start_on=date(2025, 1, 1),
                end_on=date(2025, 1, 2),
                jp=8,
                file_sha256="a" * 64,
                file_name="s.pdf",
                file_type="application/pdf",
            )
            setup.add(row)
            setup.flush()
            ids = row.id, first_hr.id, second_hr.id
        external_id, first_id, second_id = ids

        outcome: dict[str, str] = {}

        def second_decision() -> None:
            with factory() as other:
                try:
                    external.decide(
                        other, external_id, actor_id=second_id, verify=False, reason="x"
                    )
                    other.commit()
                    outcome["second"] = "won"
                except AlreadyDecided:
                    other.rollback()
                    outcome["second"] = "refused"

        with factory() as first:
            external.decide(first, external_id, actor_id=first_id, verify=True)
            first.flush()  # holds the row (PostgreSQL) or the write lock (SQLite)
            thread = threading.Thread(target=second_decision)
            thread.start()
            thread.join(timeout=0.5)
            assert thread.is_alive(), "the second decision must wait for the first"
            first.commit()
        thread.join(timeout=15)

        assert outcome == {"second": "refused"}
        with factory() as check_session:
            final = check_session.get(ExternalLearning, external_id)
            assert final is not None
            assert (final.status, final.reviewed_by_id) == ("verified", first_id)
    finally:
        engine.dispose()
