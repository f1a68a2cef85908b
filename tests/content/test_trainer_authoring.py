"""Trainers who only use the web: warnings they can read, answer keys they can check before
publishing, the format guide inside Lentera, and a web publish that a disk reload never
replaces silently."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.accounts.models import Role
from app.cli import cli
from app.content import store
from app.content.format import loader
from app.content.models import ContentProblemReport, Course, CourseVersion, QuizVersion
from tests.conftest import CONTENT_DIR
from tests.content.test_trainer import FOLDER, _trainer, _upload, _zip_folder
from tests.factories import login, make_user
from tests.test_cli import cli_db  # noqa: F401  (the CLI's own database, as in test_cli)

MODULE = "01-dasar-hukum-dan-asas.md"


def _publish_from_web(client: TestClient, session: Session, content_copy: Path) -> CourseVersion:
    """Upload a changed copy of PPP-101 and publish it, as a trainer does on the web."""
    module = content_copy / FOLDER / MODULE
    module.write_text(module.read_text() + "\nPerubahan dari web.\n")
    assert _upload(client, _zip_folder(content_copy / FOLDER)).status_code == 303
    version = session.scalar(select(CourseVersion).where(CourseVersion.number == 2))
    assert version is not None and version.source == "upload"
    store.publish(session, version, actor_id=None)
    session.commit()
    return version


def _live(session: Session) -> CourseVersion:
    session.expire_all()
    course = session.scalar(select(Course).where(Course.code == "PPP-101"))
    assert course is not None and course.current_version is not None
    return course.current_version


def test_a_changed_folder_never_silently_replaces_a_version_published_from_the_web(
    client: TestClient, session: Session, demo_content: store.ImportReport, content_copy: Path
) -> None:
    login(client, make_user(session, roles={Role.ADMIN}))
    web = _publish_from_web(client, session, content_copy)
    disk = content_copy / FOLDER / "02-standar-dan-maklumat-pelayanan.md"
    disk.write_text(disk.read_text() + "\nSuntingan kecil di disk.\n")

    report = store.import_library(session, content_copy)
    session.commit()
    assert "PPP-101" not in report.published
    assert list(report.held) == [FOLDER]
    (problem,) = report.held[FOLDER]
    assert "versi 2 kursus PPP-101 yang sedang tayang diterbitkan dari unggahan web" in (
        problem.message
    )
    assert _live(session).id == web.id  # the trainer's change stays on the air
    reports = session.scalars(select(ContentProblemReport)).all()
    assert [r.folder for r in reports] == [FOLDER]
    home = client.get("/pengajar")
    assert "lentera content reload --force" in home.text

    forced = store.import_library(session, content_copy, force=True)
    session.commit()
    assert forced.published == ["PPP-101"] and not forced.held
    live = _live(session)
    assert (live.number, live.source) == (3, "disk")
    assert session.scalars(select(ContentProblemReport)).all() == []


def test_an_unchanged_folder_leaves_the_web_version_alone_without_a_warning(
    client: TestClient, session: Session, demo_content: store.ImportReport, content_copy: Path
) -> None:
    login(client, make_user(session, roles={Role.ADMIN}))
    web = _publish_from_web(client, session, content_copy)
    # content_copy now holds the uploaded text too; the original demo folder is unchanged.
    report = store.import_library(session, CONTENT_DIR)
    session.commit()
    assert "PPP-101" in report.unchanged and not report.held
    assert _live(session).id == web.id


def test_content_reload_holds_the_web_version_and_force_replaces_it(
    cli_db: Session,  # noqa: F811
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    assert runner.invoke(cli, ["content", "reload", str(content)]).exit_code == 0
    course = cli_db.scalar(select(Course).where(Course.code == "PPP-101"))
    assert course is not None and course.current_version is not None
    files = store.version_files(cli_db, course.current_version.id)
    folder = tmp_path / "web" / FOLDER
    store.write_files(files, folder)
    (folder / MODULE).write_text((folder / MODULE).read_text() + "\nDari web.\n")
    spec = loader.load_course(folder, folder.parent).course
    assert spec is not None
    version = store.create_version(
        cli_db, spec, store.read_course_files(folder), source="upload", actor_id=None
    )
    store.publish(cli_db, version, actor_id=None)
    cli_db.commit()
    module = content / FOLDER / MODULE
    module.write_text(module.read_text() + "\nDari disk.\n")

    held = runner.invoke(cli, ["content", "reload", str(content)])
    assert held.exit_code == 1
    assert f"Ditahan: {FOLDER}" in held.output
    assert "--force" in held.output
    forced = runner.invoke(cli, ["content", "reload", str(content), "--force"])
    assert forced.exit_code == 0, forced.output
    assert "Diterbitkan: PPP-101" in forced.output


def test_version_page_lists_each_warning_with_file_and_line_and_offers_the_files(
    client: TestClient, session: Session, demo_content: store.ImportReport, content_copy: Path
) -> None:
    login(client, make_user(session, roles={Role.ADMIN}))
    module = content_copy / FOLDER / MODULE
    module.write_text(module.read_text() + "\n![](gambar/alur-pengaduan.svg)\n")  # no alt text
    response = _upload(client, _zip_folder(content_copy / FOLDER))
    assert response.status_code == 303, response.text
    version = session.scalar(select(CourseVersion).where(CourseVersion.number == 2))
    assert version is not None and len(version.warnings) == 1
    page = client.get("/pengajar/kursus/PPP-101")
    warning = version.warnings[0]
    assert "1 peringatan" in page.text
    assert warning["path"].endswith(MODULE) and warning["line"]
    assert f"{warning['path']}:{warning['line']}" in page.text
    assert "Gambar tanpa teks alternatif." in page.text

    download = client.get(f"/pengajar/versi/{version.id}/unduh")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    assert f"{FOLDER}/kursus.yaml" in names and f"{FOLDER}/gambar/alur-pengaduan.svg" in names
    assert f"{FOLDER}/{MODULE}" in names


def test_quiz_preview_shows_every_question_with_its_key_and_explanation(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    login(client, make_user(session, roles={Role.ADMIN}))
    course = session.scalar(select(Course).where(Course.code == "PPP-101"))
    assert course is not None and course.current_version is not None
    quiz = session.scalar(
        select(QuizVersion).where(
            QuizVersion.course_version_id == course.current_version_id,
            QuizVersion.key == "tes-akhir",
        )
    )
    assert quiz is not None
    page = client.get(f"/pengajar/pratinjau/{course.current_version_id}/tes/tes-akhir")
    assert page.status_code == 200
    assert page.text.count('class="card"') >= len(quiz.questions)
    for question in quiz.questions:
        assert question["id"] in page.text
        if question["explanation_html"]:
            assert question["explanation_html"] in page.text
    keyed = sum(option["correct"] for q in quiz.questions for option in q["options"])
    assert page.text.count("Kunci:") == keyed


def test_learners_never_see_the_answer_keys_or_the_files(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    login(client, make_user(session, roles={Role.LEARNER}))
    course = session.scalar(select(Course).where(Course.code == "PPP-101"))
    assert course is not None
    for url in (
        f"/pengajar/pratinjau/{course.current_version_id}/tes/tes-akhir",
        f"/pengajar/versi/{course.current_version_id}/unduh",
        "/pengajar/panduan",
    ):
        assert client.get(url).status_code == 403, url


def test_the_format_guide_is_served_to_trainers_and_linked_from_their_page(
    client: TestClient, session: Session
) -> None:
    _trainer(client, session)
    assert 'href="/pengajar/panduan"' in client.get("/pengajar").text
    guide = client.get("/pengajar/panduan")
    assert guide.status_code == 200
    assert "<h1>Panduan Menulis Materi Kursus Lentera</h1>" in guide.text
    assert "<table>" in guide.text and 'class="table-wrap"' in guide.text
    assert "<script" not in guide.text.split("</main>")[0].split("<main")[-1]
