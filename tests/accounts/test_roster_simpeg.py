"""Rosters as SIMPEG/SIASN staff exports write them: their headers, titles, golongan forms."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import roster
from app.accounts.models import Role, User
from tests.factories import csrf_token, login, make_user

# The header row of a SIMPEG "Daftar Pegawai" export, as it writes it: upper case, the old
# 9-digit NIP beside the new one, the Pemda in "INSTANSI INDUK", TMT columns.
SIMPEG_HEADER = [
    "NO", "NIP BARU", "NIP LAMA", "NAMA", "GELAR DEPAN", "GELAR BELAKANG", "TEMPAT LAHIR",
    "TANGGAL LAHIR", "JENIS KELAMIN", "GOL. RUANG", "TMT GOLONGAN", "JABATAN", "TMT JABATAN",
    "UNIT KERJA", "INSTANSI INDUK", "EMAIL",
]  # fmt: skip
SIMPEG_ROWS = [
    ["1", "198503152010011003", "010203040", "Andi Fadli", "Dr.", "S.E., M.Si.", "Palu",
     "15-03-1985", "Laki-laki", "Penata Muda (III/a)", "01-04-2018", "Kepala Seksi",
     "02-01-2021", "Dinas Sosial", "Pemerintah Kota Palu", "andi.fadli@palukota.go.id"],
    ["2", "'198807212012022001", "010203041", "Rina Marlina", "", "S.Kom", "Donggala",
     "21-07-1988", "Perempuan", "III.c", "01-04-2020", "Pranata Komputer", "",
     "Dinas Komunikasi dan Informatika", "Pemerintah Kota Palu", ""],
    ["3", "199001012015031002", "", "Moh. Rizal", "Ir.", "", "Palu", "01-01-1990",
     "Laki-laki", "3b", "", "Penata Kelola", "", "Kelurahan Besusu Barat",
     "Pemerintah Kota Palu", ""],
    ["4", "199305052022211004", "", "Nur Aisyah", "", "S.Kep., Ns.", "Palu", "05-05-1993",
     "Perempuan", "IX", "", "Perawat Ahli Pertama", "", "Dinas Kesehatan",
     "Pemerintah Kota Palu", ""],
]  # fmt: skip


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    lines = [";".join(header)] + [";".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _xlsx(header: list[str], rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _person(session: Session, nip: str) -> User:
    return session.scalars(select(User).where(User.nip == nip)).one()


def _check_simpeg_people(session: Session) -> None:
    andi = _person(session, "198503152010011003")
    assert andi.full_name == "Dr. Andi Fadli, S.E., M.Si."
    assert (andi.golongan, andi.jabatan, andi.employee_type) == ("III/a", "Kepala Seksi", "PNS")
    assert andi.unit is not None and andi.unit.name == "Dinas Sosial"
    assert andi.email == "andi.fadli@palukota.go.id"
    rina = _person(session, "198807212012022001")
    assert (rina.full_name, rina.golongan) == ("Rina Marlina, S.Kom", "III/c")
    assert rina.unit is not None and rina.unit.name == "Dinas Komunikasi dan Informatika"
    rizal = _person(session, "199001012015031002")
    assert (rizal.full_name, rizal.golongan) == ("Ir. Moh. Rizal", "III/b")
    aisyah = _person(session, "199305052022211004")
    assert (aisyah.employee_type, aisyah.golongan) == ("PPPK", "IX")
    assert aisyah.full_name == "Nur Aisyah, S.Kep., Ns."
    # Nobody is put in the instansi column's "unit", and the old NIP never becomes a NIP.
    assert not session.scalar(select(func.count()).where(User.nip.like("0102%")))
    assert all(
        person.unit is not None and person.unit.name != "Pemerintah Kota Palu"
        for person in (andi, rina, rizal, aisyah)
    )


def test_a_simpeg_csv_export_is_imported_with_its_own_headers(session: Session) -> None:
    report = roster.import_roster(session, "pegawai.csv", _csv(SIMPEG_HEADER, SIMPEG_ROWS))
    assert report.errors == []
    assert (report.imported, report.created) == (True, 4)
    _check_simpeg_people(session)


def test_a_simpeg_xlsx_export_is_imported_with_its_own_headers(session: Session) -> None:
    report = roster.import_roster(session, "pegawai.xlsx", _xlsx(SIMPEG_HEADER, SIMPEG_ROWS))
    assert report.errors == []
    assert (report.imported, report.created) == (True, 4)
    _check_simpeg_people(session)


def test_siasn_underscore_headers_are_recognised(session: Session) -> None:
    header = ["PNS_ID", "NIP_BARU", "NIP_LAMA", "NAMA", "GELAR_DEPAN", "GELAR_BELAKANG",
              "GOL_AKHIR_ID", "GOL_AKHIR_NAMA", "JABATAN_NAMA", "INSTANSI_INDUK_NAMA",
              "UNOR_NAMA", "JENIS_PEGAWAI_NAMA", "EMAIL"]  # fmt: skip
    row = ["A8ACA7", "198503152010011003", "010203040", "Andi Fadli", "Dr.", "S.E.", "31",
           "III/a", "Analis Kebijakan", "Pemerintah Kota Palu", "Dinas Sosial", "PNS Daerah",
           ""]  # fmt: skip
    report = roster.import_roster(session, "siasn.csv", _csv(header, [row]))
    assert report.errors == []
    andi = _person(session, "198503152010011003")
    assert (andi.full_name, andi.golongan, andi.jabatan) == (
        "Dr. Andi Fadli, S.E.",
        "III/a",
        "Analis Kebijakan",
    )
    assert andi.unit is not None and andi.unit.name == "Dinas Sosial"


def test_unit_kerja_wins_over_an_instansi_column_placed_before_it(session: Session) -> None:
    data = _csv(
        ["NIP", "Nama", "Instansi", "Unit Kerja"],
        [["198503152010011003", "Andi Fadli", "Pemerintah Kota Palu", "Dinas Sosial"]],
    )
    roster.import_roster(session, "pegawai.csv", data)
    andi = _person(session, "198503152010011003")
    assert andi.unit is not None and andi.unit.name == "Dinas Sosial"


def test_an_instansi_column_alone_is_still_read_as_the_unit(session: Session) -> None:
    data = _csv(["NIP", "Nama", "Instansi"], [["198503152010011003", "Andi Fadli", "Bappeda"]])
    roster.import_roster(session, "pegawai.csv", data)
    andi = _person(session, "198503152010011003")
    assert andi.unit is not None and andi.unit.name == "Bappeda"


def test_a_file_with_only_the_old_nip_is_refused_naming_nip_baru() -> None:
    data = _csv(["NIP LAMA", "NAMA"], [["010203040", "Andi Fadli"]])
    with pytest.raises(roster.RosterFileError, match=r"NIP LAMA .* sertakan kolom NIP BARU"):
        roster.import_roster(None, "pegawai.csv", data)  # type: ignore[arg-type]


def test_an_impossible_appointment_month_is_refused_not_made_pppk(session: Session) -> None:
    header = ["NIP BARU", "NAMA", "UNIT KERJA"]
    rows = [
        ["198503152010011003", "Andi Fadli", "Dinas Sosial"],
        ["198503152010132003", "Bulan Tigabelas", "Dinas Sosial"],  # row 3: month 13
    ]
    report = roster.import_roster(session, "pegawai.csv", _csv(header, rows))
    assert report.imported is False
    assert [error.row for error in report.errors] == [3]
    assert "bulan pengangkatan (01–12), bukan 13" in report.errors[0].messages[0]
    assert session.scalar(select(User).where(User.nip == "198503152010132003")) is None


def test_an_incomplete_email_is_refused_with_its_row(session: Session) -> None:
    header = ["NIP BARU", "NAMA", "EMAIL"]
    rows = [
        ["198503152010011003", "Andi Fadli", "andi@palukota.go.id"],
        ["198807212012022001", "Rina Marlina", "rina@"],  # row 3
        ["199001012015031002", "Moh. Rizal", "rizal palukota.go.id"],  # row 4
    ]
    report = roster.import_roster(session, "pegawai.csv", _csv(header, rows))
    assert report.imported is False
    errors = {error.row: " ".join(error.messages) for error in report.errors}
    assert set(errors) == {3, 4}
    assert "Email 'rina@' tidak valid" in errors[3]
    assert "nama@palukota.go.id" in errors[3]
    assert session.scalar(select(User).where(User.email == "rina@")) is None


def test_siasn_employee_type_values_are_understood(session: Session) -> None:
    header = ["NIP BARU", "NAMA", "JENIS PEGAWAI", "GOL. RUANG"]
    rows = [
        ["198503152010011003", "Andi Fadli", "PNS Daerah", "III/a"],
        ["199305052022211004", "Nur Aisyah", "P3K", "9"],
        ["199507212022211003", "Putri", "Honorer", ""],  # row 4
    ]
    report = roster.import_roster(session, "pegawai.csv", _csv(header, rows), skip_invalid=True)
    assert [error.row for error in report.errors] == [4]
    assert "Jenis pegawai 'Honorer' tidak dikenal" in report.errors[0].messages[0]
    assert _person(session, "198503152010011003").employee_type == "PNS"
    aisyah = _person(session, "199305052022211004")
    assert (aisyah.employee_type, aisyah.golongan) == ("PPPK", "IX")


@pytest.mark.parametrize(
    ("before", "name", "after", "written"),
    [
        ("Dr.", "Andi Fadli", "S.E., M.Si.", "Dr. Andi Fadli, S.E., M.Si."),
        ("", "  Rina   Marlina ", "S.Kom", "Rina Marlina, S.Kom"),
        ("Ir.", "Moh. Rizal", "", "Ir. Moh. Rizal"),
        ("", "Nur Aisyah", ", S.Kep.", "Nur Aisyah, S.Kep."),
        ("Dr.", "", "S.E.", ""),
    ],
)
def test_titles_are_joined_as_indonesians_write_them(
    before: str, name: str, after: str, written: str
) -> None:
    assert roster.full_name(name, before, after) == written


def test_hr_uploads_a_simpeg_xlsx_export_on_the_web_page(
    client: TestClient, session: Session
) -> None:
    login(client, make_user(session, roles={Role.HR}))
    rows = [*SIMPEG_ROWS, ["5", "198503152010132003", "", "Salah Bulan", "", "", "", "", "",
                           "III/a", "", "Staf", "", "Dinas Sosial", "Pemerintah Kota Palu",
                           "rina@"]]  # fmt: skip
    response = client.post(
        "/pegawai/impor",
        data={"csrf_token": csrf_token(client, "/pegawai/impor")},
        files={"file": ("daftar-pegawai.xlsx", _xlsx(SIMPEG_HEADER, rows), "application/zip")},
    )
    assert response.status_code == 400  # nothing imported: row 6 is wrong
    report = response.context["report"]
    assert (report.imported, [error.row for error in report.errors]) == (False, [6])
    # Both problems of the row are listed at once.
    problems = " ".join(report.errors[0].messages)
    assert "Email 'rina@' tidak valid" in problems
    assert "bulan pengangkatan (01–12), bukan 13" in problems
    assert "Baris 6" in response.text
    assert session.scalar(select(User).where(User.nip == "198503152010011003")) is None


def test_title_lines_above_the_header_and_a_column_number_row_are_skipped(
    session: Session,
) -> None:
    rows = [
        ["DAFTAR PEGAWAI NEGERI SIPIL"],
        ["PEMERINTAH KOTA PALU"],
        [],
        SIMPEG_HEADER,  # row 4
        [str(n) for n in range(1, len(SIMPEG_HEADER) + 1)],  # row 5
        *SIMPEG_ROWS[:2],  # rows 6 and 7
        ["3", "198503152010132003", "", "Bulan Tigabelas"] + [""] * 12,  # row 8
    ]
    report = roster.import_roster(session, "daftar.xlsx", _xlsx(rows[0], rows[1:]))
    assert report.total_rows == 3
    assert [error.row for error in report.errors] == [8]
    report = roster.import_roster(session, "daftar.xlsx", _xlsx(rows[0], rows[1:-1]))
    assert (report.imported, report.created) == (True, 2)
    assert _person(session, "198503152010011003").full_name == "Dr. Andi Fadli, S.E., M.Si."


def test_a_file_whose_top_rows_name_no_nip_column_is_refused_at_row_one() -> None:
    data = _csv(["DAFTAR PEGAWAI"], [["Nama", "Unit Kerja"], ["Andi Fadli", "Dinas Sosial"]])
    with pytest.raises(roster.RosterFileError, match=r"Baris 1 \(judul kolom\).*NIP"):
        roster.import_roster(None, "pegawai.csv", data)  # type: ignore[arg-type]


def test_a_header_below_a_title_is_named_by_its_row_when_a_column_is_missing() -> None:
    data = _csv(["DAFTAR PEGAWAI"], [["NIP BARU", "UNIT KERJA"], ["198503152010011003", "X"]])
    with pytest.raises(roster.RosterFileError, match=r"Baris 2 \(judul kolom\).*Nama"):
        roster.import_roster(None, "pegawai.csv", data)  # type: ignore[arg-type]
