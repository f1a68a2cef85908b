"""The learner reads what was observed about their own work: a line per completed course or
class on /riwayat, the details on their own page, and the same in their personal-data export;
nobody else's."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta
from typing import Any

from babel.dates import format_date
from fastapi.testclient import TestClient
from sqlalchemy import Connection, event, select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.config import Settings
from app.content.models import Course
from app.db import utcnow
from app.evaluation.models import ActionPlan, FollowUpInterview, Observation, ObservationRating
from app.evaluation.service import local_today
from app.learning.models import Completion
from app.privacy import service as privacy
from tests.evaluation.conftest import complete, learner_user, post, sign_in
from tests.evaluation.test_observation_classes import (
    BEHAVIOURS,
    finalised_class,
    interview_form,
    observation_form,
)

PAGE_BUDGET = 14 * 1024


def _short(day: date) -> str:
    return format_date(day, "d MMM y", locale="id")


def test_the_learner_reads_a_supervisors_observation_on_their_record_and_its_details(
    client: TestClient,
    session: Session,
    settings: Settings,
    learner: User,
    course: Course,
) -> None:
    done = complete(session, learner, course, at=utcnow() - timedelta(days=2))
    boss = learner_user(session, full_name="Ibu Kepala Seksi")
    session.add(
        ActionPlan(
            user_id=learner.id, course_id=course.id, plan="Menyusun daftar periksa berkas.",
            follow_up_on=utcnow().date(), supervisor_nip=boss.nip,
        )
    )  # fmt: skip
    session.commit()
    assert course.current_version is not None
    behaviours = course.current_version.observed_behaviours or []
    levels = [3] * (len(behaviours) - 1) + [4]
    sign_in(client, session, settings, boss)
    form = observation_form(levels, settings, note="Selalu menyapa warga lebih dahulu.")
    assert post(client, f"/pengamatan/{done.id}", form).status_code == 303
    assert (
        post(client, f"/pengamatan/{done.id}/wawancara", interview_form(settings)).status_code
        == 303
    )

    sign_in(client, session, settings, learner)
    record = client.get("/riwayat")
    assert record.status_code == 200
    mean = sum(levels) / len(levels)
    average = f"{mean:.1f}".replace(".", ",")
    today = _short(local_today(settings))
    assert f"Diamati oleh atasan pada {today}: rata-rata {average} dari 4" in record.text
    assert f'href="/riwayat/pengamatan/{done.id}"' in record.text

    page = client.get(f"/riwayat/pengamatan/{done.id}")
    assert page.status_code == 200
    assert len(page.content) <= PAGE_BUDGET
    assert "Oleh Ibu Kepala Seksi (atasan)" in page.text
    assert f"<dt>{behaviours[0]}</dt><dd>3 · Konsisten</dd>" in page.text
    assert f"<dt>{behaviours[-1]}</dt><dd>4 · Menjadi teladan</dd>" in page.text
    assert "Selalu menyapa warga lebih dahulu." in page.text
    assert "Menyapa setiap warga dan menjelaskan kekurangan berkas." in page.text  # interview
    assert "Ibu Kepala Seksi (atasan)" in page.text.split('id="h-wawancara"')[1]
    assert "<h1>" in page.text and 'aria-labelledby="h-pengamatan"' in page.text


def test_a_class_observation_shows_on_the_record_of_the_class(
    client: TestClient, session: Session, settings: Settings, learner: User
) -> None:
    trainer = learner_user(session, roles={Role.TRAINER}, full_name="Widyaiswara Kelas")
    row, done = finalised_class(session, learner, trainer=trainer)
    sign_in(client, session, settings, trainer)
    assert (
        post(client, f"/pengamatan/{done.id}", observation_form([2, 3], settings)).status_code
        == 303
    )
    sign_in(client, session, settings, learner)
    record = client.get("/riwayat").text
    entry = record.split(f"<h3>{row.title}</h3>")[1].split("</li>")[0]
    assert "Diamati oleh pengajar pada" in entry and "rata-rata 2,5 dari 4" in entry
    page = client.get(f"/riwayat/pengamatan/{done.id}")
    assert f"<dt>{BEHAVIOURS[1]}</dt><dd>3 · Konsisten</dd>" in page.text
    assert "Widyaiswara Kelas (pengajar)" in page.text


def test_nobody_reads_another_persons_observations_on_the_learner_page(
    client: TestClient, session: Session, settings: Settings, learner: User, course: Course
) -> None:
    done = complete(session, learner, course, at=utcnow() - timedelta(days=2))
    sign_in(client, session, settings, learner_user(session, roles={Role.HR}))
    behaviours = course.current_version.observed_behaviours or [] if course.current_version else []
    form = observation_form([2] * len(behaviours), settings, note="Catatan rahasia pengamat.")
    assert post(client, f"/pengamatan/{done.id}", form).status_code == 303
    # A colleague, and HR itself, get "not found" on the learner's page (HR reads /pengamatan).
    for other in (learner_user(session), learner_user(session, roles={Role.HR})):
        sign_in(client, session, settings, other)
        response = client.get(f"/riwayat/pengamatan/{done.id}")
        assert response.status_code == 404
        assert "Catatan rahasia pengamat." not in response.text
        assert f"/riwayat/pengamatan/{done.id}" not in client.get("/riwayat").text
    sign_in(client, session, settings, learner)
    assert client.get("/riwayat/pengamatan/999999").status_code == 404
    assert client.get(f"/riwayat/pengamatan/{done.id}").status_code == 200


def test_the_personal_data_export_holds_observations_and_interviews_of_a_class(
    client: TestClient, session: Session, settings: Settings, learner: User
) -> None:
    row, done = finalised_class(session, learner)
    sign_in(client, session, settings, learner_user(session, roles={Role.HR}))
    assert (
        post(client, f"/pengamatan/{done.id}", observation_form([4, 3], settings)).status_code
        == 303
    )
    assert (
        post(client, f"/pengamatan/{done.id}/wawancara", interview_form(settings)).status_code
        == 303
    )
    archive = privacy.export_archive(session, learner, actor_id=None, via="cli")
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        document = json.loads(opened.read("data.json"))
    [observed] = document["observations"]
    assert (observed["completion_id"], observed["subject"]) == (done.id, f"KELAS-{row.id}")
    assert observed["ratings"] == [
        {"behaviour": BEHAVIOURS[0], "level": 4},
        {"behaviour": BEHAVIOURS[1], "level": 3},
    ]
    [interview] = document["follow_up_interviews"]
    assert interview["subject"] == f"KELAS-{row.id}"
    assert interview["skills_applied"].startswith("Menyapa setiap warga")


def _observe(session: Session, done: Completion, observer: User, levels: list[int]) -> None:
    row = Observation(
        user_id=done.user_id, completion_id=done.id, observer_id=observer.id,
        observer_role="hr", observed_on=local_today(Settings()),
    )  # fmt: skip
    session.add(row)
    session.flush()
    session.add_all(
        ObservationRating(observation_id=row.id, position=n, behaviour=f"Perilaku {n}", level=lvl)
        for n, lvl in enumerate(levels, start=1)
    )
    session.add(
        FollowUpInterview(
            user_id=done.user_id, completion_id=done.id, interviewer_id=observer.id,
            interviewer_role="hr", interviewed_on=row.observed_on, interviewee="learner",
            skills_applied="Daftar periksa di loket.",
        )
    )  # fmt: skip
    session.commit()


def test_the_record_costs_the_same_statements_however_many_observed_completions(
    client: TestClient,
    session: Session,
    settings: Settings,
    connection: Connection,
    learner: User,
    course: Course,
) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        if "auth_generation" not in args[2] and "auth_sessions" not in args[2]:
            statements.append(args[2])

    codes = list(session.scalars(select(Course.code).order_by(Course.code)))  # demo courses
    courses = {c.code: c for c in session.scalars(select(Course))}
    hr = learner_user(session, roles={Role.HR})
    at = utcnow() - timedelta(days=2)
    _observe(session, complete(session, learner, courses[codes[0]], at=at), hr, [3, 4])
    sign_in(client, session, settings, learner)
    client.get("/riwayat")  # warm: the first request may load caches
    event.listen(connection, "before_cursor_execute", count)
    try:
        assert client.get("/riwayat").status_code == 200
        one = len(statements)
        for code in codes[1:3]:
            done = complete(session, learner, courses[code], at=at)
            _observe(session, done, hr, [2, 2])
            _observe(session, done, learner_user(session, roles={Role.HR}), [4, 4])
        _row, attended = finalised_class(session, learner)
        _observe(session, attended, hr, [1, 2])
        statements.clear()
        record = client.get("/riwayat")
        many = len(statements)
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert record.text.count('href="/riwayat/pengamatan/') == 4
    assert "(2 pengamatan)" in record.text
    assert many == one, statements
