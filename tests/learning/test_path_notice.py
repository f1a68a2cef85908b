"""A learning path file with problems at start-up reaches the trainers' content page and HR's
paths page (kept in the database, so every worker shows it), not only the server log; the path
it names stays as it was, and a clean load clears the warning."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import Role
from app.content import path_problems, store
from app.content.models import ContentProblemReport
from app.learning import path_reload
from app.learning.models import LearningPath
from app.main import load_content
from tests.conftest import CONTENT_DIR
from tests.factories import login, make_user

FILE = "content/jalur/orientasi-pppk-baru.yaml"
# The demo file with its `tenggat_hari` line (line 10) made invalid.
BROKEN_LINE = "tenggat_hari: enam puluh"
NOTICE = "Berkas jalur belajar bermasalah:"


@pytest.fixture
def content(app: FastAPI, tmp_path: Path) -> Iterator[Path]:
    """A writable demo content folder that the app loads at start-up."""
    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    app.state.settings = app.state.settings.model_copy(update={"content_dir": folder})
    yield folder


def _page(app: FastAPI, session: Session, roles: set[Role], url: str) -> tuple[int, str]:
    user = make_user(session, roles=roles)
    session.commit()
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        login(client, user)
        response = client.get(url)
    return response.status_code, response.text


def _break(content: Path) -> Path:
    file = content / "jalur" / "orientasi-pppk-baru.yaml"
    text = file.read_text(encoding="utf-8")
    file.write_text(text.replace("tenggat_hari: 60", BROKEN_LINE), encoding="utf-8")
    return file


def test_a_broken_path_file_at_start_up_is_shown_to_trainers_and_hr_until_fixed(
    app: FastAPI, session: Session, content: Path
) -> None:
    load_content(app)  # the good file: its path is made
    good = session.scalars(select(LearningPath)).one()
    path_id, due_days = good.id, good.due_days
    file = _break(content)

    load_content(app)  # a restart with the broken file

    session.expire_all()
    kept = session.scalars(select(LearningPath)).one()
    assert (kept.id, kept.due_days, kept.source_file) == (path_id, due_days, "orientasi-pppk-baru")
    expected = f"{FILE} baris 10: Isi tenggat_hari harus angka bulat"
    for roles, url in (
        ({Role.TRAINER}, "/pengajar"),
        ({Role.HR}, "/pegawai/jalur"),
        ({Role.ADMIN}, "/pengajar"),
    ):
        status, text = _page(app, session, roles, url)
        assert status == 200, (roles, url)
        assert NOTICE in text and expected in text, (roles, url)
        assert "tetap berlaku seperti sebelumnya" in text
    # A learner reaches neither page and is told nothing on their own home page.
    for url in ("/pengajar", "/pegawai/jalur"):
        assert _page(app, session, set(), url)[0] == 403
    assert NOTICE not in _page(app, session, set(), "/")[1]

    file.write_text(file.read_text(encoding="utf-8").replace(BROKEN_LINE, "tenggat_hari: 45"))
    load_content(app)  # fixed: the path follows the file and the warning is gone

    session.expire_all()
    assert session.scalars(select(LearningPath.due_days)).one() == 45
    assert path_problems.latest(session) is None
    for roles, url in (({Role.TRAINER}, "/pengajar"), ({Role.HR}, "/pegawai/jalur")):
        status, text = _page(app, session, roles, url)
        assert status == 200 and NOTICE not in text


def test_the_path_problems_survive_a_course_import_and_stay_off_the_course_list(
    app: FastAPI, session: Session, content: Path
) -> None:
    _break(content)
    (content / "jalur" / "catatan.txt").write_text("bukan jalur", encoding="utf-8")
    load_content(app)

    # A later course import (another worker's start-up does one) keeps the paths' row.
    store.import_library(session, content)
    session.commit()
    found = path_problems.latest(session)
    assert found is not None
    assert [(p.path, p.line, p.severity) for p in found.problems] == [
        ("jalur/catatan.txt", None, "warning"),
        ("jalur/orientasi-pppk-baru.yaml", 10, "error"),
    ]
    status, text = _page(app, session, {Role.TRAINER}, "/pengajar")
    assert status == 200
    assert "content/jalur/catatan.txt: (peringatan) Berkas ini diabaikan" in text
    # Not listed as a broken course folder ("jalur" is not a course).
    assert "<h3>jalur</h3>" not in text
    assert "Materi di folder content/ yang tidak dimuat" not in text


def test_a_unit_the_roster_does_not_know_is_kept_with_its_line(
    session: Session, demo_content: store.ImportReport, tmp_path: Path
) -> None:
    folder = tmp_path / "jalur"
    folder.mkdir()
    (folder / "lere.yaml").write_text(
        "nama: Lere\nkursus: [PPP-101]\ntenggat_hari: 30\nunit_kerja: Kelurahan Entah\n",
        encoding="utf-8",
    )
    path_reload.reload_paths(session, tmp_path, today=clock.today())
    found = path_problems.latest(session)
    assert found is not None
    [problem] = found.problems
    assert (problem.path, problem.line) == ("jalur/lere.yaml", 4)
    assert problem.message.startswith("Unit kerja Kelurahan Entah belum ada di Lentera.")
    assert session.scalars(select(LearningPath)).all() == []

    # A load without any jalur/ folder has no path files, hence no problems.
    shutil.rmtree(folder)
    path_reload.reload_paths(session, tmp_path, today=clock.today())
    assert session.get(ContentProblemReport, path_problems.KEY) is None
