"""Mobile numbers for WhatsApp: stored in the international form wa.me wants, 62 and digits.

People write their number as 0812-3456-7890, +62 812 3456 7890, 62812..., or 812...; all of
them are stored as 6281234567890. A number is 62 followed by 8 to 12 digits, the first not 0
(Indonesian mobile numbers are 10 to 13 digits written with the leading 0). Nothing is looked
up: whether the number has WhatsApp is for the person sending to find out.
"""

from __future__ import annotations

import re

from app.i18n import gettext as _

_SEPARATORS = re.compile(r"[\s().\-/]")
_VALID = re.compile(r"62[1-9][0-9]{7,11}")


class InvalidPhone(ValueError):
    """The text is not a phone number; the message says which one, in Indonesian."""


def normalize(raw: str | None) -> str | None:
    """The number as stored (62...), None when empty; raise InvalidPhone otherwise."""
    value = _SEPARATORS.sub("", raw or "")
    if not value:
        return None
    if value.startswith("+"):
        value = value[1:]
    elif value.startswith("0"):
        value = "62" + value[1:]
    elif value.startswith("8"):
        value = "62" + value
    if not _VALID.fullmatch(value):
        raise InvalidPhone(
            _("Nomor HP '{value}' tidak valid; tulis misalnya 0812 3456 7890.").format(
                value=(raw or "").strip()
            )
        )
    return value


def display(phone: str) -> str:
    """How a stored number is shown: +62 812-3456-7890."""
    rest = phone[2:]
    return f"+62 {rest[:3]}-{rest[3:7]}-{rest[7:]}".rstrip("-")
