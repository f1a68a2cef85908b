"""Fixtures for blended classes: a scheduled session, trainer and learners."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.accounts.models import Role, User
from app.classes import service
from app.classes.models import ClassSession
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
