"""Only a POST enrols: opening a module, "lanjutkan" or a test page of a course one is not
enrolled in shows the course page with its enrol button and changes nothing; and the course
page shows a completion's current certificate after a re-issue."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.db import utcnow
from app.learning import completion
from app.learning.models import Enrolment, ModuleProgress, ProgressEvent
from tests.factories import login, make_user
from tests.learning.test_certificate_issue import certificate_of, finish

pytestmark = pytest.mark.usefixtures("demo_content")
MODULE = "01-dasar-hukum-dan-asas"


@pytest.fixture
def learner(session: Session) -> User:
    return make_user(session)


def _rows(session: Session, user: User) -> tuple[int, int, int]:
    session.expire_all()
    return tuple(  # type: ignore[return-value]
        session.scalar(select(func.count()).select_from(model).where(model.user_id == user.id))
        for model in (Enrolment, ModuleProgress, ProgressEvent)
    )


def test_a_cross_site_get_of_a_module_changes_nothing_and_shows_the_enrol_button(
    client: TestClient, session: Session, learner: User
) -> None:
    login(client, learner)
    # As a link or an image on another site would send it: a GET with a foreign Referer.
    page = client.get(
        f"/kursus/PPP-101/modul/{MODULE}", headers={"Referer": "https://jahat.example/"}
    )
    assert page.status_code == 200
    assert page.template.name == "content/course.html"
    assert page.context["enrolled"] is False
    assert page.context["enrol_first"] is True
    assert 'action="/kursus/PPP-101/ikuti"' in page.text
    assert "Ikuti kursus ini dulu untuk membaca modulnya." in page.text
    assert _rows(session, learner) == (0, 0, 0)


def test_resume_and_test_pages_of_a_course_not_enrolled_do_not_enrol(
    client: TestClient, session: Session, learner: User
) -> None:
    login(client, learner)
    resume = client.get("/kursus/PPP-101/lanjutkan")
    assert resume.status_code == 303 and resume.headers["location"] == "/kursus/PPP-101"
    assert client.get("/kursus/PPP-101/tes/tes-awal").status_code == 200
    assert client.get("/kursus/PPP-101/offline.json").status_code in (200, 409)
    assert _rows(session, learner) == (0, 0, 0)


def test_enrolling_by_post_then_opens_the_module(
    client: TestClient, session: Session, learner: User
) -> None:
    login(client, learner)
    page = client.get("/kursus/PPP-101")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    assert client.post("/kursus/PPP-101/ikuti", data={"csrf_token": token[1]}).status_code == 303
    assert _rows(session, learner)[0] == 1
    # The pre-test comes first, then the module opens (both after enrolling by POST).
    module = client.get(f"/kursus/PPP-101/modul/{MODULE}")
    assert module.status_code == 303 and module.headers["location"].endswith("/tes/tes-awal")


def test_enrolment_by_a_cross_site_post_without_csrf_is_refused(
    client: TestClient, session: Session, learner: User
) -> None:
    login(client, learner)
    assert client.post("/kursus/PPP-101/ikuti").status_code == 403
    assert _rows(session, learner) == (0, 0, 0)


def test_course_page_shows_the_current_certificate_after_a_reissue(
    client: TestClient, session: Session, learner: User
) -> None:
    done = finish(session, learner)
    old = certificate_of(session, done)
    view = client.app.state.content.catalog(session).by_code["PPP-101"]  # type: ignore[attr-defined]
    new = completion.reissue_certificate(
        session, old, person=learner, view=view, actor_id=learner.id,
        reason="Perbaikan nama", now=utcnow(),
    )  # fmt: skip
    session.commit()
    login(client, learner)
    page = client.get("/kursus/PPP-101")
    assert page.context["certificate"].id == new.id
    assert new.number in page.text
    assert "dicabut" not in page.text  # the old, replaced number is not shown as revoked
