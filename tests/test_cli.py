import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.accounts import roster
from app.accounts.models import Role, User
from app.cli import cli
from app.config import get_settings
from app.content.models import Course
from app.db import make_engine
from app.learning.models import Assignment, LearningPath

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
    roles: set[Role] = set()
    for user in cli_db.scalars(select(User)):
        assert user.is_demo
        roles |= user.roles
    assert roles == set(Role)
    again = runner.invoke(cli, ["demo"])  # idempotent: resets, never duplicates
    assert again.exit_code == 0
    assert len(cli_db.scalars(select(User)).all()) == len(result.output.split("NIP ")) - 1


@pytest.fixture
def unmigrated_cli(
    empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Point the CLI at a database without any schema; yields the URL shown to operators."""
    from app.ops import describe_database

    if empty_database_url.startswith("sqlite"):
        Path(empty_database_url.removeprefix("sqlite:///")).touch()  # exists, but empty
    monkeypatch.setenv("LENTERA_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("LENTERA_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("LENTERA_DEMO", raising=False)
    get_settings.cache_clear()
    yield describe_database(empty_database_url)
    get_settings.cache_clear()


def _no_server(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the server was started")

    monkeypatch.setattr(uvicorn.Server, "run", refuse)
    monkeypatch.setattr(uvicorn, "run", refuse)


NEEDS_SCHEMA = [
    ["create-user", "198503152010012003", "--name", "Siti"],
    ["reset-password", "198503152010012003"],
    ["import-users", "{roster}", "--skip-invalid"],
    ["content", "reload", "{content}"],
    ["audit", "verify"],
    ["privacy", "export", "198503152010012003", "-o", "{tmp}/out.zip"],
    ["privacy", "anonymise", "198503152010012003", "--yes"],
    ["export", "completions", "-o", "{tmp}/out.csv"],
    ["backup", "{tmp}/backup.bin"],
    ["serve"],
]


def test_every_command_on_an_unmigrated_database_says_run_migrate_and_names_the_database(
    unmigrated_cli: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_server(monkeypatch)
    roster = tmp_path / "pegawai.csv"
    roster.write_text("NIP;Nama\n198503152010012003;Siti\n", encoding="utf-8")
    for command in NEEDS_SCHEMA:
        args = [a.format(roster=roster, content=tmp_path, tmp=tmp_path) for a in command]
        result = runner.invoke(cli, args)
        assert result.exit_code == 1, (args, result.output)
        assert isinstance(result.exception, SystemExit), (args, result.exception)
        assert "the database is not migrated: run `lentera migrate`" in result.output, args
        assert unmigrated_cli in result.output, args
        assert "Traceback" not in result.output
    assert not (tmp_path / "var" / "secret_key").exists()  # serve stopped before creating it


def test_a_command_run_from_the_wrong_directory_creates_no_database_and_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LENTERA_DATABASE_URL", raising=False)
    monkeypatch.delenv("LENTERA_DATA_DIR", raising=False)
    get_settings.cache_clear()
    roster = tmp_path / "pegawai.csv"
    roster.write_text("NIP;Nama\n198503152010012003;Siti\n", encoding="utf-8")
    try:
        result = runner.invoke(cli, ["import-users", str(roster), "--skip-invalid"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "run `lentera migrate`" in result.output
    assert str(tmp_path / "var" / "lentera.db") in result.output
    assert "working directory" in result.output
    assert not (tmp_path / "var").exists()


def test_a_database_behind_the_migrations_is_named_with_its_revision(
    backend: str, fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alembic import command

    from app.ops import alembic_config

    if backend != "sqlite":
        pytest.skip("the revision check is the same code on both databases")
    command.downgrade(alembic_config(fresh_database_url), "-1")
    monkeypatch.setenv("LENTERA_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("LENTERA_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    _no_server(monkeypatch)
    try:
        for args in (["reset-password", "198503152010012003"], ["serve"]):
            result = runner.invoke(cli, args)
            assert result.exit_code == 1
            assert "the database is not migrated: run `lentera migrate`" in result.output
            assert "at revision" in result.output
    finally:
        get_settings.cache_clear()


def test_a_database_from_a_newer_lentera_or_another_application_is_refused(
    backend: str, fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import text

    if backend != "sqlite":
        pytest.skip("the revision check is the same code on both databases")
    engine = make_engine(fresh_database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00dcafe'"))
    engine.dispose()
    monkeypatch.setenv("LENTERA_DATABASE_URL", fresh_database_url)
    get_settings.cache_clear()
    try:
        result = runner.invoke(cli, ["audit", "verify"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "f00dcafe" in result.output and "does not know" in result.output


# Indonesian words that never appear in English help (domain terms such as "Unit kerja" or
# "NIP" are allowed: they name things operators type).
INDONESIAN = re.compile(
    r"\b(yang|dan|atau|untuk|dari|dengan|berkas|bawaan|jangan|tulis|periksa|materi|"
    r"pegawai|semua|seorang|jejak|kursus|folder-folder|paksa|isi|soal)\b",
    re.IGNORECASE,
)


def _all_commands() -> list[list[str]]:
    root = typer.main.get_command(cli)
    found: list[list[str]] = [[]]

    def walk(command: object, path: list[str]) -> None:
        if isinstance(getattr(command, "commands", None), dict):
            for name, sub in command.commands.items():  # type: ignore[attr-defined]
                found.append([*path, name])
                walk(sub, [*path, name])

    walk(root, [])
    return found


def test_lentera_help_is_in_english_for_every_command() -> None:
    checked = 0
    for path in _all_commands():
        result = runner.invoke(cli, [*path, "--help"], terminal_width=200)
        assert result.exit_code == 0
        words = INDONESIAN.findall(result.output)
        assert words == [], (" ".join(path) or "lentera", words)
        checked += 1
    assert checked >= 15


def test_serve_trusts_the_proxies_named_by_the_setting_unless_the_option_names_others(
    cli_db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    seen: list[object] = []

    def capture(self: uvicorn.Server, *_args: object, **_kwargs: object) -> None:
        seen.append(self.config.forwarded_allow_ips)
        self.started = True

    monkeypatch.setattr(uvicorn.Server, "run", capture)
    monkeypatch.setenv("LENTERA_FORWARDED_ALLOW_IPS", "10.0.0.5,10.0.0.6")
    get_settings.cache_clear()
    assert runner.invoke(cli, ["serve"]).exit_code == 0
    assert runner.invoke(cli, ["serve", "--forwarded-allow-ips", "192.0.2.1"]).exit_code == 0
    assert seen == ["10.0.0.5,10.0.0.6", "192.0.2.1"]


def test_import_users_assigns_learning_paths(
    cli_db: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nobody registered the hook yet (as in a fresh `lentera` process): the command must.
    monkeypatch.setattr(roster, "_after_import", [])
    course = Course(code="KOM-101", folder="komunikasi")
    cli_db.add(course)
    path = LearningPath(name="Jalur Lurah", course_codes=["KOM-101"], jabatan_pattern="Lurah")
    cli_db.add(path)
    cli_db.commit()
    data = tmp_path / "pegawai.csv"
    data.write_text(
        "NIP;Nama;Unit Kerja;Jabatan\n198503152010012003;Siti;Kelurahan Lere;Lurah\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["import-users", str(data)])
    assert result.exit_code == 0, result.output
    assigned = cli_db.scalars(select(Assignment)).one()
    assert (assigned.course_id, assigned.via_path_id) == (course.id, path.id)
