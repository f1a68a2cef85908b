"""Fixtures for blended classes: a scheduled session, trainer and learners."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.classes import finalise, roll, service
from app.classes.models import ClassSession
from app.learning.models import Certificate, Completion
from tests.factories import make_user

# A fixed moment at the start of a 30-second window; sessions are placed around it.
NOW = datetime(2026, 12, 7, 2, 0, 0, tzinfo=UTC)  # 10.00 WITA
SECRET = "kunci-rahasia-uji"

MakeSession = Callable[..., ClassSession]


@pytest.fixture
def trainer(session: Session) -> User:
    return make_user(session, roles={Role.TRAINER}, full_name="Pelatih Kelas")


@pytest.fixture
def make_session(session: Session, trainer: User) -> MakeSession:
    """Schedule a session (2 hours from NOW, capacity 2, stand-alone 4 JP) with overrides."""

    def _make(**overrides: Any) -> ClassSession:
        fields: dict[str, Any] = {
            "title": "Pelatihan Pelayanan Prima",
            "description": "",
            "course_id": None,
            "jp": 4,
            "category": "teknis",
            "starts_at": NOW,
            "ends_at": NOW + timedelta(hours=2),
            "place": "Aula BKPSDM",
            "online_url": "",
            "capacity": 2,
            "registration": "open",
            "late_after_minutes": None,
        }
        fields.update(overrides)
        return service.schedule(session, service.SessionValues(**fields), actor_id=trainer.id)

    return _make


@pytest.fixture
def learners(session: Session) -> list[User]:
    return [make_user(session, full_name=f"Peserta {i}") for i in range(4)]


def finalise_present(
    session: Session, row: ClassSession, people: list[User], trainer: User
) -> list[Certificate]:
    """Seat and mark everyone present, finalise at the end; their certificates."""
    for person in people:
        service.register(session, row, person.id, actor_id=person.id, source="assigned")
        roll.mark(session, row, person.id, "present", minutes=None, actor_id=trainer.id)
    finalise.finalise(session, row, actor_id=trainer.id, now=row.ends_at, min_percent=75)
    session.commit()
    return [_class_certificate(session, row, person) for person in people]


def _class_certificate(session: Session, row: ClassSession, person: User) -> Certificate:
    certificate = session.scalars(
        select(Certificate)
        .join(Completion, Completion.id == Certificate.completion_id)
        .where(Completion.class_session_id == row.id, Completion.user_id == person.id)
        .order_by(Certificate.id.desc())
    ).first()
    assert certificate is not None
    return certificate
