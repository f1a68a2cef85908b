"""Password hashing (Argon2id) and the password policy."""

from __future__ import annotations

from functools import cache

from pwdlib import PasswordHash

from app.i18n import gettext as _

MIN_LENGTH = 10
MAX_LENGTH = 128

# A few passwords people in this setting reach for first; the policy refuses them outright.
_COMMON = {
    "1234567890",
    "12345678910",
    "qwertyuiop",
    "password123",
    "passwordku",
    "bismillah123",
    "indonesia123",
    "palu12345678",
    "asnpalu2024",
    "asnpalu2025",
    "asnpalu2026",
}


class WeakPassword(ValueError):
    """The password does not meet the policy; the message says what to change."""


@cache
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    """Argon2id hash with pwdlib's recommended parameters."""
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """True when `password` matches; a missing hash never matches (but costs the same time)."""
    if password_hash is None:
        # Hash anyway so that an unknown account takes as long as a wrong password.
        _hasher().hash(password)
        return False
    return _hasher().verify(password, password_hash)


def check_policy(password: str, *, nip: str | None = None, full_name: str | None = None) -> None:
    """Raise WeakPassword with a specific message when the password is too easy to guess."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(
            _("Kata sandi minimal {n} karakter; yang diisi {count}.").format(
                n=MIN_LENGTH, count=len(password)
            )
        )
    if len(password) > MAX_LENGTH:
        raise WeakPassword(_("Kata sandi paling panjang {n} karakter.").format(n=MAX_LENGTH))
    lowered = password.lower()
    if lowered in _COMMON or len(set(password)) <= 3:
        raise WeakPassword(_("Kata sandi ini terlalu mudah ditebak. Pilih yang lain."))
    if nip and nip[:8] in password:
        raise WeakPassword(_("Kata sandi tidak boleh memuat NIP atau tanggal lahir Anda."))
    if full_name:
        for part in full_name.lower().split():
            if len(part) >= 4 and part in lowered and len(lowered) - len(part) < 6:
                raise WeakPassword(_("Kata sandi tidak boleh hanya berupa nama Anda."))
