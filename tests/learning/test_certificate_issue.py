"""Certificates frozen at issue: the snapshot, the stored signed PDF, byte-identical downloads,
certificates from before snapshots existed, and the PAdES signature."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app import clock
from app.accounts.models import Role, User
from app.config import Settings
from app.content.catalog import ContentCache
from app.content.models import Blob, QuizVersion
from app.db import utcnow
from app.learning import certificate_issue, completion, progress, signing
from app.learning.models import Certificate, Completion, QuizAttempt
from app.main import create_app
from tests.factories import login, make_user

pytestmark = pytest.mark.usefixtures("demo_content")


def finish(session: Session, user: User, code: str = "PPP-101", days_ago: int = 0) -> Completion:
    """Complete a demo course through the services: every module, then a passing final test."""
    view = ContentCache().catalog(session).by_code[code]
    now = utcnow() - timedelta(days=days_ago)
    progress.enrol(session, user.id, view.course_id)
    for module in view.modules:
        progress.complete_module(
            session, user_id=user.id, course_id=view.course_id, slug=module.slug,
            version_id=view.version_id, now=now - timedelta(days=2),
        )  # fmt: skip
    quiz = session.scalars(
        select(QuizVersion).where(
            QuizVersion.course_version_id == view.version_id, QuizVersion.key == "tes-akhir"
        )
    ).one()
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


def certificate_of(session: Session, done: Completion) -> Certificate:
    found = completion.current_certificate(session, done.id)
    assert found is not None
    return found


@pytest.fixture
def learner(session: Session) -> User:
    return make_user(
        session, full_name="Andi Ridwan Lamakarate", unit_name="Dinas Kesehatan",
        jabatan="Bidan Ahli Muda", golongan="III/c",
    )  # fmt: skip


def test_issue_freezes_everything_the_certificate_prints(
    app: FastAPI, session: Session, settings: Settings, learner: User
) -> None:
    done = finish(session, learner)
    cert = certificate_of(session, done)
    view = ContentCache().catalog(session).by_code["PPP-101"]
    snap = cert.snapshot
    assert snap is not None and cert.snapshot_source == "issued"
    assert {k: snap[k] for k in ("full_name", "nip", "employee_type", "jabatan", "unit_kerja")} == {
        "full_name": "Andi Ridwan Lamakarate", "nip": learner.nip, "employee_type": "PNS",
        "jabatan": "Bidan Ahli Muda", "unit_kerja": "Dinas Kesehatan",
    }  # fmt: skip
    assert snap["pangkat_golongan"] == "Penata (III/c)"
    assert (snap["course_code"], snap["course_title"], snap["category"], snap["jp"]) == (
        "PPP-101", view.title, view.category, view.jp,
    )  # fmt: skip
    assert snap["final_score"] == 90
    assert snap["started_on"] == clock.local_date(done.started_at).isoformat()  # type: ignore[arg-type]
    assert snap["completed_on"] == clock.local_date(done.completed_at).isoformat()
    assert snap["issued_on"] == clock.local_date(cert.issued_at).isoformat()
    assert (snap["issuer"], snap["instansi"]) == (settings.issuer_name, settings.instansi_name)
    assert (
        snap["signatory_name"], snap["signatory_nip"], snap["signatory_pangkat"],
        snap["signatory_title"],
    ) == (
        settings.signatory_name, settings.signatory_nip, settings.signatory_pangkat,
        settings.signatory_title,
    )  # fmt: skip
    assert snap["verify_url"] == f"{settings.base_url}/verifikasi/{cert.number}"
    assert snap["learning_mode"] == "e-learning mandiri"
    assert snap["modules"] == [{"title": m.title, "minutes": m.minutes} for m in view.modules]
    assert len(snap["modules"]) >= 2


def test_issue_stores_the_signed_pdf_once_with_its_sha256(
    app: FastAPI, session: Session, learner: User
) -> None:
    cert = certificate_of(session, finish(session, learner))
    assert cert.pdf_sha256 is not None
    blob = session.get(Blob, cert.pdf_sha256)
    assert blob is not None
    assert hashlib.sha256(blob.data).hexdigest() == cert.pdf_sha256
    assert bytes(blob.data).startswith(b"%PDF-")


def test_the_pades_signature_validates_with_pyhanko_against_the_signing_certificate(
    app: FastAPI, session: Session, settings: Settings, learner: User
) -> None:
    cert = certificate_of(session, finish(session, learner))
    blob = session.get(Blob, cert.pdf_sha256)
    assert blob is not None
    key = signing.load_key(settings.data_dir / signing.DEMO_KEY_FILE, None)
    signer_cert = key.signer.signing_cert
    embedded = PdfFileReader(io.BytesIO(bytes(blob.data))).embedded_signatures
    assert len(embedded) == 1
    status = validate_pdf_signature(
        embedded[0], ValidationContext(trust_roots=[signer_cert], allow_fetching=False)
    )
    assert status.bottom_line, status.pretty_print_details()  # type: ignore[no-untyped-call]
    assert status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    assert embedded[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert (
        status.signer_reported_dt == cert.issued_at.replace(microsecond=0)
        or abs(
            (status.signer_reported_dt - cert.issued_at).total_seconds()  # type: ignore[operator]
        )
        < 1
    )
    # Against another trust root the same signature is not trusted.
    other = tmp_key(settings.data_dir.parent / "other.p12")
    untrusted = validate_pdf_signature(
        embedded[0], ValidationContext(trust_roots=list(other.trust_roots), allow_fetching=False)
    )
    assert untrusted.intact and not untrusted.trusted


def tmp_key(path: Path, passphrase: str | None = None) -> signing.SigningKey:
    signing.make_demo_key(path, common_name="Kunci Lain", passphrase=passphrase)
    return signing.load_key(path, passphrase)


def switch(client: TestClient, user: User) -> None:
    """Log `client` in as `user`, whoever was logged in before."""
    client.cookies.clear()
    login(client, user)


def _download(client: TestClient, number: str) -> bytes:
    response = client.get(f"/sertifikat/{number}.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return bytes(response.content)


def _changed_settings(settings: Settings, tmp_path: Path) -> Settings:
    key = tmp_path / "rotated.p12"
    signing.make_demo_key(key, common_name="Kunci Baru", passphrase="rahasia-baru")
    return settings.model_copy(
        update={
            "issuer_name": "Badan Baru",
            "instansi_name": "Pemerintah Kota Lain",
            "signatory_name": "Ir. Pengganti Kepala, M.T.",
            "signatory_nip": "197502022001121002",
            "signatory_pangkat": "Pembina (IV/a)",
            "signatory_title": "Plt. Kepala Badan",
            "base_url": "https://alamat-baru.example",
            "signing_key_path": key,
            "signing_key_passphrase": SecretStr("rahasia-baru"),
        }
    )


def _app_with(settings: Settings, session_factory: sessionmaker[Session]) -> FastAPI:
    application = create_app(settings)
    application.state.sessionmaker = session_factory
    return application


def test_download_is_byte_identical_after_every_certificate_setting_changes(
    app: FastAPI,
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    settings: Settings,
    learner: User,
    tmp_path: Path,
) -> None:
    cert = certificate_of(session, finish(session, learner))
    login(client, learner)
    before = _download(client, cert.number)
    assert hashlib.sha256(before).hexdigest() == cert.pdf_sha256
    changed = _app_with(_changed_settings(settings, tmp_path), session_factory)
    try:
        with TestClient(changed, base_url="https://testserver", follow_redirects=False) as other:
            login(other, learner)
            after = _download(other, cert.number)
            # Meanwhile a new certificate is issued with the new settings.
            newer = certificate_of(session, finish(session, learner, "KOM-101"))
            assert newer.snapshot is not None
            assert newer.snapshot["signatory_name"] == "Ir. Pengganti Kepala, M.T."
            assert newer.snapshot["verify_url"].startswith("https://alamat-baru.example/")
    finally:
        changed.state.engine.dispose()
        certificate_issue.configure(settings)
    assert after == before


def test_certificate_from_before_snapshots_gets_a_migrated_snapshot_and_file_at_first_download(
    app: FastAPI,
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
    settings: Settings,
    learner: User,
    tmp_path: Path,
) -> None:
    done = finish(session, learner)
    cert = certificate_of(session, done)
    # As migration 0007 leaves a certificate whose file was never made, minus its snapshot.
    cert.snapshot, cert.snapshot_source, cert.pdf_sha256 = None, None, None
    session.commit()
    login(client, learner)
    first = _download(client, cert.number)
    session.refresh(cert)
    assert cert.snapshot_source == "migrated"
    assert cert.snapshot is not None
    assert cert.snapshot["signatory_name"] == settings.signatory_name
    assert cert.snapshot["full_name"] == "Andi Ridwan Lamakarate"
    assert cert.pdf_sha256 == hashlib.sha256(first).hexdigest()
    changed = _app_with(_changed_settings(settings, tmp_path), session_factory)
    try:
        with TestClient(changed, base_url="https://testserver", follow_redirects=False) as other:
            login(other, learner)
            assert _download(other, cert.number) == first
    finally:
        changed.state.engine.dispose()
        certificate_issue.configure(settings)


def test_only_the_holder_hr_and_admins_download_and_a_revoked_one_only_hr_and_admins(
    app: FastAPI, client: TestClient, session: Session, learner: User
) -> None:
    cert = certificate_of(session, finish(session, learner))
    stranger = make_user(session)
    switch(client, stranger)
    assert client.get(f"/sertifikat/{cert.number}.pdf").status_code == 404
    hr = make_user(session, roles={Role.HR})
    admin = make_user(session, roles={Role.ADMIN})
    completion.revoke_certificate(session, cert, actor_id=admin.id, reason="Uji", now=utcnow())
    session.commit()
    switch(client, learner)
    assert client.get(f"/sertifikat/{cert.number}.pdf").status_code == 403
    switch(client, hr)
    assert _download(client, cert.number)[:5] == b"%PDF-"


def test_signing_with_an_unusable_key_file_is_refused_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "k.p12"
    signing.make_demo_key(path, passphrase="benar")
    with pytest.raises(signing.SigningKeyError, match="wrong passphrase"):
        signing.load_key(path, "salah")
    with pytest.raises(signing.SigningKeyError, match="cannot read"):
        signing.load_key(tmp_path / "tidak-ada.p12", None)
    assert signing.load_key(path, "benar").self_signed


def test_a_pdf_changed_after_signing_is_reported_invalid(
    app: FastAPI, session: Session, settings: Settings, learner: User
) -> None:
    cert = certificate_of(session, finish(session, learner))
    blob = session.get(Blob, cert.pdf_sha256)
    assert blob is not None
    roots = certificate_issue.current().key.trust_roots
    assert signing.check_pdf(bytes(blob.data), roots).valid
    appended = signing.check_pdf(bytes(blob.data) + b"\n% added\n", roots)
    assert appended.intact and not appended.covers_whole_file and not appended.valid
    data = bytearray(blob.data)
    marker = data.index(b"/Title")
    data[marker + 8] = data[marker + 8] ^ 0x01  # one bit inside the signed range
    assert not signing.check_pdf(bytes(data), roots).valid
    assert not signing.check_pdf(b"%PDF-1.4 not really", roots).signed


def test_after_a_key_rotation_old_certificates_validate_through_the_trust_roots_setting(
    app: FastAPI,
    session: Session,
    settings: Settings,
    learner: User,
    tmp_path: Path,
) -> None:
    cert = certificate_of(session, finish(session, learner))
    old = signing.load_key(settings.data_dir / signing.DEMO_KEY_FILE, None)
    roots = tmp_path / "kunci-lama.der"
    assert old.signer.signing_cert is not None
    roots.write_bytes(old.signer.signing_cert.dump())
    rotated = _changed_settings(settings, tmp_path)
    try:
        certificate_issue.configure(rotated)
        report = certificate_issue.stored_signature(session, cert)
        assert report is not None and report.intact and not report.trusted
        certificate_issue.configure(rotated.model_copy(update={"signing_trust_roots": roots}))
        report = certificate_issue.stored_signature(session, cert)
        assert report is not None and report.valid
        assert report.signer.startswith("Lentera DEMO")
    finally:
        certificate_issue.configure(settings)
