"""Test data factories: valid defaults, every field overridable by keyword."""

from __future__ import annotations

import itertools
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts import service as accounts_service
from app.accounts.models import Role, User

_sequence = itertools.count(1)
DEFAULT_PASSWORD = "Kopi-Palu-2026!"


def nip(
    birth: str = "19900101", appointed: str | None = None, gender: str = "1", seq: int | None = None
) -> str:
    """A structurally valid PNS NIP; the sequence makes each one unique.

    Numbers drawn from the process-wide sequence (no `seq`) take their own appointment month,
    201504, so they never equal a NIP a test writes out (those use 201503): which sequence
    numbers a test gets depends on what ran before it in the worker.
    """
    if appointed is None:
        appointed = "201503" if seq is not None else "201504"
    number = seq if seq is not None else next(_sequence) % 999 + 1
    return f"{birth}{appointed}{gender}{number:03d}"


def pppk_nip(birth: str = "19930505", year: str | None = None, seq: int | None = None) -> str:
    """A structurally valid NI PPPK; drawn numbers use their own year (see `nip`)."""
    if year is None:
        year = "2022" if seq is not None else "2021"
    number = seq if seq is not None else next(_sequence) % 999 + 1
    return f"{birth}{year}212{number:03d}"


def make_user(
    session: Session,
    *,
    roles: set[Role] | None = None,
    password: str | None = DEFAULT_PASSWORD,
    **overrides: Any,
) -> User:
    """Create a user with a valid NIP, a learner role and a known password."""
    fields: dict[str, Any] = {
        "nip": nip(),
        "full_name": f"Pegawai Uji {next(_sequence)}",
        "unit_name": "Dinas Kependudukan dan Pencatatan Sipil",
        "jabatan": "Pengelola Layanan",
        "golongan": "III/a",
    }
    extra = {key: overrides.pop(key) for key in ("is_active", "is_demo") if key in overrides}
    fields.update(overrides)
    data = accounts_service.build_user_data(roles=roles or {Role.LEARNER}, **fields)
    user = accounts_service.create_user(
        session, data, password=password, is_demo=extra.get("is_demo", False)
    )
    if "is_active" in extra:
        user.is_active = extra["is_active"]
    session.commit()
    return user


def csrf_token(client: TestClient, path: str = "/masuk") -> str:
    """Load a form page and return its CSRF token (the cookie is kept by the client)."""
    page = client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: TestClient, user: User, password: str = DEFAULT_PASSWORD) -> None:
    token = csrf_token(client)
    response = client.post(
        "/masuk", data={"csrf_token": token, "nip": user.nip, "password": password, "next": "/"}
    )
    assert response.status_code == 303, response.text
