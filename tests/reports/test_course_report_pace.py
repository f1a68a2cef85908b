"""Unusually fast completions (app/reports/pace.py) in the trainer's report and HR's list, and
the pre-test baseline of gain in the trainer's report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.accounts.nip import display as display_nip
from app.config import Settings
from app.content import store
from app.learning.models import Completion, Enrolment, ModuleProgress
from app.reports import pace
from tests.reports.test_course_report import (
    T0,
    URL,
    Rows,
    _cohort,
    _course,
    _owner,
    _person,
    _report,
    _sign_in,
)


def test_unusually_fast_is_less_than_half_the_estimated_minutes() -> None:
    assert pace.is_unusually_fast(timedelta(seconds=1.2), 175)
    assert pace.is_unusually_fast(timedelta(minutes=87), 175)
    assert not pace.is_unusually_fast(timedelta(minutes=88), 175)
    assert not pace.is_unusually_fast(timedelta(days=3), 175)


def test_durations_read_in_days_hours_minutes_or_seconds() -> None:
    assert pace.duration_text(timedelta(seconds=1.4)) == "1 detik"
    assert pace.duration_text(timedelta(minutes=40, seconds=5)) == "40 menit"
    assert pace.duration_text(timedelta(hours=2, minutes=5)) == "2 jam 5 menit"
    assert pace.duration_text(timedelta(days=1, hours=3)) == "1 hari 3 jam"
    assert pace.duration_text(None) == "–"


def _rushed(rows: Rows, seconds: float = 1.3):  # type: ignore[no-untyped-def]
    """A learner who enrolled, clicked through every module and completed within seconds."""
    user = rows.learner(full_name="Peserta Kilat")
    rows.modules(user, completed=6)
    rows.session.flush()
    rows.session.execute(
        update(ModuleProgress)
        .where(ModuleProgress.user_id == user.id)
        .values(first_opened_at=T0 + timedelta(seconds=0.2))
    )
    rows.session.add(
        Completion(
            user_id=user.id, course_id=rows.course.id,
            course_version_id=rows.course.current_version_id,
            completed_at=T0 + timedelta(seconds=seconds), final_score=90, jp=6,
        )
    )  # fmt: skip
    rows.session.commit()
    return user


@pytest.fixture
def owner_client(
    client: TestClient, session: Session, settings: Settings, demo_content: store.ImportReport
) -> TestClient:
    _sign_in(client, session, settings, _owner(session))
    return client


def test_trainer_report_flags_fast_completions_with_their_durations(
    owner_client: TestClient, session: Session
) -> None:
    rows = _cohort(session)  # two completions, days after enrolling: not flagged
    rushed = _rushed(rows)
    response = owner_client.get(URL)
    report = _report(owner_client)
    assert [r.user_id for r in report.fast] == [rushed.id]
    row = report.fast[0]
    assert row.from_enrolment == timedelta(seconds=1.3)
    assert row.study_period == timedelta(seconds=1.1)
    assert row.estimated_minutes == 175 and row.module_seconds == 0
    assert "Selesai terlalu cepat" in response.text and "Peserta Kilat" in response.text
    assert "1 detik" in response.text


def test_report_gain_ignores_a_pretest_submitted_after_the_first_module_was_opened(
    owner_client: TestClient, session: Session
) -> None:
    _cohort(session)
    # A record from before the rule: learner a opened the modules before taking the pre-test.
    learners = list(session.scalars(select(Enrolment.user_id).order_by(Enrolment.id)))
    session.execute(
        update(ModuleProgress)
        .where(ModuleProgress.user_id == learners[0])
        .values(first_opened_at=T0)
    )
    session.commit()
    gain = _report(owner_client).gain
    assert gain.learners == 1  # only b's pre-test came before studying
    assert (gain.pre_average, gain.post_average) == pytest.approx((60, 80))


def test_hr_sees_fast_completions_of_every_course_for_a_year(
    client: TestClient, session: Session, settings: Settings, demo_content: store.ImportReport
) -> None:
    rows = Rows(session)
    rushed = _rushed(rows)
    _sign_in(client, session, settings, _person(session, roles={Role.HR}))
    dashboard = client.get("/laporan/dasbor")
    assert 'href="/laporan/terlalu-cepat"' in dashboard.text
    page = client.get(f"/laporan/terlalu-cepat?tahun={T0.year}")
    assert page.status_code == 200
    assert page.template.name == "reports/fast_completions.html"
    assert [r.user_id for r in page.context["rows"]] == [rushed.id]
    assert "PPP-101" in page.text and display_nip(rushed.nip) in page.text
    other_year = client.get(f"/laporan/terlalu-cepat?tahun={T0.year - 1}")
    assert other_year.context["rows"] == []


def test_only_hr_and_admins_see_the_fast_completions_page(
    client: TestClient, session: Session, settings: Settings, demo_content: store.ImportReport
) -> None:
    for roles in ({Role.LEARNER}, {Role.TRAINER}):
        _sign_in(client, session, settings, _person(session, roles=roles))
        assert client.get("/laporan/terlalu-cepat").status_code == 403
    _sign_in(client, session, settings, _person(session, roles={Role.ADMIN}))
    assert client.get("/laporan/terlalu-cepat").status_code == 200


def test_completion_after_real_study_is_not_flagged(
    session: Session, demo_content: store.ImportReport
) -> None:
    rows = Rows(session)
    user = rows.learner()
    rows.modules(user, completed=6)
    rows.complete(user, days=1, score=90)
    session.commit()
    assert pace.fast_completions(session, course_id=_course(session).id) == []
