"""Trainers: upload a course, read the report, preview, publish, roll back; and the defences."""

import io
import stat
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.content import store
from app.content.models import Course, CourseVersion
from tests.factories import csrf_token, login, make_user
from tests.learning.test_journey import _take_quiz

FOLDER = "pelayanan-publik-prima"


def _zip_folder(folder: Path, prefix: str = FOLDER) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{prefix}/{path.relative_to(folder).as_posix()}")
    return buffer.getvalue()


def _zip_entries(entries: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def _trainer(client: TestClient, session: Session, **kwargs: object) -> User:
    user = make_user(session, roles={Role.TRAINER}, **kwargs)  # type: ignore[arg-type]
    login(client, user)
    return user


def _upload(client: TestClient, data: bytes, name: str = "kursus.zip"):  # type: ignore[no-untyped-def]
    return client.post(
        "/pengajar/unggah",
        data={"csrf_token": csrf_token(client, "/pengajar")},
        files={"file": (name, data, "application/zip")},
    )


def _versions(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(CourseVersion)) or 0


def test_trainer_uploads_previews_publishes_and_rolls_back(
    client: TestClient, session: Session, demo_content: store.ImportReport, content_copy: Path
) -> None:
    admin = make_user(session, roles={Role.ADMIN})
    login(client, admin)
    _take_quiz(client, session, "tes-awal", correct=False)  # before the modules, as anyone
    module = content_copy / FOLDER / "01-dasar-hukum-dan-asas.md"
    module.write_text(module.read_text() + "\nKalimat baru versi dua.\n")
    response = _upload(client, _zip_folder(content_copy / FOLDER))
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/pengajar/kursus/PPP-101?diunggah=2"
    draft = session.scalar(select(CourseVersion).where(CourseVersion.number == 2))
    assert draft is not None and draft.published_at is None

    learner_view = "/kursus/PPP-101/modul/01-dasar-hukum-dan-asas"
    assert client.get(learner_view).status_code == 200
    assert "Kalimat baru versi dua." not in client.get(learner_view).text
    preview = client.get(f"/pengajar/pratinjau/{draft.id}/modul/01-dasar-hukum-dan-asas")
    assert preview.status_code == 200
    assert "Kalimat baru versi dua." in preview.text
    assert "Pratinjau versi 2" in preview.text
    assert f'href="/pengajar/pratinjau/{draft.id}/modul/02-' in preview.text

    token = csrf_token(client, "/pengajar/kursus/PPP-101")
    published = client.post(f"/pengajar/versi/{draft.id}/terbitkan", data={"csrf_token": token})
    assert published.status_code == 303
    assert "Kalimat baru versi dua." in client.get(learner_view).text

    back = client.post("/pengajar/kursus/PPP-101/kembalikan", data={"csrf_token": token})
    assert back.status_code == 303
    assert "Kalimat baru versi dua." not in client.get(learner_view).text


def test_upload_with_mistakes_lists_them_and_saves_nothing(
    client: TestClient, session: Session, demo_content: store.ImportReport, content_copy: Path
) -> None:
    _trainer(client, session)
    quiz = content_copy / FOLDER / "tes-akhir.md"
    quiz.write_text(quiz.read_text().replace("- (x)", "- ( )", 1))
    (content_copy / FOLDER / "kursus.yaml").write_text(
        (content_copy / FOLDER / "kursus.yaml")
        .read_text()
        .replace("kode: PPP-101", "kode: PPP-102")
    )
    before = _versions(session)
    response = _upload(client, _zip_folder(content_copy / FOLDER))
    assert response.status_code == 400
    problems = response.context["problems"]
    assert any(p.path.endswith("tes-akhir.md") and p.line for p in problems)
    assert "Tidak ada yang disimpan" in response.text
    assert _versions(session) == before


def test_new_course_upload_makes_the_trainer_its_owner(
    client: TestClient, session: Session, demo_content: store.ImportReport, content_copy: Path
) -> None:
    _trainer(client, session)
    meta = content_copy / FOLDER / "kursus.yaml"
    meta.write_text(meta.read_text().replace("kode: PPP-101", "kode: PPP-201"))
    assert _upload(client, _zip_folder(content_copy / FOLDER)).status_code == 303
    assert client.get("/pengajar/kursus/PPP-201").status_code == 200
    page = client.get("/pengajar")
    assert "PPP-201" in page.text and "PPP-101" not in page.text


def test_trainer_cannot_replace_or_manage_someone_elses_course(
    client: TestClient, session: Session, demo_content: store.ImportReport, content_copy: Path
) -> None:
    _trainer(client, session)
    before = _versions(session)
    response = _upload(client, _zip_folder(content_copy / FOLDER))
    assert response.status_code == 403
    assert _versions(session) == before
    assert client.get("/pengajar/kursus/PPP-101").status_code == 403
    ppp = session.scalar(select(Course).where(Course.code == "PPP-101"))
    assert ppp is not None
    token = csrf_token(client, "/pengajar")
    assert (
        client.post("/pengajar/kursus/PPP-101/arsip", data={"csrf_token": token}).status_code == 403
    )
    assert (
        client.post(
            f"/pengajar/versi/{ppp.current_version_id}/terbitkan", data={"csrf_token": token}
        ).status_code
        == 403
    )


def test_learners_cannot_reach_trainer_pages(client: TestClient, session: Session) -> None:
    login(client, make_user(session))
    assert client.get("/pengajar").status_code == 403


def test_one_module_upload_creates_a_draft_with_that_module_changed(
    client: TestClient, session: Session, demo_content: store.ImportReport, content_copy: Path
) -> None:
    login(client, make_user(session, roles={Role.ADMIN}))
    module = content_copy / FOLDER / "03-pengaduan-dan-skm.md"
    changed = module.read_text() + "\nTambahan tentang SP4N-LAPOR!.\n"
    response = client.post(
        "/pengajar/kursus/PPP-101/modul",
        data={"csrf_token": csrf_token(client, "/pengajar/kursus/PPP-101")},
        files={"file": ("03-pengaduan-dan-skm.md", changed.encode(), "text/markdown")},
    )
    assert response.status_code == 303, response.text
    draft = session.scalar(select(CourseVersion).where(CourseVersion.number == 2))
    assert draft is not None
    preview = client.get(f"/pengajar/pratinjau/{draft.id}/modul/03-pengaduan-dan-skm")
    assert "Tambahan tentang SP4N-LAPOR!." in preview.text


def test_course_introduction_can_be_uploaded_alone(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    login(client, make_user(session, roles={Role.ADMIN}))
    response = client.post(
        "/pengajar/kursus/PPP-101/modul",
        data={"csrf_token": csrf_token(client, "/pengajar/kursus/PPP-101")},
        files={"file": ("pengantar.md", b"## Tujuan\n\nMelayani warga.\n", "text/markdown")},
    )
    assert response.status_code == 303, response.text
    draft = session.scalar(select(CourseVersion).where(CourseVersion.number == 2))
    assert draft is not None and "<h2" in (draft.intro_html or "")


def test_one_module_upload_with_a_bad_name_is_refused(
    client: TestClient, session: Session, demo_content: store.ImportReport
) -> None:
    login(client, make_user(session, roles={Role.ADMIN}))
    response = client.post(
        "/pengajar/kursus/PPP-101/modul",
        data={"csrf_token": csrf_token(client, "/pengajar/kursus/PPP-101")},
        files={"file": ("modul baru.md", b"---\njudul: x\n---\n", "text/markdown")},
    )
    assert response.status_code == 400
    assert "Nama berkas modul baru.md tidak sesuai" in response.text


MINIMAL = {
    "k/kursus.yaml": b"kode: ZIP-101\n",
}


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (_zip_entries({"../../etc/cron.d/x.md": b"x", **MINIMAL}), "jalur berkas yang tidak aman"),
        (_zip_entries({"/abs/kursus.yaml": b"x"}), "jalur berkas yang tidak aman"),
        (_zip_entries({"k\\..\\kursus.yaml": b"x"}), "jalur berkas yang tidak aman"),
        (_zip_entries(MINIMAL, symlink="k/gambar/link.png"), "tautan simbolik"),
        (_zip_entries({"k/index.html": b"<script>", **MINIMAL}), "tidak diizinkan"),
        (_zip_entries({"k/virus.exe": b"MZ", **MINIMAL}), "tidak diizinkan"),
        (_zip_entries({"k/bom.md": b"0" * (3 * 1024 * 1024), **MINIMAL}), "rasio kompresi"),
        (_zip_entries({f"k/{i:03d}-m.md": b"x" for i in range(301)}), "terlalu banyak"),
        (b"PK\x03\x04 bukan zip", "bukan .zip yang valid"),
        (_zip_entries({"k/01-a.md": b"x"}), "Tidak ada kursus.yaml"),
    ],
    ids=[
        "traversal",
        "absolute",
        "backslash",
        "symlink",
        "html",
        "exe",
        "bomb",
        "count",
        "not-zip",
        "no-course",
    ],
)
def test_dangerous_or_malformed_zips_are_rejected_and_nothing_is_written(
    client: TestClient, session: Session, data: bytes, fragment: str, tmp_path: Path
) -> None:
    _trainer(client, session)
    before = _versions(session)
    response = _upload(client, data)
    assert response.status_code == 400
    assert fragment in response.text
    assert _versions(session) == before


def test_upload_that_is_not_a_zip_file_name_is_refused(
    client: TestClient, session: Session
) -> None:
    _trainer(client, session)
    response = _upload(client, b"x", name="kursus.rar")
    assert response.status_code == 400
    assert "satu berkas .zip" in response.text
