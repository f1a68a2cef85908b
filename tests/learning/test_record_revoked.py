"""A revoked certificate counts for nothing and is shown as revoked, with its reason and date,
everywhere it is listed: /riwayat and its CSV and PDF, the home page, the completion export
(Lentera layout listed, SIASN layout left out) and the API."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import Role, User
from app.learning import jp
from app.learning.models import Certificate, Completion, Enrolment
from app.reports import completions_csv, exports, tokens
from app.reports.completions import ExportFilters
from tests.factories import login, make_user
from tests.learning.conftest import Complete

YEAR = clock.today().year
REASON = "Nilai ujian akhir tidak sah; diulang"
REVOKED_AT = datetime(YEAR, 1, 20, 16, 30, tzinfo=UTC)  # 21 January in WITA


@pytest.fixture
def revoked(session: Session, learner: User, complete: Complete) -> Completion:
    """The learner completed PPP-101 (6 JP, certificate valid) and KOM-101 (4 JP, revoked)."""
    complete(learner, "PPP-101", datetime(YEAR, 1, 5, 2, tzinfo=UTC), certificate="LNT-R-000001")
    done = complete(
        learner, "KOM-101", datetime(YEAR, 1, 10, 2, tzinfo=UTC), certificate="LNT-R-000002"
    )
    certificate = session.scalars(
        select(Certificate).where(Certificate.completion_id == done.id)
    ).one()
    certificate.revoked_at = REVOKED_AT
    certificate.revoke_reason = REASON
    for course_id in session.scalars(select(Completion.course_id)):
        session.add(Enrolment(user_id=learner.id, course_id=course_id, enrolled_at=REVOKED_AT))
    session.commit()
    return done


def test_revoked_completion_is_listed_with_zero_jp_in_the_record(
    session: Session, learner: User, revoked: Completion
) -> None:
    record = jp.jp_for_year(session, learner.id, YEAR)

    assert (record.lentera_jp, record.total, record.remaining) == (6, 6, 14)
    entry = next(e for e in record.entries if e.course_code == "KOM-101")
    assert entry.certificate_revoked and entry.credited_jp == 0 and entry.jp == 4
    assert (entry.revoked_on, entry.revoke_reason) == (date(YEAR, 1, 21), REASON)


def test_record_page_marks_the_certificate_revoked_with_reason_and_date(
    client: TestClient, learner: User, revoked: Completion
) -> None:
    login(client, learner)

    response = client.get("/riwayat")

    assert response.template.name == "learning/record.html"
    assert response.context["record"].total == 6
    html = response.text
    assert "6 dari 20 JP" in html
    assert "Dicabut" in html and REASON in html and "21 Jan" in html
    assert "0 (semula 4)" in html
    # Per category only what counts: the revoked sosial kultural course adds nothing.
    assert response.context["record"].by_category() == {"teknis": 6}
    assert '<th scope="row">Sosial kultural</th><td class="num">0</td>' in html
    # A revoked certificate is not offered for download.
    assert "/sertifikat/LNT-R-000002.pdf" not in html
    assert "/sertifikat/LNT-R-000001.pdf" in html


def test_record_csv_lists_the_revoked_certificate_with_zero_jp(
    client: TestClient, learner: User, revoked: Completion
) -> None:
    login(client, learner)

    response = client.get("/riwayat/unduh.csv")

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    by_number = {r["Nomor Sertifikat"]: r for r in rows}
    assert by_number["LNT-R-000002"]["JP"] == "0"
    assert by_number["LNT-R-000002"]["Status Sertifikat"] == "Dicabut"
    assert by_number["LNT-R-000002"]["Tanggal Dicabut"] == f"{YEAR}-01-21"
    assert by_number["LNT-R-000002"]["Alasan Pencabutan"] == REASON
    assert by_number["LNT-R-000001"]["Status Sertifikat"] == "Berlaku"
    assert sum(int(r["JP"]) for r in rows) == 6


def test_record_pdf_marks_the_certificate_revoked_and_counts_zero(
    client: TestClient, learner: User, revoked: Completion
) -> None:
    login(client, learner)

    response = client.get("/riwayat/unduh.pdf")

    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "DICABUT" in text and "Nilai ujian akhir tidak sah" in text
    assert f"{YEAR}-01-21" in text
    assert "Kurang 14 JP" in text


def test_home_page_counts_the_revoked_course_zero_and_says_so(
    client: TestClient, learner: User, revoked: Completion
) -> None:
    login(client, learner)

    response = client.get("/")

    assert response.context["jp_year"].total == 6
    assert "0 JP (sertifikat dicabut)" in response.text


def _export(session: Session, layout: str) -> list[dict[str, str]]:
    filters = ExportFilters(status="selesai")
    header, rows = exports.rows_for(session, layout, filters, "BKPSDM")  # type: ignore[arg-type]
    python = b"".join(exports.file_chunks(header, rows, "csv", delimiter=";"))
    fast = b"".join(
        completions_csv.export_chunks(session, layout, filters, "BKPSDM", delimiter=";", bom=False)
    )
    assert fast == python
    return list(csv.DictReader(io.StringIO(python.decode("utf-8")), delimiter=";"))


def test_lentera_export_lists_the_revocation_and_credits_zero_jp(
    session: Session, revoked: Completion
) -> None:
    rows = {r["Kode Kursus"]: r for r in _export(session, "lentera")}

    assert rows["KOM-101"]["Status Sertifikat"] == "Dicabut"
    assert rows["KOM-101"]["Tanggal Dicabut"] == f"21-01-{YEAR}"
    assert rows["KOM-101"]["Alasan Pencabutan"] == REASON
    assert (rows["KOM-101"]["JP"], rows["KOM-101"]["JP Diakui"]) == ("4", "0")
    assert rows["PPP-101"]["Status Sertifikat"] == "Berlaku"
    assert (rows["PPP-101"]["Tanggal Dicabut"], rows["PPP-101"]["Alasan Pencabutan"]) == ("", "")
    assert rows["PPP-101"]["JP Diakui"] == "6"


def test_siasn_export_leaves_the_revoked_completion_out(
    session: Session, revoked: Completion
) -> None:
    rows = _export(session, "siasn")

    assert [r["nomorSertipikat"] for r in rows] == ["LNT-R-000001"]


def test_api_completions_carry_the_revocation_and_jp_summary_excludes_it(
    client: TestClient, session: Session, learner: User, revoked: Completion
) -> None:
    hr = make_user(session, roles={Role.HR})
    _token, plain = tokens.create(session, "SIMPEG", actor_id=hr.id)
    session.commit()
    headers = {"Authorization": f"Bearer {plain}"}

    items = client.get("/api/v1/completions", headers=headers).json()["items"]
    by_code = {item["course_code"]: item for item in items}
    assert by_code["KOM-101"]["certificate_revoked"] is True
    assert by_code["KOM-101"]["revoke_reason"] == REASON
    assert by_code["KOM-101"]["revoked_at"].startswith(f"{YEAR}-01-20T16:30")
    assert (by_code["KOM-101"]["jp"], by_code["KOM-101"]["credited_jp"]) == (4, 0)
    assert by_code["PPP-101"]["certificate_revoked"] is False
    assert by_code["PPP-101"]["revoked_at"] is None
    assert by_code["PPP-101"]["credited_jp"] == 6

    summary = client.get("/api/v1/jp-summary", params={"year": YEAR}, headers=headers).json()
    mine = next(i for i in summary["items"] if i["nip"] == learner.nip)
    assert (mine["lentera_jp"], mine["total_jp"]) == (6, 6)


def test_api_documents_the_revocation_fields(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    fields = schema["components"]["schemas"]["CompletionOut"]["properties"]

    for name in ("certificate_revoked", "revoked_at", "revoke_reason", "credited_jp"):
        assert fields[name]["description"], name
