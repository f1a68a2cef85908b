"""`lentera privacy export` and `lentera privacy anonymise`, on a database of their own."""

from __future__ import annotations

import json
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.cli.privacy import privacy_cli
from app.config import Settings, get_settings
from app.content import store
from app.db import make_engine
from tests.conftest import CONTENT_DIR
from tests.privacy.conftest import NAME, Person, build_person

runner = CliRunner()
lentera = typer.Typer()
lentera.add_typer(privacy_cli, name="privacy")


@pytest.fixture
def cli_person(
    fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Session, Person]]:
    """A person in a database the CLI commits to for real, and a session to inspect it."""
    monkeypatch.setenv("LENTERA_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("LENTERA_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    engine = make_engine(fresh_database_url)
    settings = Settings(database_url=fresh_database_url, _env_file=None)
    with Session(engine, expire_on_commit=False) as session:
        store.import_library(session, CONTENT_DIR)
        session.commit()
        yield session, build_person(session, settings)
    engine.dispose()
    get_settings.cache_clear()


def test_export_writes_a_private_zip_and_audits_it(
    cli_person: tuple[Session, Person], tmp_path: Path
) -> None:
    session, person = cli_person
    target = tmp_path / "data.zip"
    result = runner.invoke(lentera, ["privacy", "export", person.nip, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with zipfile.ZipFile(target) as archive:
        assert json.loads(archive.read("data.json"))["profile"]["full_name"] == NAME
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.exported")).one()
    assert (event.actor_id, event.details["via"]) == (None, "cli")


def test_export_of_an_unknown_nip_fails_and_writes_nothing(
    cli_person: tuple[Session, Person], tmp_path: Path
) -> None:
    target = tmp_path / "data.zip"
    result = runner.invoke(lentera, ["privacy", "export", "199001012015031999", "-o", str(target)])
    assert result.exit_code == 1 and "Tidak ada pegawai" in result.output
    assert list(tmp_path.glob("*.zip")) == [] and list(tmp_path.glob(".*.tmp")) == []


def test_anonymise_with_yes_and_again_is_a_no_op(cli_person: tuple[Session, Person]) -> None:
    session, person = cli_person
    result = runner.invoke(lentera, ["privacy", "anonymise", person.nip, "--yes"])
    assert result.exit_code == 0, result.output
    session.expire_all()
    user = session.get(User, person.user.id)
    assert user is not None and user.nip.startswith("ANON") and user.full_name != NAME
    again = runner.invoke(lentera, ["privacy", "anonymise", user.nip, "--yes"])
    assert again.exit_code == 0 and "sudah dianonimkan" in again.output


def test_anonymise_without_yes_asks_for_the_nip_and_stops_on_a_mismatch(
    cli_person: tuple[Session, Person],
) -> None:
    session, person = cli_person
    result = runner.invoke(lentera, ["privacy", "anonymise", person.nip], input="123\n")
    assert result.exit_code == 1 and "Tidak ada yang diubah" in result.output
    session.expire_all()
    assert session.get(User, person.user.id).full_name == NAME  # type: ignore[union-attr]
    confirmed = runner.invoke(
        lentera, ["privacy", "anonymise", person.nip], input=f"{person.nip}\n"
    )
    assert confirmed.exit_code == 0, confirmed.output
