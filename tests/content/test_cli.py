"""`lentera content check` and `lentera content import-questions`, through Typer's runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import content as content_cli_module
from app.cli.content import content_cli
from app.config import Settings
from tests.content.helpers import BODY, COURSE_YAML, make_course, module

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()


def test_check_demo_content_passes() -> None:
    result = runner.invoke(content_cli, ["check", str(REPO / "content")])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-2:] == [
        "4 kursus diperiksa: 4 baik, 0 bermasalah; 0 galat, 0 peringatan",
        "1 berkas jalur belajar diperiksa: 1 baik, 0 bermasalah; 0 galat, 0 peringatan",
    ]


def test_check_lists_every_problem_and_fails_on_errors(tmp_path: Path) -> None:
    make_course(tmp_path, folder="baik")
    make_course(
        tmp_path,
        {
            "kursus.yaml": COURSE_YAML.replace("TST-101", "RSK-101").replace("jp: 1", "jp: 0"),
            "01-pengantar.md": module(f"{BODY}\n\n![](gambar/hilang.png)"),
        },
        folder="rusak",
    )
    result = runner.invoke(content_cli, ["check", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    module_file = "rusak/01-pengantar.md"
    assert lines[:3] == [
        f"{module_file}:9: galat: Gambar gambar/hilang.png tidak ditemukan di folder kursus.",
        f"{module_file}:9: peringatan: Gambar tanpa teks alternatif. Tulis di antara ![ dan ] "
        "apa yang disampaikan gambar, untuk peserta yang memakai pembaca layar.",
        "rusak/kursus.yaml:5: galat: Isi jp harus angka bulat paling kecil 1 (tertulis: 0).",
    ]
    assert lines[-1] == "2 kursus diperiksa: 1 baik, 1 bermasalah; 2 galat, 1 peringatan"


def test_check_with_warnings_only_exits_zero(tmp_path: Path) -> None:
    make_course(tmp_path, {"catatan.txt": "draf"})
    result = runner.invoke(content_cli, ["check", str(tmp_path)])
    assert result.exit_code == 0
    assert "kursus-uji/catatan.txt: peringatan:" in result.stdout
    assert result.stdout.splitlines()[-1].endswith("0 galat, 1 peringatan")


def test_check_one_course_folder(tmp_path: Path) -> None:
    make_course(tmp_path, folder="baik")
    other = COURSE_YAML.replace("TST-101", "RSK-101")
    make_course(tmp_path, {"kursus.yaml": other, "tes-akhir.md": None}, folder="rusak")
    result = runner.invoke(content_cli, ["check", str(tmp_path / "baik")])
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 kursus diperiksa: 1 baik, 0 bermasalah; 0 galat, 0 peringatan\n"


def test_check_defaults_to_the_configured_content_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_course(tmp_path, {"tes-akhir.md": None})
    settings = Settings(content_dir=tmp_path)
    monkeypatch.setattr(content_cli_module, "get_settings", lambda: settings)
    result = runner.invoke(content_cli, ["check"])
    assert result.exit_code == 1
    assert "kursus-uji/tes-akhir.md: galat: Kursus ini belum memiliki tes akhir." in result.stdout


def test_check_missing_folder_fails(tmp_path: Path) -> None:
    result = runner.invoke(content_cli, ["check", str(tmp_path / "tidak-ada")])
    assert result.exit_code == 1
    assert "tidak ditemukan" in result.stderr


def test_import_gift_to_stdout_with_problems_on_stderr() -> None:
    result = runner.invoke(content_cli, ["import-questions", str(FIXTURES / "bank-soal.gift")])
    assert result.exit_code == 0
    assert result.stdout.startswith('---\njudul: "Bank Soal"\n---\n\n## Apa kepanjangan SKM?\n')
    assert "bank-soal.gift:28: peringatan: Soal menjodohkan tidak didukung" in result.stderr
    # The converted file is read back: questions without an explanation are named by line.
    assert "(hasil):" in result.stderr and "belum memiliki penjelasan" in result.stderr


def test_import_aiken_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "01-pengantar.kuis.md"
    source = FIXTURES / "bank-soal-aiken.txt"
    result = runner.invoke(content_cli, ["import-questions", str(source), "--output", str(out)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8").count("\n## ") == 2
    assert "bank-soal-aiken.txt:14: galat:" in result.stderr
    assert f"Soal ditulis ke {out}." in result.stderr


def test_import_format_can_be_forced(tmp_path: Path) -> None:
    source = tmp_path / "bank.txt"
    source.write_text(
        "Apa kepanjangan SKM? {=Survei Kepuasan Masyarakat ~Lainnya}\n", encoding="utf-8"
    )
    forced = runner.invoke(content_cli, ["import-questions", str(source), "--format", "aiken"])
    assert forced.exit_code == 1
    assert "Tidak ada soal yang dapat diubah dari berkas ini (format AIKEN)" in forced.stderr
    detected = runner.invoke(content_cli, ["import-questions", str(source)])
    assert detected.exit_code == 0 and "- (x) Survei Kepuasan Masyarakat" in detected.stdout


def test_import_missing_file_fails(tmp_path: Path) -> None:
    result = runner.invoke(content_cli, ["import-questions", str(tmp_path / "tidak-ada.gift")])
    assert result.exit_code == 1
