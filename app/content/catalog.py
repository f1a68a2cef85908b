"""The read side of content: what learners see, cached per process.

Versions are immutable, so a version's course view and module pages are cached by version id
forever (bounded LRU). Which version is current can change at any time on any instance; that is
read from the database as one small `content_state.generation` lookup, at most every
`recheck_seconds` and at once after a publish on this process (`freshness`), and the
catalogue is rebuilt only when the generation moved.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.content import freshness
from app.content.models import Course, CourseVersion, ModuleVersion, QuizVersion
from app.content.store import current_generation

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _LRU(Generic[K, V]):
    """A small thread-safe LRU for immutable values."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_load(self, key: K, load: Callable[[], V | None]) -> V | None:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = load()
        if value is not None:
            with self._lock:
                self._data[key] = value
                while len(self._data) > self.size:
                    self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


@dataclass(frozen=True)
class ModuleSummary:
    slug: str
    position: int
    title: str
    minutes: int
    kind: str
    min_time_percent: int | None = None  # the module's own; None: the course's applies


@dataclass(frozen=True)
class QuizSummary:
    key: str
    title: str
    question_count: int  # questions a learner answers (the draw count when drawing)
    bank_size: int
    time_limit_minutes: int | None
    max_attempts: int | None


@dataclass(frozen=True)
class SourceView:
    title: str
    issued: date | None  # `tanggal`
    url: str | None  # `tautan`, https

    @property
    def host(self) -> str:
        """The site the link leads to, shown beside it so a reader knows where it goes."""
        return (urlsplit(self.url).hostname or "") if self.url else ""


@dataclass(frozen=True)
class CourseView:
    course_id: int
    code: str
    status: str
    version_id: int
    version_number: int
    published: bool
    title: str
    summary: str
    category: str
    jp: int
    level: str
    authors: tuple[str, ...]
    version_label: str
    passing_score: int
    score_policy: str
    prerequisites: tuple[str, ...]
    total_minutes: int
    modules: tuple[ModuleSummary, ...]
    quizzes: tuple[QuizSummary, ...]
    pretest_required: bool = True  # when the course has a pre-test (see course_rules)
    min_time_percent: int = 30
    sources: tuple[SourceView, ...] = ()  # `sumber` of kursus.yaml
    valid_as_of: date | None = None  # `berlaku_per`
    intro_html: str = ""  # `pengantar.md`, sanitised HTML

    def module(self, slug: str) -> ModuleSummary | None:
        return next((m for m in self.modules if m.slug == slug), None)

    def neighbours(self, slug: str) -> tuple[ModuleSummary | None, ModuleSummary | None]:
        """The modules before and after `slug`, for previous/next links."""
        slugs = [m.slug for m in self.modules]
        index = slugs.index(slug)
        before = self.modules[index - 1] if index > 0 else None
        after = self.modules[index + 1] if index + 1 < len(self.modules) else None
        return before, after

    def quiz(self, key: str) -> QuizSummary | None:
        return next((q for q in self.quizzes if q.key == key), None)


@dataclass(frozen=True)
class ModulePage:
    version_id: int
    slug: str
    title: str
    minutes: int
    kind: str
    html: str
    toc: tuple[tuple[int, str, str], ...]
    simulation: dict[str, Any] | None


@dataclass(frozen=True)
class Catalog:
    generation: int
    by_code: dict[str, CourseView]  # every course with a current version, archived included

    def active(self) -> list[CourseView]:
        """Courses shown in the catalogue, by title."""
        return sorted(
            (c for c in self.by_code.values() if c.status == "active"),
            key=lambda c: c.title.casefold(),
        )


def _load_version(session: Session, version_id: int) -> CourseView | None:
    row = session.execute(
        select(CourseVersion, Course)
        .join(Course, Course.id == CourseVersion.course_id)
        .where(CourseVersion.id == version_id)
    ).first()
    if row is None:
        return None
    version, course = row
    modules = session.execute(
        select(
            ModuleVersion.slug,
            ModuleVersion.position,
            ModuleVersion.title,
            ModuleVersion.minutes,
            ModuleVersion.kind,
            ModuleVersion.min_time_percent,
        )
        .where(ModuleVersion.course_version_id == version_id)
        .order_by(ModuleVersion.position)
    ).all()
    quizzes = session.scalars(
        select(QuizVersion).where(QuizVersion.course_version_id == version_id)
    ).all()
    return CourseView(
        course_id=course.id,
        code=course.code,
        # The status belongs to the course, not the version: keep it out of the immutable cache
        # key by reading it fresh in `catalog()`; here it is the status at load time.
        status=course.status,
        version_id=version.id,
        version_number=version.number,
        published=version.published_at is not None,
        title=version.title,
        summary=version.summary,
        category=version.category,
        jp=version.jp,
        level=version.level,
        authors=tuple(version.authors),
        version_label=version.version_label,
        passing_score=version.passing_score,
        score_policy=version.score_policy,
        prerequisites=tuple(version.prerequisites),
        total_minutes=version.total_minutes,
        modules=tuple(ModuleSummary(*m) for m in modules),
        quizzes=tuple(
            QuizSummary(
                key=q.key,
                title=q.title,
                question_count=q.draw_count or len(q.questions),
                bank_size=len(q.questions),
                time_limit_minutes=q.time_limit_minutes,
                max_attempts=q.max_attempts,
            )
            for q in quizzes
        ),
        pretest_required=version.pretest_required,
        min_time_percent=version.min_time_percent,
        sources=tuple(
            SourceView(
                s["title"], date.fromisoformat(s["date"]) if s.get("date") else None, s.get("url")
            )
            for s in version.sources or []
        ),
        valid_as_of=version.valid_as_of,
        intro_html=version.intro_html or "",
    )


def _with_status(view: CourseView, status: str) -> CourseView:
    from dataclasses import replace

    return replace(view, status=status)


def _load_module(session: Session, version_id: int, slug: str) -> ModulePage | None:
    row = session.scalar(
        select(ModuleVersion).where(
            ModuleVersion.course_version_id == version_id, ModuleVersion.slug == slug
        )
    )
    if row is None:
        return None
    return ModulePage(
        version_id=version_id,
        slug=row.slug,
        title=row.title,
        minutes=row.minutes,
        kind=row.kind,
        html=row.html,
        toc=tuple((int(e[0]), str(e[1]), str(e[2])) for e in row.toc),
        simulation=row.simulation,
    )


class ContentCache:
    """Per application (`app.state.content`): versions cached; catalogue per generation."""

    def __init__(
        self, versions: int = 512, modules: int = 2048, *, recheck_seconds: float = 0.0
    ) -> None:
        self._versions: _LRU[int, CourseView] = _LRU(versions)
        self._modules: _LRU[tuple[int, str], ModulePage] = _LRU(modules)
        self._catalog: Catalog | None = None
        self._lock = threading.Lock()
        # 0 (the default, for the CLI and tests) reads the generation on every call.
        self.recheck_seconds = recheck_seconds
        self._checked: tuple[float, int] = (float("-inf"), -1)  # (monotonic time, local changes)

    def version_view(self, session: Session, version_id: int) -> CourseView | None:
        """The course as it is in one version (published or draft)."""
        return self._versions.get_or_load(version_id, lambda: _load_version(session, version_id))

    def module_page(self, session: Session, version_id: int, slug: str) -> ModulePage | None:
        """A module's rendered page in one version."""
        return self._modules.get_or_load(
            (version_id, slug), lambda: _load_module(session, version_id, slug)
        )

    def fresh_catalog(self) -> Catalog | None:
        """The catalogue if it can be served without asking the database, else None."""
        cached = self._catalog
        checked_at, seen_changes = self._checked
        if (
            cached is not None
            and freshness.local_changes() == seen_changes
            and time.monotonic() < checked_at + self.recheck_seconds
        ):
            return cached
        return None

    def catalog(self, session: Session) -> Catalog:
        """The current catalogue, rebuilt only when something was published since last time."""
        fresh = self.fresh_catalog()
        if fresh is not None:
            return fresh
        cached = self._catalog
        now, changes = time.monotonic(), freshness.local_changes()
        generation = current_generation(session)
        self._checked = (now, changes)
        if cached is not None and cached.generation == generation:
            return cached
        rows = session.execute(
            select(Course.code, Course.status, Course.current_version_id).where(
                Course.current_version_id.is_not(None)
            )
        ).all()
        by_code: dict[str, CourseView] = {}
        for code, status, version_id in rows:
            view = self.version_view(session, version_id) if version_id else None
            if view is None:
                continue
            by_code[code] = view if view.status == status else _with_status(view, status)
        built = Catalog(generation=generation, by_code=by_code)
        with self._lock:
            self._catalog = built
        return built
