"""Profile fields typed by HR or an operator (CLI create-user) pass the same checks as a roster."""

from __future__ import annotations

import pytest

from app.accounts.emails import InvalidEmail
from app.accounts.service import build_user_data

NIP = "199203142019032007"


@pytest.mark.parametrize("email", ["rina@", "rina", "rina@palu", "ri na@palukota.go.id"])
def test_an_incomplete_email_is_refused_with_a_specific_message(email: str) -> None:
    with pytest.raises(InvalidEmail, match=f"Email '{email}' tidak valid"):
        build_user_data(nip=NIP, full_name="Rina Lamarauna", email=email)


def test_a_complete_email_is_stored_normalised_and_an_empty_one_as_none() -> None:
    data = build_user_data(nip=NIP, full_name="Rina", email="  Rina@PaluKota.go.id ")
    assert data.email == "Rina@palukota.go.id"
    assert build_user_data(nip=NIP, full_name="Rina", email="  ").email is None
