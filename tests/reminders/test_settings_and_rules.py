"""The pure parts of reminders: phone numbers, the SMTP settings check, the retry schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from app.accounts import phones
from app.config import Settings
from app.reminders import registry, sending


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0812-3456-7890", "6281234567890"),
        ("+62 812 3456 7890", "6281234567890"),
        ("62 812.3456.7890", "6281234567890"),
        ("(0812) 3456 7890", "6281234567890"),
        ("81234567890", "6281234567890"),
        ("", None),
        ("   ", None),
    ],
)
def test_a_phone_number_is_stored_as_62_and_digits(typed: str, stored: str | None) -> None:
    assert phones.normalize(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "0812abc", "+1 555 123 4567", "620812345678", "08"])
def test_a_phone_number_that_is_not_one_is_refused_in_indonesian(typed: str) -> None:
    with pytest.raises(phones.InvalidPhone, match="tidak valid; tulis misalnya 0812 3456 7890"):
        phones.normalize(typed)


def test_an_smtp_host_without_a_sender_is_refused_naming_the_setting() -> None:
    with pytest.raises(ValidationError, match="LENTERA_MAIL_FROM is required"):
        Settings(smtp_host="mail.palukota.go.id", _env_file=None)
    assert not Settings(_env_file=None).mail_enabled


def test_failures_are_retried_with_a_doubling_delay() -> None:
    assert [sending.retry_delay(n) for n in range(1, 5)] == [
        timedelta(minutes=m) for m in (10, 20, 40, 80)
    ]


def test_every_registered_kind_is_unique_and_has_a_label() -> None:
    kinds = [source.kind for source in registry.SOURCES]
    assert len(kinds) == len(set(kinds))
    assert {"assignment_due", "assignment_overdue", "follow_up_due"} <= set(kinds)
    assert all(registry.kind_label(kind) for kind in kinds)
