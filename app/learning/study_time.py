"""Study time on a module, and when a module may be marked complete.

The whole rule, in one place (trainers read it in docs/content-format.md):
- A module needs `required_seconds`: its estimated minutes (`menit`) times the minimum share,
  `waktu_minimal_persen` (the module's own, else the course's; 30% by default; 0 turns the rule
  off), rounded up to whole seconds.
- The server measures time on a module in visits. A visit starts when the module page is
  served to the learner (saving a course for offline reading is not a visit) and ends when the
  module is marked complete, when the same module is served again, or when another module of
  the course is served (one learner reads one module at a time; tabs opened side by side do not
  add up). A visit counts at most `visit_cap_seconds`: twice the estimated minutes, and at
  least 10 minutes, so a tab left open overnight adds that much and no more.
- Reading done offline is reported by the device with the offline mark (the seconds the page
  was visible); the server credits it clamped to the same cap, once per event id. That report
  replaces the module's open visit (which it overlaps), so nothing is counted twice.
- Time is summed over visits. A mark with less than the required time is refused with the time
  left and changes nothing; the open visit stays open, so reading on and marking again works.
- Progress recorded before these rules (and completions) stays as it was: nothing is revoked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Integer, Update, bindparam, update
from sqlalchemy.orm import Session

from app.content.catalog import CourseView, ModuleSummary
from app.i18n import gettext as _
from app.learning.models import ModuleProgress

MIN_VISIT_CAP_SECONDS = 10 * 60
VISIT_CAP_FACTOR = 2


@dataclass(frozen=True)
class StudyTime:
    """A learner's time on one module as stored: credited seconds and the open visit."""

    seconds: int = 0
    visit_started_at: datetime | None = None


@dataclass(frozen=True)
class TooEarly:
    """A mark refused for lack of time: how long the learner has read, and how long is left."""

    studied_seconds: int
    left_seconds: int

    def message(self) -> str:
        """The learner's message, in whole minutes (rounded up, at least 1 left)."""
        left = max(1, math.ceil(self.left_seconds / 60))
        if self.studied_seconds < 60:  # "0 menit" reads like an accusation; say it plainly
            return _(
                "Anda baru mulai membaca modul ini. Tandai selesai dapat dilakukan setelah "
                "{left} menit lagi."
            ).format(left=left)
        return _(
            "Anda baru membaca modul ini {studied} menit. Tandai selesai dapat dilakukan "
            "setelah {left} menit lagi."
        ).format(studied=self.studied_seconds // 60, left=left)


def min_time_percent(view: CourseView, module: ModuleSummary) -> int:
    """The module's minimum share of its estimated minutes: its own, else the course's."""
    return module.min_time_percent if module.min_time_percent is not None else view.min_time_percent


def required_seconds(view: CourseView, module: ModuleSummary) -> int:
    """Seconds on the module needed before it can be marked complete."""
    return math.ceil(module.minutes * 60 * min_time_percent(view, module) / 100)


def visit_cap_seconds(module: ModuleSummary) -> int:
    """The most one visit (or one offline report) can add to a module's time."""
    return max(module.minutes * 60 * VISIT_CAP_FACTOR, MIN_VISIT_CAP_SECONDS)


def visit_seconds(started_at: datetime | None, now: datetime, cap: int) -> int:
    """What an open visit is worth now: the time since it started, within 0..cap."""
    if started_at is None:
        return 0
    return int(min(max((now - started_at).total_seconds(), 0), cap))


def clamp_reported(seconds: int | None, module: ModuleSummary) -> int:
    """Reading time reported by a device, within 0..the visit cap."""
    return min(max(seconds or 0, 0), visit_cap_seconds(module))


def studied_seconds(time: StudyTime, module: ModuleSummary, now: datetime) -> int:
    """Time on the module so far: credited seconds plus the open visit."""
    return time.seconds + visit_seconds(time.visit_started_at, now, visit_cap_seconds(module))


def check_mark(
    view: CourseView, module: ModuleSummary, time: StudyTime, now: datetime
) -> TooEarly | None:
    """None when the module may be marked complete now, else how much time is left."""
    need = required_seconds(view, module)
    have = studied_seconds(time, module, now)
    return TooEarly(have, need - have) if have < need else None


def _where(user_id: int, course_id: int, slug: str) -> list[object]:
    return [
        ModuleProgress.user_id == user_id,
        ModuleProgress.course_id == course_id,
        ModuleProgress.module_slug == slug,
    ]


@cache
def _end_visit_statement(open_visit: bool) -> Update:
    """The UPDATE ending a visit, built once per shape (a visit open or not) with bound
    parameters: the module page runs it on every view, and building it cost more CPU than
    running it (py-spy on `bench/page_statements.py`)."""
    moment = ModuleProgress.visit_started_at.type
    started = (
        ModuleProgress.visit_started_at == bindparam("started", type_=moment)
        if open_visit
        else ModuleProgress.visit_started_at.is_(None)
    )
    # Named unlike any column: an UPDATE's parameters named for a column would be SET.
    where = _where(
        bindparam("whose", type_=Integer),  # type: ignore[arg-type]
        bindparam("which_course", type_=Integer),  # type: ignore[arg-type]
        bindparam("which_module", type_=ModuleProgress.module_slug.type),  # type: ignore[arg-type]
    )
    return (
        update(ModuleProgress)
        .where(*where, started)  # type: ignore[arg-type]
        .values(
            study_seconds=ModuleProgress.study_seconds + bindparam("gained", type_=Integer),
            visit_started_at=bindparam("visit", type_=moment),
        )
        .execution_options(synchronize_session=False)
    )


def end_visit(
    session: Session,
    *,
    user_id: int,
    view: CourseView,
    module: ModuleSummary,
    time: StudyTime,
    now: datetime,
    restart: bool = False,
    credit: bool = True,
) -> None:
    """Credit the open visit (bounded) and close it, or start a new one when `restart`.

    Conditional on the visit being the one read: of two concurrent requests ending the same
    visit, only one credits it.
    """
    if time.visit_started_at is None and not restart:
        return
    gained = visit_seconds(time.visit_started_at, now, visit_cap_seconds(module)) if credit else 0
    params: dict[str, object] = {
        "whose": user_id,
        "which_course": view.course_id,
        "which_module": module.slug,
        "gained": gained,
        "visit": now if restart else None,
    }
    if time.visit_started_at is not None:
        params["started"] = time.visit_started_at
    session.execute(_end_visit_statement(time.visit_started_at is not None), params)


def start_visit(
    session: Session,
    *,
    user_id: int,
    view: CourseView,
    slug: str,
    times: dict[str, StudyTime],
    now: datetime,
    restart: bool = True,
) -> None:
    """The module page was served: end the learner's open visits in the course, start this one
    (unless `restart` is False: a completed module needs no more time, and re-reading it
    costs no write when no visit is open).

    The module's progress row must exist (the caller records the first open).
    """
    for other, time in times.items():
        module = view.module(other)
        if other == slug or module is None or time.visit_started_at is None:
            continue
        end_visit(session, user_id=user_id, view=view, module=module, time=time, now=now)
    module = view.module(slug)
    assert module is not None
    end_visit(
        session,
        user_id=user_id,
        view=view,
        module=module,
        time=times.get(slug, StudyTime()),
        now=now,
        restart=restart,
    )


def credit_offline(
    session: Session,
    *,
    user_id: int,
    view: CourseView,
    module: ModuleSummary,
    seconds: int,
) -> None:
    """Add reading time a device reported (already clamped); it replaces the open visit."""
    session.execute(
        update(ModuleProgress)
        .where(*_where(user_id, view.course_id, module.slug))  # type: ignore[arg-type]
        .values(study_seconds=ModuleProgress.study_seconds + seconds, visit_started_at=None)
        .execution_options(synchronize_session=False)
    )
