"""The admin audit log page: empty filters, paging both ways, entries read in words."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role, Unit
from app.audit import routes as audit_routes
from app.audit import sentences
from app.audit import service as audit
from app.audit.models import AuditEvent
from tests.factories import login, make_user


def _entries(page: Any) -> list[Any]:
    return page.context["entries"]  # type: ignore[no-any-return]


def _record_many(session: Session, count: int) -> list[int]:
    ids = [audit.record(session, "test.paging", number=n) for n in range(count)]
    session.commit()
    return [event.id for event in ids]


def test_empty_filter_fields_mean_no_filter(client: TestClient, session: Session) -> None:
    admin = make_user(session, roles={Role.ADMIN})
    login(client, admin)
    _record_many(session, 3)

    page = client.get("/admin/audit?aksi=&dari=&sampai=")

    assert page.status_code == 200
    actions = [entry["event"].action for entry in _entries(page)]
    assert actions.count("test.paging") == 3 and "auth.login" in actions


def test_a_date_filter_keeps_the_day_and_a_malformed_date_is_a_clear_400(
    client: TestClient, session: Session
) -> None:
    login(client, make_user(session, roles={Role.ADMIN}))
    _record_many(session, 2)

    far = client.get("/admin/audit?aksi=test.&dari=2001-01-01&sampai=2001-12-31")
    assert far.status_code == 200 and _entries(far) == []
    bad = client.get("/admin/audit?dari=kemarin")
    assert bad.status_code == 400
    assert "bukan tanggal" in bad.text


def test_paging_goes_to_older_and_back_to_newer_entries(
    client: TestClient, session: Session
) -> None:
    login(client, make_user(session, roles={Role.ADMIN}))
    page_size = audit_routes.PAGE
    ids = _record_many(session, 2 * page_size + 5)
    newest_first = ids[::-1]

    first = client.get("/admin/audit?aksi=test.paging&dari=&sampai=")
    assert [e["event"].id for e in _entries(first)] == newest_first[:page_size]
    assert first.context["newer_after"] is None
    older_link = re.search(r'href="([^"]*sebelum=\d+)"', first.text)
    assert older_link is not None and "Lebih lama" in first.text

    second = client.get(older_link.group(1).replace("&amp;", "&"))
    assert second.status_code == 200
    assert [e["event"].id for e in _entries(second)] == newest_first[page_size : 2 * page_size]
    assert "Lebih baru" in second.text and "Lebih lama" in second.text

    third = client.get(
        f"/admin/audit?aksi=test.paging&dari=&sampai=&sebelum={newest_first[2 * page_size - 1]}"
    )
    assert [e["event"].id for e in _entries(third)] == newest_first[2 * page_size :]
    assert third.context["older_before"] is None
    newer_link = re.search(r'href="([^"]*sesudah=\d+)"', third.text)
    assert newer_link is not None

    back = client.get(newer_link.group(1).replace("&amp;", "&"))
    assert [e["event"].id for e in _entries(back)] == newest_first[page_size : 2 * page_size]


def test_an_export_reads_as_a_sentence_with_the_raw_detail_behind_a_disclosure(
    client: TestClient, session: Session
) -> None:
    admin = make_user(session, roles={Role.ADMIN}, full_name="Andi Fadli")
    unit = Unit(name="Dinas Sosial")
    session.add(unit)
    session.flush()
    audit.record(
        session,
        "export.completions",
        actor_id=admin.id,
        layout="standar",
        format="csv",
        rows=1204,
        filters={"from": None, "to": None, "unit_id": unit.id, "course": None, "status": None},
    )
    session.commit()
    login(client, admin)

    page = client.get("/admin/audit?aksi=export.")

    [entry] = _entries(page)
    assert entry["sentence"] == (
        "Andi Fadli mengekspor 1.204 rekap penyelesaian (CSV), filter: unit Dinas Sosial"
    )
    disclosure = re.search(r"<details>(.*?)</details>", page.text, re.S)
    assert disclosure is not None
    assert "export.completions" in disclosure.group(1) and "unit_id" in disclosure.group(1)


def test_an_action_about_a_person_names_the_person(client: TestClient, session: Session) -> None:
    admin = make_user(session, roles={Role.ADMIN}, full_name="Andi Fadli")
    rina = make_user(session, full_name="Rina Marlina")
    audit.record(
        session,
        "user.roles_changed",
        actor_id=admin.id,
        target_type="user",
        target_id=rina.id,
        before=["learner"],
        after=["hr", "learner"],
    )
    session.commit()
    login(client, admin)

    page = client.get("/admin/audit?aksi=user.roles")

    assert [entry["sentence"] for entry in _entries(page)] == [
        "Andi Fadli mengubah peran Rina Marlina dari learner menjadi hr, learner"
    ]


def test_an_unknown_action_code_still_reads_as_a_sentence() -> None:
    event = sentences.Event(
        action="something.new",
        actor="Andi Fadli",
        target_type="course",
        target_id="K-01",
        details={"x": 1},
        names=sentences.Names(),
    )
    assert sentences.sentence(event) == "Andi Fadli melakukan something.new · course K-01"


def test_a_builder_missing_a_detail_falls_back_instead_of_failing() -> None:
    event = sentences.Event(
        action="completion.recorded",
        actor="Rina",
        target_type="course",
        target_id="K-01",
        details={},
        names=sentences.Names(),
    )
    assert sentences.sentence(event) == "Rina melakukan completion.recorded · course K-01"


def test_every_action_the_code_records_has_a_sentence_builder() -> None:
    app_dir = Path(__file__).resolve().parents[2] / "app"
    recorded: set[str] = set()
    pattern = re.compile(r'record\(\s*\w+,\s*"([a-z_]+\.[a-z_.]+)"(?:\s+if .*? else "([a-z_.]+)")?')
    for source in app_dir.rglob("*.py"):
        for match in pattern.finditer(source.read_text(encoding="utf-8")):
            recorded.update(code for code in match.groups() if code)
    assert len(recorded) > 30  # the scan itself still finds the calls
    assert sorted(recorded - set(sentences.BUILDERS)) == []


def test_the_audit_page_is_for_admins_only(client: TestClient, session: Session) -> None:
    login(client, make_user(session, roles={Role.HR}))
    assert client.get("/admin/audit").status_code == 403


def test_the_system_is_named_when_there_is_no_actor(session: Session) -> None:
    audit.record(session, "database.backed_up", file="cadangan.lentera", rows=10)
    session.commit()
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "database.backed_up")
    ).one()
    text = sentences.sentence(
        sentences.Event(
            action=event.action,
            actor="Sistem/CLI",
            target_type=None,
            target_id=None,
            details=event.details,
            names=sentences.Names(),
        )
    )
    assert text == "Sistem/CLI mencadangkan basis data ke cadangan.lentera"


def test_a_graded_quiz_reads_with_its_score_as_a_percentage() -> None:
    event = sentences.Event(
        action="quiz.attempt_graded",
        actor="Rina Marlina",
        target_type="quiz_attempt",
        target_id="7",
        details={"quiz_key": "post", "number": 2, "score": 0.845, "late": True},
        names=sentences.Names(),
    )
    assert sentences.sentence(event) == (
        "Rina Marlina mengerjakan kuis post (percobaan ke-2), nilai 85%, terlambat"
    )


def test_a_class_finalised_reads_as_who_was_credited() -> None:
    event = sentences.Event(
        action="class.finalised",
        actor="Rina",
        target_type="class_session",
        target_id="12",
        details={"credited": 18, "not_qualified": 2},
        names=sentences.Names(),
    )
    assert sentences.sentence(event) == (
        "Rina memfinalkan kelas #12: 18 peserta mendapat JP, 2 tidak memenuhi syarat"
    )
