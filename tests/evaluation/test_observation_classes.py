"""Observation per class: a finalised class's attendees are observed like a course's learners
(same service, same rules), on the class's own behaviours when it stands alone, on the
course's when it delivers one; the behaviours a stand-alone class lists are validated."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.audit import sentences
from app.audit.models import AuditEvent
from app.classes import finalise, roll, service
from app.classes.models import ClassSession
from app.classes.service import SessionValues
from app.config import Settings
from app.content.models import Course
from app.db import utcnow
from app.evaluation import observation_summary
from app.evaluation.models import ActionPlan, FollowUpInterview, Observation, ObservationRating
from app.evaluation.service import local_today
from app.learning.models import Completion
from tests.evaluation.conftest import complete, learner_user, post, sign_in

BEHAVIOURS = [
    "Menyapa warga dan menanyakan keperluannya sebelum memeriksa berkas.",
    "Menjelaskan alasan bila berkas belum lengkap dengan bahasa yang jelas.",
]


def finalised_class(
    session: Session,
    learner: User,
    *,
    course: Course | None = None,
    behaviours: list[str] | None = BEHAVIOURS,
    trainer: User | None = None,
) -> tuple[ClassSession, Completion]:
    """A class held three days ago that `learner` attended, finalised (completion issued);
    `trainer`: its responsible trainer (HR scheduled it)."""
    row = held_class(session, learner, course=course, behaviours=behaviours, trainer=trainer)
    done = session.scalar(
        select(Completion).where(
            Completion.user_id == learner.id, Completion.class_session_id == row.id
        )
    )
    assert done is not None
    return row, done


def held_class(
    session: Session,
    learner: User,
    *,
    course: Course | None = None,
    behaviours: list[str] | None = BEHAVIOURS,
    trainer: User | None = None,
) -> ClassSession:
    """A class held three days ago that `learner` attended, finalised; `trainer`: its
    responsible trainer."""
    staff = learner_user(session, roles={Role.HR}, full_name="Penjadwal Kelas")
    start = utcnow() - timedelta(days=3)
    row = service.schedule(
        session,
        SessionValues(
            title="Pelatihan Pelayanan Prima", description="",
            course_id=course.id if course else None, jp=4, category="teknis",
            starts_at=start, ends_at=start + timedelta(hours=2), place="Aula BKPSDM",
            online_url="", capacity=5, registration="open", late_after_minutes=None,
            observed_behaviours=None if course else behaviours,
        ),
        actor_id=staff.id,
        trainer_id=trainer.id if trainer else None,
    )  # fmt: skip
    service.register(session, row, learner.id, actor_id=learner.id)
    roll.mark(session, row, learner.id, "present", minutes=None, actor_id=staff.id)
    finalise.finalise(session, row, actor_id=staff.id, now=utcnow(), min_percent=75)
    session.commit()
    return row


def observation_form(levels: list[int], settings: Settings, **extra: str) -> dict[str, str]:
    form = {f"perilaku-{n}": str(level) for n, level in enumerate(levels, start=1)}
    form["observed_on"] = local_today(settings).isoformat()
    form.update(extra)
    return form


def interview_form(settings: Settings) -> dict[str, str]:
    return {
        "interviewed_on": local_today(settings).isoformat(),
        "interviewee": "learner",
        "skills_applied": "Menyapa setiap warga dan menjelaskan kekurangan berkas.",
    }


@pytest.fixture
def attendee(session: Session) -> User:
    return learner_user(session, full_name="Andi Lamarauna", unit_name="Kecamatan Palu Barat")


def test_a_class_trainer_observes_an_attendee_from_the_roll_and_it_is_audited(
    client: TestClient, session: Session, settings: Settings, attendee: User
) -> None:
    trainer = learner_user(session, roles={Role.TRAINER}, full_name="Widyaiswara Kelas")
    row, done = finalised_class(session, attendee, trainer=trainer)
    # Another trainer is not this class's observer (nor its manager).
    sign_in(client, session, settings, learner_user(session, roles={Role.TRAINER}))
    assert client.get(f"/pengamatan/{done.id}").status_code == 403
    sign_in(client, session, settings, trainer)
    page = client.get(f"/kelas/{row.id}/kelola")
    assert page.status_code == 200
    assert f'href="/pengamatan/{done.id}"' in page.text
    form = client.get(f"/pengamatan/{done.id}")
    assert form.status_code == 200
    target = form.context["target"]
    assert (target.capacity, target.code, target.behaviours) == (
        "trainer",
        f"KELAS-{row.id}",
        tuple(BEHAVIOURS),
    )
    assert BEHAVIOURS[0] in form.text
    assert (
        post(client, f"/pengamatan/{done.id}", observation_form([3, 4], settings)).status_code
        == 303
    )
    assert (
        post(client, f"/pengamatan/{done.id}", observation_form([2, 4], settings)).status_code
        == 303
    )
    assert (
        post(client, f"/pengamatan/{done.id}/wawancara", interview_form(settings)).status_code
        == 303
    )

    observation = session.scalars(select(Observation)).one()  # edited, not added
    assert (observation.completion_id, observation.user_id, observation.observer_role) == (
        done.id,
        attendee.id,
        "trainer",
    )
    levels = session.scalars(select(ObservationRating.level).order_by(ObservationRating.position))
    assert list(levels) == [2, 4]
    assert session.scalars(select(FollowUpInterview.completion_id)).one() == done.id
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("evaluation.%")).order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == [
        "evaluation.observation_recorded",
        "evaluation.observation_updated",
        "evaluation.interview_recorded",
    ]
    assert events[0].details["subject"] == f"KELAS-{row.id}"
    assert events[0].details["class_session_id"] == row.id
    names = sentences.Names(users={attendee.id: attendee.full_name})
    event = sentences.Event(
        events[0].action, "Widyaiswara Kelas", "observation", "1", events[0].details, names
    )
    assert sentences.sentence(event) == (
        f"Widyaiswara Kelas mengisi pengamatan perilaku Andi Lamarauna untuk KELAS-{row.id}"
    )
    listed = client.get("/pengamatan", params={"kursus": f"KELAS-{row.id}"})
    assert [
        (r.completion_id, r.code, r.observed_by_me, r.interviews) for r in listed.context["rows"]
    ] == [(done.id, f"KELAS-{row.id}", True, 1)]


def test_the_attendee_cannot_observe_themself_and_a_colleague_is_refused(
    client: TestClient, session: Session, settings: Settings
) -> None:
    # Even with HR's role, the attendee cannot fill the evaluation of their own work.
    hr = learner_user(session, roles={Role.HR}, full_name="Pegawai BKPSDM")
    _row, done = finalised_class(session, hr)
    sign_in(client, session, settings, hr)
    assert client.get(f"/pengamatan/{done.id}").status_code == 403
    assert (
        post(client, f"/pengamatan/{done.id}", observation_form([4, 4], settings)).status_code
        == 403
    )
    assert (
        post(client, f"/pengamatan/{done.id}/wawancara", interview_form(settings)).status_code
        == 403
    )
    sign_in(client, session, settings, learner_user(session, full_name="Rekan Kerja"))
    assert client.get(f"/pengamatan/{done.id}").status_code == 403
    assert (
        post(client, f"/pengamatan/{done.id}", observation_form([4, 4], settings)).status_code
        == 403
    )
    assert client.get("/pengamatan").context["rows"] == []
    assert session.scalar(select(Observation.id)) is None
    assert session.scalar(select(FollowUpInterview.id)) is None


def test_the_supervisor_the_attendee_named_observes_a_stand_alone_class(
    client: TestClient, session: Session, settings: Settings, attendee: User, course: Course
) -> None:
    _row, done = finalised_class(session, attendee)
    boss = learner_user(session, full_name="Ibu Kepala Seksi")
    sign_in(client, session, settings, boss)
    assert client.get(f"/pengamatan/{done.id}").status_code == 403
    session.add(
        ActionPlan(
            user_id=attendee.id, course_id=course.id, plan="Menyusun daftar periksa berkas.",
            follow_up_on=utcnow().date(), supervisor_nip=boss.nip,
        )
    )  # fmt: skip
    session.commit()
    page = client.get(f"/pengamatan/{done.id}")
    assert page.status_code == 200 and page.context["target"].capacity == "supervisor"
    assert [r.completion_id for r in client.get("/pengamatan").context["rows"]] == [done.id]


def test_a_class_of_a_course_is_observed_on_the_courses_behaviours_and_counts_for_the_course(
    client: TestClient, session: Session, settings: Settings, attendee: User, course: Course
) -> None:
    trainer = learner_user(session, roles={Role.TRAINER})
    row, done = finalised_class(session, attendee, course=course, trainer=trainer)
    assert done.course_id == course.id and done.class_session_id == row.id
    assert course.current_version is not None
    behaviours = course.current_version.observed_behaviours or []
    sign_in(client, session, settings, trainer)
    assert f'href="/pengamatan/{done.id}"' in client.get(f"/kelas/{row.id}/kelola").text
    page = client.get(f"/pengamatan/{done.id}")
    assert page.context["target"].behaviours == tuple(behaviours)
    levels = [3] * len(behaviours)
    assert (
        post(client, f"/pengamatan/{done.id}", observation_form(levels, settings)).status_code
        == 303
    )
    summary = observation_summary.observation_summary(session, course.id, behaviours)
    assert (summary.observations, summary.learners_observed, summary.applied_share) == (1, 1, 1.0)


def test_an_attendee_who_completed_the_course_online_is_not_linked_from_the_roll(
    client: TestClient, session: Session, settings: Settings, attendee: User, course: Course
) -> None:
    online = complete(session, attendee, course, at=utcnow() - timedelta(days=5))
    trainer = learner_user(session, roles={Role.TRAINER})
    row = held_class(session, attendee, course=course, trainer=trainer)
    sign_in(client, session, settings, trainer)
    page = client.get(f"/kelas/{row.id}/kelola")
    assert page.status_code == 200 and "/pengamatan/" not in page.text
    # The class made no completion: the course's own trainers observe the online one.
    assert client.get(f"/pengamatan/{online.id}").status_code == 403


def test_a_stand_alone_class_without_behaviours_takes_interviews_only(
    client: TestClient, session: Session, settings: Settings, attendee: User
) -> None:
    _row, done = finalised_class(session, attendee, behaviours=None)
    sign_in(client, session, settings, learner_user(session, roles={Role.HR}))
    page = client.get(f"/pengamatan/{done.id}")
    assert "Kelas ini belum memiliki daftar perilaku yang diamati" in page.text
    assert (
        post(client, f"/pengamatan/{done.id}", observation_form([3], settings)).status_code == 403
    )
    assert (
        post(client, f"/pengamatan/{done.id}/wawancara", interview_form(settings)).status_code
        == 303
    )


# --- A stand-alone class's behaviours -----------------------------------------------------------


def _schedule_form(**overrides: str) -> dict[str, str]:
    fields = {
        "title": "Workshop Pelayanan Publik", "description": "", "course_code": "", "jp": "3",
        "category": "teknis", "day": "2026-12-20", "start": "08:00", "end": "12:00",
        "place": "Aula BKPSDM", "online_url": "", "capacity": "10", "registration": "open",
        "late_minutes": "", "behaviours": "\n".join(BEHAVIOURS),
    }  # fmt: skip
    fields.update(overrides)
    return fields


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("\n".join(f"Perilaku kerja yang terlihat nomor {n}." for n in range(11)), "11 butir"),
        ("Menyapa.", "Perilaku ke-1 terdiri dari 8 karakter"),
        ("x" * 201, "Perilaku ke-1 terdiri dari 201 karakter"),
        (f"{BEHAVIOURS[0]}\n\n  {BEHAVIOURS[0].upper()}  ", "sama dengan perilaku ke-1"),
    ],
)
def test_bad_behaviours_are_explained_and_change_nothing(
    client: TestClient, session: Session, settings: Settings, typed: str, message: str
) -> None:
    sign_in(client, session, settings, learner_user(session, roles={Role.TRAINER}))
    response = post(client, "/kelas/baru", _schedule_form(behaviours=typed))
    assert response.status_code == 400
    assert message in response.context["errors"]["behaviours"]  # type: ignore[attr-defined]
    assert session.scalars(select(ClassSession)).all() == []


def test_behaviours_are_kept_tidied_on_scheduling_edited_and_refused_for_a_course_class(
    client: TestClient, session: Session, settings: Settings, demo_content: Any
) -> None:
    sign_in(client, session, settings, learner_user(session, roles={Role.TRAINER}))
    typed = f"  {BEHAVIOURS[0]}  \n\n{BEHAVIOURS[1]}\n"
    created = post(client, "/kelas/baru", _schedule_form(behaviours=typed))
    assert created.status_code == 303
    row = session.scalars(select(ClassSession)).one()
    assert row.observed_behaviours == BEHAVIOURS
    edit = client.get(f"/kelas/{row.id}/ubah")
    assert edit.context["form"].behaviours == "\n".join(BEHAVIOURS)
    bad = post(client, f"/kelas/{row.id}/ubah", _schedule_form(behaviours="Pendek"))
    assert bad.status_code == 400
    session.expire_all()
    assert row.observed_behaviours == BEHAVIOURS
    course_class = post(client, "/kelas/baru", _schedule_form(course_code="PPP-101", jp=""))
    assert course_class.status_code == 400
    assert "perilaku_diamati kursus itu" in course_class.context["errors"]["behaviours"]  # type: ignore[attr-defined]
    assert len(session.scalars(select(ClassSession)).all()) == 1


def test_behaviours_can_be_set_after_finalising_by_staff_only_and_are_audited(
    client: TestClient, session: Session, settings: Settings, attendee: User
) -> None:
    trainer = learner_user(session, roles={Role.TRAINER})
    row, _done = finalised_class(session, attendee, behaviours=None, trainer=trainer)
    path = f"/kelas/{row.id}/perilaku"
    sign_in(client, session, settings, attendee)
    assert post(client, path, {"behaviours": BEHAVIOURS[0]}).status_code == 403
    sign_in(client, session, settings, trainer)
    page = client.get(f"/kelas/{row.id}/kelola")
    assert 'id="h-perilaku"' in page.text
    bad = post(client, path, {"behaviours": "Pendek"})
    assert bad.status_code == 400 and "terdiri dari 6 karakter" in bad.text
    session.expire_all()
    assert row.observed_behaviours is None
    assert post(client, path, {"behaviours": "\n".join(BEHAVIOURS)}).status_code == 303
    session.expire_all()
    assert row.observed_behaviours == BEHAVIOURS
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "class.behaviours_set")
    ).one()
    assert (event.actor_id, event.details["count"]) == (trainer.id, 2)
