"""What a learner does with a course: enrol, read and mark modules, take tests, complete,
download the certificate; plus the public certificate verification page."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app import clock
from app.accounts.viewer import Viewer
from app.classes import finalise
from app.content.catalog import ContentCache, ModuleSummary, QuizSummary
from app.content.format.specs import FINAL_TEST_KEY, PRETEST_KEY, QuizSpec
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
from app.db import SessionDep, utcnow
from app.errors import NotFound
from app.i18n import gettext as _
from app.learning import completion as completion_service
from app.learning import (
    course_rules,
    course_state,
    enrolment,
    grading,
    home_cards,
    progress,
    quizzes,
    score_policy,
    study_time,
)
from app.learning.models import QuizAttempt
from app.web.deps import CsrfChecked, CurrentUser
from app.web.params import PathNumber
from app.web.templating import render

router = APIRouter()


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
    state = course_state.course_page_state(session, user.id, ctx.view, cache.catalog(session))
    return course_page(request, session, cache, ctx, state)


def _enrolled_progress(
    session: Session, cache: ContentCache, user: Viewer, ctx: CourseContext
) -> progress.CourseProgress:
    """The learner's progress in the course, enrolling them first when they are not yet
    (one query when they are, as on nearly every module view and mark)."""
    state = progress.enrolled_progress(session, user.id, ctx.view)
    if state is None:
        enrolment.ensure_enrolled(session, user.id, ctx.view, cache.catalog(session))
        state = progress.course_progress(session, user.id, ctx.view)
    return state


@router.post("/kursus/{code}/ikuti", name="enrol", dependencies=[CsrfChecked])
def enrol(
    request: Request, session: SessionDep, user: CurrentUser, cache: Cache, ctx: CurrentCourse
) -> Response:
    enrolment.enrol(session, user.id, ctx.view, cache.catalog(session))
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
    state = course_state.course_page_state(session, user.id, ctx.view, cache.catalog(session))
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
    """Mark a module complete, once however often it is sent.

    The page's script adds an `event_id` made on the phone (not in the page, so an unchanged
    module revalidates as 304): a mark whose answer the network lost is queued offline with
    the same id, and `/sinkron` then counts it as a duplicate. Without JavaScript there is no
    id and none is needed: a mark is idempotent per module (one progress row keeping the
    earliest time; the course completion is recorded once)."""
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


def _known_quiz(ctx: CourseContext, key: str) -> QuizSummary:
    quiz = ctx.view.quiz(key)
    if quiz is None:
        raise NotFound(_("Tes ini tidak ada di kursus {title}.").format(title=ctx.view.title))
    return quiz


def _standing(
    session: Session,
    user: Viewer,
    ctx: CourseContext,
    key: str,
    spec: QuizSpec | None,
    attempts: Sequence[QuizAttempt] | None = None,
) -> course_state.QuizStanding:
    """The learner's standing at the test, by the rules of the course version they study."""
    quiz = ctx.view.quiz(key)
    return course_state.quiz_standing(
        session,
        user.id,
        ctx.view,
        key,
        max_attempts=quiz.max_attempts if quiz else (spec.max_attempts if spec else None),
        reveal=spec.answer_reveal if spec else None,
        attempts=attempts,
    )


@router.get("/kursus/{code}/tes/{key}", name="quiz_info")
def quiz_info(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    ctx: CurrentCourse,
    key: str,
) -> Response:
    quiz = _known_quiz(ctx, key)
    spec = quizzes.current_spec(session, ctx.view.version_id, key)
    standing = _standing(session, user, ctx, key, spec)
    return render(
        request,
        "learning/quiz_info.html",
        {
            "ctx": ctx,
            "course": ctx.view,
            "quiz": quiz,
            **course_state.as_context(standing),
            "gain": course_state.gain(session, user.id, ctx.view),
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
    enrolment.ensure_enrolled(session, user.id, ctx.view, cache.catalog(session))
    state = progress.course_progress(session, user.id, ctx.view)
    now = utcnow()
    attempt = quizzes.start_attempt(
        session,
        user_id=user.id,
        view=ctx.view,
        key=key,
        now=now,
        all_modules_done=course_state.final_test_open(session, user.id, ctx.view, state, now)
        if key == FINAL_TEST_KEY
        else state.all_modules_done,
        modules_opened=state.any_opened,
    )
    return RedirectResponse(f"{ctx.base}/tes/{key}/{attempt.number}", 303)


def _attempt(
    session: Session, user: Viewer, ctx: CourseContext, key: str, number: int
) -> tuple[QuizAttempt, QuizSpec, list[QuizAttempt]]:
    """The learner's attempt `number` at the test, the quiz version it was drawn from, and all
    their attempts at the test (as read for it)."""
    attempts = quizzes.attempts_for(session, user.id, ctx.view.course_id, key)
    attempt = next((a for a in attempts if a.number == number), None)
    if attempt is None:
        raise NotFound(_("Percobaan ini tidak ditemukan."))
    spec = quizzes.spec_for_version(session, attempt.quiz_version_id)
    assert spec is not None  # quiz versions are deleted only with their attempts
    return attempt, spec, attempts


def _numbers_text(numbers: list[int]) -> str:
    """ "3", "3 dan 5", "1, 3, dan 5": question numbers as a sentence lists them."""
    shown = [str(n) for n in numbers]
    if len(shown) <= 1:
        return "".join(shown)
    if len(shown) == 2:
        return _("{a} dan {b}").format(a=shown[0], b=shown[1])
    return _("{items}, dan {last}").format(items=", ".join(shown[:-1]), last=shown[-1])


def _attempt_page(
    request: Request,
    session: Session,
    user: Viewer,
    ctx: CourseContext,
    attempt: QuizAttempt,
    spec: QuizSpec,
    *,
    given: Mapping[str, grading.Answer] | None = None,
    unanswered: list[int] | None = None,
    attempts: Sequence[QuizAttempt] | None = None,
) -> Response:
    """The attempt's page: its form (again, with `given` answers kept and the `unanswered`
    questions listed, when a submission needs confirming) or its result."""
    drawn = quizzes.drawn_questions(attempt)
    result = None
    if attempt.submitted_at is not None:
        result = grading.grade(spec, drawn, quizzes.stored_answers(attempt))
    standing = _standing(session, user, ctx, spec.key, spec, attempts)
    first_module = ctx.view.modules[0].slug if ctx.view.modules else None
    return render(
        request,
        "learning/quiz_attempt.html",
        {
            "ctx": ctx,
            "course": ctx.view,
            "attempt": attempt,
            "spec": spec,
            "questions": quizzes.shown_questions(drawn, spec),
            "result": result,
            "results": {r.question_id: r for r in result.results} if result else {},
            "standing": standing,
            "revealed": result is not None and standing.answers_revealed,
            "attempt_passed": result is not None
            and not attempt.late
            and score_policy.passed(attempt.score, ctx.view.passing_score),
            "first_module": first_module,
            "given": given or {},
            "unanswered": unanswered or [],
            "unanswered_text": _numbers_text(unanswered or []),
            "percent": grading.score_percent,
            "now": utcnow(),
        },
    )


@router.get("/kursus/{code}/tes/{key}/{number}", name="quiz_attempt")
def quiz_attempt(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    ctx: CurrentCourse,
    key: str,
    number: PathNumber,
) -> Response:
    attempt, spec, attempts = _attempt(session, user, ctx, key, number)
    # Nothing changed since `_attempt` read them: the standing reuses them (one read fewer).
    return _attempt_page(request, session, user, ctx, attempt, spec, attempts=attempts)


@dataclass(frozen=True)
class QuizForm:
    """A submitted attempt form: the answers by field (`q-<question id>`) and whether the
    learner confirmed sending it with questions unanswered ("Kirim tetap")."""

    fields: dict[str, list[str]]
    confirmed: bool


CONFIRM_FIELD = "kirim_tetap"


async def quiz_form(request: Request) -> QuizForm:
    """The attempt form's fields. Its field names are the drawn questions' ids, so they cannot
    be declared as `Form()` parameters; the body was parsed (and its text checked by
    app/web/body_limit.py, as every form's) before the CSRF check, which read it first."""
    form = await request.form()
    return QuizForm(
        fields={
            name: [v for v in form.getlist(name) if isinstance(v, str)]
            for name in form
            if name.startswith("q-")
        },
        confirmed=form.get(CONFIRM_FIELD) == "1",
    )


@router.post("/kursus/{code}/tes/{key}/{number}", name="quiz_submit", dependencies=[CsrfChecked])
def quiz_submit(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    ctx: CurrentCourse,
    key: str,
    number: PathNumber,
    form: Annotated[QuizForm, Depends(quiz_form)],
) -> Response:
    attempt, spec, _attempts = _attempt(session, user, ctx, key, number)
    drawn = quizzes.drawn_questions(attempt)
    answers = quizzes.parse_answers(drawn, spec, form.fields)
    if attempt.submitted_at is None:
        if key == PRETEST_KEY:
            state = progress.course_progress(session, user.id, ctx.view)
            course_rules.require_pretest_open(state.any_opened)
        missing = quizzes.unanswered(drawn, spec, answers)
        if missing and not form.confirmed:
            # Nothing is graded or stored: the form again, the answers given kept, the
            # questions left listed, and "Kirim tetap" to send it as it is.
            return _attempt_page(
                request, session, user, ctx, attempt, spec, given=answers, unanswered=missing
            )
    accepted = quizzes.submit_attempt(session, attempt, spec, answers, utcnow())
    if accepted and key == FINAL_TEST_KEY:
        # A class awaiting this post-test is credited first (its completion keeps the
        # session); the course is then complete already and try_complete adds nothing.
        finalise.credit_post_test(session, user.id, ctx.view, utcnow())
        completion_service.try_complete(session, user, ctx.view, utcnow())
    return RedirectResponse(f"{ctx.base}/tes/{key}/{number}", 303)
