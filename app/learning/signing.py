"""PAdES signatures on certificate PDFs, made and checked with pyHanko.

The key is a PKCS#12 file (private key, its certificate and, for a key issued by a
certification authority such as BSrE, the CA chain). A certificate PDF is signed once, when it
is issued, with the issue moment as the signing time; the signed bytes are stored and served
as they are, so a later key or setting change never alters a certificate already issued.

Checking a signature (the verification page, the upload tool) trusts the certificates in the
configured PKCS#12 (a self-signed demo key trusts itself; a CA key trusts its chain) plus any
certificates in `LENTERA_SIGNING_TRUST_ROOTS`, where operators keep the certificates of keys
they rotated out so that older certificates keep validating. Nothing is fetched from the
network: revocation is checked only if the PDF carries the information ("soft fail").

No database or web code here: `app.learning.certificate_issue` wires it to the settings.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import secrets
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

with warnings.catch_warnings():
    # pyHanko imports cryptography's DSA type, which cryptography now marks deprecated on
    # access; Lentera never uses DSA, and the warning would fail every import under pytest.
    warnings.filterwarnings("ignore", message="DSA is deprecated")
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import BasePdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.signers.pdf_signer import PdfSigningSession
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

# pyHanko logs a full traceback for every signature it cannot trust; an uploaded stranger's
# PDF is an expected input here, and the report says what was wrong.
logging.getLogger("pyhanko").setLevel(logging.ERROR)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.ERROR)

SIGNATURE_FIELD = "TandaTanganBKPSDM"
DEMO_KEY_FILE = "signing_key.p12"
DEMO_VALID_YEARS = 10


class SigningKeyError(ValueError):
    """The PKCS#12 key cannot be used; the message says why (never the passphrase)."""


@dataclass(frozen=True)
class SigningKey:
    """A loaded key: the pyHanko signer and the certificates a signature is checked against."""

    signer: signers.SimpleSigner
    trust_roots: tuple[asn1_x509.Certificate, ...]
    subject: str  # who signs, as the certificate names them
    self_signed: bool


@dataclass(frozen=True)
class SignatureReport:
    """What a PDF's signature says about itself, as a verifier reads it."""

    signed: bool  # the PDF carries a signature at all
    intact: bool = False  # the signed bytes were not changed
    trusted: bool = False  # the signer's certificate chains to a trusted certificate
    signer: str = ""  # the signer certificate's subject
    signed_at: datetime | None = None  # the signing time the signature states
    covers_whole_file: bool = False  # nothing was appended after signing
    problem: str = ""  # why it is not valid, for logs and the page (English, technical)

    @property
    def valid(self) -> bool:
        """Signed, untouched, by a trusted signer, and nothing added afterwards."""
        return self.signed and self.intact and self.trusted and self.covers_whole_file


def _read_certificates(path: Path) -> list[asn1_x509.Certificate]:
    data = path.read_bytes()
    if pem.detect(data):
        return [asn1_x509.Certificate.load(der) for _type, _headers, der in pem.unarmor(data, True)]
    return [asn1_x509.Certificate.load(data)]


def _common_name(cert: asn1_x509.Certificate) -> str:
    name = cert.subject.native.get("common_name")
    return str(name) if name else cert.subject.human_friendly


def load_key(
    path: Path, passphrase: str | None, trust_roots_path: Path | None = None
) -> SigningKey:
    """Load a PKCS#12 key; SigningKeyError says what is wrong with the file or passphrase."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SigningKeyError(f"cannot read the PKCS#12 file {path}: {exc.strerror}") from exc
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(
            data, passphrase.encode() if passphrase else None
        )
    except ValueError as exc:
        raise SigningKeyError(
            f"cannot open the PKCS#12 file {path}: wrong passphrase or not a PKCS#12 file"
        ) from exc
    if key is None or cert is None:
        raise SigningKeyError(f"the PKCS#12 file {path} holds no private key and certificate")
    signer = signers.SimpleSigner.load_pkcs12_data(
        data, other_certs=[], passphrase=passphrase.encode() if passphrase else None
    )
    own = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    roots = [own] + [
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in chain
    ]
    if trust_roots_path is not None:
        try:
            roots += _read_certificates(trust_roots_path)
        except (OSError, ValueError) as exc:
            raise SigningKeyError(
                f"cannot read the trust roots in {trust_roots_path}: {exc}"
            ) from exc
    return SigningKey(
        signer=signer,
        trust_roots=tuple(roots),
        subject=_common_name(own),
        self_signed=cert.issuer == cert.subject,
    )


def make_demo_key(
    path: Path,
    *,
    common_name: str = "Lentera DEMO - bukan tanda tangan resmi",
    passphrase: str | None = None,
) -> None:
    """Write a self-signed ECDSA P-256 PKCS#12 to `path` (never overwriting; mode 0600)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Lentera (demo)"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * DEMO_VALID_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode())
        if passphrase
        else serialization.NoEncryption()
    )
    data = pkcs12.serialize_key_and_certificates(b"lentera-demo", key, cert, None, encryption)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and linked into place: two processes starting at once never
    # see a half-written file, and the second keeps the first one's key.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


class _TimedSigner(signers.PdfSigner):
    """A PdfSigner whose signing time is the given moment (the certificate's issue time)."""

    def __init__(self, meta: signers.PdfSignatureMetadata, signer: signers.Signer, when: datetime):
        super().__init__(meta, signer=signer)
        self._when = when

    def init_signing_session(
        self, pdf_out: BasePdfFileWriter, existing_fields_only: bool = False
    ) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._when
        return session


def sign_pdf(pdf: bytes, key: SigningKey, when: datetime, *, reason: str, location: str) -> bytes:
    """`pdf` with an invisible PAdES (B-B) signature made at `when`."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    fields.append_signature_field(writer, fields.SigFieldSpec(sig_field_name=SIGNATURE_FIELD))
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    out = _TimedSigner(meta, key.signer, when.astimezone(UTC)).sign_pdf(writer)
    return bytes(out.getbuffer())


def check_pdf(pdf: bytes, trust_roots: tuple[asn1_x509.Certificate, ...]) -> SignatureReport:
    """Read and validate the first signature in `pdf`, offline."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # any malformed upload is "not a signed PDF", never a 500
        return SignatureReport(signed=False, problem=f"unreadable PDF: {type(exc).__name__}")
    if not signatures:
        return SignatureReport(signed=False, problem="no signature")
    embedded = signatures[0]
    context = ValidationContext(
        trust_roots=list(trust_roots), allow_fetching=False, revocation_mode="soft-fail"
    )
    try:
        status = asyncio.run(
            async_validate_pdf_signature(embedded, signer_validation_context=context)
        )
    except Exception as exc:
        return SignatureReport(signed=True, problem=f"validation failed: {type(exc).__name__}")
    coverage = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    problems = []
    if not status.intact or not status.valid:
        problems.append("the signed content was changed")
    if not status.trusted:
        problems.append("the signer is not trusted")
    if not coverage:
        problems.append("content was added after signing")
    return SignatureReport(
        signed=True,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        signer=_common_name(status.signing_cert),
        signed_at=status.signer_reported_dt,
        covers_whole_file=coverage,
        problem="; ".join(problems),
    )
