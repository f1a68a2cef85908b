"""The problems of the last load of `content/jalur/*.yaml`, kept for the people who fix them.

A path file with an error found at start-up (or by `lentera content reload`) used to reach only
the server log, which trainers and HR never read. `path_reload.reload_paths` now records the
load's problems here, and the trainers' content page and HR's paths page show them as a warning
box until a later load is clean.

They live in the database, not in the process: every worker and instance runs the start-up load,
and every one of them serves the pages. The table is the one the course folders' reports use
(`content_problem_reports`), under the key `jalur` (no course folder can have that name: the
loader skips it), so no schema change was needed; `store.import_library` replaces the course
rows and leaves this one to `reload_paths`. It sits with the content store (not in
`app.learning`) so the trainers' content pages read it without importing the learning domain.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.content import store
from app.content.format.problems import Problem
from app.content.format.sources import PATHS_FOLDER
from app.content.models import ContentProblemReport
from app.db import utcnow

KEY = PATHS_FOLDER  # the row's `folder`


@dataclass(frozen=True)
class PathProblems:
    """What the pages show: the problems, and when the load that found them ran."""

    problems: list[Problem]
    checked_at: datetime


def record(session: Session, problems: list[Problem]) -> None:
    """Keep the problems of the load just done; none clears what an earlier load left."""
    # Several workers load the content at start-up at once: the content lock (already held when
    # called after `import_library`) keeps their delete-or-insert of this one row in turn.
    store.lock_content(session)
    row = session.get(ContentProblemReport, KEY)
    if not problems:
        if row is not None:
            session.delete(row)
            session.flush()
        return
    stored = [dataclasses.asdict(problem) for problem in problems]
    if row is None:
        session.add(ContentProblemReport(folder=KEY, problems=stored, checked_at=utcnow()))
    else:
        row.problems, row.checked_at = stored, utcnow()
    session.flush()


def latest(session: Session) -> PathProblems | None:
    """The problems of the last load of the path files, or None when it was clean."""
    row = session.get(ContentProblemReport, KEY)
    if row is None or not row.problems:
        return None
    return PathProblems([Problem(**p) for p in row.problems], row.checked_at)
