"""Reminders on the pages: the learner's settings, WhatsApp links for HR, HR's sent log."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import Role, User
from app.audit.models import AuditEvent
from app.config import Settings
from app.content import store
from app.db import utcnow
from app.evaluation.service import long_date
from app.reminders.models import ReminderDelivery
from tests.factories import csrf_token, login, make_user
from tests.reminders.helpers import assign


def _client(app: FastAPI, session: Session, user: User) -> TestClient:
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    login(client, user)
    return client


def _hr(app: FastAPI, session: Session) -> TestClient:
    return _client(app, session, make_user(session, roles={Role.HR}, unit_name="BKPSDM"))


def _actions(session: Session, user: User) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.target_type == "user", AuditEvent.target_id == str(user.id))
            .order_by(AuditEvent.id)
        )
    )


def test_a_learner_turns_email_reminders_off_and_gives_a_number_both_audited(
    app: FastAPI, session: Session
) -> None:
    learner = make_user(session, email="aisyah@palukota.go.id")
    client = _client(app, session, learner)

    page = client.get("/profil")
    assert page.status_code == 200
    assert page.context["email_reminders"] is True and page.context["phone"] == ""
    assert "Kirim pengingat ke email saya" in page.text
    assert "belum dapat mengirim email" in page.text  # no SMTP in the test settings

    saved = client.post(
        "/profil/pengingat",
        data={"csrf_token": csrf_token(client, "/profil"), "phone": "0812-3456-7890"},
    )

    assert saved.status_code == 303
    session.expire_all()
    user = session.get(User, learner.id)
    assert user is not None
    assert user.email_reminders_off is True and user.phone == "6281234567890"
    assert _actions(session, learner)[-2:] == ["user.phone_changed", "user.email_reminders_changed"]
    again = client.get("/profil?pengingat=disimpan")
    assert again.context["email_reminders"] is False
    assert again.context["phone"] == "+62 812-3456-7890"


def test_a_bad_number_on_the_profile_is_refused_with_a_message_and_nothing_changes(
    app: FastAPI, session: Session
) -> None:
    learner = make_user(session, email="b@palukota.go.id")
    client = _client(app, session, learner)

    refused = client.post(
        "/profil/pengingat",
        data={"csrf_token": csrf_token(client, "/profil"), "phone": "12345"},
    )

    assert refused.status_code == 400
    assert "Nomor HP &#39;12345&#39; tidak valid" in refused.text
    session.expire_all()
    user = session.get(User, learner.id)
    assert user is not None and user.phone is None and user.email_reminders_off is False
    assert "user.phone_changed" not in _actions(session, learner)


def test_the_whatsapp_link_on_the_overdue_list_carries_the_exact_message(
    app: FastAPI, session: Session, settings: Settings, demo_content: store.ImportReport
) -> None:
    learner = make_user(session, full_name="Rahmat Lasahido, S.E.")
    learner.phone = "6281234567890"
    without_phone = make_user(session)
    session.commit()
    due = clock.today() - timedelta(days=4)
    overdue = assign(session, learner, due)
    other = assign(session, without_phone, due)
    hr = _hr(app, session)

    listed = hr.get("/pegawai/penugasan/daftar", params={"terlambat": "1"})

    assert listed.status_code == 200
    links = listed.context["whatsapp"]
    assert other.id not in links  # no number known: no link
    link = urlsplit(links[overdue.id])
    assert (link.scheme, link.netloc, link.path) == ("https", "wa.me", "/6281234567890")
    [text] = parse_qs(link.query, strict_parsing=True)["text"]
    title = listed.context["page"].rows[0].course_title
    assert text == (
        "Yth. Bapak/Ibu Rahmat Lasahido, S.E.,\n\n"
        f"Pelatihan wajib “{title}” yang ditugaskan kepada Bapak/Ibu di Lentera telah melewati "
        f"tenggat pada {long_date(due)} dan belum selesai. Mohon kesediaan Bapak/Ibu untuk "
        "menyelesaikannya segera melalui tautan berikut:\n\n"
        f"{settings.base_url}/kursus/PPP-101\n\n"
        "Terima kasih.\n\n"
        f"{settings.issuer_name}"
    )
    # URL-encoded whole: no raw space, line break or quote mark in the link.
    assert " " not in links[overdue.id] and "\n" not in links[overdue.id]
    assert 'href="https://wa.me/6281234567890?text=' in listed.text


def test_hr_sets_a_number_on_the_person_page_and_gets_a_whatsapp_link_per_open_assignment(
    app: FastAPI, session: Session, demo_content: store.ImportReport
) -> None:
    learner = make_user(session)
    assign(session, learner, clock.today() + timedelta(days=2))
    hr = _hr(app, session)
    page = f"/pegawai/{learner.nip}"
    assert hr.get(page).context["whatsapp"] == {}

    bad = hr.post(f"{page}/nomor-hp", data={"csrf_token": csrf_token(hr, page), "phone": "08-12"})
    assert bad.status_code == 400 and "tidak valid" in bad.text
    saved = hr.post(
        f"{page}/nomor-hp", data={"csrf_token": csrf_token(hr, page), "phone": "+62 811 4500 123"}
    )

    assert saved.status_code == 303
    shown = hr.get(page)
    link = shown.context["whatsapp"]["PPP-101"]
    [text] = parse_qs(urlsplit(link).query)["text"]
    assert link.startswith("https://wa.me/628114500123?text=")
    assert "perlu diselesaikan paling lambat" in text  # due soon, not overdue
    assert "+62 811-4500-123" in shown.text
    assert _actions(session, learner)[-1] == "user.phone_changed"


def test_hr_reads_the_sent_log_latest_first_and_filters_by_status(
    app: FastAPI, session: Session
) -> None:
    learner = make_user(session, full_name="Penerima Pengingat", email="p@palukota.go.id")
    now = utcnow()
    for n, status in enumerate(["sent", "failed", "sent"]):
        session.add(
            ReminderDelivery(
                dedupe_key=f"k{n}", channel="email", kind="assignment_overdue",
                user_id=learner.id, recipient="p@palukota.go.id", subject=f"Subjek {n}",
                status=status, attempts=1 + n, created_at=now + timedelta(minutes=n),
                claimed_at=now,
                last_error="ConnectionRefusedError: x" if status == "failed" else None,
            )
        )  # fmt: skip
    session.commit()
    hr = _hr(app, session)

    everything = hr.get("/pengingat")
    failed = hr.get("/pengingat", params={"status": "failed"})

    assert everything.status_code == 200
    assert everything.template.name == "reminders/log.html"
    assert [r.subject for r in everything.context["page"].rows] == [
        "Subjek 2", "Subjek 1", "Subjek 0",
    ]  # fmt: skip
    assert everything.context["page"].rows[0].kind_label == "Pelatihan terlambat"
    assert [r.subject for r in failed.context["page"].rows] == ["Subjek 1"]
    assert "ConnectionRefusedError: x" in failed.text
    assert "Email belum dikonfigurasi di server" in everything.text


@pytest.mark.parametrize("roles", [{Role.LEARNER}, {Role.TRAINER}])
def test_the_sent_log_is_for_hr_only(app: FastAPI, session: Session, roles: set[Role]) -> None:
    client = _client(app, session, make_user(session, roles=roles))

    assert client.get("/pengingat").status_code == 403
