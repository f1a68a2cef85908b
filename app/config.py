"""Settings, read from LENTERA_* environment variables (or a .env file)."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app import clock


class ConfigError(RuntimeError):
    """The configuration cannot work; the message says which setting to fix."""


class Settings(BaseSettings):
    """Every setting is documented in the README's settings table (a test checks this)."""

    model_config = SettingsConfigDict(
        env_prefix="LENTERA_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["development", "production"] = "development"
    data_dir: Path = Path("var")
    database_url: str = ""
    content_dir: Path = Path("content")
    load_content_on_start: bool = True
    # How stale another instance's publish may be on this one (a publish on this process is
    # seen at once): the catalogue's generation is read at most this often, not per request.
    content_recheck_seconds: float = Field(default=1.0, ge=0, le=60)
    # Database connections each server process keeps open. Requests beyond it wait for a
    # free one (up to 30 s) instead of opening and closing extra connections under load.
    db_pool_size: int = Field(default=20, ge=1, le=200)
    # HR's dashboard and a trainer's course report aggregate every enrolment or attempt: each
    # process keeps their figures this long.
    report_cache_seconds: float = Field(default=120.0, ge=0, le=3600)
    secret_key: SecretStr | None = None
    base_url: str = "http://127.0.0.1:8000"
    demo: bool = False
    default_locale: Literal["id", "en"] = "id"
    timezone: str = "Asia/Makassar"
    session_idle_minutes: int = Field(default=120, ge=5)
    session_max_hours: int = Field(default=24 * 7, ge=1)
    login_max_failures_per_account: int = Field(default=5, ge=1)
    login_max_failures_per_address: int = Field(default=30, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    reset_link_hours: int = Field(default=24, ge=1)
    max_upload_mb: int = Field(default=10, ge=1)
    follow_up_days: int = Field(default=30, ge=1)
    jp_target: int = Field(default=20, ge=1)
    issuer_name: str = "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Palu"
    instansi_name: str = "Pemerintah Kota Palu"
    signatory_name: str = "Kepala BKPSDM Kota Palu"
    signatory_title: str = "Kepala Badan"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    metrics: bool = False
    # Addresses (or networks, or "*") of the reverse proxies whose X-Forwarded-For and
    # X-Forwarded-Proto Uvicorn believes; `lentera serve --forwarded-allow-ips` overrides it.
    # Any other peer's forwarded headers are ignored, so a client cannot pose as another.
    forwarded_allow_ips: str = "127.0.0.1,::1"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        clock.check_zone(value)
        return value

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'lentera.db'}"
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def cookie_secure(self) -> bool:
        return self.base_url.startswith("https://")

    def resolved_secret_key(self) -> str:
        """The signing key: configured, or (development only) generated once and kept on disk."""
        if self.secret_key is not None and self.secret_key.get_secret_value():
            key = self.secret_key.get_secret_value()
            if self.env == "production" and len(key) < 32:
                raise ConfigError(
                    "LENTERA_SECRET_KEY must be at least 32 characters in production."
                )
            return key
        if self.env == "production":
            raise ConfigError(
                "LENTERA_SECRET_KEY is required in production: set it to a long random value, "
                "e.g. the output of `python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )
        # Development: a key generated on first run and persisted, so sessions survive restarts
        # without anyone having to invent a secret.
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(key)
        return key

    def check_production(self) -> None:
        """Refuse settings that are unsafe in production, with a message naming the setting."""
        if self.env != "production":
            return
        self.resolved_secret_key()
        if self.demo:
            raise ConfigError("LENTERA_DEMO cannot be enabled in production (demo passwords).")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment (they set the local zone)."""
    settings = Settings()
    clock.configure(settings.timezone)
    return settings
