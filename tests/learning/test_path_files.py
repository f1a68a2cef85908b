"""Learning paths as files (content/jalur/*.yaml): the pure loader's specs and its file:line
messages, `lentera content check` and `reload`, and a file's path being read-only on the web."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app import clock
from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.cli import cli
from app.content import store
from app.learning import path_files, path_reload
from app.learning.models import Assignment, LearningPath
from app.main import load_content
from tests.conftest import CONTENT_DIR
from tests.factories import csrf_token, login, make_user, pppk_nip
from tests.test_cli import cli_db  # noqa: F401  (the CLI's own database, as in test_cli)

CODES = {"PPP-101", "PDP-101", "KOM-101", "MWK-201"}
GOOD = """\
nama: Orientasi PPPK Baru
keterangan: Dua kursus wajib.
kursus: [PPP-101, PDP-101]
jenis_pegawai: PPPK
golongan_dari: V
golongan_sampai: IX
jabatan: "*Pengelola*"
tenggat_hari: 60
"""


def _write(root: Path, name: str, text: str) -> Path:
    folder = root / "jalur"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(root: Path) -> list[str]:
    return [str(p) for p in path_files.load_paths(root, CODES).problems]


def test_a_path_file_becomes_a_spec_with_its_group_and_order(tmp_path: Path) -> None:
    _write(tmp_path, "orientasi-pppk.yaml", GOOD)
    library = path_files.load_paths(tmp_path, CODES)
    assert library.problems == [] and library.broken == []
    (spec,) = library.specs
    assert (spec.slug, spec.name, spec.course_codes, spec.due_days) == (
        "orientasi-pppk",
        "Orientasi PPPK Baru",
        ("PPP-101", "PDP-101"),
        60,
    )
    assert (spec.employee_type, spec.golongan_from, spec.golongan_to) == ("PPPK", "V", "IX")
    assert (spec.jabatan_pattern, spec.unit_name, spec.is_active) == ("*Pengelola*", None, True)


def test_the_demo_path_file_names_real_courses() -> None:
    library = path_files.load_paths(CONTENT_DIR, CODES)
    assert library.problems == []
    assert [s.slug for s in library.specs] == ["orientasi-pppk-baru"]
    assert library.specs[0].course_codes == ("PPP-101", "PDP-101")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD.replace("[PPP-101, PDP-101]", "[PPP-101, PPP-102]"),
            "jalur/x.yaml:3: galat: Kode kursus PPP-102 tidak dikenal",
        ),
        (
            GOOD.replace("golongan_sampai: IX", "golongan_sampai: III/a"),
            "jalur/x.yaml:6: galat: Isi golongan_sampai bukan golongan PPPK yang sah",
        ),
        (
            GOOD.replace("jabatan:", "jabtan:"),
            "jalur/x.yaml:7: galat: Kunci jabtan tidak dikenal. Kunci sasaran yang salah ketik",
        ),
        (
            GOOD.replace("jenis_pegawai: PPPK\n", ""),
            "jalur/x.yaml:4: galat: Rentang golongan hanya berlaku bersama jenis_pegawai",
        ),
        (
            GOOD.replace("tenggat_hari: 60", "tenggat_hari: 0"),
            "jalur/x.yaml:8: galat: Isi tenggat_hari harus angka bulat 1 sampai 3650",
        ),
        (
            GOOD.replace("nama: Orientasi PPPK Baru\n", ""),
            "jalur/x.yaml:1: galat: Kunci nama belum ditulis",
        ),
        (
            GOOD.replace("jenis_pegawai: PPPK", "jenis_pegawai: CPNS"),
            "jalur/x.yaml:4: galat: Isi jenis_pegawai tidak dikenal (tertulis: CPNS)",
        ),
        (
            GOOD.replace('"*Pengelola*"', '"**"'),
            "jalur/x.yaml:7: galat: Isi jabatan tidak boleh hanya tanda *",
        ),
    ],
)
def test_a_bad_path_file_is_named_with_its_line_and_left_out(
    tmp_path: Path, text: str, expected: str
) -> None:
    _write(tmp_path, "x.yaml", text)
    library = path_files.load_paths(tmp_path, CODES)
    assert library.specs == [] and library.broken == ["x"]
    assert any(p.startswith(expected) for p in _problems(tmp_path)), _problems(tmp_path)


def test_a_bad_file_name_and_a_stray_file_are_reported(tmp_path: Path) -> None:
    _write(tmp_path, "Orientasi PPPK.yaml", GOOD)
    _write(tmp_path, "catatan.txt", "bukan jalur")
    problems = _problems(tmp_path)
    assert any(p.startswith("jalur/Orientasi PPPK.yaml: galat: Nama berkas") for p in problems)
    assert any(
        p.startswith("jalur/catatan.txt: peringatan: Berkas ini diabaikan") for p in problems
    )


def test_reload_creates_the_files_path_assigns_its_group_and_is_audited(
    session: Session, demo_content: store.ImportReport, tmp_path: Path
) -> None:
    newcomer = make_user(session, nip=pppk_nip(), golongan="VII", jabatan="Pengelola Layanan")
    pns = make_user(session, jabatan="Pengelola Layanan")
    _write(tmp_path, "orientasi-pppk.yaml", GOOD)

    report = path_reload.reload_paths(session, tmp_path, today=clock.today())
    assert (report.created, report.problems) == (["orientasi-pppk"], [])
    path = session.scalars(select(LearningPath)).one()
    assert (path.source_file, path.name, path.course_codes) == (
        "orientasi-pppk",
        "Orientasi PPPK Baru",
        ["PPP-101", "PDP-101"],
    )
    assigned = session.scalars(select(Assignment).where(Assignment.via_path_id == path.id)).all()
    assert {a.user_id for a in assigned} == {newcomer.id} and pns.id != newcomer.id
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "path.created")).one()
    assert (event.details["via"], event.details["file"]) == ("file", "orientasi-pppk")

    again = path_reload.reload_paths(session, tmp_path, today=clock.today())
    assert (again.created, again.updated, again.unchanged) == ([], [], ["orientasi-pppk"])


def test_a_changed_file_updates_its_path_in_place_and_a_broken_one_changes_nothing(
    session: Session, demo_content: store.ImportReport, tmp_path: Path
) -> None:
    file = _write(tmp_path, "orientasi-pppk.yaml", GOOD)
    path_reload.reload_paths(session, tmp_path, today=clock.today())
    path = session.scalars(select(LearningPath)).one()
    path_id = path.id

    file.write_text(GOOD.replace("tenggat_hari: 60", "tenggat_hari: 45"), encoding="utf-8")
    report = path_reload.reload_paths(session, tmp_path, today=clock.today())
    assert report.updated == ["orientasi-pppk"]
    assert session.scalars(select(LearningPath)).one().id == path_id and path.due_days == 45

    file.write_text(GOOD.replace("PDP-101", "PDP-999"), encoding="utf-8")
    report = path_reload.reload_paths(session, tmp_path, today=clock.today())
    assert report.broken == ["orientasi-pppk"] and report.problems
    assert path.course_codes == ["PPP-101", "PDP-101"] and path.source_file == "orientasi-pppk"

    file.write_text(GOOD + "unit_kerja: Kelurahan Tidak Ada\n", encoding="utf-8")
    report = path_reload.reload_paths(session, tmp_path, today=clock.today())
    assert [str(p) for p in report.problems] == [
        "jalur/orientasi-pppk.yaml:9: galat: Unit kerja Kelurahan Tidak Ada belum ada di "
        "Lentera. Tulis namanya persis seperti di daftar pegawai yang diimpor (halaman "
        "Pegawai), atau impor daftar pegawainya dulu."
    ]
    assert path.unit_id is None


def test_a_path_whose_file_is_gone_is_frozen_and_handed_to_the_web(
    session: Session, demo_content: store.ImportReport, tmp_path: Path
) -> None:
    file = _write(tmp_path, "orientasi-pppk.yaml", GOOD)
    path_reload.reload_paths(session, tmp_path, today=clock.today())
    file.unlink()
    report = path_reload.reload_paths(session, tmp_path, today=clock.today())
    assert report.released == ["orientasi-pppk"]
    path = session.scalars(select(LearningPath)).one()
    assert (path.source_file, path.is_active) == (None, False)
    # Without a jalur/ folder at all (another content folder), paths are left alone.
    _write(tmp_path, "lain.yaml", GOOD)
    path_reload.reload_paths(session, tmp_path, today=clock.today())
    shutil.rmtree(tmp_path / "jalur")
    assert path_reload.reload_paths(session, tmp_path, today=clock.today()).released == []
    assert session.scalars(
        select(LearningPath.source_file).where(LearningPath.source_file.is_not(None))
    ).all() == ["lain"]


def test_a_path_from_a_file_is_read_only_on_the_web(
    client: TestClient, session: Session, demo_content: store.ImportReport, tmp_path: Path
) -> None:
    _write(tmp_path, "orientasi-pppk.yaml", GOOD)
    path_reload.reload_paths(session, tmp_path, today=clock.today())
    path = session.scalars(select(LearningPath)).one()
    session.commit()
    login(client, make_user(session, roles={Role.HR}))
    base = f"/pegawai/jalur/{path.id}"
    page = client.get(base)
    assert page.status_code == 200
    assert "content/jalur/orientasi-pppk.yaml" in page.text
    assert f'href="{base}/ubah"' not in page.text and f'action="{base}/hapus"' not in page.text
    assert client.get(f"{base}/ubah").status_code == 403
    token = csrf_token(client, base)
    edit = client.post(
        f"{base}/ubah", data={"csrf_token": token, "name": "X", "courses": "KOM-101"}
    )
    assert edit.status_code == 403 and "lentera content reload" in edit.text
    gone = client.post(f"{base}/hapus", data={"csrf_token": token, "konfirmasi": "ya"})
    assert gone.status_code == 403
    session.expire_all()
    assert session.get(LearningPath, path.id) is not None


def test_content_check_and_reload_handle_path_files(
    cli_db: Session,  # noqa: F811
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    bad = _write(content, "salah.yaml", GOOD.replace("PDP-101", "PDX-101"))
    checked = runner.invoke(cli, ["content", "check", str(content)])
    assert checked.exit_code == 1
    assert "jalur/salah.yaml:3: galat: Kode kursus PDX-101 tidak dikenal" in checked.output
    assert "Mungkin maksud Anda PDP-101?" in checked.output

    reloaded = runner.invoke(cli, ["content", "reload", str(content)])
    assert reloaded.exit_code == 1
    assert "Jalur belajar dibuat: orientasi-pppk-baru" in reloaded.output
    assert "Jalur belajar tidak dimuat: salah" in reloaded.output
    bad.unlink()
    clean = runner.invoke(cli, ["content", "reload", str(content)])
    assert clean.exit_code == 0, clean.output
    assert "Jalur belajar tidak berubah: orientasi-pppk-baru" in clean.output
    assert cli_db.scalars(select(LearningPath.source_file)).all() == ["orientasi-pppk-baru"]


def test_the_example_path_in_the_trainers_guide_loads(tmp_path: Path) -> None:
    # docs/content-format.md section 11 shows a path file; an example that fails the checker
    # would teach trainers the wrong thing.
    guide = (CONTENT_DIR.parent / "docs" / "content-format.md").read_text(encoding="utf-8")
    section = guide[guide.index("## 11.") :]
    ((name, text),) = re.findall(
        r"\*\*`([^`]+)`\*\*\s*\n\s*```yaml\n(.*?)\n```", section, re.DOTALL
    )
    _write(tmp_path, name, text + "\n")
    library = path_files.load_paths(tmp_path, CODES)
    assert library.problems == []
    (spec,) = library.specs
    assert (spec.slug, spec.course_codes, spec.employee_type) == (
        "orientasi-pppk-baru",
        ("PPP-101", "PDP-101"),
        "PPPK",
    )


def test_a_person_created_from_the_command_line_joins_their_paths(
    cli_db: Session,  # noqa: F811
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    assert runner.invoke(cli, ["content", "reload", str(content)]).exit_code == 0
    made = runner.invoke(
        cli, ["create-user", pppk_nip(), "--name", "Rahmat Lasaka", "--golongan", "VII"]
    )
    assert made.exit_code == 0, made.output
    rows = cli_db.execute(
        select(LearningPath.source_file, Assignment.due_on).join(
            LearningPath, LearningPath.id == Assignment.via_path_id
        )
    ).all()
    assert [(slug, (due - clock.today()).days) for slug, due in rows] == [
        ("orientasi-pppk-baru", 60),
        ("orientasi-pppk-baru", 60),
    ]


def test_start_up_applies_the_path_files_and_logs_what_it_made(
    app: FastAPI, session: Session, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    app.state.settings = app.state.settings.model_copy(update={"content_dir": content})
    with caplog.at_level(logging.INFO, logger="lentera.startup"):
        load_content(app)
    (record,) = [r for r in caplog.records if r.getMessage() == "learning paths loaded from files"]
    assert record.__dict__["paths_created"] == ["orientasi-pppk-baru"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    session.expire_all()
    assert session.scalars(select(LearningPath.source_file)).all() == ["orientasi-pppk-baru"]
