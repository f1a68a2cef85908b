"""Fixtures for the evaluation tests: a published demo course and a learner who completed it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import auth
from app.accounts.models import User
from app.config import Settings
from app.content import store
from app.content.models import Course
from app.db import utcnow
from app.evaluation.models import ActionPlan
from app.learning.models import Completion
from app.web.deps import SESSION_COOKIE
from tests.factories import csrf_token, make_user

CODE = "PPP-101"
GOOD_PLAN = "Menyusun daftar periksa berkas layanan KTP di loket dan membagikannya ke rekan."
# A supervisor outside the roster (the factories' NIPs are born in 1990).
SUPERVISOR_NIP = "197503152000032002"
SUPERVISOR_NAME = "Ibu Nurhayati, S.Sos."
LINK = f"/kursus/{CODE}/tindak-lanjut/tautan-atasan"


@pytest.fixture
def course(session: Session, demo_content: store.ImportReport) -> Course:
    found = session.scalar(select(Course).where(Course.code == CODE))
    assert found is not None
    return found


def complete(
    session: Session, user: User, course: Course, at: datetime | None = None
) -> Completion:
    """Record that `user` completed `course` (as the learning slice does when the rule is met)."""
    completion = Completion(
        user_id=user.id,
        course_id=course.id,
        completed_at=at or utcnow(),
        final_score=85,
        jp=2,
    )
    session.add(completion)
    session.commit()
    return completion


def learner_user(session: Session, **overrides: Any) -> User:
    """A learner without a password: hashing one costs a quarter second a test, for nothing."""
    return make_user(session, password=None, **overrides)


def sign_in(client: TestClient, session: Session, settings: Settings, user: User) -> None:
    """Log `user` in by opening a server-side session, as the login form does after a password."""
    client.cookies.clear()
    token = auth.open_session(session, settings, user, None, None)
    session.commit()
    client.cookies.set(SESSION_COOKIE, token)


@pytest.fixture
def learner(session: Session) -> User:
    return learner_user(session, full_name="Andi Lamarauna", unit_name="Kecamatan Palu Barat")


@pytest.fixture
def graduate(
    client: TestClient, session: Session, settings: Settings, learner: User, course: Course
) -> User:
    """A logged-in learner who completed the course."""
    complete(session, learner, course)
    sign_in(client, session, settings, learner)
    return learner


def post(client: TestClient, path: str, data: dict[str, str] | list[tuple[str, str]]) -> Response:
    """POST a form with a valid CSRF token (a list of pairs can repeat a field)."""
    logged_in = SESSION_COOKIE in client.cookies
    token = csrf_token(client, "/profil" if logged_in else "/masuk")
    pairs = list(data.items()) if isinstance(data, dict) else list(data)
    body = urlencode([("csrf_token", token), *pairs])
    headers = {"content-type": "application/x-www-form-urlencoded"}
    response: Response = client.post(path, content=body, headers=headers)
    return response


def survey_form(**overrides: str) -> dict[str, str]:
    form = {"relevance": "5", "quality": "4", "applicability": "4", "comment": "Sangat berguna."}
    form.update(overrides)
    return form


def plan_of(session: Session, user: User, course: Course) -> ActionPlan | None:
    session.expire_all()
    return session.scalar(
        select(ActionPlan).where(ActionPlan.user_id == user.id, ActionPlan.course_id == course.id)
    )


def open_follow_up(session: Session, user: User, course: Course) -> ActionPlan:
    """Move the plan's follow-up date to yesterday, as if the waiting period had passed."""
    plan = plan_of(session, user, course)
    assert plan is not None
    # Two days back: "today" is counted in WITA, which may be a day ahead of this machine.
    plan.follow_up_on = utcnow().date() - timedelta(days=2)
    session.commit()
    return plan


def link_token(page_text: str) -> str:
    match = re.search(r"/atasan/([A-Za-z0-9_-]{20,})", page_text)
    assert match, "no supervisor link on the page"
    return match.group(1)


def supervisor_form(**overrides: str) -> dict[str, str]:
    """The learner's form naming their supervisor when creating the link."""
    form = {"supervisor_nip": SUPERVISOR_NIP, "supervisor_name": SUPERVISOR_NAME}
    form.update(overrides)
    return form


def visitor(client: TestClient) -> TestClient:
    """Someone without an account, on another phone."""
    return TestClient(client.app, base_url="http://testserver", follow_redirects=False)


def _csrf(phone: TestClient) -> str:
    return csrf_token(phone, "/profil" if SESSION_COOKIE in phone.cookies else "/masuk")


def answer_nip(phone: TestClient, token: str, nip: str = SUPERVISOR_NIP) -> Response:
    """Step 1 on the supervisor's link: type a NIP."""
    response: Response = phone.post(
        f"/atasan/{token}", data={"csrf_token": _csrf(phone), "langkah": "nip", "nip": nip}
    )
    return response


def answer(
    phone: TestClient, token: str, verdict: str, nip: str = SUPERVISOR_NIP, **extra: str
) -> Response:
    """Step 2 on the supervisor's link: the verdict, with the NIP carried along."""
    data = {"csrf_token": _csrf(phone), "langkah": "jawaban", "nip": nip}
    response: Response = phone.post(f"/atasan/{token}", data={**data, "verdict": verdict, **extra})
    return response
