"""The supervisor's one-time link: bound to a named atasan, who proves it with their NIP; who
sees what, and every way it stops working."""

from datetime import timedelta
from urllib.parse import unquote

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.accounts.nip import display, mask
from app.audit.models import AuditEvent
from app.config import Settings
from app.content.models import Course
from app.db import utcnow
from app.evaluation import confirmation, supervisor, supervisor_answer
from app.evaluation.models import ActionPlan
from app.evaluation.service import local_today
from tests.evaluation.conftest import (
    CODE,
    GOOD_PLAN,
    LINK,
    SUPERVISOR_NAME,
    SUPERVISOR_NIP,
    answer,
    answer_nip,
    learner_user,
    link_token,
    open_follow_up,
    plan_of,
    post,
    sign_in,
    supervisor_form,
    survey_form,
    visitor,
)
from tests.factories import csrf_token

OTHER_NIP = "198001012005011003"  # structurally valid, nobody's


def _reported(
    client: TestClient, session: Session, user: User, course: Course, status: str = "applied"
) -> ActionPlan:
    """A plan whose follow-up is open and reported by the learner."""
    post(client, f"/kursus/{CODE}/rencana-aksi", {"plan": GOOD_PLAN})
    open_follow_up(session, user, course)
    assert post(client, f"/kursus/{CODE}/tindak-lanjut", {"status": status}).status_code == 303
    plan = plan_of(session, user, course)
    assert plan is not None
    return plan


def _new_link(client: TestClient, **form: str) -> str:
    response = post(client, LINK, supervisor_form(**form))
    assert response.status_code == 200, response.text
    return link_token(response.text)


# --- Creating the link: the learner names the supervisor -----------------------------------


def test_only_the_hash_of_the_token_is_stored(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    _reported(client, session, graduate, course)
    token = _new_link(client)
    plan = plan_of(session, graduate, course)
    assert plan is not None
    assert plan.supervisor_token_hash is not None
    assert token not in plan.supervisor_token_hash
    assert plan.supervisor_link_expires_at is not None
    assert timedelta(days=29) < plan.supervisor_link_expires_at - utcnow() <= timedelta(days=30)


def test_link_is_bound_to_the_named_supervisor_outside_the_roster(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    _reported(client, session, graduate, course)
    response = post(
        client,
        LINK,
        supervisor_form(supervisor_nip="19750315 200003 2 002", supervisor_jabatan="Camat"),
    )
    assert response.status_code == 200
    assert f"Tautan untuk {SUPERVISOR_NAME} sudah dibuat" in response.text
    plan = plan_of(session, graduate, course)
    assert plan is not None
    assert (plan.supervisor_nip, plan.supervisor_name, plan.supervisor_jabatan) == (
        SUPERVISOR_NIP,
        SUPERVISOR_NAME,
        "Camat",
    )
    assert plan.supervisor_nip_failures == 0


def test_supervisor_in_the_roster_is_recorded_with_the_rosters_name_and_jabatan(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    boss = learner_user(
        session, nip=OTHER_NIP, full_name="Drs. Rahman Lasoso", jabatan="Kepala Bidang Layanan"
    )
    _reported(client, session, graduate, course)
    response = post(
        client,
        LINK,
        {"supervisor_nip": boss.nip, "supervisor_name": "Pak Rahman", "supervisor_jabatan": ""},
    )
    assert response.status_code == 200
    assert "Tautan untuk Drs. Rahman Lasoso sudah dibuat" in response.text
    assert "Yth.%20Drs.%20Rahman%20Lasoso" in response.text  # the WhatsApp greeting
    plan = plan_of(session, graduate, course)
    assert plan is not None
    assert (plan.supervisor_nip, plan.supervisor_name, plan.supervisor_jabatan) == (
        OTHER_NIP,
        "Drs. Rahman Lasoso",
        "Kepala Bidang Layanan",
    )
    # In the roster, the name may be left out: Lentera knows it.
    assert post(client, LINK, {"supervisor_nip": boss.nip}).status_code == 200


def test_a_deactivated_account_is_not_taken_from_the_roster(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    learner_user(session, nip=OTHER_NIP, full_name="Pensiunan Lama", is_active=False)
    _reported(client, session, graduate, course)
    response = post(client, LINK, supervisor_form(supervisor_nip=OTHER_NIP))
    assert response.status_code == 200
    plan = plan_of(session, graduate, course)
    assert plan is not None
    assert (plan.supervisor_nip, plan.supervisor_name) == (OTHER_NIP, SUPERVISOR_NAME)


def test_supervisor_outside_the_roster_needs_a_name(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    _reported(client, session, graduate, course)
    response = post(client, LINK, {"supervisor_nip": SUPERVISOR_NIP})
    assert response.status_code == 400
    assert response.context["link_errors"] == {  # type: ignore[attr-defined]
        "supervisor_name": "NIP ini tidak ada dalam data pegawai Lentera, jadi nama atasan wajib "
        "diisi."
    }
    assert plan_of(session, graduate, course).supervisor_token_hash is None  # type: ignore[union-attr]


def test_supervisor_nip_is_validated_with_the_nip_rules_and_their_messages(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    _reported(client, session, graduate, course)
    for nip, message in (
        ("", "NIP atasan wajib diisi."),
        ("19750315", "NIP harus 18 digit; yang diisi 8 digit."),
        ("19750315200003200A", "NIP hanya boleh berisi angka 0–9."),
    ):
        response = post(client, LINK, supervisor_form(supervisor_nip=nip))
        assert response.status_code == 400
        assert response.context["link_errors"] == {"supervisor_nip": message}  # type: ignore[attr-defined]
        assert message in response.text
        assert f'value="{SUPERVISOR_NAME}"' in response.text  # the name is kept in the form
    assert plan_of(session, graduate, course).supervisor_token_hash is None  # type: ignore[union-attr]


def test_learners_own_nip_is_refused_as_supervisor(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    _reported(client, session, graduate, course)
    response = post(client, LINK, supervisor_form(supervisor_nip=display(graduate.nip)))
    assert response.status_code == 400
    assert "Ini NIP Anda sendiri." in response.text
    plan = plan_of(session, graduate, course)
    assert plan is not None
    assert (plan.supervisor_token_hash, plan.supervisor_nip) == (None, None)


def test_link_waits_for_the_learners_own_report(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    post(client, f"/kursus/{CODE}/rencana-aksi", {"plan": GOOD_PLAN})
    open_follow_up(session, graduate, course)
    page = client.get(f"/kursus/{CODE}/tindak-lanjut")
    assert 'name="supervisor_nip"' not in page.text
    refused = post(client, LINK, supervisor_form())
    assert refused.status_code == 409
    assert "Laporkan dahulu hasil penerapan" in refused.text
    assert plan_of(session, graduate, course).supervisor_token_hash is None  # type: ignore[union-attr]


# --- The link: the supervisor proves who they are ------------------------------------------


def test_supervisor_page_asks_for_the_nip_first_and_never_shows_a_nip(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    _reported(client, session, graduate, course)
    token = _new_link(client)
    phone = visitor(client)
    page = phone.get(f"/atasan/{token}")
    assert page.status_code == 200
    assert page.context["step"] == "nip"
    assert page.context["pending"].__class__ is supervisor_answer.SupervisorRequest
    assert graduate.full_name in page.text
    assert GOOD_PLAN not in page.text
    assert 'name="verdict"' not in page.text
    answered = answer_nip(phone, token)
    assert answered.context["step"] == "answer"  # type: ignore[attr-defined]
    assert GOOD_PLAN in answered.text
    for shown in (page, answered):
        for nip in (graduate.nip, SUPERVISOR_NIP):
            for form in (display(nip), mask(nip), nip[:8]):
                assert form not in shown.text.replace(f'value="{SUPERVISOR_NIP}"', "")
        assert shown.headers["cache-control"] == "no-store"
        assert shown.headers["referrer-policy"] == "no-referrer"
        assert "noindex" in shown.headers["x-robots-tag"]


def test_supervisor_answer_records_who_answered_the_verdict_and_when(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    _reported(client, session, graduate, course, status="applied")
    token = _new_link(client, supervisor_jabatan="Lurah Lere")
    before = utcnow()
    sent = answer(visitor(client), token, "mostly", comment="Loket lebih tertib.")
    assert sent.status_code == 303
    plan = plan_of(session, graduate, course)
    assert plan is not None
    assert (plan.supervisor_name, plan.supervisor_nip, plan.supervisor_jabatan) == (
        SUPERVISOR_NAME,
        SUPERVISOR_NIP,
        "Lurah Lere",
    )
    assert (plan.supervisor_verdict, plan.supervisor_comment) == ("mostly", "Loket lebih tertib.")
    assert plan.supervisor_confirmed_at is not None
    assert before <= plan.supervisor_confirmed_at <= utcnow()
    assert plan.supervisor_legacy is False
    page = client.get(f"/kursus/{CODE}/tindak-lanjut")
    assert "Sebagian besar diterapkan" in page.text and "Lurah Lere" in page.text


def test_wrong_nips_are_counted_and_the_link_locks_after_a_few(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    _reported(client, session, graduate, course)
    token = _new_link(client)
    phone = visitor(client)
    for left in range(confirmation.NIP_MAX_ATTEMPTS - 1, 0, -1):
        wrong = answer_nip(phone, token, OTHER_NIP)
        assert wrong.status_code == 400
        assert wrong.context["step"] == "nip"  # type: ignore[attr-defined]
        assert "tidak cocok dengan atasan yang ditunjuk" in wrong.text
        assert f"sisa percobaan: {left}." in wrong.text
        assert GOOD_PLAN not in wrong.text
    # A typo in the structure says what is wrong and costs no attempt.
    typo = answer_nip(phone, token, "1975")
    assert typo.status_code == 400 and "NIP harus 18 digit" in typo.text
    locked = answer_nip(phone, token, OTHER_NIP)
    assert locked.status_code == 409
    assert "Tautan ini dikunci" in locked.text
    # Locked: even the right NIP and a full answer are refused.
    assert answer_nip(phone, token).status_code == 409
    assert answer(phone, token, "fully").status_code == 409
    assert "Tautan ini dikunci" in phone.get(f"/atasan/{token}").text
    plan = plan_of(session, graduate, course)
    assert plan is not None
    assert plan.supervisor_nip_failures == confirmation.NIP_MAX_ATTEMPTS
    assert plan.supervisor_verdict is None
    assert session.scalar(
        select(AuditEvent.id).where(AuditEvent.action == "evaluation.supervisor_link_locked")
    )
    # The learner is told, and a new link starts afresh.
    assert "dikunci" in client.get(f"/kursus/{CODE}/tindak-lanjut").text
    fresh = _new_link(client)
    assert answer(phone, fresh, "fully").status_code == 303


def test_the_answer_step_checks_the_nip_again(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    _reported(client, session, graduate, course)
    token = _new_link(client)
    forged = answer(visitor(client), token, "fully", nip=OTHER_NIP)
    assert forged.status_code == 400
    plan = plan_of(session, graduate, course)
    assert plan is not None
    assert (plan.supervisor_verdict, plan.supervisor_nip_failures) == (None, 1)


def test_link_opened_in_the_learners_own_session_is_refused(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    _reported(client, session, graduate, course, status="not_applied")
    token = _new_link(client)
    # `client` carries the learner's login session, as their own phone would.
    opened = client.get(f"/atasan/{token}")
    assert opened.status_code == 403
    assert "Tautan ini untuk atasan Anda, bukan untuk Anda" in opened.text
    assert GOOD_PLAN not in opened.text
    self_confirmed = answer(client, token, "fully")  # even with the supervisor's NIP
    assert self_confirmed.status_code == 403
    plan = plan_of(session, graduate, course)
    assert plan is not None
    assert (plan.supervisor_verdict, plan.supervisor_confirmed_at) == (None, None)
    assert visitor(client).get(f"/atasan/{token}").status_code == 200  # still the atasan's


def test_a_supervisor_logged_in_with_their_own_account_may_answer(
    client: TestClient, session: Session, settings: Settings, graduate: User, course: Course
) -> None:
    boss = learner_user(session, nip=OTHER_NIP, full_name="Drs. Rahman Lasoso")
    _reported(client, session, graduate, course)
    token = _new_link(client, supervisor_nip=OTHER_NIP)
    phone = visitor(client)
    sign_in(phone, session, settings, boss)
    assert phone.get(f"/atasan/{token}").status_code == 200
    assert answer(phone, token, "partly", nip=OTHER_NIP).status_code == 303
    plan = plan_of(session, graduate, course)
    assert plan is not None
    assert (plan.supervisor_verdict, plan.supervisor_name) == ("partly", "Drs. Rahman Lasoso")


def test_answer_with_the_learners_own_nip_is_refused(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    _reported(client, session, graduate, course, status="not_applied")
    token = _new_link(client)
    phone = visitor(client)  # a private window: no session
    refused = answer_nip(phone, token, graduate.nip)
    assert refused.status_code == 403
    assert "NIP yang dimasukkan adalah NIP pegawai yang dinilai" in refused.text
    assert 'name="verdict"' not in refused.text
    assert answer(phone, token, "fully", nip=graduate.nip).status_code == 403
    plan = plan_of(session, graduate, course)
    assert plan is not None
    assert (plan.supervisor_verdict, plan.supervisor_nip_failures) == (None, 2)
    refusals = session.scalars(
        select(AuditEvent.target_id).where(
            AuditEvent.action == "evaluation.supervisor_self_confirmation_refused"
        )
    ).all()
    assert refusals == [str(plan.id), str(plan.id)]


# --- Every way a link stops working --------------------------------------------------------


def test_a_new_link_replaces_the_old_one(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    _reported(client, session, graduate, course)
    first = _new_link(client)
    second = _new_link(client)
    phone = visitor(client)
    old = phone.get(f"/atasan/{first}")
    assert old.status_code == 404
    assert "Tautan konfirmasi ini tidak berlaku" in old.text
    assert phone.get(f"/atasan/{second}").status_code == 200
    assert "berlaku sampai" in client.get(f"/kursus/{CODE}/tindak-lanjut").text


def test_unknown_and_expired_links_get_a_friendly_404(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    phone = visitor(client)
    for token in ("tidak-ada-tautan-seperti-ini-sama-sekali", "x" * 500):
        response = phone.get(f"/atasan/{token}")
        assert response.status_code == 404
        assert "Mohon minta tautan baru" in response.text
    _reported(client, session, graduate, course)
    token = _new_link(client)
    plan = plan_of(session, graduate, course)
    assert plan is not None
    plan.supervisor_link_expires_at = utcnow() - timedelta(minutes=1)
    session.commit()
    assert phone.get(f"/atasan/{token}").status_code == 404
    assert answer(phone, token, "fully").status_code == 404
    assert plan_of(session, graduate, course).supervisor_verdict is None  # type: ignore[union-attr]


def test_link_of_a_deactivated_learner_no_longer_works(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    _reported(client, session, graduate, course)
    token = _new_link(client)
    graduate.is_active = False
    session.commit()
    assert visitor(client).get(f"/atasan/{token}").status_code == 404


def test_supervisor_post_needs_the_csrf_token_and_a_valid_verdict(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    _reported(client, session, graduate, course)
    token = _new_link(client)
    phone = visitor(client)
    path = f"/atasan/{token}"
    no_csrf = {"langkah": "jawaban", "nip": SUPERVISOR_NIP, "verdict": "fully"}
    assert phone.post(path, data=no_csrf).status_code == 403
    missing = answer(phone, token, "", comment="Bagus.")
    assert missing.status_code == 400
    assert "Pilih penilaian Anda." in missing.text
    assert ">Bagus.</textarea>" in missing.text
    assert missing.context["step"] == "answer"  # type: ignore[attr-defined]
    for verdict, extra in (("confirmed", {}), ("applied", {}), ("fully", {"comment": "x" * 2001})):
        assert answer(phone, token, verdict, **extra).status_code == 400
    csrf = csrf_token(phone, "/masuk")
    twice = phone.post(
        path,
        content=f"csrf_token={csrf}&langkah=jawaban&nip={SUPERVISOR_NIP}&verdict=fully&verdict=none",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert twice.status_code == 400
    plan = plan_of(session, graduate, course)
    assert plan is not None
    assert plan.supervisor_confirmed_at is None
    assert plan.supervisor_nip_failures == 0  # bad answers are not wrong NIPs
    assert phone.get(path).status_code == 200  # still usable


def test_after_the_supervisor_answered_no_new_link_and_no_plan_edits(
    client: TestClient, session: Session, graduate: User, course: Course
) -> None:
    _reported(client, session, graduate, course)
    token = _new_link(client)
    phone = visitor(client)
    sent = answer(phone, token, "none")
    assert sent.status_code == 303
    thanked = phone.get(sent.headers["location"])
    assert "Terima kasih! Konfirmasi Anda sudah tersimpan." in thanked.text
    refused = post(client, LINK, supervisor_form())
    assert refused.status_code == 409
    assert "sudah memberikan konfirmasi" in refused.text
    edit = post(client, f"/kursus/{CODE}/rencana-aksi", {"plan": GOOD_PLAN + " Direvisi."})
    assert edit.status_code == 409
    assert "Tidak diterapkan" in client.get(f"/kursus/{CODE}/tindak-lanjut").text
    assert answer_nip(phone, token).status_code == 409


def test_whatsapp_message_is_polite_and_carries_the_link() -> None:
    settings = Settings(base_url="http://127.0.0.1:8000/", _env_file=None)
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
    _reported(client, session, graduate, course)
    assert post(client, f"/kursus/{CODE}/evaluasi", survey_form()).status_code == 303
