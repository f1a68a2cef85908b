"""Templates are re-read from disk in development only (production renders from memory)."""

from __future__ import annotations

from pathlib import Path

from app.config import Settings
from app.learning import signing
from app.main import create_app
from app.web.templating import templates


def _settings(tmp_path: Path, env: str) -> Settings:
    production: dict[str, object] = {}
    if env == "production":
        # Production refuses to start without a real signatory and a readable signing key.
        key = tmp_path / "ttd.p12"
        signing.make_demo_key(key, passphrase="rahasia")
        production = {
            "signing_key_path": key,
            "signing_key_passphrase": "rahasia",
            "signatory_name": "Dra. Siti Rahmawati, M.Si.",
            "signatory_nip": "196805121994032004",
            "signatory_pangkat": "Pembina Utama Muda (IV/c)",
            "signatory_title": "Kepala BKPSDM Kota Palu",
        }
    return Settings(
        env=env,
        database_url=f"sqlite:///{tmp_path / 'r.db'}",
        data_dir=tmp_path / "var",
        secret_key="test-secret-key-" + "x" * 32,
        load_content_on_start=False,
        _env_file=None,
        **production,  # type: ignore[arg-type]
    )


def test_production_does_not_stat_templates_on_every_render(tmp_path: Path) -> None:
    try:
        create_app(_settings(tmp_path, "production")).state.engine.dispose()
        assert templates.env.auto_reload is False
        create_app(_settings(tmp_path, "development")).state.engine.dispose()
        assert templates.env.auto_reload is True
    finally:
        templates.env.auto_reload = True
