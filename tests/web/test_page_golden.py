"""The learner's busiest pages, rendered from fixed data, pinned in golden HTML files.

Performance work on the hot path (session resolution, middleware, queries, caching) must not
change a byte of what a learner sees. This renders the learner home, the catalogue, a module
page, a course page and the quiz pages for one learner part-way through PPP-101, and compares
the HTML with `tests/web/golden_pages/*.html` after normalising what differs per request (CSRF
tokens, per-view event ids, attempt times). After a deliberate change to a template or page,
regenerate them with `UPDATE_GOLDEN=1` (or `LENTERA_UPDATE_GOLDEN=1`) and review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app import clock
from app.content import store
from app.learning import quizzes
from tests.factories import csrf_token, login, make_user, nip
from tests.learning.test_journey import _open_module, _take_quiz

GOLDEN_DIR = Path(__file__).parent / "golden_pages"
UPDATE = "1" in (os.environ.get("UPDATE_GOLDEN"), os.environ.get("LENTERA_UPDATE_GOLDEN"))

# What legitimately differs between two renders of the same page.
_VOLATILE = [
    (re.compile(r'name="csrf_token" value="[^"]+"'), 'name="csrf_token" value="CSRF"'),
    (re.compile(r'name="event_id" value="[^"]+"'), 'name="event_id" value="EVENT"'),
    (re.compile(r'data-csrf="[^"]+"'), 'data-csrf="CSRF"'),
    (re.compile(r'(<meta name="csrf-token" content=)"[^"]+"'), r'\1"CSRF"'),
    # The account id: on PostgreSQL it depends on the tests that ran before in the session.
    (re.compile(r'data-user="\d+"'), 'data-user="USER"'),
    # Clock times (attempt started/submitted, deadlines) move with the test's own clock.
    (re.compile(r"\b\d{1,2}[.:]\d{2}( WITA)?\b"), "HH.MM"),
    (re.compile(r'datetime="[^"]+"'), 'datetime="T"'),
]


def normalise(html: str) -> str:
    for pattern, replacement in _VOLATILE:
        html = pattern.sub(replacement, html)
    # "Capaian JP tahun 2026": the current year, whenever the test runs.
    year = str(clock.today().year)
    return re.sub(rf"\b{year}\b", "YEAR", html)


def _check(name: str, html: str) -> None:
    path = GOLDEN_DIR / f"{name}.html"
    text = normalise(html)
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden {path.name}: run with UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        import difflib

        diff = "".join(
            list(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    f"golden/{name}.html",
                    "rendered",
                )
            )[:80]
        )
        pytest.fail(f"{name} differs from its golden file (UPDATE_GOLDEN=1 to accept):\n{diff}")


def test_learner_pages_render_exactly_their_golden_html(
    client: TestClient,
    session: Session,
    demo_content: store.ImportReport,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The draw of questions and options is seeded per attempt: a fixed seed, a fixed page.
    monkeypatch.setattr(quizzes, "secrets", SimpleNamespace(token_hex=lambda n: "5" * 2 * n))
    learner = make_user(
        session,
        nip=nip(birth="19880412", appointed="201001", gender="2", seq=17),
        full_name="Sitti Rahmawati Lamarauna",
        unit_name="Dinas Kesehatan",
        jabatan="Analis Kebijakan",
        golongan="III/c",
    )
    login(client, learner)
    token = csrf_token(client, "/kursus/PPP-101")
    assert client.post("/kursus/PPP-101/ikuti", data={"csrf_token": token}).status_code == 303
    _take_quiz(client, session, "tes-awal", correct=False)
    module_html = _open_module(client, session, "PPP-101", "01-dasar-hukum-dan-asas")

    pages = {
        "home": client.get("/"),
        "catalogue": client.get("/kursus"),
        "course": client.get("/kursus/PPP-101"),
        "quiz-info": client.get("/kursus/PPP-101/tes/tes-akhir"),
        "pretest-result": client.get("/kursus/PPP-101/tes/tes-awal/1"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, (name, response.status_code)
        _check(name, response.text)
    _check("module", module_html)
    # The second view of the same module (already opened: no first-open write) is the same page.
    again = client.get("/kursus/PPP-101/modul/01-dasar-hukum-dan-asas")
    assert normalise(again.text) == normalise(module_html)

    # A practice quiz's attempt form, then the same form sent with its multiple-answer and short
    # questions left empty: kept answers and the "not answered" confirmation (the revealed
    # result's options are pinned by pretest-result).
    practice = "/kursus/PPP-101/tes/01-dasar-hukum-dan-asas"
    token = csrf_token(client, practice)
    start = client.post(f"{practice}/mulai", data={"csrf_token": token}, follow_redirects=False)
    assert start.status_code == 303, start.text
    form = client.get(start.headers["location"])
    assert form.status_code == 200
    _check("practice-attempt", form.text)
    answers = dict(re.findall(r'name="(q-[^"]+)" value="([^"]+)" type="radio"', form.text))
    sent = client.post(start.headers["location"], data={"csrf_token": token, **answers})
    assert sent.status_code == 200 and 'id="belum-dijawab"' in sent.text
    _check("practice-confirm", sent.text)
