"""`lentera export completions` writes the same records from the command line."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.content import store
from app.content.catalog import ContentCache
from app.content.format import loader
from app.db import make_engine
from app.learning import progress
from app.reports.completions import COLUMNS, SIASN_COLUMNS
from tests.conftest import CONTENT_DIR
from tests.factories import make_user
from tests.reports.test_export import _complete

runner = CliRunner()


@pytest.fixture
def cli_session(
    fresh_database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    demo_library: loader.Library,
) -> Iterator[Session]:
    monkeypatch.setenv("LENTERA_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("LENTERA_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        store.import_library(session, CONTENT_DIR, library=demo_library)
        session.commit()
        yield session
    engine.dispose()
    get_settings.cache_clear()


def test_cli_export_writes_csv_with_a_row_per_enrolment(
    cli_session: Session, tmp_path: Path
) -> None:
    learner = make_user(cli_session, unit_name="Kelurahan Talise")
    _complete(cli_session, learner, "PPP-101")
    out = tmp_path / "rekap.csv"
    result = runner.invoke(
        cli, ["export", "completions", "-o", str(out), "--unit", "Kelurahan Talise"]
    )
    assert result.exit_code == 0, result.output
    assert "1 baris ditulis" in result.output
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == COLUMNS
    assert rows[1][0] == learner.nip


def test_cli_export_refuses_bad_filters(cli_session: Session, tmp_path: Path) -> None:
    result = runner.invoke(
        cli, ["export", "completions", "-o", str(tmp_path / "x.csv"), "--from", "kemarin"]
    )
    assert result.exit_code == 1
    assert "bukan tanggal" in result.output
    assert not (tmp_path / "x.csv").exists()
    unknown = runner.invoke(
        cli, ["export", "completions", "-o", str(tmp_path / "x.csv"), "--unit", "Tidak Ada"]
    )
    assert unknown.exit_code == 1 and "tidak ditemukan" in unknown.output


def test_cli_siasn_export_counts_only_completed_rows(cli_session: Session, tmp_path: Path) -> None:
    finished = make_user(cli_session, unit_name="Kelurahan Besusu")
    _complete(cli_session, finished, "PPP-101")
    learning = make_user(cli_session, unit_name="Kelurahan Besusu")
    view = ContentCache().catalog(cli_session).by_code["KOM-101"]
    progress.enrol(cli_session, learning.id, view.course_id)
    cli_session.commit()
    out = tmp_path / "siasn.csv"
    result = runner.invoke(
        cli, ["export", "completions", "-o", str(out), "--layout", "siasn", "--delimiter", ","]
    )
    assert result.exit_code == 0, result.output
    assert "1 baris ditulis" in result.output
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == SIASN_COLUMNS
    assert [row[SIASN_COLUMNS.index("nipBaru")] for row in rows[1:]] == [finished.nip]


def test_cli_siasn_zip_holds_the_certificates_and_since_last_lists_only_changes(
    cli_session: Session, tmp_path: Path
) -> None:
    import zipfile

    from sqlalchemy import select

    from app.learning.models import Certificate
    from app.reports.siasn_batches import SiasnExportBatch

    finished = make_user(cli_session, unit_name="Kelurahan Besusu")
    _complete(cli_session, finished, "PPP-101", when_days_ago=1)
    cli_session.commit()
    numbers = set(cli_session.scalars(select(Certificate.number)))
    out = tmp_path / "siasn.zip"
    args = ["export", "completions", "-o", str(out), "--layout", "siasn", "--zip"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        pdfs = {name.removesuffix(".pdf") for name in archive.namelist() if name.endswith(".pdf")}
        assert pdfs == numbers and len(numbers) == 1
        assert archive.read(f"{next(iter(numbers))}.pdf").startswith(b"%PDF")
    again = runner.invoke(cli, [*args[:-1], "--since-last"])
    assert again.exit_code == 0, again.output
    assert "0 baris ditulis" in again.output
    cli_session.expire_all()
    batches = cli_session.scalars(select(SiasnExportBatch).order_by(SiasnExportBatch.id)).all()
    assert [(b.via, b.format, b.row_count) for b in batches] == [
        ("cli", "zip-csv", 1),
        ("cli", "csv", 0),
    ]
    refused = runner.invoke(cli, ["export", "completions", "-o", str(out), "--zip"])
    assert refused.exit_code == 1 and "--layout siasn" in refused.output
