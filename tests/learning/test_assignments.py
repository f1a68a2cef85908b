"""HR assigns mandatory training; learners see it first, with due dates and overdue marks."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import Role
from app.content import store
from app.learning.models import Assignment, Enrolment
from tests.factories import csrf_token, login, make_user


def _assign(client: TestClient, **fields: str):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_token(client, "/pegawai/penugasan"), **fields}
    return client.post("/pegawai/penugasan", data=data)


def test_hr_assigns_a_course_to_a_whole_unit_and_to_listed_people(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    login(client, make_user(session, roles={Role.HR}, unit_name="BKPSDM"))
    a = make_user(session, unit_name="Kelurahan Lere")
    b = make_user(session, unit_name="Kelurahan Lere")
    c = make_user(session, unit_name="Dinas Kesehatan")
    assert a.unit_id is not None
    due = (clock.today() + timedelta(days=30)).isoformat()
    response = _assign(client, course="PPP-101", unit_id=str(a.unit_id), nips=c.nip, due_on=due)
    assert response.status_code == 200
    assert "3 pegawai ditugaskan" in response.text
    assigned = set(session.scalars(select(Assignment.user_id)))
    assert assigned == {a.id, b.id, c.id}
    sources = set(session.scalars(select(Enrolment.source)))
    assert sources == {"assigned"}
    again = _assign(client, course="PPP-101", nips=a.nip, due_on=due)
    assert "1 tenggatnya diperbarui" in again.text
    assert session.scalar(select(func.count()).select_from(Assignment)) == 3


def test_bad_assignment_input_is_explained_and_nothing_is_assigned(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    login(client, make_user(session, roles={Role.HR}))
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    response = _assign(client, course="PPP-101", nips="199001012015031999", due_on=yesterday)
    assert response.status_code == 400
    assert "Tenggat tidak boleh sebelum hari ini." in response.text
    assert "NIP berikut tidak terdaftar: 199001012015031999" in response.text
    nothing = _assign(client, course="XYZ", due_on="bukan-tanggal")
    assert "Pilih kursus" in nothing.text and "tanggal yang valid" in nothing.text
    assert session.scalar(select(func.count()).select_from(Assignment)) == 0


def test_learners_cannot_assign(client: TestClient, session: Session) -> None:
    login(client, make_user(session))
    assert client.get("/pegawai/penugasan").status_code == 403


def test_assigned_courses_come_first_on_the_home_page_with_overdue_marks(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    hr = TestClient(client.app, base_url="http://testserver", follow_redirects=False)
    login(hr, make_user(session, roles={Role.HR}))
    learner = make_user(session)
    due = (clock.today() + timedelta(days=3)).isoformat()
    _assign(hr, course="KOM-101", nips=learner.nip, due_on=due)
    _assign(hr, course="PPP-101", nips=learner.nip, due_on=due)
    session.execute(
        update(Assignment)
        .where(Assignment.user_id == learner.id)
        .where(Assignment.course_id.in_(select(Enrolment.course_id)))
        .values(due_on=clock.today() - timedelta(days=2))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    login(client, learner)
    home = client.get("/")
    dashboard = home.context["dashboard"]
    assert {c.course.code for c in dashboard.assigned} == {"KOM-101", "PPP-101"}
    assert all(c.overdue for c in dashboard.assigned)
    assert "lewat tenggat" in home.text
    assert home.text.index("Pelatihan wajib") < home.text.index("Capaian JP")  # next action first
