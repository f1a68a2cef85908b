"""JP per year (WITA), the riwayat belajar page and its CSV and PDF downloads."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Connection, event
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import User
from app.learning import jp
from app.learning.jp import JPYear, RecordEntryView
from app.learning.record_export import neutralise, record_csv
from tests.factories import login, make_user
from tests.learning.conftest import AddExternal, Complete

GOLDEN = Path(__file__).parent / "golden"
THIS_YEAR = clock.today().year


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- JP per year --------------------------------------------------------------------------------


def test_completion_on_new_years_eve_evening_utc_counts_for_the_next_year_in_wita(
    session: Session, learner: User, complete: Complete
) -> None:
    complete(learner, "PPP-101", utc(2026, 12, 31, 20, 0))  # 1 Jan 2027, 04.00 WITA

    assert jp.jp_for_year(session, learner.id, 2026).lentera_jp == 0
    record = jp.jp_for_year(session, learner.id, 2027)
    assert record.lentera_jp == 6
    assert record.entries[0].completed_on == date(2027, 1, 1)


def test_year_boundary_is_midnight_wita_not_midnight_utc(
    session: Session, learner: User, complete: Complete
) -> None:
    complete(learner, "PPP-101", utc(2025, 12, 31, 15, 59))  # 31 Dec 2025, 23.59 WITA
    complete(learner, "KOM-101", utc(2025, 12, 31, 16, 0))  # 1 Jan 2026, 00.00 WITA

    assert jp.jp_for_year(session, learner.id, 2025).lentera_jp == 6
    assert jp.jp_for_year(session, learner.id, 2026).lentera_jp == 4


def test_external_learning_counts_only_once_verified(
    session: Session, learner: User, add_external: AddExternal
) -> None:
    add_external(learner, status="verified", end_on=date(2026, 3, 10), jp=8)
    add_external(learner, status="pending", end_on=date(2026, 4, 10), jp=5)
    add_external(learner, status="rejected", end_on=date(2026, 5, 10), jp=7, reject_reason="x")

    record = jp.jp_for_year(session, learner.id, 2026)

    assert (record.external_jp, record.total, record.remaining) == (8, 8, 12)
    assert [e.jp for e in record.entries] == [8]


def test_external_learning_counts_in_the_year_it_ended(
    session: Session, learner: User, add_external: AddExternal
) -> None:
    add_external(
        learner, status="verified", start_on=date(2025, 12, 20), end_on=date(2026, 1, 5), jp=10
    )

    assert jp.jp_for_year(session, learner.id, 2025).total == 0
    assert jp.jp_for_year(session, learner.id, 2026).total == 10


def test_year_totals_add_both_sources_and_list_entries_newest_first_with_certificates(
    session: Session, learner: User, complete: Complete, add_external: AddExternal
) -> None:
    complete(learner, "PPP-101", utc(2026, 2, 1, 3), certificate="LNT-2026-000001")
    complete(learner, "MWK-201", utc(2026, 9, 1, 3))
    add_external(learner, status="verified", end_on=date(2026, 5, 2), jp=10, title="Diklat PIM")
    other = make_user(session)
    complete(other, "KOM-101", utc(2026, 6, 1, 3))

    record = jp.jp_for_year(session, learner.id, 2026, target=20)

    assert (record.lentera_jp, record.external_jp, record.total) == (12, 10, 22)
    assert record.remaining == 0 and record.reached
    assert [e.completed_on for e in record.entries] == [
        date(2026, 9, 1),
        date(2026, 5, 2),
        date(2026, 2, 1),
    ]
    assert [e.source for e in record.entries] == ["lentera", "external", "lentera"]
    first_course = record.entries[2]
    assert first_course.certificate_number == "LNT-2026-000001"
    assert first_course.title == "Pelayanan Publik Prima"
    assert first_course.category == "teknis"
    assert first_course.final_score == 88
    assert sum(e.jp for e in record.entries) == record.total


@pytest.fixture
def statements(connection: Connection) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        if args[2].lstrip().upper().startswith("SELECT"):
            seen.append(args[2])

    event.listen(connection, "before_cursor_execute", count)
    yield seen
    event.remove(connection, "before_cursor_execute", count)


def test_jp_by_user_totals_everyone_in_two_grouped_queries(
    session: Session,
    learner: User,
    complete: Complete,
    add_external: AddExternal,
    statements: list[str],
) -> None:
    second = make_user(session)
    nobody = make_user(session)
    complete(learner, "PPP-101", utc(2026, 3, 1))
    complete(learner, "KOM-101", utc(2026, 12, 31, 20))  # 2027 in WITA
    add_external(learner, status="verified", end_on=date(2026, 8, 1), jp=3)
    add_external(second, status="verified", end_on=date(2026, 8, 1), jp=21)
    add_external(second, status="pending", end_on=date(2026, 8, 1), jp=50)
    complete(second, "MWK-201", utc(2025, 6, 1))
    statements.clear()

    everyone = jp.jp_by_user(session, 2026)

    # The known PPPK contract starts (for the per-person windows), then the two grouped sums.
    assert len(statements) == 3
    assert everyone[learner.id] == 9 and everyone[second.id] == 21
    assert nobody.id not in everyone
    chosen = jp.jp_by_user(session, 2026, user_ids=[learner.id, nobody.id])
    assert chosen == {learner.id: 9, nobody.id: 0}
    assert jp.jp_by_user(session, 2027, user_ids=[learner.id]) == {learner.id: 4}


def test_record_years_offer_the_current_year_and_years_with_learning(
    session: Session, learner: User, complete: Complete, add_external: AddExternal
) -> None:
    complete(learner, "PPP-101", utc(2022, 12, 31, 17))  # 2023 in WITA
    add_external(learner, status="rejected", end_on=date(2020, 7, 1))

    years = jp.record_years(session, learner.id, today=date(2026, 5, 1))

    assert years == [2026, 2023, 2020]


# --- the page -----------------------------------------------------------------------------------


def test_record_page_shows_jp_against_the_target_and_the_shortfall(
    client: TestClient, learner: User, complete: Complete
) -> None:
    complete(learner, "PPP-101", utc(THIS_YEAR, 1, 10, 1), certificate="LNT-9-000001")
    complete(learner, "MWK-201", utc(THIS_YEAR, 1, 12, 1))
    login(client, learner)

    response = client.get("/riwayat")

    assert response.status_code == 200
    assert response.template.name == "learning/record.html"
    record = response.context["record"]
    assert (record.year, record.total, record.remaining) == (THIS_YEAR, 12, 8)
    html = response.text
    assert "12 dari 20 JP" in html
    assert 'max="20" value="12"' in html
    assert "Kurang 8 JP" in html
    assert '<a href="/sertifikat/LNT-9-000001.pdf">LNT-9-000001</a>' in html
    assert "Manajerial" in html and "Teknis" in html


def test_record_page_says_target_reached(
    client: TestClient, learner: User, complete: Complete, add_external: AddExternal
) -> None:
    complete(learner, "PPP-101", utc(THIS_YEAR, 1, 10, 1))
    add_external(learner, status="verified", end_on=date(THIS_YEAR, 1, 1), jp=14)
    login(client, learner)

    html = client.get("/riwayat").text

    assert "20 dari 20 JP" in html and "Target tercapai" in html
    assert "Kurang" not in html


def test_record_page_shows_another_year_and_only_the_learners_own_data(
    session: Session, client: TestClient, learner: User, complete: Complete
) -> None:
    other = make_user(session)
    complete(other, "KOM-101", utc(2024, 5, 1))
    complete(learner, "PPP-101", utc(2024, 5, 1))
    login(client, learner)

    response = client.get("/riwayat", params={"tahun": 2024})

    assert response.context["record"].total == 6
    assert "6 dari 20 JP" in response.text
    assert "Komunikasi" not in response.text
    assert '<option value="2024" selected>' in response.text
    assert f'<option value="{THIS_YEAR}">' in response.text


@pytest.mark.parametrize("year", ["1989", str(THIS_YEAR + 1), "dua ribu"])
def test_record_page_refuses_years_that_make_no_sense(
    client: TestClient, learner: User, year: str
) -> None:
    login(client, learner)

    response = client.get("/riwayat", params={"tahun": year})

    assert response.status_code == 400


def test_record_page_lists_external_learning_with_its_status_and_reason(
    client: TestClient, learner: User, add_external: AddExternal
) -> None:
    day = date(THIS_YEAR, 1, 1)
    add_external(learner, status="pending", end_on=day, title="Workshop SPBE")
    add_external(learner, status="verified", end_on=day, title="Latsar CPNS", jp=12)
    add_external(
        learner,
        status="rejected",
        end_on=day,
        title="Seminar Daring",
        reject_reason="Nama di sertifikat bukan nama Anda.",
    )
    login(client, learner)

    html = client.get("/riwayat").text

    assert "Menunggu verifikasi" in html and "Terverifikasi" in html and "Ditolak" in html
    assert "Nama di sertifikat bukan nama Anda." in html
    assert "12 dari 20 JP" in html


def test_record_page_requires_login(client: TestClient) -> None:
    response = client.get("/riwayat")

    assert response.status_code == 303
    assert response.headers["location"].startswith("/masuk")


# --- CSV ----------------------------------------------------------------------------------------

GOLDEN_RECORD = JPYear(
    year=2026,
    lentera_jp=6,  # the revoked KOM-101 counts 0
    external_jp=14,
    total=20,
    target=20,
    remaining=0,
    entries=[
        RecordEntryView(
            source="external",
            title='=HYPERLINK("http://contoh.test/","klik")',
            category="manajerial",
            organiser="@Lembaga; Pelatihan",
            completed_on=date(2026, 11, 2),
            jp=8,
            certificate_number="-12/BPSDM/2026",
            external_id=3,
        ),
        RecordEntryView(
            source="lentera",
            title="Komunikasi Efektif ASN",
            category="sosial kultural",
            organiser=None,
            completed_on=date(2026, 9, 1),
            jp=4,
            final_score=90,
            course_code="KOM-101",
            certificate_number="LNT-2026-000002",
            certificate_revoked=True,
            revoked_on=date(2026, 10, 5),
            revoke_reason="=Nilai ujian tidak sah; diulang",
        ),
        RecordEntryView(
            source="external",
            title='Pelatihan "Arsip" Digital',
            category="teknis",
            organiser="ANRI",
            completed_on=date(2026, 5, 2),
            jp=6,
            external_id=2,
        ),
        RecordEntryView(
            source="lentera",
            title="Pelayanan Publik Prima",
            category="teknis",
            organiser=None,
            completed_on=date(2026, 2, 1),
            jp=6,
            final_score=88,
            course_code="PPP-101",
            certificate_number="LNT-2026-000001",
        ),
    ],
)


def test_csv_matches_the_golden_file() -> None:
    produced = record_csv(GOLDEN_RECORD, issuer="BKPSDM Kota Palu")

    assert produced == (GOLDEN / "riwayat-belajar.csv").read_bytes()


def test_csv_starts_with_a_bom_and_separates_cells_with_semicolons() -> None:
    text = record_csv(GOLDEN_RECORD, issuer="BKPSDM Kota Palu").decode("utf-8")

    assert text.startswith("\ufeffTahun;Pelatihan;Kategori;Penyelenggara;Tanggal Selesai;JP;")
    assert '"\'=HYPERLINK(""http://contoh.test/"",""klik"")"' in text
    assert '"\'@Lembaga; Pelatihan"' in text
    assert ";'-12/BPSDM/2026;" in text


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+62 812", "'+62 812"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Pelatihan = bagus", "Pelatihan = bagus"),
        ("2026-01-05", "2026-01-05"),
    ],
)
def test_cells_a_spreadsheet_would_run_as_formulas_are_neutralised(
    cell: str, expected: str
) -> None:
    assert neutralise(cell) == expected


def test_csv_download_is_an_attachment_of_the_years_counted_entries(
    client: TestClient, learner: User, complete: Complete, add_external: AddExternal
) -> None:
    complete(learner, "PPP-101", utc(2025, 3, 1, 2), certificate="LNT-2025-000007")
    add_external(learner, status="verified", end_on=date(2025, 6, 30), title="=HYPERLINK(1)", jp=3)
    add_external(learner, status="pending", end_on=date(2025, 7, 1), title="Belum dihitung")
    login(client, learner)

    response = client.get("/riwayat/unduh.csv", params={"tahun": 2025})

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="riwayat-belajar-2025.csv"' in response.headers["content-disposition"]
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "Tahun;Pelatihan;Kategori;Penyelenggara;Tanggal Selesai;JP;Nomor Sertifikat;Sumber;"
        "Status Sertifikat;Tanggal Dicabut;Alasan Pencabutan"
    )
    assert lines[1] == "2025;'=HYPERLINK(1);Teknis;ANRI;2025-06-30;3;;Eksternal;;;"
    assert lines[2].startswith("2025;Pelayanan Publik Prima")
    assert lines[2].endswith(";2025-03-01;6;LNT-2025-000007;Lentera;Berlaku;;")
    assert len(lines) == 3


# --- PDF ----------------------------------------------------------------------------------------


def test_pdf_download_is_the_years_record(
    client: TestClient, learner: User, complete: Complete
) -> None:
    complete(learner, "KOM-101", utc(THIS_YEAR, 1, 2, 1), certificate="LNT-X-000003")
    login(client, learner)

    response = client.get("/riwayat/unduh.pdf")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="riwayat-belajar-{THIS_YEAR}.pdf"' in disposition
    text = " ".join(
        " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        ).split()
    )
    assert "Nur Aisyah Lamarauna" in text
    assert "LNT-X-000003" in text
    assert "Kurang 16 JP" in text


def test_pdf_download_of_an_empty_year_still_works(client: TestClient, learner: User) -> None:
    login(client, learner)

    response = client.get("/riwayat/unduh.pdf", params={"tahun": THIS_YEAR - 1})

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_downloads_require_login(client: TestClient) -> None:
    for path in ("/riwayat/unduh.csv", "/riwayat/unduh.pdf"):
        assert client.get(path).status_code == 303
