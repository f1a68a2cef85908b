"""HR lists its assignments with progress, re-dates and cancels them; assignment by jabatan."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.content import store
from app.content.models import Course
from app.db import utcnow
from app.learning import assignments
from app.learning.models import Assignment, Completion, Enrolment, ModuleProgress
from tests.factories import csrf_token, login, make_user

FORM = "/pegawai/penugasan"
LIST = "/pegawai/penugasan/daftar"


def _assign(client: TestClient, **fields: str):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_token(client, FORM), **fields}
    return client.post(FORM, data=data)


def _hr_client(client: TestClient, session: Session) -> TestClient:
    hr = TestClient(client.app, base_url="http://testserver", follow_redirects=False)
    login(hr, make_user(session, roles={Role.HR}, unit_name="BKPSDM", jabatan="Analis SDM"))
    return hr


def _course_id(session: Session, code: str) -> int:
    course_id = session.scalar(select(Course.id).where(Course.code == code))
    assert course_id is not None
    return course_id


def _assignment(session: Session, user_id: int, code: str) -> Assignment | None:
    session.expire_all()
    return session.scalar(
        select(Assignment).where(
            Assignment.user_id == user_id, Assignment.course_id == _course_id(session, code)
        )
    )


def test_hr_lists_redates_and_cancels_an_assignment_and_the_learners_home_follows(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    hr = _hr_client(client, session)
    learner = make_user(session, unit_name="Kelurahan Lere")
    done = make_user(session, unit_name="Kelurahan Lere")
    due = clock.today() + timedelta(days=10)
    assert _assign(hr, course="PPP-101", nips=f"{learner.nip}\n{done.nip}", due_on=due.isoformat())
    course_id = _course_id(session, "PPP-101")
    session.add(
        ModuleProgress(
            user_id=learner.id, course_id=course_id, module_slug="m1", completed_at=utcnow()
        )
    )
    session.add(
        Completion(
            user_id=done.id, course_id=course_id, jp=2, final_score=0.9, completed_at=utcnow()
        )
    )
    session.commit()

    listed = hr.get(LIST, params={"kursus": "PPP-101", "unit": str(learner.unit_id)})
    assert listed.status_code == 200
    assert listed.template.name == "learning/assignments.html"
    page = listed.context["page"]
    rows = {row.user_id: row for row in page.rows}
    assert set(rows) == {learner.id, done.id} and page.total == 2
    assert rows[done.id].done and rows[done.id].percent == 100
    assert not rows[learner.id].done
    assert 0 < rows[learner.id].percent < 100
    assert rows[learner.id].due_on == due

    token = csrf_token(hr, LIST)
    row_id = rows[learner.id].id
    later = due + timedelta(days=20)
    moved = hr.post(
        f"/pegawai/penugasan/{row_id}/tenggat",
        data={"csrf_token": token, "due_on": later.isoformat(), "back": "kursus=PPP-101&x=1"},
    )
    assert moved.status_code == 303
    assert moved.headers["location"] == f"{LIST}?kursus=PPP-101&status=diubah"
    redated = _assignment(session, learner.id, "PPP-101")
    assert redated is not None and redated.due_on == later

    login(client, learner)
    home = client.get("/").context["dashboard"]
    assert [(c.course.code, c.due_on) for c in home.assigned] == [("PPP-101", later)]

    refused = hr.post(
        f"/pegawai/penugasan/{row_id}/batalkan", data={"csrf_token": token, "reason": " "}
    )
    assert refused.status_code == 400
    assert _assignment(session, learner.id, "PPP-101") is not None
    cancelled = hr.post(
        f"/pegawai/penugasan/{row_id}/batalkan",
        data={"csrf_token": token, "reason": "Pindah tugas ke Dinas Sosial"},
    )
    assert cancelled.status_code == 303
    assert _assignment(session, learner.id, "PPP-101") is None
    # The learner keeps the enrolment and what was learnt; the home no longer lists it.
    assert session.scalar(
        select(Enrolment).where(Enrolment.user_id == learner.id, Enrolment.course_id == course_id)
    )
    assert session.scalar(select(ModuleProgress).where(ModuleProgress.user_id == learner.id))
    home = client.get("/").context["dashboard"]
    assert home.assigned == []
    events = {
        e.action: e.details
        for e in session.scalars(select(AuditEvent).where(AuditEvent.target_id == str(learner.id)))
    }
    assert events["assignment.redated"]["old_due_on"] == due.isoformat()
    assert events["assignment.redated"]["due_on"] == later.isoformat()
    assert events["assignment.cancelled"]["reason"] == "Pindah tugas ke Dinas Sosial"
    assert events["assignment.cancelled"]["due_on"] == later.isoformat()
    after = hr.get(LIST).context["page"]
    assert [row.user_id for row in after.rows] == [done.id]
    assert (
        hr.post(
            f"/pegawai/penugasan/{row_id}/batalkan",
            data={"csrf_token": token, "reason": "sekali lagi"},
        ).status_code
        == 404
    )


def test_overdue_filter_lists_only_unfinished_assignments_past_due(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    hr = _hr_client(client, session)
    late, finished, on_time = (make_user(session) for _ in range(3))
    due = (clock.today() + timedelta(days=1)).isoformat()
    nips = "\n".join(p.nip for p in (late, finished, on_time))
    _assign(hr, course="PPP-101", nips=nips, due_on=due)
    course_id = _course_id(session, "PPP-101")
    for person in (late, finished):
        row = _assignment(session, person.id, "PPP-101")
        assert row is not None
        row.due_on = clock.today() - timedelta(days=3)
    session.add(
        Completion(
            user_id=finished.id, course_id=course_id, jp=2, final_score=0.9, completed_at=utcnow()
        )
    )
    session.commit()
    page = hr.get(LIST, params={"terlambat": "1", "dari": "", "sampai": ""}).context["page"]
    assert [row.user_id for row in page.rows] == [late.id]
    assert page.rows[0].overdue(clock.today())
    upcoming = hr.get(LIST, params={"dari": clock.today().isoformat()}).context["page"]
    assert [row.user_id for row in upcoming.rows] == [on_time.id]


def test_assignment_by_jabatan_reaches_exactly_the_matching_active_people(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    hr = _hr_client(client, session)
    lurah = make_user(session, jabatan="Lurah")
    lurah_caps = make_user(session, jabatan="LURAH ")
    sekretaris = make_user(session, jabatan="Sekretaris Lurah")
    make_user(session, jabatan="Lurah", is_active=False)
    make_user(session, jabatan="Camat")
    make_user(session, jabatan="Lurah_x")
    due = (clock.today() + timedelta(days=30)).isoformat()

    exact = _assign(hr, course="PPP-101", jabatan="lurah", due_on=due)
    assert exact.status_code == 200
    assigned = set(
        session.scalars(
            select(Assignment.user_id).where(Assignment.course_id == _course_id(session, "PPP-101"))
        )
    )
    assert assigned == {lurah.id, lurah_caps.id}

    pattern = _assign(hr, course="KOM-101", jabatan="*Lurah", due_on=due)
    assert pattern.status_code == 200
    assigned = set(
        session.scalars(
            select(Assignment.user_id).where(Assignment.course_id == _course_id(session, "KOM-101"))
        )
    )
    assert assigned == {lurah.id, lurah_caps.id, sekretaris.id}


def test_jabatan_of_only_a_star_is_refused_and_nothing_is_assigned(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    hr = _hr_client(client, session)
    make_user(session, jabatan="Lurah")
    due = (clock.today() + timedelta(days=30)).isoformat()
    response = _assign(hr, course="PPP-101", jabatan="*", due_on=due)
    assert response.status_code == 400
    assert session.scalar(select(Assignment.id)) is None


def test_learners_and_trainers_cannot_list_or_cancel_assignments(
    client: TestClient, session: Session
) -> None:
    login(client, make_user(session, roles={Role.TRAINER}))
    assert client.get(LIST).status_code == 403
    token = csrf_token(client, "/")
    denied = client.post(
        "/pegawai/penugasan/1/batalkan", data={"csrf_token": token, "reason": "x" * 9}
    )
    assert denied.status_code == 403


def test_the_list_is_paged_in_due_date_order_and_a_page_past_the_end_shows_the_last(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    hr = _hr_client(client, session)
    people = [make_user(session) for _ in range(5)]
    for days, person in enumerate(people, start=1):
        due = (clock.today() + timedelta(days=days)).isoformat()
        _assign(hr, course="PPP-101", nips=person.nip, due_on=due)
    catalog = client.app.state.content.catalog(session)  # type: ignore[attr-defined]
    filters = assignments.ListFilters()
    first = assignments.list_assignments(
        session, catalog, filters, today=clock.today(), page=1, page_size=2
    )
    assert (first.total, first.pages) == (5, 3)
    assert [row.user_id for row in first.rows] == [people[0].id, people[1].id]
    last = assignments.list_assignments(
        session, catalog, filters, today=clock.today(), page=9, page_size=2
    )
    assert last.page == 3 and [row.user_id for row in last.rows] == [people[4].id]
    page = hr.get(LIST, params={"halaman": "2"})
    assert page.status_code == 200
    assert hr.get(LIST, params={"halaman": "x"}).status_code in {400, 422}
