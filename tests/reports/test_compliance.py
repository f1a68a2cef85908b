"""JP compliance: per-ASN and per-unit figures, filters, paging, export, the JSON API, access."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import Role, User
from app.audit.models import AuditEvent
from app.content import store
from app.content.models import Blob
from app.learning import jp
from app.learning.models import ExternalLearning
from app.reports import compliance, tokens
from app.reports.compliance import COLUMNS, ComplianceFilters
from tests.factories import login, make_user, nip
from tests.reports.test_export import _complete

GOLDEN = Path(__file__).parent / "golden"
_files = itertools.count(1)


def _external(
    session: Session, user: User, jp_value: int, *, status: str = "verified", end_on: date
) -> ExternalLearning:
    """External learning stored directly, with a certificate file of its own."""
    data = f"%PDF-1.4 sertifikat {next(_files)}".encode()
    sha = hashlib.sha256(data).hexdigest()
    session.add(Blob(sha256=sha, size=len(data), data=data))
    row = ExternalLearning(
        user_id=user.id, title="Bimtek Kearsipan", organiser="ANRI", category="teknis",
        start_on=end_on, end_on=end_on, jp=jp_value, file_sha256=sha,
        file_name="sertifikat.pdf", file_type="application/pdf", status=status,
    )  # fmt: skip
    session.add(row)
    session.commit()
    return row


@dataclass
class World:
    year: int
    hr: User
    ani: User  # 12 JP Lentera + 8 verified external: reached
    budi: User  # 4 JP Lentera; pending and rejected external do not count
    citra: User  # nothing at all: 0 JP, below target
    dedi: User  # inactive: never listed
    eko: User  # 25 JP verified external this year; last year's does not count


@pytest.fixture
def world(session: Session, demo_content: store.ImportReport) -> World:
    today = clock.today()
    year = today.year
    hr = make_user(
        session, roles={Role.HR}, nip=nip("19800101", "200501", "1", 1),
        full_name="Rahmat Petugas", unit_name="BKPSDM", jabatan="Analis SDM Aparatur",
        golongan="III/c",
    )  # fmt: skip
    ani = make_user(
        session, nip=nip("19850315", "201001", "2", 3), full_name="Ani Lamarauna",
        unit_name="Dinas Kesehatan", jabatan="Perawat Ahli Pertama",
    )  # fmt: skip
    budi = make_user(
        session, nip=nip("19870620", "201101", "1", 4), full_name="Budi Santoso",
        unit_name="Dinas Kesehatan", password=None,
    )  # fmt: skip
    citra = make_user(
        session, nip=nip("19900214", "201403", "2", 5), full_name="Citra Dewi",
        unit_name="Dinas Kesehatan", password=None,
    )  # fmt: skip
    dedi = make_user(
        session, nip=nip("19790505", "200312", "1", 6), full_name="Dedi Nonaktif",
        unit_name="Dinas Kesehatan", is_active=False, password=None,
    )  # fmt: skip
    eko = make_user(
        session, nip=nip("19911231", "201503", "1", 7), full_name='=HYPERLINK("http://x")',
        unit_name="Kelurahan Lere", jabatan="@Lurah", golongan="III/b", password=None,
    )  # fmt: skip
    _complete(session, ani, "PPP-101")
    _complete(session, ani, "MWK-201")
    _external(session, ani, 8, end_on=today)
    _complete(session, budi, "KOM-101")
    _external(session, budi, 10, status="pending", end_on=today)
    _external(session, budi, 6, status="rejected", end_on=today)
    _complete(session, dedi, "KOM-101")
    _external(session, eko, 25, end_on=today)
    _external(session, eko, 10, end_on=date(year - 1, 12, 31))
    return World(year, hr, ani, budi, citra, dedi, eko)


def _row(person: compliance.PersonJP) -> tuple[str, int, int, int, int, bool]:
    return (
        person.full_name, person.lentera_jp, person.external_jp, person.total,
        person.shortfall, person.reached,
    )  # fmt: skip


# --- the service ---------------------------------------------------------------------------------


def test_every_active_asn_is_listed_with_lentera_and_verified_external_jp(
    session: Session, world: World
) -> None:
    people = compliance.people_page(session, ComplianceFilters(world.year), target=20, page=1)
    assert [_row(p) for p in people] == [
        ("Rahmat Petugas", 0, 0, 0, 20, False),  # BKPSDM
        ("Ani Lamarauna", 12, 8, 20, 0, True),  # Dinas Kesehatan, by name
        ("Budi Santoso", 4, 0, 4, 16, False),
        ("Citra Dewi", 0, 0, 0, 20, False),
        ('=HYPERLINK("http://x")', 0, 25, 25, 0, True),  # Kelurahan Lere
    ]
    assert world.dedi.id not in {p.user_id for p in people}
    assert people[1].nip == world.ani.nip and people[1].unit_name == "Dinas Kesehatan"


def test_compliance_totals_agree_with_the_learning_records_jp(
    session: Session, world: World
) -> None:
    people = compliance.people_page(session, ComplianceFilters(world.year), target=20, page=1)
    totals = jp.jp_by_user(session, world.year, [p.user_id for p in people])
    assert {p.user_id: p.total for p in people} == totals
    record = jp.jp_for_year(session, world.ani.id, world.year)
    assert (record.lentera_jp, record.external_jp) == (people[1].lentera_jp, people[1].external_jp)


def test_unit_summary_puts_the_largest_share_below_target_first(
    session: Session, world: World
) -> None:
    units = compliance.unit_summary(session, world.year, target=20)
    assert [(u.unit_name, u.people, u.below, u.total_jp) for u in units] == [
        ("BKPSDM", 1, 1, 0),
        ("Dinas Kesehatan", 3, 2, 24),  # the inactive ASN is not counted
        ("Kelurahan Lere", 1, 0, 25),
    ]
    assert units[1].share_below == pytest.approx(2 / 3) and units[1].average_jp == 8
    city = compliance.city_totals(units)
    assert (city.people, city.below, city.total_jp) == (5, 3, 49)
    assert city.share_below == pytest.approx(0.6) and city.average_jp == pytest.approx(9.8)


def test_a_higher_target_moves_people_below_it(session: Session, world: World) -> None:
    units = compliance.unit_summary(session, world.year, target=25)
    assert {u.unit_name: u.below for u in units} == {
        "BKPSDM": 1, "Dinas Kesehatan": 3, "Kelurahan Lere": 0,
    }  # fmt: skip


def test_filters_by_unit_and_below_target_and_counts_match(session: Session, world: World) -> None:
    assert world.ani.unit_id is not None
    units = compliance.unit_summary(session, world.year, target=20)
    for filters, names in (
        (ComplianceFilters(world.year, below_only=True), ["Rahmat Petugas", "Budi Santoso",
                                                          "Citra Dewi"]),
        (ComplianceFilters(world.year, unit_id=world.ani.unit_id), ["Ani Lamarauna",
                                                                     "Budi Santoso", "Citra Dewi"]),
        (ComplianceFilters(world.year, world.ani.unit_id, True), ["Budi Santoso", "Citra Dewi"]),
    ):  # fmt: skip
        people = compliance.people_page(session, filters, target=20, page=1)
        assert [p.full_name for p in people] == names
        assert compliance.matching_count(units, filters) == len(names)


def test_another_year_counts_only_that_years_learning(session: Session, world: World) -> None:
    people = compliance.people_page(session, ComplianceFilters(world.year - 1), target=20, page=1)
    assert {p.full_name: p.total for p in people if p.total} == {'=HYPERLINK("http://x")': 10}


def test_pages_do_not_overlap_or_skip_anyone(session: Session, world: World) -> None:
    filters = ComplianceFilters(world.year)
    pages = [
        compliance.people_page(session, filters, target=20, page=n, page_size=2) for n in (1, 2, 3)
    ]
    assert [len(p) for p in pages] == [2, 2, 1]
    ids = [p.user_id for page in pages for p in page]
    assert len(set(ids)) == 5


# --- the page ------------------------------------------------------------------------------------


def test_hr_sees_the_compliance_page_for_the_current_year(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.hr)
    response = client.get("/laporan/jp")
    assert response.status_code == 200
    assert response.template.name == "reports/compliance.html"
    context = response.context
    assert context["filters"] == ComplianceFilters(world.year)
    assert [p.full_name for p in context["people"]][:2] == ["Rahmat Petugas", "Ani Lamarauna"]
    assert (context["city"].people, context["city"].below, context["matching"]) == (5, 3, 5)
    assert "Citra Dewi" in response.text and "Dedi Nonaktif" not in response.text
    assert "Belum tercapai" in response.text and "66,7%" in response.text


def test_page_filters_below_target_within_a_unit(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.hr)
    response = client.get(
        "/laporan/jp", params={"tahun": world.year, "unit": world.ani.unit_id, "kurang": "1"}
    )
    assert response.status_code == 200
    context = response.context
    assert [p.full_name for p in context["people"]] == ["Budi Santoso", "Citra Dewi"]
    assert context["matching"] == 2
    assert context["params"] == {
        "tahun": str(world.year), "unit": str(world.ani.unit_id), "kurang": "1",
    }  # fmt: skip


def test_the_person_list_is_paged(
    client: TestClient, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compliance, "PAGE_SIZE", 2)
    login(client, world.hr)
    second = client.get("/laporan/jp", params={"halaman": "2"})
    context = second.context
    assert (context["page"], context["pages"]) == (2, 3)
    assert [p.full_name for p in context["people"]] == ["Budi Santoso", "Citra Dewi"]
    assert "halaman=3" in second.text and "halaman=1" in second.text
    beyond = client.get("/laporan/jp", params={"halaman": "9"})
    assert beyond.status_code == 200 and beyond.context["people"] == []
    assert "hanya ada 3 halaman" in beyond.text


@contextmanager
def _count_queries(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def _record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", _record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _record)


def test_the_page_costs_the_same_queries_for_five_or_twenty_five_asn(
    client: TestClient, session: Session, engine: Engine, world: World
) -> None:
    login(client, world.hr)
    with _count_queries(engine) as before:
        assert client.get("/laporan/jp").status_code == 200
    for n in range(20):
        person = make_user(session, unit_name=f"Kelurahan {n % 4}", password=None)
        _external(session, person, 5 + n, end_on=clock.today())
    with _count_queries(engine) as after:
        response = client.get("/laporan/jp")
    assert response.context["matching"] == 25
    assert len(after) == len(before)
    # Units for the filter, the unit summary and one page of people; the rest is the login.
    assert sum("FROM users" in s and "lentera_jp" in s for s in after) == 2


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"tahun": "dua ribu"}, "bukan angka"),
        ({"tahun": "²⁰²⁶"}, "bukan angka"),
        ({"tahun": "1999"}, "di luar jangkauan"),
        ({"tahun": "3000"}, "di luar jangkauan"),
        ({"unit": "999999"}, "Unit kerja &#39;999999&#39; tidak dikenal"),
        ({"unit": "abc"}, "tidak dikenal"),
        ({"halaman": "0"}, "Halaman &#39;0&#39; tidak ada"),
        ({"halaman": "-1"}, "bilangan bulat mulai dari 1"),
        ({"halaman": "dua"}, "bilangan bulat mulai dari 1"),
        ({"halaman": "²"}, "bilangan bulat mulai dari 1"),
        ({"kurang": "ya"}, "hanya boleh 1"),
    ],
)
def test_bad_filters_get_a_400_page_that_says_what_is_wrong(
    client: TestClient, session: Session, params: dict[str, str], message: str
) -> None:
    login(client, make_user(session, roles={Role.HR}))
    response = client.get("/laporan/jp", params=params)
    assert response.status_code == 400
    assert message in response.text
    assert response.template.name == "errors/error.html"


def test_next_year_is_allowed_and_the_year_after_is_not(
    client: TestClient, session: Session
) -> None:
    login(client, make_user(session, roles={Role.HR}))
    next_year = clock.today().year + 1
    assert client.get("/laporan/jp", params={"tahun": next_year}).status_code == 200
    assert client.get("/laporan/jp", params={"tahun": 2000}).status_code == 200
    assert client.get("/laporan/jp", params={"tahun": next_year + 1}).status_code == 400


@pytest.mark.parametrize("role", [Role.LEARNER, Role.TRAINER])
@pytest.mark.parametrize("path", ["/laporan/jp", "/laporan/jp/unduh", "/laporan/dasbor"])
def test_learners_and_trainers_are_refused(
    client: TestClient, session: Session, role: Role, path: str
) -> None:
    login(client, make_user(session, roles={role}))
    response = client.get(path)
    assert response.status_code == 403
    assert session.scalar(select(AuditEvent).where(AuditEvent.action.startswith("export."))) is None


def test_anonymous_visitors_are_sent_to_the_login_page(client: TestClient) -> None:
    response = client.get("/laporan/jp")
    assert response.status_code == 303 and "/masuk" in response.headers["location"]


# --- the export ----------------------------------------------------------------------------------


def test_csv_export_matches_the_golden_file_and_neutralises_formulas(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.hr)
    response = client.get("/laporan/jp/unduh", params={"tahun": world.year})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert f'filename="capaian-jp-{world.year}-' in disposition
    assert response.content == (GOLDEN / "capaian-jp.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == COLUMNS
    eko = dict(zip(COLUMNS, rows[-1], strict=True))
    assert eko["Nama"] == '\'=HYPERLINK("http://x")' and eko["Jabatan"] == "'@Lurah"


def test_every_export_is_audited_with_its_filters(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.hr)
    client.get(
        "/laporan/jp/unduh",
        params={"tahun": world.year, "unit": world.ani.unit_id, "kurang": "1", "format": "xlsx"},
    )
    event_row = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "export.jp_compliance")
    )
    assert event_row is not None and event_row.actor_id == world.hr.id
    assert event_row.details == {
        "format": "xlsx",
        "filters": {"year": world.year, "unit_id": world.ani.unit_id, "below_target_only": True},
    }


def test_xlsx_export_has_the_same_rows_as_numbers_and_filters_apply(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.hr)
    response = client.get(
        "/laporan/jp/unduh",
        params={"tahun": world.year, "unit": world.ani.unit_id, "kurang": "1", "format": "xlsx"},
    )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    workbook.close()
    assert list(rows[0]) == COLUMNS
    assert [r[1] for r in rows[1:]] == ["Budi Santoso", "Citra Dewi"]
    budi = dict(zip(COLUMNS, rows[1], strict=True))
    assert (budi["JP Lentera"], budi["Total JP"], budi["Kekurangan"]) == (4, 4, 16)
    assert budi["Status"] == "Belum tercapai"


def test_export_with_a_comma_and_no_bom_for_other_tools(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.hr)
    response = client.get(
        "/laporan/jp/unduh", params={"tahun": world.year, "pemisah": "koma", "bom": "false"}
    )
    assert response.content.startswith(b"NIP,Nama,Unit Kerja")


def test_bad_export_filters_export_nothing(client: TestClient, session: Session) -> None:
    login(client, make_user(session, roles={Role.HR}))
    response = client.get("/laporan/jp/unduh", params={"unit": "424242"})
    assert response.status_code == 400 and "tidak dikenal" in response.text
    assert session.scalar(select(AuditEvent).where(AuditEvent.action.startswith("export."))) is None


# --- the JSON API --------------------------------------------------------------------------------


def _bearer(session: Session, user: User) -> dict[str, str]:
    _token, plain = tokens.create(session, "SIMPEG", actor_id=user.id)
    session.commit()
    return {"Authorization": f"Bearer {plain}"}


def test_api_jp_summary_pages_through_every_active_asn_by_cursor(
    client: TestClient, session: Session, world: World
) -> None:
    headers = _bearer(session, world.hr)
    seen: list[dict[str, object]] = []
    cursor: int | None = None
    pages = 0
    while True:
        params: dict[str, object] = {"year": world.year, "limit": 2}
        if cursor is not None:
            params["cursor"] = cursor
        response = client.get("/api/v1/jp-summary", params=params, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["year"], body["target"]) == (world.year, 20)
        seen.extend(body["items"])
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    by_nip = {item["nip"]: item for item in seen}
    assert len(seen) == len(by_nip) == 5 and world.dedi.nip not in by_nip
    assert by_nip[world.ani.nip] == {
        "nip": world.ani.nip, "name": "Ani Lamarauna", "unit": "Dinas Kesehatan",
        "jabatan": "Perawat Ahli Pertama", "golongan": "III/a", "lentera_jp": 12,
        "external_jp": 8, "total_jp": 20, "target": 20, "shortfall": 0, "reached": True,
        "employee_type": "PNS", "rule": "minimum", "counted_per": "calendar_year",
        "rule_basis": by_nip[world.ani.nip]["rule_basis"],
    }  # fmt: skip
    assert str(by_nip[world.ani.nip]["rule_basis"]).startswith("PP 11/2017")
    assert by_nip[world.citra.nip]["shortfall"] == 20
    audited = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export.jp_compliance")
    ).all()
    assert len(audited) == 1 and audited[0].details["via"] == "api"  # first page only


def test_api_jp_summary_per_unit(client: TestClient, session: Session, world: World) -> None:
    response = client.get(
        "/api/v1/jp-summary/units", params={"year": world.year}, headers=_bearer(session, world.hr)
    )
    assert response.status_code == 200
    body = response.json()
    assert body["city"] == {
        "unit_id": None, "unit": None, "asn": 5, "below_target": 3,
        "share_below_target": 0.6, "average_jp": 9.8,
    }  # fmt: skip
    assert [(u["unit"], u["asn"], u["below_target"]) for u in body["units"]] == [
        ("BKPSDM", 1, 1), ("Dinas Kesehatan", 3, 2), ("Kelurahan Lere", 1, 0),
    ]  # fmt: skip
    assert body["units"][1]["share_below_target"] == 0.6667


def test_api_jp_summary_defaults_to_the_current_year_and_rejects_bad_years(
    client: TestClient, session: Session, world: World
) -> None:
    headers = _bearer(session, world.hr)
    assert client.get("/api/v1/jp-summary", headers=headers).json()["year"] == world.year
    for path in ("/api/v1/jp-summary", "/api/v1/jp-summary/units"):
        # Within the schema's 2000-2100 but after next year: the route's own 400.
        response = client.get(path, params={"year": world.year + 2}, headers=headers)
        assert response.status_code == 400
        assert "between 2000 and" in response.json()["error"]["message"]
        # Outside the bounds the schema states: refused by validation.
        assert client.get(path, params={"year": 1999}, headers=headers).status_code == 422
        assert client.get(path, params={"year": "x"}, headers=headers).status_code == 422


def test_api_jp_summary_needs_a_valid_token(
    client: TestClient, session: Session, world: World
) -> None:
    for path in ("/api/v1/jp-summary", "/api/v1/jp-summary/units"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers={"Authorization": "Bearer lnt_wrong"}).status_code == 401
    token, plain = tokens.create(session, "Lama", actor_id=world.hr.id)
    tokens.revoke(session, token, actor_id=world.hr.id)
    session.commit()
    revoked = client.get("/api/v1/jp-summary", headers={"Authorization": f"Bearer {plain}"})
    assert revoked.status_code == 401
    assert revoked.json()["error"]["status"] == 401


def test_api_jp_summary_is_documented_in_openapi(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/jp-summary" in spec["paths"] and "/api/v1/jp-summary/units" in spec["paths"]
    person = spec["components"]["schemas"]["JPPersonOut"]["properties"]
    assert "verified by HR" in person["external_jp"]["description"]
    ok = spec["paths"]["/api/v1/jp-summary/units"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"]["$ref"].endswith("/JPUnitSummary")


def test_api_token_use_is_recorded_at_most_every_few_minutes(
    client: TestClient, session: Session, world: World
) -> None:
    token, plain = tokens.create(session, "SIMPEG", actor_id=world.hr.id)
    session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    assert token.last_used_at is None

    assert client.get("/api/v1/jp-summary", headers=headers).status_code == 200
    session.refresh(token)
    first = token.last_used_at
    assert first is not None
    assert client.get("/api/v1/jp-summary", headers=headers).status_code == 200
    session.refresh(token)
    assert token.last_used_at == first  # within TOUCH_INTERVAL: no write

    token.last_used_at = first - tokens.TOUCH_INTERVAL - timedelta(seconds=1)
    session.commit()
    assert client.get("/api/v1/jp-summary", headers=headers).status_code == 200
    session.refresh(token)
    assert token.last_used_at is not None and token.last_used_at >= first
