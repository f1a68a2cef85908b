"""Certificate pages: re-issue by HR or admin, the public verification page with its signature
report and upload check, and revocation shown to the learner."""

from __future__ import annotations

import hashlib

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.audit.models import AuditEvent
from app.content.models import Blob
from app.db import utcnow
from app.learning import completion
from app.learning.models import Certificate, Completion
from tests.factories import csrf_token, make_user
from tests.learning.test_certificate_issue import certificate_of, finish, switch

pytestmark = pytest.mark.usefixtures("demo_content")


@pytest.fixture
def learner(session: Session) -> User:
    return make_user(session, full_name="Nur Aisya Lamarauna", golongan="III/b")


@pytest.fixture
def hr(session: Session) -> User:
    return make_user(session, roles={Role.HR}, full_name="Petugas BKPSDM")


@pytest.fixture
def issued(app: FastAPI, session: Session, learner: User) -> Certificate:
    return certificate_of(session, finish(session, learner))


def _reissue(client: TestClient, number: str, reason: str) -> object:
    token = csrf_token(client, f"/sertifikat/{number}/terbitkan-ulang")
    return client.post(
        f"/sertifikat/{number}/terbitkan-ulang", data={"csrf_token": token, "reason": reason}
    )


def test_hr_reissues_a_corrected_name_and_the_old_number_points_to_the_new_one(
    client: TestClient, session: Session, learner: User, hr: User, issued: Certificate
) -> None:
    learner.full_name = "Nur Aisyah Lamarauna"  # HR first corrects the name on the person
    session.commit()
    switch(client, hr)
    page = client.get(f"/sertifikat/{issued.number}/terbitkan-ulang")
    assert page.template.name == "learning/certificate_reissue.html"
    assert page.context["person"].full_name == "Nur Aisyah Lamarauna"
    response = _reissue(client, issued.number, "Perbaikan penulisan nama")
    assert response.status_code == 303  # type: ignore[attr-defined]
    session.expire_all()
    old = session.get(Certificate, issued.id)
    assert old is not None and old.replaced_by_id is not None
    new = session.get(Certificate, old.replaced_by_id)
    assert new is not None
    assert response.headers["location"] == f"/verifikasi/{new.number}"  # type: ignore[attr-defined]
    assert (old.revoke_reason, old.revoked_by_id) == ("diganti", hr.id)
    assert old.revoked_at is not None and new.revoked_at is None
    assert new.replaces_id == old.id and new.number != old.number
    assert new.completion_id == old.completion_id
    assert new.full_name == "Nur Aisyah Lamarauna"
    assert new.snapshot is not None and new.snapshot["full_name"] == "Nur Aisyah Lamarauna"
    assert new.snapshot_source == "issued" and new.pdf_sha256 not in (None, old.pdf_sha256)
    assert (new.jp, new.final_score, new.completed_on) == (
        old.jp,
        old.final_score,
        old.completed_on,
    )
    assert session.scalar(select(func.count()).select_from(Completion)) == 1
    events = {
        (e.action, e.target_id, e.actor_id)
        for e in session.scalars(select(AuditEvent).where(AuditEvent.target_type == "certificate"))
    }
    assert ("certificate.revoked", old.number, hr.id) in events
    assert ("certificate.reissued", new.number, hr.id) in events
    reissued = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "certificate.reissued")
    ).one()
    assert reissued.details["replaces"] == old.number
    assert reissued.details["reason"] == "Perbaikan penulisan nama"
    # The old number's public page says it was replaced and links to the new one.
    client.cookies.clear()
    verify = client.get(f"/verifikasi/{old.number}")
    assert verify.status_code == 200
    assert verify.context["replaced_by"].number == new.number
    assert "DIGANTI" in verify.text and f'href="/verifikasi/{new.number}"' in verify.text
    assert f'href="/verifikasi/{old.number}"' in client.get(f"/verifikasi/{new.number}").text
    # The learner's course page offers the new certificate.
    switch(client, learner)
    course = client.get("/kursus/PPP-101")
    assert f"/sertifikat/{new.number}.pdf" in course.text
    assert f"/sertifikat/{old.number}.pdf" not in course.text


def test_reissue_needs_a_reason_csrf_and_the_hr_or_admin_role(
    client: TestClient, session: Session, learner: User, hr: User, issued: Certificate
) -> None:
    switch(client, learner)
    assert client.get(f"/sertifikat/{issued.number}/terbitkan-ulang").status_code == 403
    token = csrf_token(client, "/")
    forbidden = client.post(
        f"/sertifikat/{issued.number}/terbitkan-ulang", data={"csrf_token": token, "reason": "x"}
    )
    assert forbidden.status_code == 403
    switch(client, hr)
    no_csrf = client.post(f"/sertifikat/{issued.number}/terbitkan-ulang", data={"reason": "x"})
    assert no_csrf.status_code == 403
    blank = _reissue(client, issued.number, "   ")
    assert blank.status_code == 400  # type: ignore[attr-defined]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Certificate)) == 1
    assert session.get(Certificate, issued.id).revoked_at is None  # type: ignore[union-attr]


def test_a_revoked_certificate_cannot_be_reissued(
    client: TestClient, session: Session, hr: User, issued: Certificate
) -> None:
    completion.revoke_certificate(session, issued, actor_id=hr.id, reason="Curang", now=utcnow())
    session.commit()
    switch(client, hr)
    response = _reissue(client, issued.number, "Perbaikan nama")
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_revocation_shows_its_reason_and_date_to_the_learner_and_the_public(
    client: TestClient, session: Session, learner: User, issued: Certificate
) -> None:
    admin = make_user(session, roles={Role.ADMIN})
    switch(client, admin)
    token = csrf_token(client, f"/verifikasi/{issued.number}")
    response = client.post(
        f"/sertifikat/{issued.number}/cabut",
        data={"csrf_token": token, "reason": "Nilai tes akhir dibatalkan"},
    )
    assert response.status_code == 303
    client.cookies.clear()
    public = client.get(f"/verifikasi/{issued.number}")
    assert "sudah DICABUT" in public.text
    assert "Alasan: Nilai tes akhir dibatalkan" in public.text
    switch(client, learner)
    course = client.get("/kursus/PPP-101")
    assert 'data-certificate="revoked"' in course.text
    assert "Nilai tes akhir dibatalkan" in course.text
    assert f"/sertifikat/{issued.number}.pdf" not in course.text


def test_verification_page_reports_the_stored_signature_and_masks_the_nip(
    client: TestClient, learner: User, issued: Certificate
) -> None:
    page = client.get(f"/verifikasi/{issued.number}")
    assert page.template.name == "learning/verify.html"
    signature = page.context["signature"]
    assert signature.valid and signature.signer.startswith("Lentera DEMO")
    assert signature.signed_at is not None
    assert abs((signature.signed_at - issued.issued_at).total_seconds()) < 1
    assert 'data-signature="valid"' in page.text
    assert learner.nip not in page.text
    assert page.context["masked_nip"] in page.text


def _check(client: TestClient, number: str, content: bytes, name: str = "s.pdf") -> object:
    token = csrf_token(client, f"/verifikasi/{number}")
    return client.post(
        f"/verifikasi/{number}/periksa",
        data={"csrf_token": token},
        files={"file": (name, content, "application/pdf")},
    )


def test_uploading_the_issued_pdf_is_reported_identical(
    client: TestClient, session: Session, issued: Certificate
) -> None:
    blob = session.get(Blob, issued.pdf_sha256)
    assert blob is not None
    response = _check(client, issued.number, bytes(blob.data))
    assert response.status_code == 200  # type: ignore[attr-defined]
    check = response.context["upload_check"]  # type: ignore[attr-defined]
    assert check.identical and check.signature.valid
    assert "identik dengan sertifikat yang diterbitkan" in response.text  # type: ignore[attr-defined]


def test_uploading_a_changed_or_other_pdf_is_reported_not_identical(
    client: TestClient, session: Session, learner: User, issued: Certificate
) -> None:
    blob = session.get(Blob, issued.pdf_sha256)
    assert blob is not None
    changed = _check(client, issued.number, bytes(blob.data) + b"\n% diubah\n")
    check = changed.context["upload_check"]  # type: ignore[attr-defined]
    assert not check.identical and not check.signature.valid
    assert 'data-upload="different"' in changed.text  # type: ignore[attr-defined]
    # A genuine, validly signed certificate, but another one: signed, yet not this number.
    other = certificate_of(session, finish(session, learner, "KOM-101"))
    other_blob = session.get(Blob, other.pdf_sha256)
    assert other_blob is not None
    swapped = _check(client, issued.number, bytes(other_blob.data))
    check = swapped.context["upload_check"]  # type: ignore[attr-defined]
    assert not check.identical and check.signature.valid
    assert hashlib.sha256(bytes(other_blob.data)).hexdigest() != issued.pdf_sha256


def test_upload_check_refuses_non_pdf_oversized_and_formless_requests(
    client: TestClient, issued: Certificate
) -> None:
    not_pdf = _check(client, issued.number, b"\x89PNG\r\n\x1a\nnot a pdf", "s.png")
    assert not_pdf.status_code == 400  # type: ignore[attr-defined]
    assert "bukan PDF" in not_pdf.text  # type: ignore[attr-defined]
    big = _check(client, issued.number, b"%PDF-1.7\n" + b"0" * (201 * 1024))
    assert big.status_code == 400  # type: ignore[attr-defined]
    no_csrf = client.post(
        f"/verifikasi/{issued.number}/periksa",
        files={"file": ("s.pdf", b"%PDF-1.4", "application/pdf")},
    )
    assert no_csrf.status_code == 403
    unknown = _check(client, issued.number, b"%PDF-1.4")
    assert unknown.status_code == 200  # type: ignore[attr-defined]
    missing = client.post(
        "/verifikasi/LTR-2026-XXX-00001-ABCD/periksa",
        data={"csrf_token": csrf_token(client, f"/verifikasi/{issued.number}")},
        files={"file": ("s.pdf", b"%PDF-1.4", "application/pdf")},
    )
    assert missing.status_code == 404
