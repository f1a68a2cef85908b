"""The learner's pages: who may use them, and every way a submission is refused."""

from datetime import UTC, date, datetime

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.config import Settings
from app.content.models import Course
from app.evaluation.models import ActionPlan, ReactionSurvey
from app.evaluation.routes import router
from app.web.deps import require_user
from tests.evaluation.conftest import (
    CODE,
    GOOD_PLAN,
    complete,
    learner_user,
    open_follow_up,
    plan_of,
    post,
    sign_in,
    survey_form,
)

NOT_COMPLETED = "Evaluasi dapat diisi setelah Anda menyelesaikan kursus ini."


def _count(session: Session, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_only_the_supervisor_page_is_open_without_a_login(app: FastAPI) -> None:
    public = {
        route.path
        for route in router.routes
        if isinstance(route, APIRoute)
        and require_user not in {dep.call for dep in route.dependant.dependencies}
    }
    assert public == {"/atasan/{token}"}


def test_anonymous_visitors_are_sent_to_the_login_page(client: TestClient, course: Course) -> None:
    for path in (f"/kursus/{CODE}/evaluasi", f"/kursus/{CODE}/tindak-lanjut"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/masuk?next=")


def test_without_a_completion_every_page_and_form_is_forbidden_with_a_clear_message(
    client: TestClient, session: Session, settings: Settings, learner: User, course: Course
) -> None:
    sign_in(client, session, settings, learner)
    for path in (f"/kursus/{CODE}/evaluasi", f"/kursus/{CODE}/tindak-lanjut"):
        response = client.get(path)
        assert response.status_code == 403
        assert NOT_COMPLETED in response.text
    for path, form in (
        (f"/kursus/{CODE}/evaluasi", survey_form()),
        (f"/kursus/{CODE}/rencana-aksi", {"plan": GOOD_PLAN}),
        (f"/kursus/{CODE}/tindak-lanjut", {"status": "applied"}),
        (f"/kursus/{CODE}/tindak-lanjut/tautan-atasan", {}),
    ):
        assert post(client, path, form).status_code == 403
    assert _count(session, ReactionSurvey) == 0
    assert _count(session, ActionPlan) == 0


def test_unknown_course_is_not_found(client: TestClient, graduate: User) -> None:
    assert client.get("/kursus/TIDAK-ADA/evaluasi").status_code == 404


def test_posts_without_the_csrf_token_are_refused(
    client: TestClient, session: Session, graduate: User
) -> None:
    response = client.post(f"/kursus/{CODE}/evaluasi", data=survey_form())
    assert response.status_code == 403
    assert _count(session, ReactionSurvey) == 0


def test_a_second_survey_says_it_was_already_recorded_and_changes_nothing(
    client: TestClient, session: Session, graduate: User
) -> None:
    assert post(client, f"/kursus/{CODE}/evaluasi", survey_form()).status_code == 303
    again = post(client, f"/kursus/{CODE}/evaluasi", survey_form(relevance="1", comment="Lagi"))
    assert again.status_code == 409
    assert "sudah tercatat sebelumnya" in again.text
    # Even an invalid repeat is told it was recorded, not asked to fix fields it cannot send.
    assert post(client, f"/kursus/{CODE}/evaluasi", {"relevance": "9"}).status_code == 409
    session.expire_all()
    survey = session.scalar(select(ReactionSurvey))
    assert survey is not None
    assert (survey.relevance, survey.comment) == (5, "Sangat berguna.")
    assert _count(session, ReactionSurvey) == 1


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (survey_form(relevance=""), "Pilih nilai 1 sampai 5 untuk relevansi."),
        (survey_form(quality="0"), "Nilai mutu kursus harus salah satu dari 1, 2, 3, 4, atau 5."),
        (survey_form(applicability="6"), "Nilai kemudahan penerapan harus salah satu dari 1"),
        (survey_form(quality="baik"), "Nilai mutu kursus harus salah satu dari 1"),
        (survey_form(comment="x" * 2001), "Komentar terlalu panjang: 2001 karakter"),
        ([*survey_form().items(), ("quality", "1")], "terkirim lebih dari sekali"),
    ],
)
def test_bad_survey_input_is_refused_with_a_specific_message_and_saves_nothing(
    client: TestClient,
    session: Session,
    graduate: User,
    form: dict[str, str] | list[tuple[str, str]],
    message: str,
) -> None:
    response = post(client, f"/kursus/{CODE}/evaluasi", form)
    assert response.status_code == 400
    assert message in response.text
    assert 'role="alert"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert _count(session, ReactionSurvey) == 0
    assert _evaluation_events(session) == 0


def _evaluation_events(session: Session) -> int:
    query = select(func.count()).where(AuditEvent.action.like("evaluation.%"))
    return session.scalar(query) or 0


def test_survey_answers_are_kept_in_the_form_after_an_error(
    client: TestClient, graduate: User
) -> None:
    response = post(
        client, f"/kursus/{CODE}/evaluasi", survey_form(relevance="", comment="Catatan saya")
    )
    assert response.status_code == 400
    assert 'id="f-quality-4" name="quality" value="4" checked' in response.text
    assert ">Catatan saya</textarea>" in response.text


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"plan": ""}, "Rencana aksi wajib diisi."),
        ({"plan": "Arsip rapi."}, "Rencana aksi terlalu singkat: 11 karakter"),
        ({"plan": "x" * 2001}, "Rencana aksi terlalu panjang: 2001 karakter"),
        ({"plan": GOOD_PLAN, "supervisor_name": "x" * 201}, "Nama atasan terlalu panjang"),
        ([("plan", GOOD_PLAN), ("plan", "Rencana lain yang cukup panjang.")], "lebih dari sekali"),
    ],
)
def test_bad_action_plan_input_is_refused_and_saves_nothing(
    client: TestClient,
    session: Session,
    graduate: User,
    form: dict[str, str] | list[tuple[str, str]],
    message: str,
) -> None:
    response = post(client, f"/kursus/{CODE}/rencana-aksi", form)
    assert response.status_code == 400
    assert message in response.text
    assert _count(session, ActionPlan) == 0


def test_follow_up_date_is_the_completion_day_in_wita_plus_the_setting(
    client: TestClient, session: Session, settings: Settings, learner: User, course: Course
) -> None:
    # 17.30 UTC on 1 March is 01.30 WITA on 2 March: the plan counts from 2 March.
    complete(session, learner, course, at=datetime(2026, 3, 1, 17, 30, tzinfo=UTC))
    sign_in(client, session, settings, learner)
    assert post(client, f"/kursus/{CODE}/rencana-aksi", {"plan": GOOD_PLAN}).status_code == 303
    plan = plan_of(session, learner, course)
    assert plan is not None
    assert plan.follow_up_on == date(2026, 4, 1)  # 2 March + 30 days


def test_the_plan_can_be_edited_until_the_follow_up_is_reported(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    post(client, f"/kursus/{CODE}/rencana-aksi", {"plan": GOOD_PLAN})
    first = plan_of(session, graduate, course)
    assert first is not None
    follow_up_on = first.follow_up_on
    edited = "Membuat papan informasi alur layanan akta kelahiran di ruang tunggu."
    page = client.get(f"/kursus/{CODE}/evaluasi")
    assert GOOD_PLAN in page.text
    assert "Perbarui rencana aksi" in page.text
    response = post(
        client, f"/kursus/{CODE}/rencana-aksi", {"plan": edited, "supervisor_name": "Pak Rahman"}
    )
    assert response.status_code == 303
    plan = plan_of(session, graduate, course)
    assert plan is not None
    assert (plan.plan, plan.supervisor_name, plan.follow_up_on) == (
        edited,
        "Pak Rahman",
        follow_up_on,
    )
    assert _count(session, ActionPlan) == 1

    open_follow_up(session, graduate, course)
    post(client, f"/kursus/{CODE}/tindak-lanjut", {"status": "applied"})
    locked = post(client, f"/kursus/{CODE}/rencana-aksi", {"plan": GOOD_PLAN})
    assert locked.status_code == 409
    assert "tidak dapat diubah lagi" in locked.text
    plan = plan_of(session, graduate, course)
    assert plan is not None
    assert plan.plan == edited
    page = client.get(f"/kursus/{CODE}/evaluasi")
    assert f'action="/kursus/{CODE}/rencana-aksi"' not in page.text


def test_follow_up_without_a_plan_points_to_the_plan_form(
    client: TestClient, session: Session, graduate: User
) -> None:
    page = client.get(f"/kursus/{CODE}/tindak-lanjut")
    assert page.status_code == 200
    assert "Anda belum membuat rencana aksi" in page.text
    response = post(client, f"/kursus/{CODE}/tindak-lanjut", {"status": "applied"})
    assert response.status_code == 409
    link = post(client, f"/kursus/{CODE}/tindak-lanjut/tautan-atasan", {})
    assert link.status_code == 409


def test_follow_up_before_its_date_says_when_it_opens_and_saves_nothing(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    post(client, f"/kursus/{CODE}/rencana-aksi", {"plan": GOOD_PLAN})
    response = post(client, f"/kursus/{CODE}/tindak-lanjut", {"status": "applied"})
    assert response.status_code == 409
    assert "Tindak lanjut baru dapat diisi mulai" in response.text
    early_link = post(client, f"/kursus/{CODE}/tindak-lanjut/tautan-atasan", {})
    assert early_link.status_code == 409
    plan = plan_of(session, graduate, course)
    assert plan is not None
    assert plan.follow_up_status is None
    assert plan.supervisor_token_hash is None


def test_follow_up_is_reported_once_and_bad_input_is_refused(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    post(client, f"/kursus/{CODE}/rencana-aksi", {"plan": GOOD_PLAN})
    open_follow_up(session, graduate, course)
    path = f"/kursus/{CODE}/tindak-lanjut"
    missing = post(client, path, {"note": "Belum sempat."})
    assert missing.status_code == 400
    assert "Pilih hasil penerapan." in missing.text
    assert ">Belum sempat.</textarea>" in missing.text
    assert post(client, path, {"status": "sebagian"}).status_code == 400
    assert post(client, path, {"status": "applied", "note": "x" * 2001}).status_code == 400
    assert post(client, path, [("status", "applied"), ("status", "partly")]).status_code == 400
    plan = plan_of(session, graduate, course)
    assert plan is not None
    assert plan.follow_up_status is None

    assert post(client, path, {"status": "not_applied"}).status_code == 303
    again = post(client, path, {"status": "applied"})
    assert again.status_code == 409
    assert "sudah dilaporkan" in again.text
    plan = plan_of(session, graduate, course)
    assert plan is not None
    assert (plan.follow_up_status, plan.follow_up_note) == ("not_applied", None)


def test_a_learner_only_ever_sees_their_own_answers(
    client: TestClient, session: Session, settings: Settings, graduate: User, course: Course
) -> None:
    post(client, f"/kursus/{CODE}/evaluasi", survey_form(comment="Komentar milik Andi"))
    post(client, f"/kursus/{CODE}/rencana-aksi", {"plan": GOOD_PLAN})
    other = learner_user(session)
    complete(session, other, course)
    sign_in(client, session, settings, other)
    page = client.get(f"/kursus/{CODE}/evaluasi")
    assert page.status_code == 200
    assert "Komentar milik Andi" not in page.text
    assert GOOD_PLAN not in page.text
    assert 'name="relevance"' in page.text  # their own survey is still to be filled in
