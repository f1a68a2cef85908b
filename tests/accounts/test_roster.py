import io
from collections.abc import Sequence

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import roster
from app.accounts.models import Role, Unit, User
from app.audit.models import AuditEvent
from tests.factories import csrf_token, login, make_user

HEADER = "NIP;Nama;Email;Unit Kerja;Jabatan;Golongan\n"
GOOD_ROWS = (
    "198503152010012003;Siti Rahmawati;siti@palukota.go.id;Kelurahan Besusu Barat;Lurah;III/d\n"
    "199305052022211004;Moh. Arif;;Dinas Kesehatan;Perawat;IX\n"
)


def _csv(text: str) -> bytes:
    return text.encode("utf-8")


def _count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def test_valid_roster_creates_people_with_units_and_types(session: Session) -> None:
    report = roster.import_roster(session, "pegawai.csv", _csv(HEADER + GOOD_ROWS))
    assert (report.imported, report.created, report.updated) == (True, 2, 0)
    siti = session.scalar(select(User).where(User.nip == "198503152010012003"))
    assert siti is not None
    assert (siti.employee_type, siti.golongan, siti.unit and siti.unit.name) == (
        "PNS",
        "III/d",
        "Kelurahan Besusu Barat",
    )
    assert siti.roles == {Role.LEARNER}
    assert siti.password_hash is None
    arif = session.scalar(select(User).where(User.nip == "199305052022211004"))
    assert arif is not None and arif.employee_type == "PPPK" and arif.email is None


def test_reimport_updates_by_nip_and_never_duplicates(session: Session) -> None:
    roster.import_roster(session, "a.csv", _csv(HEADER + GOOD_ROWS))
    changed = GOOD_ROWS.replace("Lurah;III/d", "Camat;IV/a")
    report = roster.import_roster(session, "a.csv", _csv(HEADER + changed))
    assert (report.created, report.updated) == (0, 2)
    assert _count_users(session) == 2
    siti = session.scalar(select(User).where(User.nip == "198503152010012003"))
    assert siti is not None and (siti.jabatan, siti.golongan) == ("Camat", "IV/a")


def test_reimport_keeps_roles_and_passwords(session: Session) -> None:
    trainer = make_user(session, nip="198503152010012003", roles={Role.TRAINER})
    old_hash = trainer.password_hash
    roster.import_roster(session, "a.csv", _csv(HEADER + GOOD_ROWS))
    session.refresh(trainer)
    assert trainer.roles == {Role.TRAINER}
    assert trainer.password_hash == old_hash


def test_invalid_rows_are_listed_with_row_numbers_and_nothing_is_imported(
    session: Session,
) -> None:
    rows = (
        GOOD_ROWS
        + "19850315201001200;Pendek;;Dinas A;Staf;III/a\n"  # row 4: 17 digits
        + "198503152010012004;;;Dinas A;Staf;III/a\n"  # row 5: no name
        + "198503152010012005;Golongan Salah;;Dinas A;Staf;V/a\n"  # row 6
        + "198503152010012003;Dobel;;Dinas A;Staf;III/a\n"  # row 7: duplicate of row 2
        + "198503152010012006;Email Salah;bukan email;Dinas A;Staf;III/a\n"  # row 8
    )
    before = _count_users(session)
    report = roster.import_roster(session, "a.csv", _csv(HEADER + rows))
    assert report.imported is False
    errors = {error.row: " ".join(error.messages) for error in report.errors}
    assert set(errors) == {4, 5, 6, 7, 8}
    assert "18 digit; yang diisi 17" in errors[4]
    assert "Nama kosong" in errors[5]
    assert "Golongan PNS 'V/a' tidak dikenal" in errors[6]
    assert "sudah ada di baris 2" in errors[7]
    assert "Email 'bukan email' tidak valid" in errors[8]
    assert _count_users(session) == before
    assert session.scalar(select(func.count()).select_from(Unit)) == 0


def test_nips_with_non_ascii_digits_are_refused_and_never_create_a_second_account(
    session: Session,
) -> None:
    roster.import_roster(session, "a.csv", _csv(HEADER + GOOD_ROWS))
    rows = (
        "19850315201001200\uff13;Siti Dua;;Dinas A;Staf;III/a\n"  # full-width 3 (row 2)
        "\u0661\u0669\u0668\u0665\u0660\u0663\u0661\u0665\u0662\u0660\u0661\u0660"
        "\u0660\u0661\u0662\u0660\u0660\u0663;Siti Tiga;;Dinas A;Staf;III/a\n"  # row 3
        ";Tanpa NIP;;Dinas A;Staf;III/a\n"  # row 4
    )
    before = _count_users(session)
    report = roster.import_roster(session, "b.csv", _csv(HEADER + rows), skip_invalid=True)
    errors = {error.row: error.messages for error in report.errors}
    assert errors == {
        2: ["NIP hanya boleh berisi angka 0–9."],
        3: ["NIP hanya boleh berisi angka 0–9."],
        4: ["NIP wajib diisi."],
    }
    assert _count_users(session) == before


def test_skip_invalid_imports_only_the_valid_rows(session: Session) -> None:
    rows = GOOD_ROWS + "19850315201001200;Pendek;;Dinas A;Staf;III/a\n"
    report = roster.import_roster(session, "a.csv", _csv(HEADER + rows), skip_invalid=True)
    assert report.imported is True
    assert (report.created, len(report.errors)) == (2, 1)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "roster.imported"))
    assert event is not None and event.details["skipped"] == 1


def test_missing_required_columns_are_named() -> None:
    with pytest.raises(roster.RosterFileError, match="kolom wajib: NIP"):
        list(roster.read_rows("a.csv", _csv("Nomor;Nama\n1;A\n")))


def test_unsupported_file_type_is_refused() -> None:
    with pytest.raises(roster.RosterFileError, match=r"'\.pdf' tidak didukung"):
        list(roster.read_rows("a.pdf", b"%PDF"))


def test_comma_separated_windows_encoded_csv_is_read() -> None:
    text = "NIP,Nama,Unit Kerja\n198503152010012003,Siti Ma\u00e2rifah,Dinas A\n"
    rows = list(roster.read_rows("a.csv", text.encode("cp1252")))
    assert rows == [
        (
            2,
            {
                "nip": "198503152010012003",
                "full_name": "Siti Ma\u00e2rifah",
                "unit_name": "Dinas A",
            },
        )
    ]


def _xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_roster_is_imported(session: Session) -> None:
    data = _xlsx(
        [
            ["NIP", "Nama", "Unit Kerja", "Golongan", "Jenis Pegawai"],
            ["198503152010012003", "Siti Rahmawati", "Kelurahan Besusu Barat", "III/d", "PNS"],
        ]
    )
    report = roster.import_roster(session, "pegawai.xlsx", data)
    assert report.created == 1


def test_nip_stored_as_an_excel_number_is_refused_not_guessed(session: Session) -> None:
    data = _xlsx([["NIP", "Nama"], [1.98503152010012e17, "Siti Rahmawati"]])
    report = roster.import_roster(session, "pegawai.xlsx", data)
    assert report.imported is False
    assert report.errors[0].row == 2
    assert "Format kolom NIP sebagai Teks" in report.errors[0].messages[0]


def test_empty_roster_is_refused() -> None:
    with pytest.raises(roster.RosterFileError, match="tidak berisi baris data"):
        roster.import_roster(None, "a.csv", _csv(HEADER))  # type: ignore[arg-type]


def test_hr_imports_from_the_web_page(client: TestClient, session: Session) -> None:
    login(client, make_user(session, roles={Role.HR}))
    before = _count_users(session)
    response = client.post(
        "/pegawai/impor",
        data={"csrf_token": csrf_token(client, "/pegawai/impor")},
        files={"file": ("pegawai.csv", _csv(HEADER + GOOD_ROWS), "text/csv")},
    )
    assert response.status_code == 200
    assert "Impor selesai: 2 akun baru" in response.text
    assert _count_users(session) == before + 2


def test_web_import_with_invalid_rows_shows_the_report_and_imports_nothing(
    client: TestClient, session: Session
) -> None:
    login(client, make_user(session, roles={Role.HR}))
    before = _count_users(session)
    bad = GOOD_ROWS + "19850315201001200;Pendek;;Dinas A;Staf;III/a\n"
    response = client.post(
        "/pegawai/impor",
        data={"csrf_token": csrf_token(client, "/pegawai/impor")},
        files={"file": ("pegawai.csv", _csv(HEADER + bad), "text/csv")},
    )
    assert response.status_code == 400
    assert response.context["report"].errors[0].row == 4
    assert "Tidak ada yang diimpor: 1 dari 3 baris bermasalah" in response.text
    assert _count_users(session) == before


def test_web_import_without_csrf_is_refused(client: TestClient, session: Session) -> None:
    login(client, make_user(session, roles={Role.HR}))
    before = _count_users(session)
    response = client.post(
        "/pegawai/impor", files={"file": ("p.csv", _csv(HEADER + GOOD_ROWS), "text/csv")}
    )
    assert response.status_code == 403
    assert _count_users(session) == before


def test_learners_cannot_import(client: TestClient, session: Session) -> None:
    login(client, make_user(session))
    token = csrf_token(client, "/profil")
    response = client.post(
        "/pegawai/impor",
        data={"csrf_token": token},
        files={"file": ("p.csv", _csv(HEADER + GOOD_ROWS), "text/csv")},
    )
    assert response.status_code == 403


def _many_rows(count: int) -> str:
    """`count` valid, distinct roster rows (birth dates and sequences vary)."""
    lines = []
    for i in range(count):
        birth = f"1980{i // 28 % 12 + 1:02d}{i % 28 + 1:02d}"
        lines.append(f"{birth}201001{i % 2 + 1}{i // 336 + 1:03d};Pegawai {i};;Dinas {i % 7};;\n")
    return "".join(lines)


class _ReadRecorder(io.BytesIO):
    """A file that remembers the largest single read asked of it."""

    largest = 0

    def read(self, size: int | None = -1) -> bytes:
        self.largest = max(self.largest, size if size is not None and size >= 0 else 1 << 62)
        return super().read(size)

    def read1(self, size: int | None = -1) -> bytes:
        self.largest = max(self.largest, size if size is not None and size >= 0 else 1 << 62)
        return super().read1(size)


def test_a_roster_larger_than_a_batch_is_streamed_from_the_file_and_imported_whole(
    session: Session,
) -> None:
    rows = _many_rows(roster.BATCH * 2 + 37)
    source = _ReadRecorder(_csv(HEADER + rows))
    report = roster.import_roster(session, "besar.csv", source)
    assert (report.imported, report.created, report.total_rows) == (True, 1037, 1037)
    assert _count_users(session) == 1037
    assert session.scalar(select(func.count()).select_from(Unit)) == 7
    assert source.largest <= roster.CHUNK  # never read whole
    again = roster.import_roster(session, "besar.csv", _ReadRecorder(_csv(HEADER + rows)))
    assert (again.created, again.updated) == (0, 1037)


def test_a_duplicate_far_beyond_the_first_batch_is_found_and_nothing_is_imported(
    session: Session,
) -> None:
    rows = _many_rows(roster.BATCH + 10)
    first_nip = rows.split(";", 1)[0]
    rows += f"{first_nip};Dobel Jauh;;Dinas A;;\n"
    before = _count_users(session)
    report = roster.import_roster(session, "besar.csv", io.BytesIO(_csv(HEADER + rows)))
    assert report.imported is False
    assert [(e.row, e.messages) for e in report.errors] == [
        (roster.BATCH + 12, [f"NIP {first_nip} sudah ada di baris 2."])
    ]
    assert _count_users(session) == before


def test_an_xlsx_roster_is_read_from_a_file_object(session: Session) -> None:
    data = _xlsx([["NIP", "Nama"]] + [line.split(";")[:2] for line in _many_rows(600).splitlines()])
    report = roster.import_roster(session, "pegawai.xlsx", io.BytesIO(data))
    assert (report.imported, report.created) == (True, 600)
