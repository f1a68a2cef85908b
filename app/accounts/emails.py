"""Email addresses HR and people type: checked by their form only, never by DNS."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from app.i18n import gettext as _


class InvalidEmail(ValueError):
    """The text is not an email address; the message says which one, in Indonesian."""


def normalize(raw: str | None) -> str | None:
    """The address as it will be stored, None when empty; raise InvalidEmail otherwise.

    email-validator checks the syntax (local part, one @, a domain with a dot) without DNS
    lookups: imports must work offline and a mail server's outage must not refuse a roster.
    """
    value = (raw or "").strip()
    if not value:
        return None
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise InvalidEmail(
            _("Email '{value}' tidak valid; tulis lengkap seperti nama@palukota.go.id.").format(
                value=value
            )
        ) from None
    return checked.normalized
