"""Helpers for tests that mark modules but are not about study time or the pre-test.

Marking a module needs time on it (app/learning/study_time.py). Tests never sleep: they credit
the time to the progress rows the module pages created, as if the learner had read long enough.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.learning.models import ModuleProgress

ENOUGH_SECONDS = 24 * 3600  # more than any module's minimum


def give_study_time(session: Session, user_id: int | None = None) -> None:
    """Credit enough study time to every module the learner (or everyone) has opened."""
    statement = update(ModuleProgress).values(
        study_seconds=ModuleProgress.study_seconds + ENOUGH_SECONDS
    )
    if user_id is not None:
        statement = statement.where(ModuleProgress.user_id == user_id)
    session.execute(statement.execution_options(synchronize_session=False))
    session.commit()
