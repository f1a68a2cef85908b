"""Enrolling a learner in a course: the one place that applies the prerequisite rule.

A learner enrols themselves ("Ikuti kursus ini"), implicitly by their first POST in a course
(marking a module, starting a test, an offline mark arriving at `/sinkron`), or is enrolled by
an assignment (app/learning/assignments.py, which does not ask for prerequisites: HR decided).
A self-enrolment needs every prerequisite course (`prasyarat` in `kursus.yaml`) completed.
A GET never enrols: a link from another site must not change anything.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.content.catalog import Catalog, CourseView
from app.errors import AppError
from app.i18n import gettext as _
from app.learning import progress


class EnrolmentError(AppError):
    """The learner cannot enrol yet; the message says which courses come first."""

    status_code = 409

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            _(
                "Kursus ini mensyaratkan Anda menyelesaikan {codes} terlebih dahulu. "
                "Selesaikan kursus prasyarat itu, lalu kembali ke sini."
            ).format(codes=", ".join(missing))
        )
        self.missing = missing


def require_prerequisites(
    session: Session, user_id: int, view: CourseView, catalog: Catalog
) -> None:
    """Raise EnrolmentError when a prerequisite course is not completed yet."""
    missing = progress.missing_prerequisites(session, user_id, view, catalog)
    if missing:
        raise EnrolmentError(missing)


def enrol(session: Session, user_id: int, view: CourseView, catalog: Catalog) -> None:
    """Enrol the learner themselves, once prerequisites are met (idempotent)."""
    require_prerequisites(session, user_id, view, catalog)
    progress.enrol(session, user_id, view.course_id)


def ensure_enrolled(session: Session, user_id: int, view: CourseView, catalog: Catalog) -> None:
    """Enrol the learner unless they are already (reads first: on SQLite a write holds the
    database's write lock until the commit, so nothing is written when nothing changes)."""
    if not progress.is_enrolled(session, user_id, view.course_id):
        enrol(session, user_id, view, catalog)
