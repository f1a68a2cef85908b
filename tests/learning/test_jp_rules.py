"""JP rules per employee type: PNS minimum per calendar year, PPPK allotment per contract year.

Pure window arithmetic first, then what a PNS and a PPPK learner see on /riwayat and the home
page, settings changing the figures and the legal basis, and HR's person page showing the
same JP as the learner, by category, for both types.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import Role, User
from app.audit.models import AuditEvent
from app.config import Settings
from app.learning import credited, jp
from app.learning.models import Certificate
from tests.factories import login, make_user, nip, pppk_nip
from tests.learning.conftest import AddExternal, Complete

PNS_RULE = "PP 11/2017"
PPPK_RULE = "PP 49/2018"


def local(day: date, hour: int = 10) -> datetime:
    """The UTC moment of local `day` at `hour` o'clock."""
    return clock.day_start(day) + timedelta(hours=hour)


# --- windows and rules, without the database --------------------------------------------------


def test_pns_and_pppk_without_a_contract_start_count_calendar_years() -> None:
    for kind, start in (("PNS", date(2022, 3, 1)), ("PPPK", None)):
        window = credited.window_for(2025, kind, start)
        assert (window.starts_on, window.ends_on, window.contract) == (
            date(2025, 1, 1),
            date(2026, 1, 1),
            False,
        )


def test_pppk_with_a_contract_start_counts_the_contract_year_beginning_that_year() -> None:
    window = credited.window_for(2025, "PPPK", date(2022, 3, 1))
    assert (window.starts_on, window.last_day, window.contract) == (
        date(2025, 3, 1),
        date(2026, 2, 28),
        True,
    )
    assert window.bounds == (clock.day_start(date(2025, 3, 1)), clock.day_start(date(2026, 3, 1)))


def test_a_contract_started_on_29_february_turns_over_on_28_february_in_other_years() -> None:
    start = date(2020, 2, 29)
    assert credited.window_for(2025, "PPPK", start).starts_on == date(2025, 2, 28)
    assert credited.window_for(2028, "PPPK", start).starts_on == date(2028, 2, 29)


def test_the_current_contract_year_began_last_year_before_the_anniversary() -> None:
    start = date(2022, 3, 1)
    assert credited.current_year(date(2026, 2, 28), "PPPK", start) == 2025
    assert credited.current_year(date(2026, 3, 1), "PPPK", start) == 2026
    assert credited.current_year(date(2026, 2, 28), "PNS", start) == 2026


def test_rules_come_from_settings_per_employee_type(settings: Settings) -> None:
    changed = settings.model_copy(
        update={"jp_target": 25, "jp_allotment_pppk": 30, "jp_rule_pppk": "PP 99/2031 Pasal 7"}
    )
    pns = credited.rule_for(changed, "PNS")
    pppk = credited.rule_for(changed, "PPPK")
    assert (pns.kind, pns.jp, pns.citation) == ("minimum", 25, settings.jp_rule_pns)
    assert (pppk.kind, pppk.jp, pppk.citation) == ("allotment", 30, "PP 99/2031 Pasal 7")


def test_default_legal_bases_cite_regulation_article_and_date(settings: Settings) -> None:
    assert "PP 11/2017" in settings.jp_rule_pns and "Pasal 203" in settings.jp_rule_pns
    assert "PP 17/2020" in settings.jp_rule_pns
    assert "PP 49/2018" in settings.jp_rule_pppk and "Pasal 40" in settings.jp_rule_pppk
    assert settings.jp_target == 20 and settings.jp_allotment_pppk == 24


# --- people ------------------------------------------------------------------------------------


@pytest.fixture
def pns(session: Session) -> User:
    return make_user(session, nip=nip(seq=701), full_name="Putri PNS")


@pytest.fixture
def pppk(session: Session) -> User:
    """A PPPK whose contract started on 1 March 2023."""
    person = make_user(
        session, nip=pppk_nip(seq=702), employee_type="PPPK", full_name="Pandu PPPK",
        golongan="IX",
    )  # fmt: skip
    person.contract_start_on = date(2023, 3, 1)
    session.commit()
    return person


@pytest.fixture
def hr(session: Session) -> User:
    return make_user(session, nip=nip(seq=703), roles={Role.HR}, full_name="Hana BKPSDM")


def _history(person: User, complete: Complete, add_external: AddExternal) -> None:
    """Around 1 March 2025: 6 JP teknis before it, 4 JP sosial kultural and 6 JP manajerial
    after it, verified external 3 JP manajerial after it, pending external never counts."""
    complete(person, "PPP-101", local(date(2025, 2, 20)))
    complete(person, "KOM-101", local(date(2025, 3, 5)))
    complete(person, "MWK-201", local(date(2025, 11, 5)))
    add_external(person, status="verified", end_on=date(2025, 3, 10), jp=3, category="manajerial")
    add_external(person, status="pending", end_on=date(2025, 4, 10), jp=9)


def test_pppk_jp_counts_per_contract_year_and_pns_per_calendar_year(
    session: Session,
    settings: Settings,
    pns: User,
    pppk: User,
    complete: Complete,
    add_external: AddExternal,
) -> None:
    _history(pns, complete, add_external)
    _history(pppk, complete, add_external)

    pns_2025 = jp.jp_for_person(session, pns, 2025, settings)
    assert (pns_2025.total, pns_2025.target, pns_2025.is_allotment) == (19, 20, False)
    assert pns_2025.remaining == 1

    before = jp.jp_for_person(session, pppk, 2024, settings)  # 1 Mar 2024 - 28 Feb 2025
    after = jp.jp_for_person(session, pppk, 2025, settings)  # 1 Mar 2025 - 28 Feb 2026
    assert (before.total, after.total) == (6, 13)
    assert after.by_category() == {"sosial kultural": 4, "manajerial": 9}
    assert (after.target, after.is_allotment, after.remaining) == (24, True, 11)
    assert after.window is not None and after.window.contract


def test_pppk_learner_sees_the_pppk_rule_and_never_the_pns_rule(
    client: TestClient, session: Session, pppk: User, complete: Complete, add_external: AddExternal
) -> None:
    _history(pppk, complete, add_external)
    login(client, pppk)
    page = client.get("/riwayat", params={"tahun": 2025})
    assert page.status_code == 200
    record = page.context["record"]
    assert record.rule.kind == "allotment" and record.total == 13
    text = page.text
    assert "paling banyak 24 JP" in text and PPPK_RULE in text
    assert "tahun kontrak 1 Maret 2025 s.d. 28 Februari 2026" in text
    assert "paling sedikit" not in text and PNS_RULE not in text
    assert "Kurang" not in text and "Sisa jatah 11 JP" in text
    for label in ("Teknis", "Manajerial", "Sosial Kultural"):
        assert label.casefold() in text.casefold()

    home = client.get("/")
    assert home.context["jp_year"].rule.kind == "allotment"
    assert "paling banyak 24 JP" in home.text and "paling sedikit" not in home.text


def test_pppk_without_a_contract_start_is_told_the_calendar_year_applies(
    client: TestClient, session: Session, pppk: User
) -> None:
    pppk.contract_start_on = None
    session.commit()
    login(client, pppk)
    page = client.get("/riwayat", params={"tahun": 2025})
    assert page.context["record"].window.contract is False
    assert "Tanggal mulai kontrak belum tercatat" in page.text


def test_pns_learner_sees_the_pns_rule_with_its_legal_basis(
    client: TestClient, pns: User, complete: Complete, add_external: AddExternal
) -> None:
    _history(pns, complete, add_external)
    login(client, pns)
    page = client.get("/riwayat", params={"tahun": 2025})
    text = page.text
    assert "paling sedikit 20 JP" in text and PNS_RULE in text and "Kurang 1 JP" in text
    assert PPPK_RULE not in text and "jatah" not in text
    home = client.get("/")
    assert "paling sedikit 20 JP" in home.text


def test_changed_settings_change_the_target_and_the_wording(
    app: FastAPI, client: TestClient, pns: User, pppk: User
) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={
            "jp_target": 25,
            "jp_rule_pns": "PP 77/2030 Pasal 9",
            "jp_allotment_pppk": 30,
            "jp_rule_pppk": "PP 88/2031 Pasal 4",
        }
    )
    login(client, pns)
    text = client.get("/riwayat", params={"tahun": 2025}).text
    assert "paling sedikit 25 JP" in text and "PP 77/2030 Pasal 9" in text
    client.cookies.clear()
    login(client, pppk)
    text = client.get("/riwayat", params={"tahun": 2025}).text
    assert "paling banyak 30 JP" in text and "PP 88/2031 Pasal 4" in text


# --- HR's person page ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["pns", "pppk"])
def test_hr_sees_the_same_jp_as_the_learner_by_category(
    client: TestClient,
    request: pytest.FixtureRequest,
    hr: User,
    complete: Complete,
    add_external: AddExternal,
    who: str,
) -> None:
    person: User = request.getfixturevalue(who)
    _history(person, complete, add_external)
    seen: dict[str, list[tuple[object, ...]]] = {"learner": [], "hr": []}
    login(client, person)
    for year in (2024, 2025):
        record = client.get("/riwayat", params={"tahun": year}).context["record"]
        seen["learner"].append(
            (record.total, record.lentera_jp, record.external_jp, record.by_category(),
             record.target, record.window)
        )  # fmt: skip
    client.cookies.clear()
    login(client, hr)
    for year in (2024, 2025):
        page = client.get(f"/pegawai/{person.nip}", params={"tahun": year})
        assert page.status_code == 200
        assert page.template.name == "accounts/person.html"
        record = page.context["record"]
        seen["hr"].append(
            (record.total, record.lentera_jp, record.external_jp, record.by_category(),
             record.target, record.window)
        )  # fmt: skip
        assert [e.status for e in page.context["external"]] == (
            ["pending", "verified"] if year == 2025 else []
        )
    assert seen["hr"] == seen["learner"]
    assert seen["learner"][1][0] == (13 if who == "pppk" else 19)


def test_hr_person_page_lists_revoked_certificates_with_reason_and_assignments(
    client: TestClient, session: Session, pns: User, hr: User, complete: Complete
) -> None:
    done = complete(pns, "PPP-101", local(date(2025, 5, 1)), certificate="LTR-2025-0099")
    certificate = session.scalars(
        select(Certificate).where(Certificate.completion_id == done.id)
    ).one()
    certificate.revoked_at = local(date(2025, 6, 2))
    certificate.revoke_reason = "Nilai ujian tidak sah"
    session.commit()
    login(client, hr)
    page = client.get(f"/pegawai/{pns.nip}", params={"tahun": 2025})
    assert page.context["record"].total == 0
    assert "LTR-2025-0099" in page.text and "Nilai ujian tidak sah" in page.text
    assert "Dicabut" in page.text


def test_hr_downloads_the_learners_pdf_record_and_the_download_is_audited(
    client: TestClient, session: Session, pppk: User, hr: User, complete: Complete,
    add_external: AddExternal,
) -> None:  # fmt: skip
    _history(pppk, complete, add_external)
    login(client, pppk)
    own = client.get("/riwayat/unduh.pdf", params={"tahun": 2025})
    client.cookies.clear()
    login(client, hr)
    response = client.get(f"/pegawai/{pppk.nip}/riwayat.pdf", params={"tahun": 2025})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "private, no-store"
    assert len(response.content) > 1000 and own.content[:5] == response.content[:5] == b"%PDF-"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "export.learning_record"))
    assert event is not None and event.actor_id == hr.id and event.target_id == str(pppk.id)
    assert event.details == {"year": 2025, "format": "pdf"}


def test_a_learner_cannot_download_someone_elses_pdf_record(
    client: TestClient, pns: User, pppk: User
) -> None:
    login(client, pns)
    response = client.get(f"/pegawai/{pppk.nip}/riwayat.pdf", params={"tahun": 2025})
    assert response.status_code == 403


def test_hr_person_page_refuses_a_year_out_of_range(
    client: TestClient, pns: User, hr: User
) -> None:
    login(client, hr)
    response = client.get(f"/pegawai/{pns.nip}", params={"tahun": 1800})
    assert response.status_code == 400
