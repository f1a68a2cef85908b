"""The roster's mobile-number column: stored as 62..., a bad one is a row error, absent keeps."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import roster
from app.accounts.models import User

NIP = "198503152010012003"


def _import(session: Session, text: str) -> roster.RosterReport:
    return roster.import_roster(session, "pegawai.csv", text.encode("utf-8"))


def _phone(session: Session) -> str | None:
    session.expire_all()
    return session.scalar(select(User.phone).where(User.nip == NIP))


def test_the_roster_number_column_is_stored_and_a_roster_without_it_keeps_it(
    session: Session,
) -> None:
    report = _import(session, f"NIP;Nama;No. HP\n{NIP};Siti Rahmawati;0812-3456-7890\n")
    assert report.imported
    assert _phone(session) == "6281234567890"

    again = _import(session, f"NIP;Nama\n{NIP};Siti Rahmawati\n")

    assert again.imported and again.updated == 1
    assert _phone(session) == "6281234567890"


def test_a_bad_number_in_the_roster_is_an_error_on_its_row_and_nothing_is_imported(
    session: Session,
) -> None:
    report = _import(session, f"NIP;Nama;WhatsApp\n{NIP};Siti Rahmawati;12345\n")

    assert not report.imported
    assert [(e.row, e.messages) for e in report.errors] == [
        (2, ["Nomor HP '12345' tidak valid; tulis misalnya 0812 3456 7890."])
    ]
    assert _phone(session) is None
