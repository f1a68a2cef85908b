"""The JP record CSV as a learner downloads it, from fixed data in the database, pinned in a
golden file: Lentera completions (valid, revoked with reason, without certificate, one
completed after local midnight on New Year's Eve), external learning verified, rejected and
pending. `LENTERA_UPDATE_GOLDEN=1` rewrites the file after a deliberate change."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.learning.models import Certificate
from tests.factories import login, make_user, nip
from tests.learning.conftest import AddExternal, Complete

GOLDEN = Path(__file__).parent / "golden" / "riwayat-belajar-2025.csv"


def test_record_csv_from_the_database_matches_its_golden_file(
    client: TestClient, session: Session, complete: Complete, add_external: AddExternal
) -> None:
    learner = make_user(session, nip=nip(seq=321), full_name="Nur Aisyah Lamarauna")
    complete(learner, "PPP-101", datetime(2025, 3, 3, 2, tzinfo=UTC), certificate="LNT-2025-1")
    revoked = complete(
        learner, "KOM-101", datetime(2025, 6, 9, 1, tzinfo=UTC), certificate="LNT-2025-2"
    )
    # 31 Dec 2024, 16.30 UTC: already 1 January 2025 in WITA.
    complete(learner, "MWK-201", datetime(2024, 12, 31, 16, 30, tzinfo=UTC))
    certificate = session.scalars(
        select(Certificate).where(Certificate.completion_id == revoked.id)
    ).one()
    certificate.revoked_at = datetime(2025, 8, 1, 17, tzinfo=UTC)  # 2 August in WITA
    certificate.revoke_reason = "Nilai ujian tidak sah"
    session.commit()
    add_external(learner, status="verified", end_on=date(2025, 12, 31), jp=5, title="Latsar")
    add_external(learner, status="rejected", end_on=date(2025, 5, 1), jp=9, title="Ditolak")
    add_external(learner, status="pending", end_on=date(2025, 5, 2), jp=7, title="Menunggu")
    login(client, learner)

    response = client.get("/riwayat/unduh.csv", params={"tahun": 2025})

    assert response.status_code == 200
    if os.environ.get("LENTERA_UPDATE_GOLDEN") == "1":
        GOLDEN.write_bytes(response.content)
    assert response.content == GOLDEN.read_bytes()
