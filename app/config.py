"""Settings, read from LENTERA_* environment variables (or a .env file)."""

from __future__ import annotations

import contextlib
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app import zones

if TYPE_CHECKING:
    from app.learning.signing import SigningKey

# Development and demo only: a person who clearly does not exist. Production refuses them.
DEMO_SIGNATORY_NAME = "Contoh Penandatangan, S.Sos. (DEMO)"
DEMO_SIGNATORY_NIP = "197001012000031001"


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
    # How long a session ended or changed on another instance may still be served here from
    # this process's session cache (ended on this process: at once). At most 1 s: the promise
    # in docs/security.md. 0 reads the auth generation on every request.
    session_recheck_seconds: float = Field(default=1.0, ge=0, le=1)
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
    # The signatory is a person: name, NIP and pangkat print under the title on every
    # certificate, frozen at issue. Production refuses a title in place of a name.
    signatory_name: str = DEMO_SIGNATORY_NAME
    signatory_nip: str = DEMO_SIGNATORY_NIP
    signatory_pangkat: str = "Pembina Utama Muda (IV/c)"
    signatory_title: str = "Kepala BKPSDM Kota Palu"
    # PAdES signing key (PKCS#12). Without one, development generates a demo key under
    # data_dir; production refuses to start (certificates are legal documents).
    signing_key_path: Path | None = None
    signing_key_passphrase: SecretStr | None = None
    # Extra certificates trusted when checking signatures (PEM or DER): a CA root, or the
    # certificates of keys rotated out, so certificates they signed keep validating.
    signing_trust_roots: Path | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    metrics: bool = False
    # Addresses (or networks, or "*") of the reverse proxies whose X-Forwarded-For and
    # X-Forwarded-Proto Uvicorn believes; `lentera serve --forwarded-allow-ips` overrides it.
    # Any other peer's forwarded headers are ignored, so a client cannot pose as another.
    forwarded_allow_ips: str = "127.0.0.1,::1"
    # SIASN riwayat kursus export (app/reports/siasn.py): the instansi's SIASN id, the kind of
    # training (jenisDiklatId) of Lentera's courses, and whether the course's competency
    # category chooses it instead (teknis 3, manajerial 5, sosial kultural 6).
    siasn_instansi_id: str = Field(default="", max_length=64)
    siasn_jenis_diklat: int = 16
    siasn_jenis_diklat_by_category: bool = False

    @field_validator("siasn_jenis_diklat")
    @classmethod
    def _known_jenis_diklat(cls, value: int) -> int:
        from app.reports.siasn import JENIS_DIKLAT

        if value not in JENIS_DIKLAT:
            known = ", ".join(str(key) for key in JENIS_DIKLAT)
            raise ValueError(f"not a SIASN jenis diklat id (known: {known})")
        return value

    # JP rules per employee type (app.learning.credited). `jp_target` above stays the PNS
    # minimum; the legal basis of each rule is text HR updates when a regulation changes.
    jp_rule_pns: str = (
        "PP 11/2017 tentang Manajemen PNS Pasal 203 ayat (4), "
        "sebagaimana diubah dengan PP 17/2020 (20 Maret 2020)"
    )
    jp_allotment_pppk: int = Field(default=24, ge=1)
    jp_rule_pppk: str = "PP 49/2018 tentang Manajemen PPPK Pasal 40 ayat (3) (22 November 2018)"

    # Blended classes (app/classes): minutes after a session's start an arrival is still on
    # time (a session may set its own), and the share of a session a partial attendee must
    # have attended to be credited its JP at finalising.
    class_late_minutes: int = Field(default=15, ge=0, le=240)
    class_min_attendance_percent: int = Field(default=75, ge=1, le=100)

    # An API token stops working this many days after it was created (existing tokens too:
    # the expiry is computed from the creation date, so lowering it shortens every token).
    api_token_max_days: int = Field(default=365, ge=1, le=3650)

    # Public certificate verification, per client address and window (counted in the
    # database, so across workers and instances): page views, and upload checks (each parses
    # a PDF and checks its signature). Beyond them: 429 with Retry-After.
    verify_window_minutes: int = Field(default=10, ge=1, le=24 * 60)
    verify_max_views_per_address: int = Field(default=120, ge=1)
    verify_max_checks_per_address: int = Field(default=20, ge=1)
    # How long a request waits for a pooled database connection and, on SQLite, for the
    # write lock, before it is answered 503 with Retry-After. Long enough for a class of 200
    # phones syncing at once to be served in turn (bench/sync_burst.py), yet shorter than a
    # reverse proxy's usual 60 s read timeout and the page's own sync timeout (lentera.js).
    db_wait_seconds: float = Field(default=45.0, ge=1, le=300)

    # Reminders by email (app/reminders): sent only when an SMTP host is set; without one
    # nothing is queued and pages say so. `mail_from` is the sender address people see.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_tls: Literal["none", "starttls", "ssl"] = "starttls"
    smtp_username: str = ""
    smtp_password: SecretStr | None = None
    mail_from: str = ""
    # Minutes between reminder passes run inside `lentera serve`; 0 leaves it to a cron job
    # calling `lentera reminders send`.
    reminders_interval_minutes: int = Field(default=0, ge=0, le=24 * 60)
    # After how many minutes a reminder still `sending` counts as interrupted (its process died
    # between claim and result): it is then marked failed and retried (app/reminders/
    # interrupted.py). A live send holds its claim for a few 30 s SMTP timeouts at most.
    reminders_stale_minutes: int = Field(default=30, ge=5, le=7 * 24 * 60)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        zones.check_zone(value)
        return value

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'lentera.db'}"
        return self

    @model_validator(mode="after")
    def _sender_with_smtp(self) -> Settings:
        if self.smtp_host.strip() and not self.mail_from.strip():
            raise ValueError(
                "LENTERA_MAIL_FROM is required when LENTERA_SMTP_HOST is set "
                "(the sender address of reminders, e.g. Lentera BKPSDM <lentera@palukota.go.id>)"
            )
        return self

    @property
    def mail_enabled(self) -> bool:
        """Whether reminders can be emailed: an SMTP host is configured."""
        return bool(self.smtp_host.strip())

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
        self.check_signatory()
        if self.signing_key_path is None:
            raise ConfigError(
                "LENTERA_SIGNING_KEY_PATH is required in production: certificates are legal "
                "documents and are signed (PAdES) with a PKCS#12 key. Use the key issued to the "
                "signatory by a certification authority (see docs/deployment.md), or for a "
                "trial a self-signed one from `lentera certificates make-demo-key`."
            )
        self.resolved_signing_key()

    def check_signatory(self) -> None:
        """Refuse a signatory who is not a named person with a valid NIP (production)."""
        from app.accounts.nip import InvalidNIP, parse_pns

        name = " ".join(self.signatory_name.split())
        title = " ".join(self.signatory_title.split())
        if name.casefold() == DEMO_SIGNATORY_NAME.casefold() or (
            self.signatory_nip == DEMO_SIGNATORY_NIP
        ):
            raise ConfigError(
                "LENTERA_SIGNATORY_NAME and LENTERA_SIGNATORY_NIP still name the fictional "
                "demo signatory: set the name and NIP of the official who signs certificates."
            )
        if (
            not name
            or name.casefold() == title.casefold()
            or name.casefold().startswith(("kepala", "plt", "plh", "sekretaris"))
        ):
            raise ConfigError(
                f"LENTERA_SIGNATORY_NAME is {self.signatory_name!r}, which is a title, not a "
                "person: set the signatory's full name (with academic degrees) and put the "
                "office in LENTERA_SIGNATORY_TITLE."
            )
        if not self.signatory_nip.strip():
            raise ConfigError(
                "LENTERA_SIGNATORY_NIP is required in production: certificates print the "
                "signatory's NIP under their name."
            )
        try:
            parse_pns(self.signatory_nip)
        except InvalidNIP as exc:
            raise ConfigError(f"LENTERA_SIGNATORY_NIP is not a valid NIP: {exc}") from exc
        if not self.signatory_pangkat.strip():
            raise ConfigError("LENTERA_SIGNATORY_PANGKAT is required in production.")

    def resolved_signing_key(self) -> SigningKey:
        """The certificate signing key: configured, or (development only) a demo key
        generated once under data_dir. ConfigError says what is wrong with it."""
        from app.learning import signing

        passphrase = (
            self.signing_key_passphrase.get_secret_value() if self.signing_key_passphrase else None
        )
        path = self.signing_key_path
        if path is None:
            if self.env == "production":
                raise ConfigError("LENTERA_SIGNING_KEY_PATH is required in production.")
            path = self.data_dir / signing.DEMO_KEY_FILE
            passphrase = None
            if not path.exists():
                # Another process may make it first: then this one uses theirs.
                with contextlib.suppress(FileExistsError):
                    signing.make_demo_key(path)
        try:
            return signing.load_key(path, passphrase, self.signing_trust_roots)
        except signing.SigningKeyError as exc:
            raise ConfigError(
                f"LENTERA_SIGNING_KEY_PATH cannot be used: {exc}. Check the path and "
                "LENTERA_SIGNING_KEY_PASSPHRASE."
            ) from exc


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment.

    The local zone is not configured here: app.clock reads these settings on first use when no
    app configured it, so reading the environment's settings never moves an app's zone."""
    return Settings()
