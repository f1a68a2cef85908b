"""The catalogue re-reads the content generation at most every few seconds, except after a
publish on this process, which is seen at once."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.content import freshness, store
from app.content.catalog import ContentCache
from app.content.models import ContentState, Course


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(time, "monotonic", fake)
    return fake


def _archive_elsewhere(session: Session, code: str) -> None:
    """What another instance's publish looks like from here: rows change, no local commit."""
    session.execute(update(Course).where(Course.code == code).values(status="archived"))
    session.execute(update(ContentState).values(generation=ContentState.generation + 1))


def test_another_instance_publish_is_seen_after_the_recheck_interval(
    session: Session, demo_content: store.ImportReport, clock: Clock
) -> None:
    cache = ContentCache(recheck_seconds=1.0)
    assert cache.catalog(session).by_code["KOM-101"].status == "active"

    _archive_elsewhere(session, "KOM-101")
    clock.now += 0.5
    assert cache.catalog(session).by_code["KOM-101"].status == "active"  # not re-read yet
    clock.now += 0.6
    assert cache.catalog(session).by_code["KOM-101"].status == "archived"


def test_a_publish_committed_on_this_process_is_seen_at_once(
    session: Session, demo_content: store.ImportReport, clock: Clock
) -> None:
    cache = ContentCache(recheck_seconds=60.0)
    assert "KOM-101" in [c.code for c in cache.catalog(session).active()]
    kom = session.query(Course).filter_by(code="KOM-101").one()

    store.set_archived(session, kom, True, actor_id=None)
    session.commit()

    assert "KOM-101" not in [c.code for c in cache.catalog(session).active()]


def test_a_rolled_back_publish_does_not_force_a_recheck(
    session: Session, demo_content: store.ImportReport, clock: Clock
) -> None:
    cache = ContentCache(recheck_seconds=60.0)
    cache.catalog(session)
    kom = session.query(Course).filter_by(code="KOM-101").one()
    store.set_archived(session, kom, True, actor_id=None)
    session.rollback()

    before = freshness.local_changes()
    session.commit()
    assert freshness.local_changes() == before


def test_zero_recheck_seconds_reads_the_generation_every_time(
    session: Session, demo_content: store.ImportReport
) -> None:
    cache = ContentCache()
    cache.catalog(session)
    _archive_elsewhere(session, "KOM-101")
    assert cache.catalog(session).by_code["KOM-101"].status == "archived"
