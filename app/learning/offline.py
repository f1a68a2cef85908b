"""Offline reading and sync: what a saved course caches, and applying queued progress events.

The service worker (app/web/static/sw.js) caches the pages a course lists here; completions
made offline are queued in the browser (app/web/static/lentera.js) and sent to `/sinkron` when
the connection returns. Each event carries its own id, so a replayed or re-sent batch changes
nothing, and the completion time is the one recorded offline, within sane bounds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from app.content.models import CourseVersionFile
from app.content.routes import Cache, CurrentCourse
from app.db import SessionDep, utcnow
from app.learning import completion as completion_service
from app.learning import progress
from app.web.deps import CsrfChecked, CurrentUser

router = APIRouter()
MAX_EVENTS = 200


class SyncEvent(BaseModel):
    id: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")
    course: str = Field(max_length=32)
    module: str = Field(max_length=120)
    kind: Literal["completed"] = "completed"
    occurred_at: datetime | None = None


class SyncBatch(BaseModel):
    events: list[SyncEvent] = Field(max_length=MAX_EVENTS)


class SyncResult(BaseModel):
    applied: list[str]
    duplicates: list[str]
    rejected: dict[str, str]


@router.get("/kursus/{code}/offline.json", name="offline_manifest")
def offline_manifest(
    request: Request, session: SessionDep, user: CurrentUser, ctx: CurrentCourse
) -> Response:
    """The URLs to save for reading a course offline: its pages and its images and files."""
    base = ctx.base
    urls = [base, *(f"{base}/modul/{m.slug}" for m in ctx.view.modules)]
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
        {"course": ctx.view.code, "version": ctx.view.version_number, "urls": urls},
        headers={"Cache-Control": "no-store"},
    )


@router.post("/sinkron", name="offline_sync", dependencies=[CsrfChecked])
def offline_sync(
    session: SessionDep,
    user: CurrentUser,
    cache: Cache,
    batch: Annotated[SyncBatch, Body()],
) -> SyncResult:
    """Apply queued offline completions; each event id is applied at most once."""
    catalog = cache.catalog(session)
    result = SyncResult(applied=[], duplicates=[], rejected={})
    now = utcnow()
    touched = set()
    for event in batch.events:
        view = catalog.by_code.get(event.course)
        if view is None or view.module(event.module) is None:
            result.rejected[event.id] = "unknown course or module"
            continue
        if progress.missing_prerequisites(session, user.id, view, catalog):
            result.rejected[event.id] = "prerequisites not completed"
            continue
        progress.enrol(session, user.id, view.course_id)
        applied = progress.complete_module(
            session,
            user_id=user.id,
            course_id=view.course_id,
            slug=event.module,
            version_id=view.version_id,
            now=now,
            event_id=event.id,
            occurred_at=event.occurred_at,
            source="offline",
        )
        (result.applied if applied else result.duplicates).append(event.id)
        touched.add(event.course)
    for code in touched:
        completion_service.try_complete(session, user, catalog.by_code[code], now)
    return result
