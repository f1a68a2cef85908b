"""The Kirkpatrick level-3 section of the trainer report: supervisors' answers are read
against the learners' own reports, and a contradiction is flagged, never counted as a
confirmation."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.db import utcnow
from app.evaluation.models import ActionPlan
from app.reports.course_report import CourseReport
from tests.reports.test_course_report import URL, Rows, owner_client  # noqa: F401

BOSS = "197503152000032002"


def _plan(rows: Rows, status: str | None, verdict: str | None = None, **extra: object) -> None:
    learner = rows.learner()
    answered = verdict is not None
    rows.session.add(
        ActionPlan(
            user_id=learner.id, course_id=rows.course.id, plan="Menyusun daftar periksa loket.",
            follow_up_on=date(2027, 1, 1), follow_up_status=status,
            follow_up_at=utcnow() if status else None,
            supervisor_name="Ibu Rahma" if answered else None,
            supervisor_nip=BOSS if answered else None,
            supervisor_verdict=verdict,
            supervisor_confirmed_at=utcnow() - timedelta(days=1) if answered else None,
            **extra,
        )
    )  # fmt: skip


def test_contradicted_pending_and_legacy_answers_are_shown_apart_from_confirmations(
    owner_client: TestClient,  # noqa: F811
    session: Session,
) -> None:
    rows = Rows(session)
    _plan(rows, "applied", "fully")  # confirmed
    _plan(rows, "partly", "partly")  # confirmed: a difference of degree at most
    _plan(rows, "not_applied", "fully")  # the learner says "belum", the atasan "sepenuhnya"
    _plan(rows, "applied", "none")  # the reverse
    # Waiting for the atasan:
    _plan(
        rows, "partly", supervisor_token_hash="c" * 64,
        supervisor_link_expires_at=utcnow() + timedelta(days=3),
    )  # fmt: skip
    _plan(rows, "not_applied", "fully", supervisor_legacy=True)  # from the old yes/no link
    session.commit()

    response = owner_client.get(URL)
    assert response.status_code == 200
    report: CourseReport = response.context["report"]
    ev = report.evaluation
    assert (ev.supervisor_confirmed, ev.supervisor_contradicted) == (2, 2)
    assert (ev.supervisor_pending, ev.supervisor_legacy) == (1, 1)
    assert dict(ev.supervisor_scale) == {"none": 1, "partly": 1, "mostly": 0, "fully": 2}

    page = response.text
    assert "2 dikonfirmasi atasan · 2 bertentangan" in page
    assert "Perhatian: 2 jawaban atasan bertentangan dengan laporan pegawai" in page
    section = page[page.index('id="konfirmasi-atasan"') : page.index('id="skala-atasan"')]
    for label, count in (
        ("Sesuai laporan pegawai (dikonfirmasi)", 2),
        ("Bertentangan dengan laporan pegawai (tidak dihitung sebagai konfirmasi)", 2),
        ("Menunggu jawaban atasan", 1),
        ("Konfirmasi lama tanpa pemeriksaan NIP atasan (tidak dihitung)", 1),
    ):
        assert f'{label}</th><td class="num">{count}</td>' in section
    scale = page[page.index('id="skala-atasan"') :]
    for label, count in (
        ("Tidak diterapkan", 1),
        ("Sebagian diterapkan", 1),
        ("Sebagian besar diterapkan", 0),
        ("Sepenuhnya diterapkan", 2),
    ):
        assert f'<th scope="row">{label}</th><td class="num">{count}</td>' in scale
    assert "2 sesuai laporan, 2 bertentangan, 1 menunggu" in page  # the reaction section


def test_without_supervisor_answers_the_section_says_nothing_is_flagged(
    owner_client: TestClient,  # noqa: F811
    session: Session,
) -> None:
    rows = Rows(session)
    _plan(rows, "applied")
    session.commit()
    response = owner_client.get(URL)
    report: CourseReport = response.context["report"]
    assert report.evaluation.supervisor_answers == 0
    assert 'id="konfirmasi-atasan"' not in response.text
    assert "bertentangan dengan laporan pegawai" not in response.text
