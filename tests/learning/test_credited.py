"""The credited-learning rule (app/learning/credited.py), one behaviour per test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, event, select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.learning import credited
from app.learning.models import Certificate, Completion
from tests.learning.conftest import AddExternal, Complete
from tests.learning.test_credited_consistency import reissue_allowed

MARCH = datetime(2026, 3, 2, 3, tzinfo=UTC)


def _counts(session: Session, completion: Completion) -> bool:
    query = select(credited.completion_counts()).where(Completion.id == completion.id)
    return bool(session.scalar(query))


def _joined_counts(session: Session, completion: Completion) -> bool:
    query = credited.join_current_certificate(select(credited.credited())).select_from(Completion)
    return bool(session.scalar(query.where(Completion.id == completion.id)))


def test_a_completion_without_a_certificate_counts(
    session: Session, learner: User, complete: Complete
) -> None:
    done = complete(learner, "PPP-101", MARCH)

    assert _counts(session, done) and _joined_counts(session, done)
    assert credited.jp_by_user(session, 2026) == {learner.id: 6}


def test_a_completion_with_a_valid_certificate_counts(
    session: Session, learner: User, complete: Complete
) -> None:
    done = complete(learner, "PPP-101", MARCH, certificate="C-1")

    assert _counts(session, done) and _joined_counts(session, done)


def test_a_completion_whose_certificate_is_revoked_counts_nothing(
    session: Session, learner: User, complete: Complete
) -> None:
    done = complete(learner, "PPP-101", MARCH, certificate="C-1", revoked=True)

    assert not _counts(session, done) and not _joined_counts(session, done)
    assert credited.jp_by_user(session, 2026, [learner.id]) == {learner.id: 0}


def test_a_reissued_certificate_counts_through_its_newest_row(
    session: Session, learner: User, complete: Complete
) -> None:
    if not reissue_allowed(session):
        pytest.skip(
            "certificates.completion_id is still unique: the certificate re-issue migration "
            "(issue 12 item 2, revision 0011) drops it; un-skip after merging it"
        )
    done = complete(learner, "PPP-101", MARCH, certificate="C-1")
    old = session.scalars(select(Certificate).where(Certificate.completion_id == done.id)).one()
    old.revoked_at, old.revoke_reason = MARCH, "diganti"
    session.flush()
    new = Certificate(
        number="C-2", completion_id=done.id, full_name=old.full_name, nip=old.nip,
        employee_type=old.employee_type, course_code=old.course_code,
        course_title=old.course_title, category=old.category, jp=old.jp,
        completed_on=old.completed_on, final_score=old.final_score,
    )  # fmt: skip
    session.add(new)
    session.flush()
    assert _counts(session, done) and _joined_counts(session, done)
    assert credited.jp_by_user(session, 2026) == {learner.id: 6}

    new.revoked_at = MARCH  # the new one revoked too: nothing counts
    session.flush()
    assert not _counts(session, done) and not _joined_counts(session, done)


def test_external_learning_counts_only_verified_in_the_year_it_ended(
    session: Session, learner: User, add_external: AddExternal
) -> None:
    add_external(
        learner, status="verified", start_on=date(2025, 12, 20), end_on=date(2026, 1, 2), jp=5
    )
    add_external(learner, status="rejected", end_on=date(2026, 2, 1), jp=7)
    add_external(learner, status="pending", end_on=date(2026, 2, 1), jp=9)

    assert credited.jp_by_user(session, 2025, [learner.id]) == {learner.id: 0}
    assert credited.jp_by_user(session, 2026, [learner.id]) == {learner.id: 5}


def test_bulk_totals_split_by_source_and_category(
    session: Session, learner: User, complete: Complete, add_external: AddExternal
) -> None:
    complete(learner, "PPP-101", MARCH)  # teknis, 6 JP
    complete(learner, "MWK-201", MARCH, certificate="C-9")  # manajerial, 6 JP
    complete(learner, "KOM-101", MARCH, certificate="C-10", revoked=True)  # counts nothing
    add_external(learner, status="verified", end_on=date(2026, 5, 1), jp=3, category="teknis")

    totals = credited.totals_by_user(session, 2026, [learner.id])[learner.id]

    assert (totals.lentera, totals.external, totals.total) == (12, 3, 15)
    assert totals.by_category == {"teknis": 9, "manajerial": 6}


@pytest.fixture
def selects(connection: Connection) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        if args[2].lstrip().upper().startswith("SELECT"):
            seen.append(args[2])

    event.listen(connection, "before_cursor_execute", count)
    yield seen
    event.remove(connection, "before_cursor_execute", count)


def test_bulk_totals_list_every_asked_id_and_query_long_lists_in_chunks(
    session: Session,
    learner: User,
    complete: Complete,
    monkeypatch: pytest.MonkeyPatch,
    selects: list[str],
) -> None:
    complete(learner, "PPP-101", MARCH)
    monkeypatch.setattr(credited, "ID_CHUNK", 2)
    ids = [learner.id, 10_001, 10_002, 10_003, 10_004]
    selects.clear()

    totals = credited.jp_by_user(session, 2026, ids)

    assert totals == {learner.id: 6, 10_001: 0, 10_002: 0, 10_003: 0, 10_004: 0}
    # The known PPPK contract starts once, then Lentera and external per chunk of 2 ids.
    assert len(selects) == 1 + 2 * 3
