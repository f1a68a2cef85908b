"""Access logs record route templates, never NIPs or tokens from paths (issue 19 item 10)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.observability import JsonFormatter
from tests.factories import csrf_token, login, make_user


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    """Every line Lentera's loggers write, formatted exactly as they reach stderr."""
    lines: list[str] = []
    formatter = JsonFormatter()

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(formatter.format(record))

    handler = Collect()
    logger = logging.getLogger("lentera")
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)


def test_a_request_to_a_person_page_logs_the_route_template_and_no_nip(
    client: TestClient, session: Session, log_lines: list[str]
) -> None:
    hr = make_user(session, roles={Role.HR})
    person = make_user(session)
    login(client, hr)
    token = csrf_token(client, f"/pegawai/{person.nip}")
    assert client.get(f"/pegawai/{person.nip}").status_code == 200
    client.post(f"/pegawai/{person.nip}/buka-kunci", data={"csrf_token": token})
    client.get(f"/pegawai/{person.nip}/tidak-ada")  # no route: a 404
    client.get("/atur-sandi/rahasia-sekali-token")
    joined = "\n".join(log_lines)
    assert '"path": "/pegawai/{nip}"' in joined
    assert '"path": "/pegawai/{nip}/buka-kunci"' in joined
    assert '"path": "/pegawai/{angka}/tidak-ada"' in joined
    assert '"path": "/atur-sandi/{token}"' in joined
    assert person.nip not in joined
    assert "rahasia-sekali-token" not in joined


def test_any_path_field_in_a_log_line_has_long_numbers_masked(log_lines: list[str]) -> None:
    logging.getLogger("lentera.errors").warning(
        "database refused input", extra={"path": "/pegawai/198503152010012003/status"}
    )
    assert '"path": "/pegawai/{angka}/status"' in log_lines[-1]
