"""The admin audit page shows the chain's head, for the record kept outside Lentera."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import Role
from app.audit.models import AuditEvent
from tests.factories import login, make_user


def test_the_audit_page_shows_the_chain_head_and_how_to_verify_it(
    client: TestClient, session: Session
) -> None:
    admin = make_user(session, roles={Role.ADMIN})
    login(client, admin)  # audited: auth.login

    page = client.get("/admin/audit")

    assert page.status_code == 200
    head = page.context["chain_head"]
    last = session.scalar(select(func.max(AuditEvent.seq)))
    newest = session.scalars(select(AuditEvent).where(AuditEvent.seq == last)).one()
    assert (head.seq, head.head_hash) == (last, newest.entry_hash)
    assert "Verifikasi rantai" in page.text and newest.entry_hash in page.text
    assert "lentera audit verify" in page.text
