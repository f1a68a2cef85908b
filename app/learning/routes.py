"""What a learner does with a course: enrol, read and mark modules, take tests, complete,
download the certificate; plus the public certificate verification page."""

from __future__ import annotations

import math
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.viewer import Viewer
from app.content.catalog import ContentCache, ModuleSummary
from app.content.routes import (
    Cache,
    CatalogQuery,
    CategoryQuery,
    CourseContext,
    CurrentCourse,
    catalog_page,
    course_page,
    module_page,
)
from app.content.specs import FINAL_TEST_KEY, PRETEST_KEY
from app.db import SessionDep, utcnow
from app.errors import NotFound
from app.i18n import gettext as _
from app.learning import completion as completion_service
from app.learning import course_rules, grading, home_cards, progress, quizzes, study_time
from app.learning.models import Assignment, Completion
from app.web.deps import CsrfChecked, CurrentUser
from app.web.params import PathNumber
from app.web.templating import render

router = APIRouter()


def _learner_state(
    session: Session, cache: ContentCache, user: Viewer, ctx: CourseContext
) -> dict[str, object]:
    view = ctx.view
    state = progress.course_progress(session, user.id, view)
    done = session.scalar(
        select(Completion).where(
            Completion.user_id == user.id, Completion.course_id == view.course_id
        )
    )
    # A re-issue revokes the old certificate and adds a row: show the current one.
    certificate = completion_service.current_certificate(session, done.id) if done else None
    assignment = session.scalar(
        select(Assignment).where(
            Assignment.user_id == user.id, Assignment.course_id == view.course_id
        )
    )
    return {
        "learner": True,
        "progress": state,
        "enrolled": progress.is_enrolled(session, user.id, view.course_id),
        "missing": progress.missing_prerequisites(session, user.id, view, cache.catalog(session)),
        "next_slug": progress.next_module(view, state),
        "completion": done,
        "certificate": certificate,
        "assignment": assignment,
        "gain": _gain(session, user.id, view.course_id, view.score_policy),
        "pretest_pending": course_rules.pretest_pending(session, user.id, view, state.any_opened),
    }


def _gain(session: Session, user_id: int, course_id: int, policy: str) -> dict[str, int | None]:
    # The pre-test measures where the learner started: only one taken before studying counts.
    pre = course_rules.baseline_pretest(
        quizzes.attempts_for(session, user_id, course_id, PRETEST_KEY),
        course_rules.first_module_opened_at(session, user_id, course_id),
    )
    post = quizzes.counted_attempt(
        quizzes.attempts_for(session, user_id, course_id, FINAL_TEST_KEY), policy
    )
    pre_score = grading.score_percent(pre.score) if pre and pre.score is not None else None
    post_score = grading.score_percent(post.score) if post and post.score is not None else None
    gain = post_score - pre_score if pre_score is not None and post_score is not None else None
    return {"pre": pre_score, "post": post_score, "gain": gain}


@router.get("/kursus", name="catalog")
def catalog(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    cache: Cache,
    q: CatalogQuery = "",
    kategori: CategoryQuery = "",
) -> Response:
    statuses = home_cards.catalogue_statuses(session, user.id, clock.today())
    extra = {"statuses": statuses, "not_started": home_cards.NOT_STARTED}
    return catalog_page(request, session, cache, q, kategori, extra)


@router.get("/kursus/{code}", name="course")
def course(
    request: Request, session: SessionDep, user: CurrentUser, cache: Cache, ctx: CurrentCourse
) -> Response:
    return course_page(request, session, cache, ctx, _learner_state(session, cache, user, ctx))


def _require_prerequisites(
    session: Session, cache: ContentCache, user: Viewer, ctx: CourseContext
) -> None:
    missing = progress.missing_prerequisites(session, user.id, ctx.view, cache.catalog(session))
    if missing:
        raise quizzes.QuizRuleError(
            _(
                "Kursus ini mensyaratkan Anda menyelesaikan {codes} terlebih dahulu. "
                "Selesaikan kursus prasyarat itu, lalu kembali ke sini."
            ).format(codes=", ".join(missing))
        )


def _ensure_enrolled(
    session: Session, cache: ContentCache, user: Viewer, ctx: CourseContext
) -> None:
    """Marking a module or starting a test (POSTs) enrols the learner, once prerequisites are
    met. A GET never calls this: a link from another site must not change anything."""
    if not progress.is_enrolled(session, user.id, ctx.view.course_id):
        _require_prerequisites(session, cache, user, ctx)
        progress.enrol(session, user.id, ctx.view.course_id)


def _enrolled_progress(
    session: Session, cache: ContentCache, user: Viewer, ctx: CourseContext
) -> progress.CourseProgress:
    """The learner's progress in the course, enrolling them first when they are not yet
    (one query when they are, as on nearly every module view and mark)."""
    state = progress.enrolled_progress(session, user.id, ctx.view)
    if state is None:
        _ensure_enrolled(session, cache, user, ctx)
        state = progress.course_progress(session, user.id, ctx.view)
    return state


@router.post("/kursus/{code}/ikuti", name="enrol", dependencies=[CsrfChecked])
def enrol(
    request: Request, session: SessionDep, user: CurrentUser, cache: Cache, ctx: CurrentCourse
) -> Response:
    _require_prerequisites(session, cache, user, ctx)
    progress.enrol(session, user.id, ctx.view.course_id)
    return RedirectResponse(request.app.url_path_for("course", code=ctx.view.code), 303)


@router.get("/kursus/{code}/lanjutkan", name="resume")
def resume(
    request: Request, session: SessionDep, user: CurrentUser, ctx: CurrentCourse
) -> Response:
    """ "Lanjutkan belajar": the pre-test when it comes first, the first unfinished module,
    else the final test. Not enrolled: the course page, whose button enrols."""
    state = progress.enrolled_progress(session, user.id, ctx.view)
    if state is None:
        return RedirectResponse(ctx.base, 303)
    if course_rules.pretest_pending(session, user.id, ctx.view, state.any_opened):
        return RedirectResponse(f"{ctx.base}/tes/{PRETEST_KEY}", 303)
    slug = progress.next_module(ctx.view, state)
    if slug is not None:
        return RedirectResponse(f"{ctx.base}/modul/{slug}", 303)
    if ctx.view.quiz(FINAL_TEST_KEY):
        return RedirectResponse(f"{ctx.base}/tes/{FINAL_TEST_KEY}", 303)
    return RedirectResponse(ctx.base, 303)


def _module_view(
    request: Request,
    session: Session,
    cache: ContentCache,
    ctx: CourseContext,
    slug: str,
    state: progress.CourseProgress,
    too_early: study_time.TooEarly | None = None,
) -> Response:
    module = ctx.view.module(slug)
    assert module is not None
    extra = {
        "learner": True,
        "progress": state,
        "module_done": slug in state.completed,
        # A fresh id per page view: submitting this form twice (or replaying it) counts once.
        "event_id": secrets.token_urlsafe(16),
        "required_minutes": math.ceil(study_time.required_seconds(ctx.view, module) / 60),
        "too_early": too_early.message() if too_early else None,
    }
    page = module_page(request, session, cache, ctx, slug, extra)
    if too_early is not None:
        # The mark changed nothing: the page again, with why and how long is left.
        page.status_code = 409
    return page


def _not_enrolled_page(
    request: Request, session: Session, cache: ContentCache, user: Viewer, ctx: CourseContext
) -> Response:
    """The course page, said to be the way in, for a GET of a page that needs enrolment."""
    state = _learner_state(session, cache, user, ctx)
    state["enrol_first"] = True
    return course_page(request, session, cache, ctx, state)


def _known_module(ctx: CourseContext, slug: str) -> ModuleSummary:
    module = ctx.view.module(slug)
    if module is None:
        raise NotFound(_("Modul ini tidak ada di kursus {title}.").format(title=ctx.view.title))
    return module


@router.get("/kursus/{code}/modul/{slug}", name="module")
def module(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    cache: Cache,
    ctx: CurrentCourse,
    slug: str,
) -> Response:
    _known_module(ctx, slug)
    state = progress.enrolled_progress(session, user.id, ctx.view)
    if state is None:
        # A GET never enrols (a cross-site link or an image tag could send it): the course
        # page instead, with its "Ikuti kursus ini" button (a POST with a CSRF token).
        return _not_enrolled_page(request, session, cache, user, ctx)
    if course_rules.pretest_pending(session, user.id, ctx.view, state.any_opened):
        return RedirectResponse(f"{ctx.base}/tes/{PRETEST_KEY}", 303)
    page = _module_view(request, session, cache, ctx, slug, state)
    # Saving a course for offline reading fetches every module: that is not reading them.
    # Written after rendering: on SQLite a write holds the database's write lock until commit.
    if request.headers.get("x-lentera-offline") != "1":
        if slug not in state.opened:
            progress.record_open(session, user.id, ctx.view.course_id, slug)
        # A view of a module not yet complete writes: the visit it starts is how study time
        # is measured (app/learning/study_time.py).
        study_time.start_visit(
            session,
            user_id=user.id,
            view=ctx.view,
            slug=slug,
            times=dict(state.study),
            now=utcnow(),
            restart=slug not in state.completed,
        )
    return page


@router.post(
    "/kursus/{code}/modul/{slug}/selesai", name="module_complete", dependencies=[CsrfChecked]
)
def module_complete(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    cache: Cache,
    ctx: CurrentCourse,
    slug: str,
    event_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    module = _known_module(ctx, slug)
    state = _enrolled_progress(session, cache, user, ctx)
    course_rules.require_modules_open(session, user.id, ctx.view, state.any_opened)
    now = utcnow()
    if slug not in state.completed:
        time = state.study.get(slug, study_time.StudyTime())
        too_early = study_time.check_mark(ctx.view, module, time, now)
        if too_early is not None:
            return _module_view(request, session, cache, ctx, slug, state, too_early)
        study_time.end_visit(
            session, user_id=user.id, view=ctx.view, module=module, time=time, now=now
        )
    progress.complete_module(
        session,
        user_id=user.id,
        course_id=ctx.view.course_id,
        slug=slug,
        version_id=ctx.view.version_id,
        now=now,
        event_id=event_id if progress.EVENT_ID.match(event_id) else None,
    )
    # Completing the course needs every module done: most marks are not the last one, and
    # those need no further queries.
    if len(state.completed | {slug}) >= state.total:
        completion_service.try_complete(session, user, ctx.view, utcnow())
    _before, after = ctx.view.neighbours(slug)
    target = f"{ctx.base}/modul/{after.slug}" if after else f"{ctx.base}/lanjutkan"
    return RedirectResponse(target, 303)


@router.get("/kursus/{code}/tes/{key}", name="quiz_info")
def quiz_info(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    cache: Cache,
    ctx: CurrentCourse,
    key: str,
) -> Response:
    quiz = ctx.view.quiz(key)
    if quiz is None:
        raise NotFound(_("Tes ini tidak ada di kursus {title}.").format(title=ctx.view.title))
    attempts = quizzes.attempts_for(session, user.id, ctx.view.course_id, key)
    state = progress.course_progress(session, user.id, ctx.view)
    limit = course_rules.attempt_limit(key, quiz.max_attempts)
    return render(
        request,
        "learning/quiz_info.html",
        {
            "ctx": ctx,
            "course": ctx.view,
            "quiz": quiz,
            "attempts": attempts,
            "counted": quizzes.counted_attempt(attempts, ctx.view.score_policy),
            "locked": key == FINAL_TEST_KEY and not state.all_modules_done,
            "exhausted": limit is not None
            and len(attempts) >= limit
            and all(a.submitted_at for a in attempts),
            "attempt_limit": limit,
            "pretest_closed": key == PRETEST_KEY and state.any_opened,
            "pretest_first": key == PRETEST_KEY
            and course_rules.pretest_pending(session, user.id, ctx.view, state.any_opened),
            "gain": _gain(session, user.id, ctx.view.course_id, ctx.view.score_policy),
            "percent": grading.score_percent,
        },
    )


@router.post("/kursus/{code}/tes/{key}/mulai", name="quiz_start", dependencies=[CsrfChecked])
def quiz_start(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    cache: Cache,
    ctx: CurrentCourse,
    key: str,
) -> Response:
    _ensure_enrolled(session, cache, user, ctx)
    state = progress.course_progress(session, user.id, ctx.view)
    attempt = quizzes.start_attempt(
        session,
        user_id=user.id,
        view=ctx.view,
        key=key,
        now=utcnow(),
        all_modules_done=state.all_modules_done,
        modules_opened=state.any_opened,
    )
    return RedirectResponse(f"{ctx.base}/tes/{key}/{attempt.number}", 303)


def _attempt(session: Session, user: Viewer, ctx: CourseContext, key: str, number: int):  # type: ignore[no-untyped-def]
    attempt = next(
        (
            a
            for a in quizzes.attempts_for(session, user.id, ctx.view.course_id, key)
            if a.number == number
        ),
        None,
    )
    if attempt is None:
        raise NotFound(_("Percobaan ini tidak ditemukan."))
    from app.content.models import QuizVersion

    row = session.get(QuizVersion, attempt.quiz_version_id)
    assert row is not None
    return attempt, quizzes.quiz_spec(row)


@router.get("/kursus/{code}/tes/{key}/{number}", name="quiz_attempt")
def quiz_attempt(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    ctx: CurrentCourse,
    key: str,
    number: PathNumber,
) -> Response:
    attempt, spec = _attempt(session, user, ctx, key, number)
    drawn = quizzes.drawn_questions(attempt)
    result = None
    if attempt.submitted_at is not None:
        result = grading.grade(spec, drawn, quizzes.stored_answers(attempt))
    return render(
        request,
        "learning/quiz_attempt.html",
        {
            "ctx": ctx,
            "course": ctx.view,
            "attempt": attempt,
            "spec": spec,
            "drawn": drawn,
            "result": result,
            "results": {r.question_id: r for r in result.results} if result else {},
            "percent": grading.score_percent,
            "now": utcnow(),
        },
    )


@router.post("/kursus/{code}/tes/{key}/{number}", name="quiz_submit", dependencies=[CsrfChecked])
async def quiz_submit(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    ctx: CurrentCourse,
    key: str,
    number: PathNumber,
) -> Response:
    form = await request.form()
    fields = {name: [str(v) for v in form.getlist(name)] for name in form if name.startswith("q-")}
    from starlette.concurrency import run_in_threadpool

    def work() -> None:
        attempt, spec = _attempt(session, user, ctx, key, number)
        if key == PRETEST_KEY and attempt.submitted_at is None:
            state = progress.course_progress(session, user.id, ctx.view)
            course_rules.require_pretest_open(state.any_opened)
        answers = quizzes.parse_answers(quizzes.drawn_questions(attempt), spec, fields)
        accepted = quizzes.submit_attempt(session, attempt, spec, answers, utcnow())
        if accepted and key == FINAL_TEST_KEY:
            completion_service.try_complete(session, user, ctx.view, utcnow())

    await run_in_threadpool(work)
    return RedirectResponse(f"{ctx.base}/tes/{key}/{number}", 303)
