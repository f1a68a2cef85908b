"""The supervisor's one-time link: who sees what, and every way it stops working."""

from datetime import timedelta
from urllib.parse import unquote

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.nip import display, mask
from app.config import Settings
from app.content.models import Course
from app.db import utcnow
from app.evaluation import supervisor
from app.evaluation.service import local_today
from tests.evaluation.conftest import (
    CODE,
    GOOD_PLAN,
    link_token,
    open_follow_up,
    plan_of,
    post,
    survey_form,
)
from tests.factories import csrf_token

LINK = f"/kursus/{CODE}/tindak-lanjut/tautan-atasan"


def _plan_with_open_follow_up(client: TestClient, session: Session, user: User, course: Course):  # type: ignore[no-untyped-def]
    post(client, f"/kursus/{CODE}/rencana-aksi", {"plan": GOOD_PLAN})
    return open_follow_up(session, user, course)


def _new_link(client: TestClient) -> str:
    response = post(client, LINK, {})
    assert response.status_code == 200
    return link_token(response.text)


def _visitor(client: TestClient) -> TestClient:
    """Someone without an account, on another phone."""
    return TestClient(client.app, base_url="http://testserver", follow_redirects=False)


def test_only_the_hash_of_the_token_is_stored(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    _plan_with_open_follow_up(client, session, graduate, course)
    token = _new_link(client)
    plan = plan_of(session, graduate, course)
    assert plan is not None
    assert plan.supervisor_token_hash is not None
    assert token not in plan.supervisor_token_hash
    assert plan.supervisor_link_expires_at is not None
    assert timedelta(days=29) < plan.supervisor_link_expires_at - utcnow() <= timedelta(days=30)


def test_supervisor_page_shows_the_plan_but_never_the_nip(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    _plan_with_open_follow_up(client, session, graduate, course)
    page = _visitor(client).get(f"/atasan/{_new_link(client)}")
    assert page.status_code == 200
    assert graduate.full_name in page.text
    assert GOOD_PLAN in page.text
    assert "Pegawai belum melaporkan hasil penerapannya." in page.text
    for form in (graduate.nip, display(graduate.nip), mask(graduate.nip), graduate.nip[:8]):
        assert form not in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "noindex" in page.headers["x-robots-tag"]
    assert page.context["pending"].__class__ is supervisor.SupervisorRequest  # type: ignore[attr-defined]


def test_a_new_link_replaces_the_old_one(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    _plan_with_open_follow_up(client, session, graduate, course)
    first = _new_link(client)
    second = _new_link(client)
    visitor = _visitor(client)
    old = visitor.get(f"/atasan/{first}")
    assert old.status_code == 404
    assert "Tautan konfirmasi ini tidak berlaku" in old.text
    assert visitor.get(f"/atasan/{second}").status_code == 200
    assert "berlaku sampai" in client.get(f"/kursus/{CODE}/tindak-lanjut").text


def test_unknown_and_expired_links_get_a_friendly_404(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    visitor = _visitor(client)
    for token in ("tidak-ada-tautan-seperti-ini-sama-sekali", "x" * 500):
        response = visitor.get(f"/atasan/{token}")
        assert response.status_code == 404
        assert "Mohon minta tautan baru" in response.text
    _plan_with_open_follow_up(client, session, graduate, course)
    token = _new_link(client)
    plan = plan_of(session, graduate, course)
    assert plan is not None
    plan.supervisor_link_expires_at = utcnow() - timedelta(minutes=1)
    session.commit()
    assert visitor.get(f"/atasan/{token}").status_code == 404
    refused = visitor.post(
        f"/atasan/{token}",
        data={"csrf_token": csrf_token(visitor, "/masuk"), "verdict": "confirmed"},
    )
    assert refused.status_code == 404
    assert plan_of(session, graduate, course).supervisor_verdict is None  # type: ignore[union-attr]


def test_link_of_a_deactivated_learner_no_longer_works(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    _plan_with_open_follow_up(client, session, graduate, course)
    token = _new_link(client)
    graduate.is_active = False
    session.commit()
    assert _visitor(client).get(f"/atasan/{token}").status_code == 404


def test_supervisor_post_needs_the_csrf_token_and_a_valid_verdict(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    _plan_with_open_follow_up(client, session, graduate, course)
    token = _new_link(client)
    visitor = _visitor(client)
    path = f"/atasan/{token}"
    assert visitor.post(path, data={"verdict": "confirmed"}).status_code == 403
    csrf = csrf_token(visitor, path)
    missing = visitor.post(path, data={"csrf_token": csrf, "comment": "Bagus."})
    assert missing.status_code == 400
    assert "Pilih penilaian Anda." in missing.text
    assert ">Bagus.</textarea>" in missing.text
    for bad in (
        {"verdict": "applied"},
        {"verdict": "confirmed", "comment": "x" * 2001},
    ):
        assert visitor.post(path, data={"csrf_token": csrf, **bad}).status_code == 400
    twice = visitor.post(
        path,
        content=f"csrf_token={csrf}&verdict=confirmed&verdict=not_seen",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert twice.status_code == 400
    plan = plan_of(session, graduate, course)
    assert plan is not None
    assert plan.supervisor_confirmed_at is None
    assert visitor.get(path).status_code == 200  # still usable


def test_after_the_supervisor_answered_no_new_link_and_no_plan_edits(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    _plan_with_open_follow_up(client, session, graduate, course)
    token = _new_link(client)
    visitor = _visitor(client)
    sent = visitor.post(
        f"/atasan/{token}",
        data={"csrf_token": csrf_token(visitor, "/masuk"), "verdict": "not_seen"},
    )
    assert sent.status_code == 303
    assert (
        "Terima kasih! Konfirmasi Anda sudah tersimpan."
        in visitor.get(sent.headers["location"]).text
    )
    refused = post(client, LINK, {})
    assert refused.status_code == 409
    assert "sudah memberikan konfirmasi" in refused.text
    edit = post(client, f"/kursus/{CODE}/rencana-aksi", {"plan": GOOD_PLAN + " Direvisi."})
    assert edit.status_code == 409
    page = client.get(f"/kursus/{CODE}/tindak-lanjut")
    assert "Belum terlihat" in page.text
    # The learner can still report their own follow-up afterwards.
    assert post(client, f"/kursus/{CODE}/tindak-lanjut", {"status": "partly"}).status_code == 303


def test_whatsapp_message_is_polite_and_carries_the_link() -> None:
    settings = Settings(base_url="http://127.0.0.1:8000/", _env_file=None)  # type: ignore[call-arg]
    url = supervisor.whatsapp_share_url(
        settings,
        "TOKEN123",
        learner_name="Andi Lamarauna",
        course_title="Pelayanan Publik Prima",
        supervisor_name=None,
        expires_on=local_today(settings),
    )
    assert url.startswith("https://wa.me/?text=")
    text = unquote(url.removeprefix("https://wa.me/?text="))
    assert text.startswith("Yth. Bapak/Ibu,")
    assert "Andi Lamarauna" in text
    assert "“Pelayanan Publik Prima”" in text
    assert "http://127.0.0.1:8000/atasan/TOKEN123" in text
    assert "Terima kasih" in text
    assert " " not in url and "\n" not in url


def test_survey_is_independent_of_the_supervisor_flow(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    # The plan and its follow-up do not require the survey, and vice versa.
    _plan_with_open_follow_up(client, session, graduate, course)
    assert post(client, f"/kursus/{CODE}/tindak-lanjut", {"status": "applied"}).status_code == 303
    assert post(client, f"/kursus/{CODE}/evaluasi", survey_form()).status_code == 303
