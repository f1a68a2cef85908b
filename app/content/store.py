"""Publishing: turning validated course specs into immutable versions in the database.

Services never commit; the caller's transaction makes a publish atomic (learners see the old
version or the new one, never half of it). Every write starts by taking the content lock (the
single `content_state` row), so concurrent imports from several processes are serialised.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.content import freshness
from app.content.format import loader, specs
from app.content.format.problems import Problem
from app.content.format.sources import PATHS_FOLDER, iter_files, tree_hash
from app.content.format.specs import CourseSpec, QuizSpec
from app.content.models import (
    Blob,
    ContentProblemReport,
    ContentState,
    Course,
    CourseTrainer,
    CourseVersion,
    CourseVersionFile,
    ModuleVersion,
    QuizVersion,
)
from app.db import utcnow
from app.i18n import gettext as _


class PublishError(ValueError):
    """The requested publishing step is not possible; the message says why (Indonesian)."""


@dataclass
class ImportReport:
    published: list[str] = field(default_factory=list)  # codes with a new version
    unchanged: list[str] = field(default_factory=list)
    broken: dict[str, list[Problem]] = field(default_factory=dict)  # folder -> problems
    warnings: list[Problem] = field(default_factory=list)
    # folder -> why it was not imported: a version published from the web is live and the
    # folder would replace it (see `import_library`)
    held: dict[str, list[Problem]] = field(default_factory=dict)


def lock_content(session: Session) -> int:
    """Take the content write lock and return the current generation (creating the row once)."""
    updated = session.execute(
        update(ContentState).where(ContentState.id == 1).values(generation=ContentState.generation)
    )
    if updated.rowcount == 0:  # type: ignore[attr-defined]
        session.add(ContentState(id=1, generation=0))
        session.flush()
    return current_generation(session)


def current_generation(session: Session) -> int:
    """The content generation: it changes whenever what learners see changes."""
    return session.scalar(select(ContentState.generation).where(ContentState.id == 1)) or 0


def _bump_generation(session: Session) -> None:
    freshness.note_content_changed(session)
    session.execute(
        update(ContentState)
        .where(ContentState.id == 1)
        .values(generation=ContentState.generation + 1)
    )


def read_course_files(folder: Path) -> dict[str, bytes]:
    """Every source file of a course folder, keyed by its path relative to the folder."""
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in iter_files(folder)}


def _store_blobs(session: Session, files: Mapping[str, bytes]) -> dict[str, str]:
    shas = {path: hashlib.sha256(data).hexdigest() for path, data in files.items()}
    wanted = set(shas.values())
    existing = set(session.scalars(select(Blob.sha256).where(Blob.sha256.in_(wanted))))
    stored: set[str] = set()
    for path, sha in shas.items():
        if sha not in existing and sha not in stored:
            session.add(Blob(sha256=sha, size=len(files[path]), data=files[path]))
            stored.add(sha)
    return shas


def _quiz_row(quiz: QuizSpec) -> QuizVersion:
    return QuizVersion(
        key=quiz.key,
        title=quiz.title,
        draw_count=quiz.draw_count,
        time_limit_minutes=quiz.time_limit_minutes,
        max_attempts=quiz.max_attempts,
        questions=[dataclasses.asdict(q) for q in quiz.questions],
        content_hash=quiz.content_hash,
        answer_reveal=quiz.answer_reveal,
    )


def create_version(
    session: Session,
    spec: CourseSpec,
    files: Mapping[str, bytes],
    *,
    source: str,
    actor_id: int | None,
    warnings: list[Problem] | None = None,
) -> CourseVersion:
    """Store `spec` as a new (draft) version of its course, creating the course when new."""
    course = session.scalar(select(Course).where(Course.code == spec.code))
    if course is None:
        course = Course(code=spec.code, folder=spec.folder)
        session.add(course)
        session.flush()
    number = (
        session.scalar(
            select(func.max(CourseVersion.number)).where(CourseVersion.course_id == course.id)
        )
        or 0
    ) + 1
    version = CourseVersion(
        course_id=course.id,
        number=number,
        content_hash=spec.content_hash,
        engine_version=specs.ENGINE_VERSION,
        source=source,
        title=spec.title,
        summary=spec.summary,
        category=spec.category,
        jp=spec.jp,
        level=spec.level,
        authors=list(spec.authors),
        version_label=spec.version,
        passing_score=spec.passing_score,
        score_policy=spec.score_policy,
        prerequisites=list(spec.prerequisites),
        total_minutes=sum(module.minutes for module in spec.modules),
        pretest_required=spec.pretest_required,
        min_time_percent=spec.min_time_percent,
        jenis_diklat_siasn=spec.jenis_diklat_siasn,
        sources=[dataclasses.asdict(source) for source in spec.sources],
        valid_as_of=date.fromisoformat(spec.valid_as_of) if spec.valid_as_of else None,
        intro_html=spec.intro_html,
        observed_behaviours=list(spec.observed_behaviours) or None,
        warnings=[dataclasses.asdict(w) for w in warnings or []],
        created_by_id=actor_id,
    )
    version.modules = [
        ModuleVersion(
            slug=module.slug,
            position=module.position,
            title=module.title,
            minutes=module.minutes,
            kind=module.kind,
            html=module.html,
            toc=[list(entry) for entry in module.toc],
            simulation=dataclasses.asdict(module.simulation) if module.simulation else None,
            word_count=module.word_count,
            content_hash=module.content_hash,
            min_time_percent=module.min_time_percent,
        )
        for module in spec.modules
    ]
    version.quizzes = [_quiz_row(quiz) for quiz in spec.quizzes()]
    session.add(version)
    session.flush()
    for path, sha in _store_blobs(session, files).items():
        session.add(CourseVersionFile(course_version_id=version.id, path=path, sha256=sha))
    audit.record(
        session,
        "content.version_created",
        actor_id=actor_id,
        target_type="course",
        target_id=spec.code,
        version=number,
        content_hash=spec.content_hash,
        source=source,
    )
    return version


def publish(session: Session, version: CourseVersion, *, actor_id: int | None) -> None:
    """Make `version` the one learners see, atomically with the caller's transaction."""
    course = session.get(Course, version.course_id)
    assert course is not None
    if version.published_at is None:
        version.published_at = utcnow()
        version.published_by_id = actor_id
    previous = course.current_version_id
    course.current_version_id = version.id
    _bump_generation(session)
    audit.record(
        session,
        "content.published",
        actor_id=actor_id,
        target_type="course",
        target_id=course.code,
        version=version.number,
        previous_version_id=previous,
    )


def rollback(session: Session, course: Course, *, actor_id: int | None) -> CourseVersion:
    """Serve the published version before the current one again; raises PublishError if none."""
    lock_content(session)
    current = (
        session.get(CourseVersion, course.current_version_id) if course.current_version_id else None
    )
    if current is None:
        raise PublishError(_("Kursus ini belum pernah diterbitkan."))
    previous = session.scalar(
        select(CourseVersion)
        .where(
            CourseVersion.course_id == course.id,
            CourseVersion.number < current.number,
            CourseVersion.published_at.is_not(None),
        )
        .order_by(CourseVersion.number.desc())
        .limit(1)
    )
    if previous is None:
        raise PublishError(_("Tidak ada versi terbit sebelumnya untuk dikembalikan."))
    course.current_version_id = previous.id
    _bump_generation(session)
    audit.record(
        session,
        "content.rolled_back",
        actor_id=actor_id,
        target_type="course",
        target_id=course.code,
        from_version=current.number,
        to_version=previous.number,
    )
    return previous


def set_archived(session: Session, course: Course, archived: bool, *, actor_id: int | None) -> None:
    """Hide a course from the catalogue (or show it again); no record is deleted."""
    lock_content(session)
    course.status = "archived" if archived else "active"
    course.archived_at = utcnow() if archived else None
    _bump_generation(session)
    audit.record(
        session,
        "content.archived" if archived else "content.unarchived",
        actor_id=actor_id,
        target_type="course",
        target_id=course.code,
    )


def import_library(
    session: Session,
    root: Path,
    *,
    actor_id: int | None = None,
    library: loader.Library | None = None,
    force: bool = False,
) -> ImportReport:
    """Load content/ from disk and publish every course whose sources changed since last time.

    A course with errors is left out and its problems recorded; whatever version of it was
    published before keeps being served.

    The two publishing paths (the folder on disk and the trainer's web upload) meet here. The
    rule: a version published from the web stays live until a trainer publishes another one;
    a changed folder never replaces it silently. Such a folder is held (reported, like a broken
    one, on the trainer's page and by the CLI) until the web change has been copied into the
    folder and published from it, or `force` (`lentera content reload --force`) says to replace
    it anyway. Without this, a trivial edit on disk after a web publish would take the trainer's
    change off the air with no warning.

    A folder whose files are exactly those of its
    published version (same tree hash, same ENGINE_VERSION) is not parsed or rendered at all:
    that is what keeps every worker's start-up and a reload of 500 modules under a second.
    """
    lock_content(session)
    published = _published_by_folder(session)
    folders = {folder for folder, _ in published}
    hashes: dict[str, str] = {}  # folder -> tree hash, of the folders hashed

    def unchanged(folder: Path) -> bool:
        if folder.name not in folders:  # new or never published: no need to hash it
            return False
        digest = tree_hash(folder)
        hashes[folder.name] = digest
        return (folder.name, digest) in published

    if library is None:
        library = loader.load_library(root, unchanged=unchanged)
    report = ImportReport(broken=dict(library.broken))
    warnings: dict[str, list[Problem]] = {}  # by folder
    for problem in library.problems:
        if problem.severity == "warning":
            warnings.setdefault(problem.path.split("/", 1)[0], []).append(problem)
    skipped = {code: folder for folder, code in library.unchanged.items()}
    for folder in library.unchanged:
        # Not loaded this time: its warnings are those stored when it was published.
        warnings[folder] = published[(folder, hashes[folder])]
    for code in sorted([*library.courses, *skipped]):
        if code in skipped:
            report.unchanged.append(code)
            continue
        spec = library.courses[code]
        course = session.scalar(select(Course).where(Course.code == code))
        current = course.current_version if course else None
        if (
            course is not None
            and course.disk_hash == spec.content_hash
            and current is not None
            and current.engine_version == specs.ENGINE_VERSION
        ):
            report.unchanged.append(code)
            continue
        if course is not None and current is not None and current.source != "disk" and not force:
            report.held[spec.folder] = [_held_problem(spec, current)]
            continue
        version = create_version(
            session,
            spec,
            read_course_files(root / spec.folder),
            source="disk",
            actor_id=actor_id,
            warnings=[p for p in library.problems if p.path.split("/", 1)[0] == spec.folder],
        )
        publish(session, version, actor_id=actor_id)
        course = session.get(Course, version.course_id)
        assert course is not None
        course.disk_hash = spec.content_hash
        report.published.append(code)
    report.warnings = [p for folder in sorted(warnings) for p in warnings[folder]]
    _record_problem_reports(session, {**library.broken, **report.held})
    return report


def _held_problem(spec: CourseSpec, live: CourseVersion) -> Problem:
    return Problem(
        f"{spec.folder}/kursus.yaml",
        None,
        _(
            "Tidak dimuat: versi {n} kursus {code} yang sedang tayang diterbitkan dari unggahan "
            "web, dan folder ini akan menggantikannya. Salin dulu perubahan versi web ke folder "
            "ini (unduh berkasnya di halaman kelola kursus), atau jalankan "
            "'lentera content reload --force' untuk tetap menggantinya."
        ).format(n=live.number, code=spec.code),
    )


def _published_by_folder(session: Session) -> dict[tuple[str, str], list[Problem]]:
    """(folder, disk hash) -> stored warnings, of each course published by this engine version."""
    rows = session.execute(
        select(Course.folder, Course.disk_hash, CourseVersion.warnings)
        .join(CourseVersion, CourseVersion.id == Course.current_version_id)
        .where(Course.disk_hash.is_not(None), CourseVersion.engine_version == specs.ENGINE_VERSION)
    ).all()
    return {
        (folder, disk_hash): [Problem(**w) for w in warnings or []]
        for folder, disk_hash, warnings in rows
    }


def _record_problem_reports(session: Session, broken: Mapping[str, list[Problem]]) -> None:
    # The learning path files' row is `path_problems`'s, written by the path reload after this.
    session.execute(delete(ContentProblemReport).where(ContentProblemReport.folder != PATHS_FOLDER))
    for folder, problems in broken.items():
        session.add(
            ContentProblemReport(
                folder=folder, problems=[dataclasses.asdict(problem) for problem in problems]
            )
        )


def add_trainer(session: Session, course: Course, user_id: int) -> None:
    """Make a trainer an owner of a course (idempotent)."""
    if session.get(CourseTrainer, (course.id, user_id)) is None:
        session.add(CourseTrainer(course_id=course.id, user_id=user_id))


def version_files(session: Session, version_id: int) -> dict[str, bytes]:
    """Every source file of a stored version, as it was uploaded or imported."""
    rows = session.execute(
        select(CourseVersionFile.path, Blob.data)
        .join(Blob, Blob.sha256 == CourseVersionFile.sha256)
        .where(CourseVersionFile.course_version_id == version_id)
    ).all()
    return {path: data for path, data in rows}


def write_files(files: Mapping[str, bytes], folder: Path) -> None:
    """Lay stored files out as a course folder again (to re-validate with a changed module)."""
    for path, data in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
