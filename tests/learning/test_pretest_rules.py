"""The pre-test comes before studying: required first when the course says so, closed once a
module is opened, one attempt unless `maks_percobaan` says more, and the only baseline of gain
(app/learning/course_rules.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.content import store
from app.db import utcnow
from app.learning import course_rules
from app.learning.models import ModuleProgress, QuizAttempt
from tests.factories import csrf_token, login, make_user
from tests.learning.test_journey import _complete_all_modules, _take_quiz, enrol

BASE = "/kursus/PPP-101"
MODULE = "01-dasar-hukum-dan-asas"


def _republish(session: Session, content_copy: Path, yaml_extra: str = "", pretest=None) -> None:  # type: ignore[no-untyped-def]
    folder = content_copy / "pelayanan-publik-prima"
    if yaml_extra:
        course = folder / "kursus.yaml"
        course.write_text(course.read_text() + yaml_extra)
    if pretest is not None:
        path = folder / "tes-awal.md"
        path.write_text(pretest(path.read_text()))
    assert store.import_library(session, content_copy).published == ["PPP-101"]
    session.commit()


def _start(client: TestClient, key: str = "tes-awal"):  # type: ignore[no-untyped-def]
    token = csrf_token(client, f"{BASE}/tes/{key}")
    return client.post(f"{BASE}/tes/{key}/mulai", data={"csrf_token": token})


def test_required_pretest_comes_before_the_first_module(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    learner = make_user(session)
    login(client, learner)
    enrol(client)
    page = client.get(f"{BASE}/modul/{MODULE}")
    assert page.status_code == 303 and page.headers["location"] == f"{BASE}/tes/tes-awal"
    assert client.get(f"{BASE}/lanjutkan").headers["location"] == f"{BASE}/tes/tes-awal"
    info = client.get(f"{BASE}/tes/tes-awal")
    assert info.context["pretest_first"] is True
    course = client.get(BASE)
    assert course.context["pretest_pending"] is True
    mark = client.post(
        f"{BASE}/modul/{MODULE}/selesai",
        data={"csrf_token": csrf_token(client, BASE), "event_id": "early-event-1"},
    )
    assert mark.status_code == 409 and "Kerjakan tes awal terlebih dahulu" in mark.text
    assert client.get(f"{BASE}/offline.json").status_code == 409
    assert session.scalar(select(func.count()).select_from(ModuleProgress)) == 0

    _take_quiz(client, session, "tes-awal", correct=False)
    assert client.get(f"{BASE}/modul/{MODULE}").status_code == 200


def test_offline_mark_before_the_required_pretest_is_rejected_with_the_reason(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    login(client, make_user(session))
    token = client.get(BASE).text.split('name="csrf-token" content="')[1].split('"')[0]
    body = client.post(
        "/sinkron",
        json={"events": [{"id": "offline-pre01", "course": "PPP-101", "module": MODULE}]},
        headers={"X-CSRF-Token": token},
    ).json()
    assert body["rejected"] == {"offline-pre01": course_rules.pretest_pending_message()}
    assert session.scalar(select(ModuleProgress)) is None


def test_pretest_is_closed_once_a_module_has_been_opened(
    client: TestClient, session: Session, demo_content: store.ImportReport, content_copy: Path
) -> None:
    _republish(session, content_copy, "tes_awal_wajib: tidak\n")
    login(client, make_user(session))
    enrol(client)
    assert client.get(f"{BASE}/modul/{MODULE}").status_code == 200  # not required: open at once
    refused = _start(client)
    assert refused.status_code == 409
    assert "Tes awal sudah ditutup" in refused.text
    assert client.get(f"{BASE}/tes/tes-awal").context["pretest_closed"] is True
    assert session.scalar(select(func.count()).select_from(QuizAttempt)) == 0


def test_pretest_started_before_studying_cannot_be_submitted_after_opening_a_module(
    client: TestClient, session: Session, demo_content: store.ImportReport, content_copy: Path
) -> None:
    _republish(session, content_copy, "tes_awal_wajib: tidak\n")
    login(client, make_user(session))
    start = _start(client)
    assert start.status_code == 303
    client.get(f"{BASE}/modul/{MODULE}")
    token = csrf_token(client, start.headers["location"])
    sent = client.post(start.headers["location"], data={"csrf_token": token})
    assert sent.status_code == 409
    attempt = session.scalar(select(QuizAttempt))
    assert attempt is not None and attempt.submitted_at is None


def test_pretest_without_an_attempt_limit_allows_one_attempt(
    client: TestClient, session: Session, demo_content: store.ImportReport, content_copy: Path
) -> None:
    _republish(
        session,
        content_copy,
        pretest=lambda text: text.replace("maks_percobaan: 1\n", ""),
    )
    login(client, make_user(session))
    _take_quiz(client, session, "tes-awal", correct=False)
    second = _start(client)
    assert second.status_code == 409
    assert "sudah habis (1 kali)" in second.text
    assert client.get(f"{BASE}/tes/tes-awal").context["exhausted"] is True


def test_course_cannot_require_a_pretest_it_does_not_have(content_copy: Path) -> None:
    from app.content.format import loader

    folder = content_copy / "pelayanan-publik-prima"
    (folder / "tes-awal.md").unlink()
    course = folder / "kursus.yaml"
    course.write_text(course.read_text() + "tes_awal_wajib: ya\n")
    load = loader.load_course(folder, content_copy)
    assert load.course is None
    assert any("tidak memiliki tes-awal.md" in p.message for p in load.problems)


def test_gain_counts_only_a_pretest_submitted_before_the_first_module_was_opened(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    learner = make_user(session)
    login(client, learner)
    pre = _take_quiz(client, session, "tes-awal", correct=False)
    _complete_all_modules(client, session)
    _take_quiz(client, session, "tes-akhir", correct=True)
    gain = client.get(BASE).context["gain"]
    assert gain["pre"] is not None and gain["gain"] == 100 - gain["pre"]

    # A record from before the rule: the pre-test was submitted after studying began.
    assert pre.submitted_at is not None
    session.execute(
        update(ModuleProgress)
        .where(ModuleProgress.user_id == learner.id)
        .values(first_opened_at=pre.submitted_at - timedelta(minutes=5))
    )
    session.commit()
    gain = client.get(BASE).context["gain"]
    assert gain == {"pre": None, "post": 100, "gain": None}


def test_baseline_is_the_first_on_time_attempt_before_studying() -> None:
    now = utcnow()

    def attempt(number: int, minutes_ago: int, *, late: bool = False) -> QuizAttempt:
        return QuizAttempt(
            number=number,
            submitted_at=now - timedelta(minutes=minutes_ago),
            score=0.1 * number,
            late=late,
        )

    late_first, second, after = attempt(1, 50, late=True), attempt(2, 40), attempt(3, 10)
    opened = now - timedelta(minutes=30)
    assert course_rules.baseline_pretest([late_first, second, after], opened) is second
    assert course_rules.baseline_pretest([after], opened) is None
    assert course_rules.baseline_pretest([after], None) is after
