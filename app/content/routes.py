"""Learner-facing content pages: catalogue, course, module, simulation, test info, files.

The same handlers serve a trainer's preview of an unpublished version (see `trainer_routes`),
so a preview is exactly what learners will see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.content.catalog import Catalog, ContentCache, CourseView, ModulePage
from app.content.format.assets import ALLOWED_TYPES, file_type
from app.content.models import Blob, CourseVersionFile
from app.db import SessionDep
from app.errors import NotFound
from app.i18n import gettext as _
from app.web.deps import CurrentUser
from app.web.templating import render

router = APIRouter(prefix="/kursus")

CATEGORIES = ("teknis", "manajerial", "sosial kultural")
CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class CourseContext:
    """Which version is shown, and under which URL prefix (learner view or trainer preview)."""

    view: CourseView
    base: str  # "/kursus/PPP-101" or "/pengajar/pratinjau/12"
    preview: bool = False

    def rewrite(self, html: str) -> str:
        """Point the rendered links at the preview when previewing (they name /kursus/CODE)."""
        if not self.preview:
            return html
        return html.replace(f'"/kursus/{self.view.code}/', f'"{self.base}/')


async def content_cache(request: Request) -> ContentCache:
    # async: no I/O here, and a sync dependency costs a thread-pool hop per request.
    cache: ContentCache = request.app.state.content
    return cache


Cache = Annotated[ContentCache, Depends(content_cache)]


async def current_course(code: str, session: SessionDep, cache: Cache) -> CourseContext:
    """The published course with this code, or 404 (lookup-or-404 as a dependency).

    async: the catalogue is nearly always in memory, and a sync dependency would cost a
    thread-pool hop on every course page; only a due re-check goes to the thread pool.
    """
    catalog = cache.fresh_catalog()
    if catalog is None:
        catalog = await run_in_threadpool(cache.catalog, session)
    view = catalog.by_code.get(code)
    if view is None:
        raise NotFound(_("Kursus {code} tidak ditemukan.").format(code=code))
    return CourseContext(view=view, base=f"/kursus/{view.code}")


CurrentCourse = Annotated[CourseContext, Depends(current_course)]


CatalogQuery = Annotated[str, Query(max_length=100)]
CategoryQuery = Annotated[str, Query(max_length=30)]


def catalog_page(
    request: Request,
    session: Session,
    cache: ContentCache,
    q: str,
    kategori: str,
    extra: dict[str, Any] | None = None,
) -> Response:
    """The catalogue, filtered (the learner route, `app.learning.routes`, adds statuses)."""
    catalog: Catalog = cache.catalog(session)
    courses = catalog.active()
    term = " ".join(q.split()).casefold()
    if kategori in CATEGORIES:
        courses = [c for c in courses if c.category == kategori]
    if term:
        courses = [c for c in courses if term in c.title.casefold() or term in c.code.casefold()]
    return render(
        request,
        "content/catalog.html",
        {
            "courses": courses,
            "q": q.strip(),
            "kategori": kategori,
            "categories": CATEGORIES,
            **(extra or {}),
        },
    )


def course_page(
    request: Request,
    session: Session,
    cache: ContentCache,
    ctx: CourseContext,
    extra: dict[str, Any] | None = None,
) -> Response:
    """The course page for a version (the learner view adds progress through `extra`)."""
    catalog = cache.catalog(session)
    prerequisites = [(code, catalog.by_code.get(code)) for code in ctx.view.prerequisites]
    context = {"ctx": ctx, "course": ctx.view, "prerequisites": prerequisites}
    return render(request, "content/course.html", {**context, **(extra or {})})


def load_module(session: Session, cache: ContentCache, ctx: CourseContext, slug: str) -> ModulePage:
    page = cache.module_page(session, ctx.view.version_id, slug)
    if page is None:
        raise NotFound(_("Modul ini tidak ada di kursus {title}.").format(title=ctx.view.title))
    return page


def module_page(
    request: Request,
    session: Session,
    cache: ContentCache,
    ctx: CourseContext,
    slug: str,
    extra: dict[str, Any] | None = None,
) -> Response:
    """A module page for a version (the learner view adds progress through `extra`)."""
    page = load_module(session, cache, ctx, slug)
    before, after = ctx.view.neighbours(slug)
    return render(
        request,
        "content/module.html",
        (extra or {})
        | {
            "ctx": ctx,
            "course": ctx.view,
            "page": page,
            "html": ctx.rewrite(page.html),
            "before": before,
            "after": after,
            "practice": ctx.view.quiz(slug),
        },
    )


def simulation_page(
    request: Request,
    session: Session,
    cache: ContentCache,
    ctx: CourseContext,
    slug: str,
    situation_id: str,
    choice_id: str | None,
) -> Response:
    """One step of a branching scenario: a situation, or the outcome of a choice made in it."""
    page = load_module(session, cache, ctx, slug)
    simulation: dict[str, Any] | None = page.simulation
    situation = (simulation or {}).get("situations", {}).get(situation_id)
    if situation is None:
        raise NotFound(_("Langkah simulasi ini tidak ada."))
    choice = None
    if choice_id is not None:
        choice = next((c for c in situation["choices"] if c["id"] == choice_id), None)
        if choice is None:
            raise NotFound(_("Pilihan ini tidak ada pada langkah simulasi tersebut."))
    return render(
        request,
        "content/simulation.html",
        {
            "ctx": ctx,
            "course": ctx.view,
            "page": page,
            "situation": {**situation, "html": ctx.rewrite(situation["html"])},
            "choice": choice,
            "start": (simulation or {}).get("start"),
        },
    )


@router.get("/{code}/modul/{slug}/situasi/{situation_id}", name="situation")
def situation(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    cache: Cache,
    ctx: CurrentCourse,
    slug: str,
    situation_id: str,
) -> Response:
    return simulation_page(request, session, cache, ctx, slug, situation_id, None)


@router.get("/{code}/modul/{slug}/situasi/{situation_id}/{choice_id}", name="situation_choice")
def situation_choice(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    cache: Cache,
    ctx: CurrentCourse,
    slug: str,
    situation_id: str,
    choice_id: str,
) -> Response:
    return simulation_page(request, session, cache, ctx, slug, situation_id, choice_id)


def file_response(request: Request, session: Session, version_id: int, path: str) -> Response:
    """A course file (image or PDF) of a version, with validators and safe headers."""
    kind = file_type(path)
    if kind not in ALLOWED_TYPES or ".." in path.split("/"):
        raise NotFound()
    sha = session.scalar(
        select(CourseVersionFile.sha256).where(
            CourseVersionFile.course_version_id == version_id, CourseVersionFile.path == path
        )
    )
    if sha is None:
        raise NotFound(_("Berkas ini tidak ada di kursus."))
    headers = {
        "ETag": f'"{sha}"',
        # A path can point at new bytes after a republish, so revalidate daily; the ETag makes
        # that revalidation a 304 with no body.
        "Cache-Control": "public, max-age=86400",
        "X-Content-Type-Options": "nosniff",
    }
    if kind == "svg":
        # An SVG opened on its own runs in Lentera's origin: let it run nothing.
        headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; sandbox"
        )
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    data = session.scalar(select(Blob.data).where(Blob.sha256 == sha))
    if kind == "pdf":
        headers["Content-Disposition"] = f'inline; filename="{path.rsplit("/", 1)[-1]}"'
    return Response(content=data, media_type=CONTENT_TYPES[kind], headers=headers)


@router.get("/{code}/berkas/{path:path}", name="course_file")
def course_file(
    request: Request, session: SessionDep, user: CurrentUser, ctx: CurrentCourse, path: str
) -> Response:
    return file_response(request, session, ctx.view.version_id, path)
