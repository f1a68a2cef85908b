"""The subject access export: everything about one person, their files, no secrets."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import AuthSession, Role, User
from app.audit.models import AuditEvent
from app.config import Settings
from app.content.models import Blob
from app.learning.models import ExternalLearning
from app.privacy import service
from app.privacy.coverage import USER_LINKS
from app.privacy.export import FILES_DIR, descriptions
from tests.factories import make_user
from tests.privacy.conftest import EMAIL, NAME, SUPERVISOR_NIP, Person, sign_in


def _archive(data: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files.pop("data.json")), files


def test_export_has_every_table_about_the_person_and_their_files(
    session: Session, person: Person
) -> None:
    document, files = _archive(
        service.export_archive(session, person.user, actor_id=None, via="cli")
    )
    assert document["subject"]["nip"] == person.nip
    assert set(descriptions()) <= set(document)
    sections = {link.section for link in USER_LINKS.values() if link.section}
    sections |= {"certificates", "login_failures", "supervisor_confirmations"}
    empty = [section for section in sorted(sections) if not document[section]]
    assert empty == [], f"sections without the person's rows: {empty}"
    profile = document["profile"]
    assert (profile["full_name"], profile["email"], profile["golongan"]) == (NAME, EMAIL, "III/c")
    assert document["unit"]["name"] == "Dinas Kesehatan"
    assert document["roles"] == ["learner", "trainer"]
    attempt = document["quiz_attempts"][0]
    assert attempt["course_code"] == "PPP-101" and attempt["score"] == 0.9
    assert "answers" in attempt
    assert document["certificates"][0]["full_name"] == NAME
    confirmation = document["supervisor_confirmations"][0]
    assert (confirmation["verdict"], confirmation["legacy"]) == ("fully", False)
    assert (confirmation["supervisor_nip"], confirmation["supervisor_jabatan"]) == (
        SUPERVISOR_NIP,
        "Kepala Puskesmas",
    )
    actions = {event["action"] for event in document["audit_events"]}
    assert {"completion.recorded", "certificate.issued", "user.note"} <= actions
    assert "roster.row_checked" not in actions  # about them by NIP, but neither actor nor target
    # Every uploaded file, byte for byte, where data.json says it is.
    stored = session.execute(
        select(ExternalLearning.id, Blob.data)
        .join(Blob)
        .where(ExternalLearning.user_id == person.user.id)
    ).all()
    by_path = {row["id"]: row["file_in_archive"] for row in document["external_learning"]}
    assert len(stored) == 3
    for row_id, data in stored:
        assert by_path[row_id].startswith(FILES_DIR + "/")
        assert files[by_path[row_id]] == data


def test_export_leaves_out_password_and_token_hashes(session: Session, person: Person) -> None:
    person.user.password_hash = "$argon2id$v=19$rahasia"
    session.flush()
    data = service.export_archive(session, person.user, actor_id=None, via="cli")
    text = _archive(data)[0]
    raw = json.dumps(text)
    session_ids = session.scalars(
        select(AuthSession.id).where(AuthSession.user_id == person.user.id)
    )
    for secret in ["$argon2id$v=19$rahasia", "a" * 64, *session_ids]:
        assert secret not in raw
    assert text["profile"]["password_set"] is True
    assert "id" not in text["login_sessions"][0]


def test_admin_downloads_the_export_and_it_is_audited_without_personal_data(
    client: TestClient, session: Session, settings: Settings, person: Person, admin: User
) -> None:
    sign_in(client, session, settings, admin)
    page = client.get(f"/admin/pegawai/{person.nip}/data-pribadi")
    assert page.status_code == 200
    assert page.template.name == "privacy/person.html"
    response = client.get(f"/admin/pegawai/{person.nip}/data-pribadi.zip")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["cache-control"] == "private, no-store"
    assert _archive(response.content)[0]["profile"]["nip"] == person.nip
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.exported")).one()
    assert (event.actor_id, event.target_id, event.details["via"]) == (
        admin.id, str(person.user.id), "web",
    )  # fmt: skip
    assert person.nip not in json.dumps(event.details) and NAME not in json.dumps(event.details)


def test_only_admins_may_export_personal_data(
    client: TestClient, session: Session, settings: Settings, person: Person
) -> None:
    sign_in(client, session, settings, make_user(session, roles={Role.HR}, password=None))
    assert client.get(f"/admin/pegawai/{person.nip}/data-pribadi.zip").status_code == 403
    client.cookies.clear()
    anonymous = client.get(f"/admin/pegawai/{person.nip}/data-pribadi.zip")
    assert anonymous.status_code in (302, 303, 401)
    assert not session.scalars(
        select(AuditEvent).where(AuditEvent.action == "privacy.exported")
    ).all()


def test_export_of_an_unknown_nip_is_a_404(
    client: TestClient, session: Session, settings: Settings, admin: User
) -> None:
    sign_in(client, session, settings, admin)
    assert client.get("/admin/pegawai/199001012015031999/data-pribadi.zip").status_code == 404
