from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.accounts.models import Role, User
from app.cli import cli
from app.config import get_settings
from app.db import make_engine

runner = CliRunner()


@pytest.fixture
def cli_db(
    fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Session]:
    """Point the CLI at a database of its own and yield a session to inspect it."""
    monkeypatch.setenv("LENTERA_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("LENTERA_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("LENTERA_BASE_URL", "https://lentera.example")
    monkeypatch.delenv("LENTERA_DEMO", raising=False)
    get_settings.cache_clear()
    engine = make_engine(fresh_database_url)
    with Session(engine) as session:
        yield session
    engine.dispose()
    get_settings.cache_clear()


def test_create_user_with_roles_prints_a_one_time_link(cli_db: Session) -> None:
    result = runner.invoke(
        cli,
        [
            "create-user",
            "198503152010012003",
            "--name",
            "Siti Rahmawati",
            "--role",
            "trainer",
            "--role",
            "learner",
            "--unit",
            "BKPSDM",
            "--golongan",
            "iii/d",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "https://lentera.example/atur-sandi/" in result.output
    user = cli_db.scalar(select(User).where(User.nip == "198503152010012003"))
    assert user is not None
    assert user.roles == {Role.TRAINER, Role.LEARNER}
    assert user.golongan == "III/d"


def test_create_user_with_a_malformed_nip_says_why_and_creates_nothing(cli_db: Session) -> None:
    result = runner.invoke(cli, ["create-user", "198513152010012003", "--name", "X"])
    assert result.exit_code == 1
    assert "bukan tanggal" in result.output
    assert cli_db.scalar(select(User)) is None


def test_reset_password_prints_a_link_for_an_existing_account(cli_db: Session) -> None:
    runner.invoke(cli, ["create-user", "198503152010012003", "--name", "Siti"])
    result = runner.invoke(cli, ["reset-password", "198503152010012003"])
    assert result.exit_code == 0
    assert "https://lentera.example/atur-sandi/" in result.output
    unknown = runner.invoke(cli, ["reset-password", "199001012015031001"])
    assert unknown.exit_code == 1
    assert "Tidak ada akun" in unknown.output


def test_operators_reset_the_password_of_an_admin_or_hr_account_from_the_cli(
    cli_db: Session,
) -> None:
    """The web refuses HR a link for privileged accounts; the operator's shell still can."""
    from app.audit.models import AuditEvent

    created = runner.invoke(
        cli, ["create-user", "198503152010012003", "--name", "Siti", "--role", "admin",
              "--role", "hr"],
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    result = runner.invoke(cli, ["reset-password", "198503152010012003"])
    assert result.exit_code == 0, result.output
    assert "https://lentera.example/atur-sandi/" in result.output
    event = cli_db.scalar(select(AuditEvent).where(AuditEvent.action == "user.reset_link_issued"))
    assert event is not None and event.actor_id is None and event.entry_hash is not None
    verified = runner.invoke(cli, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output


def test_import_users_reports_rows_and_imports_nothing_on_errors(
    cli_db: Session, tmp_path: Path
) -> None:
    roster = tmp_path / "pegawai.csv"
    roster.write_text(
        "NIP;Nama;Unit Kerja\n198503152010012003;Siti;Dinas A\n1985;Pendek;Dinas A\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["import-users", str(roster)])
    assert result.exit_code == 1
    assert "Baris 3:" in result.output
    assert "Tidak ada yang diimpor" in result.output
    assert cli_db.scalar(select(User)) is None

    skipped = runner.invoke(cli, ["import-users", str(roster), "--skip-invalid"])
    assert skipped.exit_code == 0, skipped.output
    assert "1 akun baru" in skipped.output
    assert cli_db.scalar(select(User.nip)) == "198503152010012003"


def test_demo_accounts_need_demo_mode(cli_db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = runner.invoke(cli, ["demo"])
    assert refused.exit_code == 1
    assert cli_db.scalar(select(User)) is None
    monkeypatch.setenv("LENTERA_DEMO", "1")
    get_settings.cache_clear()
    result = runner.invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    roles = set()
    for user in cli_db.scalars(select(User)):
        assert user.is_demo
        roles |= user.roles
    assert roles == set(Role)
    again = runner.invoke(cli, ["demo"])  # idempotent: resets, never duplicates
    assert again.exit_code == 0
    assert len(cli_db.scalars(select(User)).all()) == len(result.output.split("NIP ")) - 1
