"""Learning path files into the database: what `lentera content reload` (and start-up) does with
`content/jalur/*.yaml` once the courses are published.

The rule, chosen for HR: **a path that comes from a file is owned by its file.** The web shows
it read-only, with the file's name and how to change it, and refuses to edit or delete it. The
alternative (web edits allowed, the next reload overwrites them) would let an HR officer fix a
due date on the web and see it silently undone the next time a trainer publishes a typo fix;
and a path's group decides who must take which training, so what is in force must be readable
in one place.

- A file is matched to its path by its slug (the file name): new slug, new path; same slug,
  the path is updated in place (its assignments stay) and synced when anything changed.
- A file with errors changes nothing: its path, if it has one, stays as it was (like a broken
  course keeps its last published version). A unit kerja the roster does not know is an error
  here, where the database is at hand (a typo would make a group nobody is in).
- A path whose file is gone from `content/jalur/` is deactivated (frozen: nobody is assigned or
  un-assigned) and handed to the web, where HR may edit or delete it. Nothing happens when the
  `jalur/` folder itself is absent, so reloading another folder never touches the paths.
- Every create, update and hand-over is audited (`path.created`/`path.updated`, with
  `via: file`).
- The load's problems (file, line, message) are kept in the database
  (`app.content.path_problems`), for the trainers' content page and HR's paths page to show
  until a later load is clean; a load without a `jalur/` folder has none, so it clears them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Unit
from app.audit import service as audit
from app.content import path_problems
from app.content.format.problems import Problem
from app.content.models import Course
from app.i18n import gettext as _
from app.learning import path_files, paths
from app.learning.models import LearningPath


@dataclass
class PathReloadReport:
    created: list[str] = field(default_factory=list)  # slugs
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    released: list[str] = field(default_factory=list)  # file gone: deactivated, now a web path
    problems: list[Problem] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)  # slugs not applied (errors)


def active_course_codes(session: Session) -> set[str]:
    """The codes of the courses a path file may name: published and not archived."""
    return set(
        session.scalars(
            select(Course.code).where(
                Course.status == "active", Course.current_version_id.is_not(None)
            )
        )
    )


def reload_paths(
    session: Session,
    root: Path,
    *,
    today: date,
    actor_id: int | None = None,
) -> PathReloadReport:
    """Apply `root/jalur/*.yaml` to the learning paths (see the module docstring)."""
    library = path_files.load_paths(root, active_course_codes(session))
    report = PathReloadReport(problems=list(library.problems), broken=list(library.broken))
    if not library.found:
        path_problems.record(session, [])
        return report
    units = {name: unit_id for unit_id, name in session.execute(select(Unit.id, Unit.name))}
    owned: dict[str, LearningPath] = {
        p.source_file: p
        for p in session.scalars(select(LearningPath).where(LearningPath.source_file.is_not(None)))
        if p.source_file
    }
    for spec in library.specs:
        unit_id = units.get(spec.unit_name) if spec.unit_name else None
        if spec.unit_name and unit_id is None:
            report.problems.append(
                Problem(
                    spec.shown,
                    spec.lines.get("unit_kerja"),
                    _(
                        "Unit kerja {unit} belum ada di Lentera. Tulis namanya persis seperti di "
                        "daftar pegawai yang diimpor (halaman Pegawai), atau impor daftar "
                        "pegawainya dulu."
                    ).format(unit=spec.unit_name),
                )
            )
            report.broken.append(spec.slug)
            continue
        values: dict[str, object] = {
            "name": spec.name,
            "description": spec.description,
            "course_codes": list(spec.course_codes),
            "employee_type": spec.employee_type,
            "unit_id": unit_id,
            "jabatan_pattern": spec.jabatan_pattern,
            "golongan_from": spec.golongan_from,
            "golongan_to": spec.golongan_to,
            "due_days": spec.due_days,
            "is_active": spec.is_active,
        }
        path = owned.pop(spec.slug, None)
        if path is None:
            path = LearningPath(source_file=spec.slug)
            session.add(path)
            action = "path.created"
            report.created.append(spec.slug)
        elif any(getattr(path, key) != value for key, value in values.items()):
            action = "path.updated"
            report.updated.append(spec.slug)
        else:
            report.unchanged.append(spec.slug)
            continue
        for key, value in values.items():
            setattr(path, key, value)
        session.flush()
        _audit(session, action, path, actor_id)
        paths.sync(session, path, today=today, actor_id=actor_id)
    broken = set(report.broken)
    for slug, path in sorted(owned.items()):
        if slug in broken:  # the file is there but has errors: leave its path as it was
            continue
        path.source_file = None
        path.is_active = False
        session.flush()
        _audit(session, "path.updated", path, actor_id, released=slug)
        report.released.append(slug)
    report.problems.sort(key=lambda p: (p.path, p.line or 0, not p.is_error))
    path_problems.record(session, report.problems)
    return report


def _audit(
    session: Session, action: str, path: LearningPath, actor_id: int | None, **extra: object
) -> None:
    audit.record(
        session,
        action,
        actor_id=actor_id,
        target_type="learning_path",
        target_id=str(path.id),
        via="file",
        file=path.source_file,
        **paths.audit_details(path),
        **extra,
    )
