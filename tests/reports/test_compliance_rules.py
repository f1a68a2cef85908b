"""HR's JP compliance per employee type: PNS below the minimum are flagged, PPPK never are.

A PPPK has an allotment of at most 24 JP per contract year (PP 49/2018 Pasal 40), not a
minimum: the compliance page, its export and the API show how much of it was used.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.reports import compliance, tokens
from app.reports.compliance import ComplianceFilters
from tests.factories import login, make_user, nip, pppk_nip
from tests.learning import conftest as learning_fixtures
from tests.learning.conftest import AddExternal

UNIT = "Dinas Sosial"
add_external = learning_fixtures.add_external  # the learning tests' fixture, shared


@pytest.fixture
def people(session: Session, add_external: AddExternal) -> dict[str, User]:
    """A PNS with 4 JP (below 20), a PPPK with 4 JP and a contract start, a PPPK with 30 JP
    (above the allotment) and none, all in 2025."""
    made = {
        "pns": make_user(session, nip=nip(seq=801), unit_name=UNIT, full_name="Sari PNS"),
        "pppk": make_user(
            session, nip=pppk_nip(seq=802), employee_type="PPPK", unit_name=UNIT,
            full_name="Tono PPPK", golongan="IX",
        ),
        "pppk_full": make_user(
            session, nip=pppk_nip(seq=803), employee_type="PPPK", unit_name=UNIT,
            full_name="Umar PPPK", golongan="IX",
        ),
    }  # fmt: skip
    made["pppk"].contract_start_on = date(2023, 3, 1)
    session.commit()
    add_external(made["pns"], status="verified", end_on=date(2025, 5, 1), jp=4)
    add_external(made["pppk"], status="verified", end_on=date(2025, 5, 1), jp=4)
    add_external(made["pppk_full"], status="verified", end_on=date(2025, 5, 1), jp=30)
    return made


def _by_name(rows: list[compliance.PersonJP]) -> dict[str, compliance.PersonJP]:
    return {row.full_name: row for row in rows}


def test_pppk_are_never_below_target_and_show_their_allotment(
    session: Session, people: dict[str, User]
) -> None:
    rows = _by_name(
        list(compliance.iter_people(session, ComplianceFilters(year=2025), target=20, allotment=24))
    )
    pns, pppk, full = rows["Sari PNS"], rows["Tono PPPK"], rows["Umar PPPK"]
    assert (pns.below, pns.shortfall, pns.target, pns.is_allotment) == (True, 16, 20, False)
    assert (pppk.below, pppk.shortfall, pppk.target, pppk.is_allotment) == (False, 0, 24, True)
    assert (pppk.remaining_allotment, pppk.contract_year) == (20, True)
    assert (full.total, full.below, full.contract_year) == (30, False, False)


def test_only_below_target_lists_pns_only_and_the_unit_counts_pns_below(
    session: Session, people: dict[str, User]
) -> None:
    below = compliance.iter_people(
        session, ComplianceFilters(year=2025, below_only=True), target=20
    )
    assert [p.full_name for p in below] == ["Sari PNS"]
    unit = next(u for u in compliance.unit_summary(session, 2025, target=20) if u.unit_name == UNIT)
    assert (unit.people, unit.pns, unit.below, unit.share_below) == (3, 1, 1, 1.0)


def test_compliance_page_states_both_rules_with_their_legal_basis(
    client: TestClient, session: Session, people: dict[str, User]
) -> None:
    hr = make_user(session, nip=nip(seq=804), roles={Role.HR})
    login(client, hr)
    page = client.get("/laporan/jp", params={"tahun": 2025})
    assert page.status_code == 200
    text = page.text
    assert "PP 11/2017" in text and "PP 49/2018" in text
    assert "paling sedikit 20 JP" in text and "paling banyak 24 JP" in text
    assert "PPPK: jatah terpakai 4 dari 24 JP" in text
    assert "PPPK: jatah terpakai 30 dari 24 JP" in text
    assert text.count("Belum tercapai, kurang 16 JP") == 1  # the PNS only


def test_compliance_export_marks_pppk_as_allotment_with_the_year_they_are_counted_in(
    client: TestClient, session: Session, people: dict[str, User]
) -> None:
    hr = make_user(session, nip=nip(seq=805), roles={Role.HR})
    login(client, hr)
    response = client.get("/laporan/jp/unduh", params={"tahun": 2025})
    rows = {
        r["Nama"]: r
        for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    }
    assert (rows["Sari PNS"]["Status"], rows["Sari PNS"]["Kekurangan"]) == ("Belum tercapai", "16")
    tono = rows["Tono PPPK"]
    assert (tono["Jenis Pegawai"], tono["Target/Jatah"], tono["Kekurangan"]) == ("PPPK", "24", "")
    assert (tono["Status"], tono["Dihitung per"]) == ("Jatah PPPK (paling banyak)", "Tahun kontrak")
    assert rows["Umar PPPK"]["Dihitung per"] == "Tahun kalender"


def test_api_jp_summary_gives_the_rule_per_employee_type(
    client: TestClient, session: Session, people: dict[str, User]
) -> None:
    hr = make_user(session, nip=nip(seq=806), roles={Role.HR})
    _token, plain = tokens.create(session, "SIMPEG", actor_id=hr.id)
    session.commit()
    body = client.get(
        "/api/v1/jp-summary", params={"year": 2025}, headers={"Authorization": f"Bearer {plain}"}
    ).json()
    assert (body["target"], body["pppk_allotment"]) == (20, 24)
    items = {item["name"]: item for item in body["items"]}
    pns, pppk = items["Sari PNS"], items["Tono PPPK"]
    assert (pns["rule"], pns["reached"], pns["shortfall"], pns["target"]) == (
        "minimum",
        False,
        16,
        20,
    )
    assert (pppk["rule"], pppk["reached"], pppk["shortfall"], pppk["target"]) == (
        "allotment", None, 0, 24,
    )  # fmt: skip
    assert (pppk["counted_per"], pppk["employee_type"]) == ("contract_year", "PPPK")
    assert "PP 49/2018" in pppk["rule_basis"] and "PP 11/2017" in pns["rule_basis"]


def test_a_pppk_contract_year_moves_learning_across_calendar_years_in_compliance(
    session: Session, people: dict[str, User], add_external: AddExternal
) -> None:
    # 20 February 2026 falls in the contract year that began on 1 March 2025.
    add_external(people["pppk"], status="verified", end_on=date(2026, 2, 20), jp=5)
    add_external(people["pns"], status="verified", end_on=date(2026, 2, 20), jp=5)
    rows = _by_name(list(compliance.iter_people(session, ComplianceFilters(year=2025), target=20)))
    assert rows["Tono PPPK"].total == 9 and rows["Sari PNS"].total == 4
    rows = _by_name(list(compliance.iter_people(session, ComplianceFilters(year=2026), target=20)))
    assert rows["Tono PPPK"].total == 0 and rows["Sari PNS"].total == 5
