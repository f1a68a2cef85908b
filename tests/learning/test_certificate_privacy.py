"""Personal data in certificates: the signed PDFs are exported, and anonymisation removes them
and blanks the snapshot, while the number stays verifiable."""

from __future__ import annotations

import io
import zipfile

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.content.models import Blob
from app.privacy import service
from app.privacy.export import CERTIFICATES_DIR
from tests.factories import make_user
from tests.learning.test_certificate_issue import certificate_of, finish, switch

pytestmark = pytest.mark.usefixtures("demo_content")


@pytest.fixture
def learner(session: Session) -> User:
    return make_user(session, full_name="Ratna Dewi Lamasitudju")


def test_export_holds_the_signed_certificate_pdfs_byte_for_byte(
    app: FastAPI, session: Session, learner: User
) -> None:
    cert = certificate_of(session, finish(session, learner))
    blob = session.get(Blob, cert.pdf_sha256)
    assert blob is not None
    archive = zipfile.ZipFile(
        io.BytesIO(service.export_archive(session, learner, actor_id=None, via="cli"))
    )
    assert archive.read(f"{CERTIFICATES_DIR}/{cert.number}.pdf") == bytes(blob.data)


def test_anonymisation_deletes_the_stored_pdf_and_blanks_the_snapshot(
    app: FastAPI, client: TestClient, session: Session, learner: User
) -> None:
    cert = certificate_of(session, finish(session, learner))
    sha, number, nip = cert.pdf_sha256, cert.number, learner.nip
    service.anonymise(session, learner, actor_id=None, via="cli")
    session.commit()
    session.refresh(cert)
    assert cert.pdf_sha256 is None and session.get(Blob, sha) is None
    assert cert.snapshot is not None
    assert (cert.snapshot["full_name"], cert.snapshot["nip"]) == ("", "")
    assert "Lamasitudju" not in str(cert.snapshot) and nip not in str(cert.snapshot)
    hr = make_user(session, roles={Role.HR})
    switch(client, hr)
    assert client.get(f"/sertifikat/{number}.pdf").status_code == 404  # not re-made
    page = client.get(f"/verifikasi/{number}")
    assert page.status_code == 200 and "Nama disembunyikan" in page.text
    assert page.context["signature"] is None
