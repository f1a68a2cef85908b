"""The roster's PPPK contract start ("TMT PPPK"): a PPPK's JP then counts per contract year."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import roster
from app.accounts.models import User

PNS_NIP = "198503152010012003"
PPPK_NIP = "199305052022211004"


def _user(session: Session, nip: str) -> User:
    user = session.scalar(select(User).where(User.nip == nip))
    assert user is not None
    return user


def test_tmt_pppk_column_sets_the_pppk_contract_start_and_is_ignored_for_a_pns(
    session: Session,
) -> None:
    data = (
        f"NIP;Nama;TMT PPPK\n{PNS_NIP};Siti Rahmawati;01-01-2010\n{PPPK_NIP};Moh. Arif;01/03/2022\n"
    ).encode()
    report = roster.import_roster(session, "pegawai.csv", data)
    assert report.imported and not report.errors
    assert _user(session, PPPK_NIP).contract_start_on == date(2022, 3, 1)
    assert _user(session, PNS_NIP).contract_start_on is None


def test_excel_date_cells_under_tmt_kontrak_are_read(session: Session) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["NIP", "Nama", "TMT Kontrak"])
    sheet.append([PPPK_NIP, "Moh. Arif", datetime(2022, 3, 1)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = roster.import_roster(session, "pegawai.xlsx", buffer.getvalue())
    assert report.imported
    assert _user(session, PPPK_NIP).contract_start_on == date(2022, 3, 1)


def test_a_contract_start_that_is_not_a_date_is_refused_with_its_row(session: Session) -> None:
    data = f"NIP;Nama;Mulai Kontrak\n{PPPK_NIP};Moh. Arif;Maret 2022\n".encode()
    report = roster.import_roster(session, "pegawai.csv", data)
    assert report.imported is False
    assert report.errors[0].row == 2 and "Maret 2022" in report.errors[0].messages[0]


def test_a_roster_without_the_column_keeps_the_known_contract_start(session: Session) -> None:
    roster.import_roster(
        session, "a.csv", f"NIP;Nama;TMT PPPK\n{PPPK_NIP};Arif;2022-03-01\n".encode()
    )
    roster.import_roster(session, "b.csv", f"NIP;Nama\n{PPPK_NIP};Moh. Arif\n".encode())
    user = _user(session, PPPK_NIP)
    assert (user.full_name, user.contract_start_on) == ("Moh. Arif", date(2022, 3, 1))
