"""Fields sent beside a file follow the same text rules as urlencoded forms (issue 19 item 7).

The multipart bodies are written by hand, so the bytes are exactly the hostile ones.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.content.models import CourseVersion
from app.learning.models import ExternalLearning
from tests.factories import csrf_token, login, make_user
from tests.learning.conftest import PDF_BYTES
from tests.learning.test_external import form as external_form

ROSTER = b"NIP;Nama\n198503152010012003;Siti Rahmawati\n"
BOUNDARY = "lentera-uji-batas"

# Each upload route: its form page (for the CSRF token), valid fields and its file.
UPLOADS = {
    "external": ("/riwayat/eksternal", external_form(), ("sertifikat.pdf", PDF_BYTES)),
    "roster": ("/pegawai/impor", {}, ("pegawai.csv", ROSTER)),
    "course": ("/pengajar/unggah", {}, ("kursus.zip", b"PK\x05\x06" + b"\x00" * 18)),
}
HOSTILE = {
    "nul": (b"Pelatihan\x00Kepemimpinan", "karakter yang tidak diizinkan"),
    "invalid-utf8": (b"Pelatihan \xff\xfe Kepemimpinan", "karakter yang tidak terbaca"),
    "escape": (b"Pelatihan \x1b[31mKepemimpinan", "karakter yang tidak diizinkan"),
    "bell": (b"Pelatihan\x07", "karakter yang tidak diizinkan"),
}


def _multipart(fields: dict[str, bytes], file: tuple[bytes, bytes]) -> bytes:
    parts = [
        b'Content-Disposition: form-data; name="' + name.encode() + b'"\r\n\r\n' + value
        for name, value in fields.items()
    ]
    filename, content = file
    parts.append(
        b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + content
    )
    separator = f"--{BOUNDARY}\r\n".encode()
    return b"".join(separator + part + b"\r\n" for part in parts) + f"--{BOUNDARY}--\r\n".encode()


def _stored(session: Session) -> tuple[int, ...]:
    session.expire_all()
    return tuple(
        session.scalar(select(func.count()).select_from(model)) or 0
        for model in (ExternalLearning, User, CourseVersion)
    )


def _post(client: TestClient, route: str, fields: dict[str, bytes], file: tuple[bytes, bytes]):  # type: ignore[no-untyped-def]
    return client.post(
        route,
        content=_multipart(fields, file),
        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )


@pytest.fixture
def everyone(client: TestClient, session: Session) -> User:
    user = make_user(session, roles={Role.LEARNER, Role.HR, Role.TRAINER, Role.ADMIN})
    login(client, user)
    return user


@pytest.mark.parametrize("upload", UPLOADS.keys())
@pytest.mark.parametrize("payload", HOSTILE.keys())
def test_a_field_sent_with_a_file_is_refused_for_nul_invalid_utf8_or_control_characters(
    client: TestClient, session: Session, everyone: User, upload: str, payload: str
) -> None:
    route, valid, (filename, content) = UPLOADS[upload]
    value, message = HOSTILE[payload]
    fields = {name: text.encode() for name, text in valid.items()}
    fields["csrf_token"] = csrf_token(client, route).encode()
    # The first text field carries the payload (an extra field for the forms with none).
    target = next(iter(valid), "catatan")
    fields[target] = value
    before = _stored(session)
    response = _post(client, route, fields, (filename.encode(), content))
    assert response.status_code == 400, response.text
    assert message in response.text
    assert _stored(session) == before


def test_a_file_name_with_a_control_character_is_refused(
    client: TestClient, session: Session, everyone: User
) -> None:
    route, valid, (_name, content) = UPLOADS["external"]
    fields = {name: text.encode() for name, text in valid.items()}
    fields["csrf_token"] = csrf_token(client, route).encode()
    before = _stored(session)
    response = _post(client, route, fields, (b"sertifikat\x00.pdf", content))
    assert response.status_code == 400
    assert "karakter yang tidak diizinkan" in response.text
    assert _stored(session) == before


def test_valid_indonesian_text_with_line_breaks_beside_a_file_is_accepted(
    client: TestClient, session: Session, everyone: User
) -> None:
    route, valid, (filename, content) = UPLOADS["external"]
    fields = {name: text.encode() for name, text in valid.items()}
    fields["csrf_token"] = csrf_token(client, route).encode()
    fields["title"] = "Pelatihan Pelayanan Publik — Tingkat Lanjut\r\n(Angkatan II)".encode()
    response = _post(client, route, fields, (filename.encode(), content))
    assert response.status_code == 303, response.text


def test_an_urlencoded_form_with_a_control_character_is_refused(
    client: TestClient, session: Session, everyone: User
) -> None:
    token = csrf_token(client, "/profil")
    response = client.post(
        "/profil/sandi",
        content=f"csrf_token={token}&current_password=a%1Bb&password=x&password_confirm=x".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400
    assert "karakter yang tidak diizinkan" in response.text
