"""`lentera certificates make-demo-key`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.learning import signing

runner = CliRunner()


def test_make_demo_key_writes_a_usable_self_signed_pkcs12_and_never_overwrites(
    tmp_path: Path,
) -> None:
    path = tmp_path / "kunci" / "demo.p12"
    result = runner.invoke(cli, ["certificates", "make-demo-key", "--output", str(path)])
    assert result.exit_code == 0, result.output
    assert f"LENTERA_SIGNING_KEY_PATH={path}" in result.output
    assert path.stat().st_mode & 0o777 == 0o600
    key = signing.load_key(path, None)
    assert key.self_signed and key.subject == "Lentera DEMO - bukan tanda tangan resmi"
    before = path.read_bytes()
    again = runner.invoke(cli, ["certificates", "make-demo-key", "--output", str(path)])
    assert again.exit_code == 1
    assert "exists already" in again.output
    assert path.read_bytes() == before


def test_make_demo_key_defaults_to_the_data_dir_and_can_be_protected_by_a_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LENTERA_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    try:
        result = runner.invoke(
            cli,
            ["certificates", "make-demo-key", "--passphrase", "--common-name", "Uji"],
            input="rahasia\nrahasia\n",
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    path = tmp_path / "var" / "signing_key.p12"
    with pytest.raises(signing.SigningKeyError):
        signing.load_key(path, None)
    assert signing.load_key(path, "rahasia").subject == "Uji"
