"""Certificate numbers cannot be guessed, and the public verification is rate-limited per
client address (views and the CPU-heavy upload check), in the database."""

from __future__ import annotations

import math
import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.learning import completion, verify_throttle
from app.learning.models import Certificate, Completion
from tests.factories import csrf_token, make_user
from tests.learning.test_certificate_issue import certificate_of, finish

pytestmark = pytest.mark.usefixtures("demo_content")

NEW_NUMBER = re.compile(r"^LTR-\d{4}-[A-Z0-9]{1,12}-[A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{4}$")


@pytest.fixture
def learner(session: Session) -> User:
    return make_user(session, full_name="Nur Aisyah Lamarauna")


def _limits(app: FastAPI, views: int, checks: int) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={"verify_max_views_per_address": views, "verify_max_checks_per_address": checks}
    )


def test_new_certificate_numbers_carry_at_least_64_random_bits_and_fit_the_column(
    session: Session, learner: User
) -> None:
    certificate = certificate_of(session, finish(session, learner))
    assert NEW_NUMBER.match(certificate.number), certificate.number
    assert len(completion._CODE_ALPHABET) ** completion.RANDOM_CHARACTERS >= 2**64
    long_code = "ABCDEFGHIJKLMNOPQRSTUVWXYZ-12345"  # the longest course code the format allows
    done = session.scalars(select(Completion)).one()
    assert len(completion.certificate_number(long_code, done)) <= 40
    assert math.log2(len(completion._CODE_ALPHABET)) * completion.RANDOM_CHARACTERS >= 64


def test_a_certificate_with_an_old_short_number_still_verifies(
    client: TestClient, session: Session, learner: User
) -> None:
    certificate = certificate_of(session, finish(session, learner))
    certificate.number = "LTR-2026-PPP101-00001-ABCD"  # the format before 70-bit numbers
    session.commit()
    page = client.get("/verifikasi/LTR-2026-PPP101-00001-ABCD")
    assert page.status_code == 200
    assert page.context["certificate"].id == certificate.id


def test_verification_views_beyond_the_limit_get_429_with_retry_after_in_indonesian(
    app: FastAPI, client: TestClient, session: Session, learner: User
) -> None:
    certificate = certificate_of(session, finish(session, learner))
    _limits(app, views=3, checks=2)
    statuses = [client.get(f"/verifikasi/{certificate.number}").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = client.get("/verifikasi/LTR-2026-TEBAK-AAAAA-AAAAA-AAAA")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 10 * 60
    assert "Terlalu banyak permintaan verifikasi" in refused.text
    # Counted in the database: a new app process (another worker) sees the same count.
    other = TestClient(app, base_url="http://testserver")
    assert other.get(f"/verifikasi/{certificate.number}").status_code == 429


def test_upload_checks_beyond_their_limit_get_429_before_any_pdf_is_read(
    app: FastAPI, client: TestClient, session: Session, learner: User
) -> None:
    certificate: Certificate = certificate_of(session, finish(session, learner))
    _limits(app, views=100, checks=2)
    token = csrf_token(client, f"/verifikasi/{certificate.number}")
    url = f"/verifikasi/{certificate.number}/periksa"
    files = {"file": ("s.pdf", b"%PDF-1.7 not really", "application/pdf")}
    first = [client.post(url, data={"csrf_token": token}, files=files) for _ in range(2)]
    assert [r.status_code for r in first] == [200, 200]
    refused = client.post(url, data={"csrf_token": token}, files=files)
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    # Views have their own, larger allowance: the page still opens.
    assert client.get(f"/verifikasi/{certificate.number}").status_code == 200


def test_the_limit_is_per_address(
    app: FastAPI, client: TestClient, session: Session, learner: User
) -> None:
    factory = app.state.sessionmaker
    window = timedelta(minutes=10)
    assert verify_throttle.take(factory, "verify-view:10.0.0.1", limit=1, window=window) is None
    assert verify_throttle.take(factory, "verify-view:10.0.0.1", limit=1, window=window)
    assert verify_throttle.take(factory, "verify-view:10.0.0.2", limit=1, window=window) is None


def test_expired_counts_of_every_address_are_deleted(app: FastAPI, session: Session) -> None:
    from app.accounts.models import LoginFailure
    from app.db import utcnow

    session.add(LoginFailure(key="verify-view:10.9.9.9", at=utcnow() - timedelta(hours=1)))
    session.add(LoginFailure(key="nip:199001012015031001", at=utcnow() - timedelta(hours=1)))
    session.commit()
    window = timedelta(minutes=10)
    verify_throttle.take(app.state.sessionmaker, "verify-view:10.0.0.7", limit=5, window=window)
    session.expire_all()
    keys = set(session.scalars(select(LoginFailure.key)))
    assert "verify-view:10.9.9.9" not in keys  # another address, expired: gone
    assert "nip:199001012015031001" in keys  # the login throttle's rows are left alone
    assert "verify-view:10.0.0.7" in keys
