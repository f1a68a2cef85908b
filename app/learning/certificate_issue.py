"""Issuing certificate files: the issuing unit from the settings, the signing key, and the
signed PDF rendered once and stored.

`configure(settings)` is called by `create_app()` (and the CLI) like `app.clock.configure`:
completion is recorded from several places (a quiz submission, a module mark, an offline
sync), none of which carries the settings, and all of them must issue with the same unit,
signatory and key.

The PDF of a certificate is rendered from its snapshot and signed exactly once: at issue, or,
for a certificate issued before snapshots and stored files existed, at its first download.
The signed bytes go into `blobs` (by SHA-256) and the hash onto the certificate; every
download serves those bytes, so a certificate is byte-identical whenever and wherever it is
downloaded, whatever changes later (settings, key, Lentera's own layout code).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app import clock
from app.accounts.golongan import pangkat_golongan
from app.config import Settings, get_settings
from app.content.models import Blob, ModuleVersion
from app.db import insert_or_ignore
from app.learning import certificate_snapshot as snapshots
from app.learning import signing
from app.learning.models import Certificate, Completion
from app.learning.pdf_certificate import LEARNING_MODE, CertificateData, ModuleLine
from app.learning.pdf_certificate import render_certificate as render_pdf

log = logging.getLogger("lentera.certificates")


@dataclass(frozen=True)
class Issuer:
    """Who issues now: the unit and signatory from the settings, and the loaded key."""

    authority: snapshots.Authority
    key: signing.SigningKey


_issuer: Issuer | None = None


def authority_from(settings: Settings) -> snapshots.Authority:
    """The issuing unit and signatory as `settings` name them."""
    return snapshots.Authority(
        issuer=settings.issuer_name,
        instansi=settings.instansi_name,
        signatory_name=settings.signatory_name,
        signatory_nip=settings.signatory_nip,
        signatory_pangkat=settings.signatory_pangkat,
        signatory_title=settings.signatory_title,
        base_url=settings.base_url,
    )


def configure(settings: Settings) -> None:
    """Issue with `settings` from now on (loads the key; ConfigError if it cannot be used)."""
    global _issuer
    _issuer = Issuer(authority=authority_from(settings), key=settings.resolved_signing_key())
    _reports.clear()


def current() -> Issuer:
    """The configured issuer (configured from the environment on first use otherwise)."""
    if _issuer is None:
        configure(get_settings())
    assert _issuer is not None
    return _issuer


def _store(session: Session, pdf: bytes) -> str:
    sha = hashlib.sha256(pdf).hexdigest()
    insert_or_ignore(session, Blob, {"sha256": sha, "size": len(pdf), "data": pdf})
    return sha


def render_and_sign(data: CertificateData, when: datetime, key: signing.SigningKey) -> bytes:
    """The certificate's PDF, signed at `when`."""
    return signing.sign_pdf(
        render_pdf(data),
        key,
        when,
        reason=f"Sertifikat {data.number} diterbitkan oleh {data.issuer}",
        location=data.place,
    )


def issue_file(session: Session, certificate: Certificate, data: CertificateData) -> None:
    """Freeze `data` as the certificate's snapshot and store its signed PDF (at issue)."""
    certificate.snapshot = snapshots.to_json(data)
    certificate.snapshot_source = snapshots.ISSUED
    pdf = render_and_sign(data, certificate.issued_at, current().key)
    certificate.pdf_sha256 = _store(session, pdf)


def legacy_snapshot(session: Session, certificate: Certificate) -> CertificateData:
    """A snapshot for a certificate issued without one: its frozen identity and course
    fields, the issuing unit from today's settings (as migration 0007 does)."""
    completion = session.get(Completion, certificate.completion_id)
    modules: list[ModuleLine] = []
    started_on = None
    if completion is not None:
        if completion.started_at is not None:
            started_on = clock.local_date(completion.started_at)
        if completion.course_version_id is not None:
            modules = [
                ModuleLine(title, minutes)
                for title, minutes in session.execute(
                    select(ModuleVersion.title, ModuleVersion.minutes)
                    .where(ModuleVersion.course_version_id == completion.course_version_id)
                    .order_by(ModuleVersion.position)
                )
            ]
    authority = current().authority
    return CertificateData(
        number=certificate.number,
        full_name=certificate.full_name,
        nip=certificate.nip,
        employee_type=certificate.employee_type,
        pangkat_golongan=pangkat_golongan(certificate.golongan),
        jabatan=certificate.jabatan or "-",
        unit_kerja=certificate.unit_name or "-",
        instansi=authority.instansi,
        course_title=certificate.course_title,
        course_code=certificate.course_code,
        category=certificate.category,
        jp=certificate.jp,
        completed_on=certificate.completed_on,
        final_score=certificate.final_score,
        issuer=authority.issuer,
        signatory_name=authority.signatory_name,
        signatory_title=authority.signatory_title,
        signatory_nip=authority.signatory_nip,
        signatory_pangkat=authority.signatory_pangkat,
        verify_url=authority.verify_url(certificate.number),
        started_on=started_on,
        issued_on=clock.local_date(certificate.issued_at),
        learning_mode=LEARNING_MODE,
        modules=tuple(modules),
    )


def pdf_bytes(session: Session, certificate: Certificate, now: datetime) -> bytes:
    """The certificate's stored PDF; made and stored first if it has none yet."""
    if certificate.pdf_sha256 is not None:
        blob = session.get(Blob, certificate.pdf_sha256)
        assert blob is not None  # a foreign key guarantees it
        return bytes(blob.data)
    if certificate.snapshot is None:
        certificate.snapshot = snapshots.to_json(legacy_snapshot(session, certificate))
        certificate.snapshot_source = snapshots.MIGRATED
        session.flush()
    data = snapshots.from_json(certificate.snapshot)
    pdf = render_and_sign(data, now, current().key)
    sha = _store(session, pdf)
    # Two first downloads at once: only one file becomes the certificate's, and both
    # downloaders get that one.
    claimed = session.execute(
        update(Certificate)
        .where(Certificate.id == certificate.id, Certificate.pdf_sha256.is_(None))
        .values(pdf_sha256=sha)
        .returning(Certificate.id)
        .execution_options(synchronize_session=False)
    ).first()
    session.refresh(certificate)
    if claimed is None:
        return pdf_bytes(session, certificate, now)
    log.info("certificate file made at first download", extra={"number": certificate.number})
    return pdf


# Signature reports of stored files, by hash: the bytes never change, so neither does the
# report while the trusted certificates stay the same (`configure` empties it).
_reports: dict[str, signing.SignatureReport] = {}
_REPORTS_KEPT = 1024


def check_signature(pdf_sha256: str, pdf: bytes) -> signing.SignatureReport:
    """The signature report of stored bytes, computed once per process."""
    report = _reports.get(pdf_sha256)
    if report is None:
        report = signing.check_pdf(pdf, current().key.trust_roots)
        if len(_reports) >= _REPORTS_KEPT:
            _reports.clear()
        _reports[pdf_sha256] = report
    return report


def stored_signature(session: Session, certificate: Certificate) -> signing.SignatureReport | None:
    """The signature report of the certificate's stored PDF, or None while it has none."""
    if certificate.pdf_sha256 is None:
        return None
    known = _reports.get(certificate.pdf_sha256)
    if known is not None:
        return known  # without reading the file again
    blob = session.get(Blob, certificate.pdf_sha256)
    if blob is None:
        return None
    return check_signature(certificate.pdf_sha256, bytes(blob.data))


@dataclass(frozen=True)
class UploadCheck:
    """An uploaded PDF compared with a certificate's stored file."""

    identical: bool
    signature: signing.SignatureReport


def check_upload(certificate: Certificate, data: bytes) -> UploadCheck:
    """Whether `data` is exactly the certificate as issued, and what its signature says."""
    identical = (
        certificate.pdf_sha256 is not None
        and hashlib.sha256(data).hexdigest() == certificate.pdf_sha256
    )
    return UploadCheck(
        identical=identical, signature=signing.check_pdf(data, current().key.trust_roots)
    )
