import re
from pathlib import Path

import pytest

from app.config import ConfigError, Settings
from app.main import create_app

README = Path(__file__).resolve().parent.parent / "README.md"


def _settings(**kwargs: object) -> Settings:
    return Settings(_env_file=None, **kwargs)  # type: ignore[call-arg, arg-type]


def test_default_database_is_sqlite_under_the_data_dir(tmp_path: Path) -> None:
    settings = _settings(data_dir=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'lentera.db'}"


def test_development_generates_a_secret_key_once_and_keeps_it(tmp_path: Path) -> None:
    first = _settings(data_dir=tmp_path).resolved_secret_key()
    again = _settings(data_dir=tmp_path).resolved_secret_key()
    assert first == again and len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    settings = _settings(env="production", data_dir=tmp_path)
    with pytest.raises(ConfigError, match="LENTERA_SECRET_KEY is required in production"):
        create_app(settings)
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_a_short_secret_key_and_demo_mode(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="at least 32"):
        _settings(env="production", secret_key="short", data_dir=tmp_path).check_production()
    with pytest.raises(ConfigError, match="LENTERA_DEMO"):
        _settings(
            env="production", secret_key="k" * 40, demo=True, data_dir=tmp_path
        ).check_production()


def test_settings_read_from_lentera_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LENTERA_BASE_URL", "https://lentera.palukota.go.id")
    monkeypatch.setenv("LENTERA_SESSION_IDLE_MINUTES", "30")
    settings = _settings()
    assert settings.cookie_secure is True
    assert settings.session_idle_minutes == 30


def test_every_setting_is_documented_in_the_readme() -> None:
    documented = set(re.findall(r"`(LENTERA_[A-Z_]+)`", README.read_text(encoding="utf-8")))
    settings = {f"LENTERA_{name.upper()}" for name in Settings.model_fields}
    assert settings - documented == set(), "document these settings in the README table"
