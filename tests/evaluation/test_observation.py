"""Observation checklists and follow-up interviews: who may fill them, what is kept and audited,
and the figures the course report shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.audit import sentences
from app.audit.models import AuditEvent
from app.config import Settings
from app.content import store
from app.content.models import Course
from app.db import utcnow
from app.evaluation import observation_summary
from app.evaluation.models import ActionPlan, FollowUpInterview, Observation, ObservationRating
from app.evaluation.service import local_today
from app.learning.models import Completion
from tests.evaluation.conftest import complete, learner_user, post, sign_in
from tests.factories import csrf_token

PATH = "/pengamatan/{id}"


@pytest.fixture
def completion(session: Session, learner: User, course: Course) -> Completion:
    # Two days ago: "today" is WITA, possibly a day ahead of this machine's UTC date.
    return complete(session, learner, course, at=utcnow() - timedelta(days=2))


def _hr(session: Session) -> User:
    return learner_user(session, roles={Role.HR}, full_name="Rahmawati BKPSDM")


def _trainer(session: Session, course: Course | None = None) -> User:
    user = learner_user(session, roles={Role.TRAINER}, full_name="Widyaiswara Uji")
    if course is not None:
        store.add_trainer(session, course, user.id)
        session.commit()
    return user


def _behaviours(course: Course) -> list[str]:
    assert course.current_version is not None
    behaviours = course.current_version.observed_behaviours
    assert behaviours, "the demo course lists perilaku_diamati"
    return behaviours


def _form(levels: list[int], settings: Settings, **extra: str) -> dict[str, str]:
    form = {f"perilaku-{n}": str(level) for n, level in enumerate(levels, start=1)}
    form["observed_on"] = local_today(settings).isoformat()
    form.update(extra)
    return form


def _interview(settings: Settings, **extra: str) -> dict[str, str]:
    form = {
        "interviewed_on": local_today(settings).isoformat(),
        "interviewee": "supervisor",
        "skills_applied": "Menjelaskan persyaratan KTP dengan daftar periksa di loket.",
        "obstacles": "Antrean panjang pada hari Senin.",
        "support_needed": "Papan standar pelayanan yang lebih besar.",
    }
    form.update(extra)
    return form


# --- Who may observe -------------------------------------------------------------------------


def test_the_learner_is_refused_their_own_observation_even_as_hr(
    client: TestClient, session: Session, settings: Settings, course: Course
) -> None:
    hr = _hr(session)  # HR may observe anyone but themself
    completion = complete(session, hr, course, at=utcnow() - timedelta(days=2))
    sign_in(client, session, settings, hr)
    page = client.get(PATH.format(id=completion.id))
    assert page.status_code == 403
    assert "tidak dapat mengamati atau mewawancarai diri sendiri" in page.text
    levels = [4] * len(_behaviours(course))
    posted = post(client, PATH.format(id=completion.id), _form(levels, settings))
    assert posted.status_code == 403
    assert (
        post(client, PATH.format(id=completion.id) + "/wawancara", _interview(settings)).status_code
        == 403
    )
    assert session.scalar(select(Observation.id)) is None
    assert session.scalar(select(FollowUpInterview.id)) is None
    # Nor is their own completion offered to them in the list.
    listing = client.get("/pengamatan")
    assert listing.status_code == 200 and listing.context["rows"] == []


def test_a_trainer_of_another_course_and_a_colleague_are_refused(
    client: TestClient, session: Session, settings: Settings, course: Course, completion: Completion
) -> None:
    sign_in(client, session, settings, _trainer(session))
    assert client.get(PATH.format(id=completion.id)).status_code == 403
    assert client.get("/pengamatan").context["rows"] == []
    sign_in(client, session, settings, learner_user(session))
    assert client.get(PATH.format(id=completion.id)).status_code == 403


def test_the_course_trainer_hr_and_the_bound_supervisor_may_observe(
    client: TestClient,
    session: Session,
    settings: Settings,
    learner: User,
    course: Course,
    completion: Completion,
) -> None:
    boss = learner_user(session, full_name="Ibu Kepala Seksi")
    session.add(
        ActionPlan(
            user_id=learner.id,
            course_id=course.id,
            plan="Menyusun daftar periksa berkas layanan KTP di loket.",
            follow_up_on=utcnow().date(),
            supervisor_nip=boss.nip,
        )
    )
    session.commit()
    for observer, capacity in (
        (_trainer(session, course), "trainer"),
        (_hr(session), "hr"),
        (boss, "supervisor"),
    ):
        sign_in(client, session, settings, observer)
        page = client.get(PATH.format(id=completion.id))
        assert page.status_code == 200, observer.full_name
        assert page.context["target"].capacity == capacity
        assert [r.completion_id for r in client.get("/pengamatan").context["rows"]] == [
            completion.id
        ]


def test_a_revoked_or_unknown_completion_is_not_found(
    client: TestClient, session: Session, settings: Settings
) -> None:
    sign_in(client, session, settings, _hr(session))
    assert client.get(PATH.format(id=999999)).status_code == 404


def test_observation_posts_need_a_csrf_token(
    client: TestClient, session: Session, settings: Settings, course: Course, completion: Completion
) -> None:
    sign_in(client, session, settings, _hr(session))
    csrf_token(client, "/profil")
    levels = [3] * len(_behaviours(course))
    response = client.post(PATH.format(id=completion.id), data=_form(levels, settings))
    assert response.status_code == 403
    response = client.post(PATH.format(id=completion.id) + "/wawancara", data=_interview(settings))
    assert response.status_code == 403
    assert session.scalar(select(Observation.id)) is None


# --- Saving ---------------------------------------------------------------------------------


def test_an_observation_is_saved_then_edited_by_its_author_and_both_are_audited(
    client: TestClient,
    session: Session,
    settings: Settings,
    learner: User,
    course: Course,
    completion: Completion,
) -> None:
    trainer = _trainer(session, course)
    sign_in(client, session, settings, trainer)
    behaviours = _behaviours(course)
    first = [2] * len(behaviours)
    response = post(client, PATH.format(id=completion.id), _form(first, settings, note="Baik."))
    assert response.status_code == 303
    second = [3] * len(behaviours)
    assert post(client, PATH.format(id=completion.id), _form(second, settings)).status_code == 303

    session.expire_all()
    observations = session.scalars(select(Observation)).all()
    assert len(observations) == 1  # one per observer: edited, not added
    assert (observations[0].observer_id, observations[0].observer_role) == (trainer.id, "trainer")
    assert observations[0].note is None
    ratings = session.execute(
        select(ObservationRating.behaviour, ObservationRating.level).order_by(
            ObservationRating.position
        )
    ).all()
    assert [tuple(r) for r in ratings] == [(b, 3) for b in behaviours]
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.like("evaluation.observation_%"))
        .order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == [
        "evaluation.observation_recorded",
        "evaluation.observation_updated",
    ]
    assert events[1].actor_id == trainer.id
    assert events[1].details["levels_before"] == first
    assert events[1].details["levels"] == second
    assert events[1].details["user_id"] == learner.id
    # The page shows the saved levels back to the author.
    page = client.get(PATH.format(id=completion.id))
    assert page.context["own"].ratings == tuple((b, 3) for b in behaviours)


def test_every_behaviour_must_be_rated_within_the_scale_and_the_date_not_in_the_future(
    client: TestClient, session: Session, settings: Settings, course: Course, completion: Completion
) -> None:
    sign_in(client, session, settings, _hr(session))
    n = len(_behaviours(course))
    form = _form([3] * n, settings)
    del form["perilaku-2"]
    form["perilaku-3"] = "5"
    form["observed_on"] = (local_today(settings) + timedelta(days=1)).isoformat()
    response = post(client, PATH.format(id=completion.id), form)
    assert response.status_code == 400
    errors = response.context["obs_errors"]  # type: ignore[attr-defined]
    assert errors["perilaku-2"] == "Pilih tingkat 1 sampai 4 untuk perilaku 2."
    assert "1, 2, 3, atau 4" in errors["perilaku-3"]
    assert "tidak boleh sesudah hari ini" in errors["observed_on"]
    before = (local_today(settings) - timedelta(days=30)).isoformat()
    early = post(
        client, PATH.format(id=completion.id), _form([3] * n, settings, observed_on=before)
    )
    assert early.status_code == 400
    assert "sebelum pelatihan diselesaikan" in early.context["obs_errors"]["observed_on"]  # type: ignore[attr-defined]
    assert session.scalar(select(Observation.id)) is None


def test_an_interview_is_recorded_audited_without_its_text_and_listed(
    client: TestClient,
    session: Session,
    settings: Settings,
    learner: User,
    course: Course,
    completion: Completion,
) -> None:
    hr = _hr(session)
    sign_in(client, session, settings, hr)
    path = PATH.format(id=completion.id) + "/wawancara"
    assert post(client, path, _interview(settings)).status_code == 303
    interview = session.scalars(select(FollowUpInterview)).one()
    assert (interview.user_id, interview.interviewer_id, interview.interviewer_role) == (
        learner.id,
        hr.id,
        "hr",
    )
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "evaluation.interview_recorded")
    ).one()
    assert event.details["interviewee"] == "supervisor"
    assert "Antrean" not in str(event.details)  # free text stays in the row, never the log
    page = client.get(PATH.format(id=completion.id))
    assert "Papan standar pelayanan yang lebih besar." in page.text

    bad = post(client, path, _interview(settings, interviewee="tetangga", skills_applied="ok"))
    assert bad.status_code == 400
    assert set(bad.context["int_errors"]) == {"interviewee", "skills_applied"}  # type: ignore[attr-defined]


def test_a_course_without_behaviours_has_no_checklist_but_takes_interviews(
    client: TestClient, session: Session, settings: Settings, course: Course, completion: Completion
) -> None:
    assert course.current_version is not None
    course.current_version.observed_behaviours = None
    session.commit()
    sign_in(client, session, settings, _hr(session))
    page = client.get(PATH.format(id=completion.id))
    assert page.status_code == 200
    assert "belum memiliki daftar perilaku yang diamati" in page.text
    assert post(client, PATH.format(id=completion.id), _form([3], settings)).status_code == 403
    path = PATH.format(id=completion.id) + "/wawancara"
    assert post(client, path, _interview(settings)).status_code == 303


# --- The figures ------------------------------------------------------------------------------


def test_summary_counts_averages_distribution_and_share_at_level_three(
    client: TestClient,
    session: Session,
    settings: Settings,
    learner: User,
    course: Course,
    completion: Completion,
) -> None:
    behaviours = _behaviours(course)
    other = learner_user(session, full_name="Siti Pegawai")
    second = complete(session, other, course, at=utcnow() - timedelta(days=2))
    trainer, hr = _trainer(session, course), _hr(session)
    n = len(behaviours)
    # learner: trainer rates all 4, HR all 2; other: trainer rates 1, 3, 3, ...
    for observer, done, levels in (
        (trainer, completion, [4] * n),
        (hr, completion, [2] * n),
        (trainer, second, [1] + [3] * (n - 1)),
    ):
        sign_in(client, session, settings, observer)
        assert post(client, PATH.format(id=done.id), _form(levels, settings)).status_code == 303

    summary = observation_summary.observation_summary(session, course.id, behaviours)
    assert (summary.observations, summary.learners_observed) == (3, 2)
    first = summary.behaviours[0]
    assert first.behaviour == behaviours[0]
    assert first.distribution == (1, 1, 0, 1)
    assert first.average == pytest.approx(7 / 3)
    assert first.applied_share == pytest.approx(1 / 3)
    rest = summary.behaviours[1]
    assert rest.distribution == (0, 1, 1, 1)
    assert rest.applied_share == pytest.approx(2 / 3)
    assert summary.distribution == (1, n, n - 1, n)
    assert summary.ratings == 3 * n
    assert summary.applied_share == pytest.approx((2 * n - 1) / (3 * n))

    # The trainer's course report shows them, notes without names; HR sees names.
    sign_in(client, session, settings, hr)
    assert (
        post(client, PATH.format(id=completion.id) + "/wawancara", _interview(settings)).status_code
        == 303
    )
    report = client.get(f"/pengajar/kursus/{course.code}/laporan")
    assert report.status_code == 200
    observed = report.context["observed"]
    assert (observed.observations, observed.interviews) == (3, 1)
    assert observed.latest_interviews[0].learner_name == learner.full_name
    assert 'id="pengamatan-perilaku"' in report.text
    assert f"tentang {learner.full_name}" in report.text
    sign_in(client, session, settings, trainer)
    report = client.get(f"/pengajar/kursus/{course.code}/laporan")
    assert report.context["observed"].latest_interviews[0].learner_name is None
    assert report.context["observed"].latest_interviews[0].interviewer_name is None
    assert "Antrean panjang pada hari Senin." in report.text
    notes = report.text.split('id="wawancara-terbaru"')[1].split("</ul>")[0]
    assert "Antrean panjang" in notes and learner.full_name not in notes


def test_summary_without_observations_is_empty(session: Session, course: Course) -> None:
    summary = observation_summary.observation_summary(session, course.id, _behaviours(course))
    assert summary.observations == 0
    assert summary.average is None and summary.applied_share is None
    assert all(b.distribution == (0, 0, 0, 0) for b in summary.behaviours)


def test_a_named_supervisor_finds_the_observation_list_from_home(
    client: TestClient, session: Session, settings: Settings, learner: User, course: Course
) -> None:
    boss = learner_user(session, full_name="Bapak Kepala Bidang")
    sign_in(client, session, settings, boss)
    assert 'id="h-atasan"' not in client.get("/").text
    session.add(
        ActionPlan(
            user_id=learner.id,
            course_id=course.id,
            plan="Menyusun daftar periksa berkas layanan KTP di loket.",
            follow_up_on=utcnow().date(),
            supervisor_nip=boss.nip,
        )
    )
    session.commit()
    home = client.get("/")
    assert home.context["supervised"] == 1
    assert 'href="/pengamatan"' in home.text.split('id="h-atasan"')[1]


def test_the_audit_log_reads_observations_and_interviews_as_sentences() -> None:
    names = sentences.Names(users={5: "Andi Lamarauna"})
    for action, text in (
        ("evaluation.observation_recorded", "Rina mengisi pengamatan perilaku Andi Lamarauna"),
        ("evaluation.observation_updated", "Rina mengubah pengamatan perilaku Andi Lamarauna"),
        (
            "evaluation.interview_recorded",
            "Rina mencatat wawancara tindak lanjut tentang Andi Lamarauna",
        ),
    ):
        event = sentences.Event(action, "Rina", "observation", "1", {"user_id": 5}, names)
        assert sentences.sentence(event) == text
