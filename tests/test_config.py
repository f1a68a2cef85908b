import re
from pathlib import Path
from typing import Any

import pytest

from app.config import ConfigError, Settings
from app.main import create_app

README = Path(__file__).resolve().parent.parent / "README.md"


def _settings(**kwargs: Any) -> Settings:
    return Settings(_env_file=None, **kwargs)


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


# --- certificate signatory and signing key ------------------------------------------------------

SIGNATORY = {
    "signatory_name": "Dra. Siti Rahmawati, M.Si.",
    "signatory_nip": "196805121994032004",
    "signatory_pangkat": "Pembina Utama Muda (IV/c)",
    "signatory_title": "Kepala BKPSDM Kota Palu",
}


def _production(tmp_path: Path, **kwargs: object) -> Settings:
    from app.learning import signing

    key = tmp_path / "ttd.p12"
    if not key.exists():
        signing.make_demo_key(key, passphrase="rahasia")
    values: dict[str, object] = {
        "env": "production",
        "secret_key": "k" * 40,
        "data_dir": tmp_path,
        "signing_key_path": key,
        "signing_key_passphrase": "rahasia",
        **SIGNATORY,
    }
    values.update(kwargs)
    return _settings(**values)


def test_production_accepts_a_named_signatory_with_a_valid_nip_and_a_readable_key(
    tmp_path: Path,
) -> None:
    settings = _production(tmp_path)
    settings.check_production()
    assert settings.resolved_signing_key().subject.startswith("Lentera DEMO")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"signatory_name": "Kepala BKPSDM Kota Palu"}, "a title, not a person"),
        ({"signatory_name": "Kepala Badan,"}, "a title, not a person"),
        ({"signatory_name": "Kepala BKPSDM Kota Palu", "signatory_title": "X"}, "a title"),
        ({"signatory_name": "Bupati", "signatory_title": "bupati"}, "a title, not a person"),
        ({"signatory_nip": ""}, "LENTERA_SIGNATORY_NIP is required"),
        ({"signatory_nip": "196813121994032004"}, "LENTERA_SIGNATORY_NIP is not a valid NIP"),
        ({"signatory_nip": "12345"}, "LENTERA_SIGNATORY_NIP is not a valid NIP"),
        ({"signatory_name": "Contoh Penandatangan, S.Sos. (DEMO)"}, "fictional demo"),
        ({"signatory_nip": "197001012000031001"}, "fictional demo"),
        ({"signatory_pangkat": " "}, "LENTERA_SIGNATORY_PANGKAT"),
    ],
)
def test_production_refuses_a_signatory_who_is_not_a_named_person_with_a_valid_nip(
    tmp_path: Path, override: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        _production(tmp_path, **override).check_production()


def test_production_refuses_to_start_without_a_signing_key(tmp_path: Path) -> None:
    settings = _production(tmp_path, signing_key_path=None)
    with pytest.raises(ConfigError, match="LENTERA_SIGNING_KEY_PATH is required in production"):
        create_app(settings)
    assert not (tmp_path / "signing_key.p12").exists()  # no demo key in production


def test_production_refuses_a_configured_key_it_cannot_read(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="wrong passphrase"):
        _production(tmp_path, signing_key_passphrase="salah").check_production()
    with pytest.raises(ConfigError, match="cannot read the PKCS#12 file"):
        _production(tmp_path, signing_key_path=tmp_path / "hilang.p12").check_production()
    (tmp_path / "bukan.p12").write_bytes(b"bukan kunci")
    with pytest.raises(ConfigError, match="LENTERA_SIGNING_KEY_PATH cannot be used"):
        _production(tmp_path, signing_key_path=tmp_path / "bukan.p12").check_production()


def test_development_generates_a_demo_signing_key_once_and_keeps_it(tmp_path: Path) -> None:
    first = _settings(data_dir=tmp_path).resolved_signing_key()
    again = _settings(data_dir=tmp_path).resolved_signing_key()
    assert first.signer.signing_cert is not None and again.signer.signing_cert is not None
    assert first.signer.signing_cert.dump() == again.signer.signing_cert.dump()
    assert first.self_signed
    assert (tmp_path / "signing_key.p12").stat().st_mode & 0o777 == 0o600


def test_development_defaults_name_a_fictional_person_not_a_title() -> None:
    settings = _settings()
    assert "DEMO" in settings.signatory_name
    assert not settings.signatory_name.casefold().startswith("kepala")
    from app.accounts.nip import parse_pns

    parse_pns(settings.signatory_nip)
