"""The whole path: complete a course, evaluate it, plan, follow up, and the supervisor confirms."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.content.models import Course
from app.evaluation.models import ReactionSurvey
from tests.evaluation.conftest import (
    CODE,
    GOOD_PLAN,
    LINK,
    SUPERVISOR_NIP,
    answer,
    answer_nip,
    link_token,
    open_follow_up,
    plan_of,
    post,
    supervisor_form,
    survey_form,
    visitor,
)


def test_learner_evaluates_plans_follows_up_and_the_supervisor_confirms_once(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    page = client.get(f"/kursus/{CODE}/evaluasi")
    assert page.status_code == 200
    assert page.template.name == "evaluation/evaluation.html"
    assert "1 — sangat tidak relevan" in page.text
    assert "<legend>Seberapa relevan kursus ini dengan pekerjaan Anda?</legend>" in page.text

    sent = post(client, f"/kursus/{CODE}/evaluasi", survey_form())
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/kursus/{CODE}/evaluasi?tersimpan=survei"
    assert "Evaluasi Anda sudah tersimpan" in client.get(sent.headers["location"]).text

    planned = post(
        client,
        f"/kursus/{CODE}/rencana-aksi",
        {"plan": GOOD_PLAN, "supervisor_name": "Ibu Nurhayati"},
    )
    assert planned.status_code == 303
    waiting = client.get(f"/kursus/{CODE}/tindak-lanjut")
    assert "Tindak lanjut dapat diisi mulai" in waiting.text
    assert 'name="status"' not in waiting.text

    open_follow_up(session, graduate, course)
    assert 'name="status"' in client.get(f"/kursus/{CODE}/tindak-lanjut").text
    reported = post(
        client,
        f"/kursus/{CODE}/tindak-lanjut",
        {"status": "partly", "note": "Daftar periksa dipakai di loket 1; loket 2 menyusul."},
    )
    assert reported.status_code == 303

    linked = post(client, LINK, supervisor_form(supervisor_name="Ibu Nurhayati"))
    assert linked.status_code == 200
    assert linked.headers["cache-control"] == "no-store"
    token = link_token(linked.text)
    assert f"http://127.0.0.1:8000/atasan/{token}" in linked.text
    assert "https://wa.me/?text=Yth.%20Ibu%20Nurhayati%2C" in linked.text

    supervisor = visitor(client)
    asked = supervisor.get(f"/atasan/{token}")
    assert asked.status_code == 200
    assert asked.context["step"] == "nip"
    assert graduate.full_name in asked.text
    assert GOOD_PLAN not in asked.text  # nothing of the plan before the NIP matches
    assert 'inputmode="numeric"' in asked.text

    shown = answer_nip(supervisor, token)
    assert shown.status_code == 200
    assert shown.context["step"] == "answer"  # type: ignore[attr-defined]
    for expected in (
        graduate.full_name,
        "Kecamatan Palu Barat",
        course.current_version.title,  # type: ignore[union-attr]
        GOOD_PLAN,
        "Sebagian diterapkan",
        "loket 2 menyusul",
        "Sebagian besar diterapkan",
        "Sepenuhnya diterapkan",
    ):
        assert expected in shown.text
    confirmed = answer(supervisor, token, "mostly", comment="Antrean di loket 1 lebih tertib.")
    assert confirmed.status_code == 303
    used = supervisor.get(f"/atasan/{token}")
    assert used.status_code == 200
    assert "sudah dipakai" in used.text
    assert GOOD_PLAN not in used.text  # a used link shows nothing of the learner any more

    again = answer(supervisor, token, "none")
    assert again.status_code == 409

    plan = plan_of(session, graduate, course)
    assert plan is not None
    assert (plan.follow_up_status, plan.supervisor_verdict) == ("partly", "mostly")
    assert plan.supervisor_comment == "Antrean di loket 1 lebih tertib."
    assert (plan.supervisor_name, plan.supervisor_nip) == ("Ibu Nurhayati", SUPERVISOR_NIP)
    assert plan.supervisor_confirmed_at is not None and not plan.supervisor_legacy
    survey = session.scalar(select(ReactionSurvey).where(ReactionSurvey.user_id == graduate.id))
    assert survey is not None
    assert (survey.relevance, survey.quality, survey.applicability) == (5, 4, 4)
    assert "Antrean di loket 1 lebih tertib." in client.get(f"/kursus/{CODE}/tindak-lanjut").text

    actions = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.action.like("evaluation.%"))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "evaluation.survey_submitted",
        "evaluation.action_plan_saved",
        "evaluation.follow_up_reported",
        "evaluation.supervisor_link_issued",
        "evaluation.supervisor_confirmed",
    ]
