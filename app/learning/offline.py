"""Offline reading and sync: what a saved course caches, and applying queued progress events.

The service worker (app/web/static/sw.js) caches the pages a course lists here; completions
made offline are queued in the browser (app/web/static/lentera.js) and sent to `/sinkron` when
the connection returns. Each event carries its own id, so a replayed or re-sent batch changes
nothing, and the completion time is the one recorded offline, within sane bounds.

A mark carries the seconds its page was visible offline; the server credits them within the
bounds of `study_time` and then applies the same rules as a mark made online (pre-test first,
minimum study time, in `course_rules` and `study_time`). A mark that comes too early is not
lost silently: its reading time is kept (the event is stored as `read`) and the response says,
under `too_early`, how much time is left, so the page can tell the learner to mark it again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.viewer import Viewer
from app.content.catalog import ContentCache
from app.content.models import CourseVersionFile
from app.content.routes import Cache, CourseContext, CurrentCourse
from app.db import SessionDep, utcnow
from app.learning import completion as completion_service
from app.learning import course_rules, enrolment, progress, study_time
from app.web.deps import CsrfChecked, CurrentUser

router = APIRouter()
MAX_EVENTS = 200


class SyncEvent(BaseModel):
    id: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")
    course: str = Field(max_length=32)
    module: str = Field(max_length=120)
    kind: Literal["completed"] = "completed"
    occurred_at: datetime | None = None
    # Seconds the page was visible on the device; clamped by the server (study_time).
    seconds: int | None = Field(default=None, ge=-(2**31), le=2**31 - 1)
    # Who made the mark (the account id the page said). On a shared phone the queue outlives a
    # logout: a mark made by one person is never credited to the next one who logs in.
    user: str | None = Field(default=None, max_length=20)


class SyncBatch(BaseModel):
    events: list[SyncEvent] = Field(max_length=MAX_EVENTS)


class SyncResult(BaseModel):
    applied: list[str]
    duplicates: list[str]
    rejected: dict[str, str]
    # Marks refused for lack of study time: event id -> the learner's message (Indonesian).
    too_early: dict[str, str] = Field(default_factory=dict)


@router.get("/kursus/{code}/offline.json", name="offline_manifest")
def offline_manifest(
    request: Request, session: SessionDep, user: CurrentUser, cache: Cache, ctx: CurrentCourse
) -> Response:
    """What to save for reading a course offline: its pages (simulations included), images
    and files, plus what the offline start page and "Lanjutkan belajar" need to work without
    the server (the title, the modules in order and those already complete)."""
    state = progress.course_progress(session, user.id, ctx.view)
    # Modules wait for the pre-test: saving them now would save the pre-test page instead.
    course_rules.require_modules_open(session, user.id, ctx.view, state.any_opened)
    base = ctx.base
    urls = [base, *(f"{base}/modul/{m.slug}" for m in ctx.view.modules)]
    urls += _simulation_urls(session, cache, ctx)
    files = session.scalars(
        select(CourseVersionFile.path).where(
            CourseVersionFile.course_version_id == ctx.view.version_id
        )
    )
    urls += [
        f"{base}/berkas/{path}"
        for path in files
        if path.rsplit(".", 1)[-1].lower() in {"png", "jpg", "jpeg", "webp", "svg", "gif", "pdf"}
    ]
    return JSONResponse(
        {
            "course": ctx.view.code,
            "version": ctx.view.version_number,
            "title": ctx.view.title,
            "modules": [[m.slug, m.title] for m in ctx.view.modules],
            "done": sorted(state.completed),
            "urls": urls,
        },
        headers={"Cache-Control": "no-store"},
    )


def _simulation_urls(session: Session, cache: ContentCache, ctx: CourseContext) -> list[str]:
    """Every step of the course's simulations: plain pages that record nothing, so they work
    offline like the modules. (Tests and practice quizzes are server records: they need a
    connection, and the module page says so.)"""
    urls = []
    for summary in ctx.view.modules:
        page = cache.module_page(session, ctx.view.version_id, summary.slug)
        simulation = page.simulation if page is not None else None
        if not simulation:
            continue
        here = f"{ctx.base}/modul/{summary.slug}/situasi"
        for situation_id, situation in simulation.get("situations", {}).items():
            urls.append(f"{here}/{situation_id}")
            urls += [f"{here}/{situation_id}/{c['id']}" for c in situation.get("choices", [])]
    return urls


@router.post("/sinkron", name="offline_sync", dependencies=[CsrfChecked], response_model=SyncResult)
def offline_sync(
    session: SessionDep,
    user: CurrentUser,
    cache: Cache,
    batch: Annotated[SyncBatch, Body()],
) -> Response:
    """Apply queued offline completions; each event id is applied at most once.

    Returns a ready JSONResponse on purpose. For a returned model FastAPI validates it in the
    thread pool after the route: with a class syncing at once every pool thread could be
    waiting for SQLite's write lock, held by this very request until its commit, so that one
    more hop deadlocked until the waits ran out (50 phones: 37 answered 503 after 45 s;
    bench/sync_burst.py). The commit has its own thread for the same reason (app.db)."""
    return JSONResponse(_apply(session, user, cache, batch).model_dump())


def _apply(session: Session, user: Viewer, cache: ContentCache, batch: SyncBatch) -> SyncResult:
    catalog = cache.catalog(session)
    result = SyncResult(applied=[], duplicates=[], rejected={})
    now = utcnow()
    touched = set()
    enrolled: set[int] = set()
    for event in batch.events:
        if event.user is not None and event.user != str(user.id):
            result.rejected[event.id] = "made by another account"
            continue
        view = catalog.by_code.get(event.course)
        module = view.module(event.module) if view is not None else None
        if view is None or module is None:
            result.rejected[event.id] = "unknown course or module"
            continue
        if view.course_id not in enrolled:
            # One enrolment per course, not one per event. A learner not yet enrolled is
            # enrolled by their own sync: it is a POST with the CSRF token, sent by a module
            # page they were reading.
            try:
                enrolment.ensure_enrolled(session, user.id, view, catalog)
            except enrolment.EnrolmentError:
                result.rejected[event.id] = "prerequisites not completed"
                continue
            enrolled.add(view.course_id)
        state = progress.course_progress(session, user.id, view)
        if course_rules.pretest_pending(session, user.id, view, state.any_opened):
            result.rejected[event.id] = course_rules.pretest_pending_message()
            continue
        seconds = study_time.clamp_reported(event.seconds, module)
        when = progress.clamp_occurred_at(event.occurred_at, now)
        if not progress.record_event(
            session,
            user_id=user.id,
            course_id=view.course_id,
            slug=module.slug,
            event_id=event.id,
            occurred_at=when,
            source="offline",
            seconds=seconds,
        ):
            # A replay changes nothing, but says again what became of a mark refused as too
            # early: the first answer may have been lost with the page that sent it.
            time = state.study.get(module.slug, study_time.StudyTime())
            too_early = study_time.check_mark(view, module, time, now)
            if (
                module.slug not in state.completed
                and too_early is not None
                and progress.event_kind(session, user.id, event.id) == "read"
            ):
                result.too_early[event.id] = too_early.message()
            else:
                result.duplicates.append(event.id)
            continue
        # Read offline: the module was opened when that reading began, not at the sync.
        started = when - timedelta(seconds=seconds)
        progress.record_open(session, user.id, view.course_id, module.slug, at=started)
        if module.slug not in state.completed:
            time = state.study.get(module.slug, study_time.StudyTime())
            if seconds:
                # The device's measure of this reading replaces the visit it overlaps.
                study_time.credit_offline(
                    session, user_id=user.id, view=view, module=module, seconds=seconds
                )
                time = study_time.StudyTime(time.seconds + seconds, None)
            too_early = study_time.check_mark(view, module, time, now)
            if too_early is not None:
                progress.set_event_kind(session, user.id, event.id, "read")
                result.too_early[event.id] = too_early.message()
                continue
            study_time.end_visit(
                session, user_id=user.id, view=view, module=module, time=time, now=now
            )
        progress.complete_module(
            session,
            user_id=user.id,
            course_id=view.course_id,
            slug=module.slug,
            version_id=view.version_id,
            now=now,
            occurred_at=event.occurred_at,
            source="offline",
        )
        result.applied.append(event.id)
        touched.add(event.course)
    for code in touched:
        completion_service.try_complete(session, user, catalog.by_code[code], now)
    return result
