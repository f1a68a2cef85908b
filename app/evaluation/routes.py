"""Evaluation pages: reaction survey and action plan, follow-up, and the supervisor's link page.

Learner pages take the course from the URL and the learner from the session, so nobody can
reach another learner's answers. Each POST checks the state first (a repeated or late
submission is told why it was not saved: 409), then the input (400, with one message per
field), then saves and redirects (303), so a reload never posts twice.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app import clock
from app.accounts.viewer import Viewer
from app.config import Settings
from app.content.routes import CourseContext, CurrentCourse
from app.db import SessionDep
from app.evaluation import schemas, service, supervisor, supervisor_answer
from app.evaluation.service import EvaluationConflict, LearnerEvaluation
from app.web.deps import CsrfChecked, CurrentUser, OptionalUser
from app.web.templating import render

router = APIRouter()

Fields = dict[str, list[str]]


async def posted_fields(request: Request) -> Fields:
    """Every value of every posted field: a field sent twice must be refused, not guessed."""
    form = await request.form()
    return {
        key: [value if isinstance(value, str) else "" for value in form.getlist(key)]
        for key in form
    }


PostedFields = Annotated[Fields, Depends(posted_fields)]

LIMITS = {
    "comment": schemas.COMMENT_MAX,
    "plan_min": schemas.PLAN_MIN,
    "plan_max": schemas.PLAN_MAX,
    "note": schemas.NOTE_MAX,
    "supervisor_name": schemas.SUPERVISOR_NAME_MAX,
    "supervisor_jabatan": schemas.SUPERVISOR_JABATAN_MAX,
}


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _state(
    request: Request, session: Session, user: Viewer, ctx: CourseContext
) -> LearnerEvaluation:
    return service.learner_evaluation(session, _settings(request), user.id, ctx.view.course_id)


def _first(fields: Fields) -> dict[str, str]:
    """What to put back in the form after an error: the first value of each field."""
    return {key: values[0] for key, values in fields.items() if values}


def _redirect(request: Request, name: str, code: str, saved: str) -> Response:
    url = request.app.url_path_for(name, code=code)
    return RedirectResponse(f"{url}?tersimpan={saved}", status_code=303)


def _no_store(response: Response) -> Response:
    # Pages carrying a one-time link must not be kept by the browser or a shared proxy, and the
    # link must not leak to other sites through the Referer header.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- Survey and action plan ----------------------------------------------------------------


def _evaluation_page(
    request: Request,
    ctx: CourseContext,
    state: LearnerEvaluation,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    plan_values = (
        {"plan": state.plan.plan, "supervisor_name": state.plan.supervisor_name or ""}
        if state.plan
        else {}
    )
    context: dict[str, Any] = {
        "course": ctx.view,
        "state": state,
        "scales": schemas.scales(),
        "long_date": service.long_date,
        "limits": LIMITS,
        "survey_values": {},
        "survey_errors": {},
        "plan_values": plan_values,
        "plan_errors": {},
        "notice": None,
    }
    context.update(extra)
    return render(request, "evaluation/evaluation.html", context, status_code=status_code)


@router.get("/kursus/{code}/evaluasi", name="evaluation_form")
def evaluation_form(
    request: Request, session: SessionDep, user: CurrentUser, ctx: CurrentCourse
) -> Response:
    return _evaluation_page(request, ctx, _state(request, session, user, ctx))


@router.post("/kursus/{code}/evaluasi", name="evaluation_submit", dependencies=[CsrfChecked])
def evaluation_submit(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    ctx: CurrentCourse,
    fields: PostedFields,
) -> Response:
    state = _state(request, session, user, ctx)
    try:
        service.check_survey_open(state)
        data = schemas.parse_survey(fields)
        service.submit_survey(session, user.id, ctx.view.course_id, data)
    except EvaluationConflict as exc:
        return _evaluation_page(request, ctx, state, notice=exc.message, status_code=409)
    except schemas.InvalidInput as exc:
        return _evaluation_page(
            request,
            ctx,
            state,
            survey_errors=exc.errors,
            survey_values=_first(fields),
            status_code=400,
        )
    return _redirect(request, "evaluation_form", ctx.view.code, "survei")


@router.post("/kursus/{code}/rencana-aksi", name="action_plan_submit", dependencies=[CsrfChecked])
def action_plan_submit(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    ctx: CurrentCourse,
    fields: PostedFields,
) -> Response:
    settings = _settings(request)
    state = _state(request, session, user, ctx)
    try:
        service.check_plan_editable(state)
        data = schemas.parse_plan(fields)
        service.save_action_plan(session, settings, user.id, ctx.view.course_id, data)
    except EvaluationConflict as exc:
        return _evaluation_page(request, ctx, state, notice=exc.message, status_code=409)
    except schemas.InvalidInput as exc:
        return _evaluation_page(
            request,
            ctx,
            state,
            plan_errors=exc.errors,
            plan_values=_first(fields),
            status_code=400,
        )
    return _redirect(request, "evaluation_form", ctx.view.code, "rencana")


# --- Follow-up -----------------------------------------------------------------------------


def _follow_up_page(
    request: Request,
    ctx: CourseContext,
    state: LearnerEvaluation,
    today: date,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    context: dict[str, Any] = {
        "course": ctx.view,
        "state": state,
        "plan": state.plan,
        "today": today,
        "long_date": service.long_date,
        "limits": LIMITS,
        "statuses": schemas.follow_up_labels(),
        "verdicts": schemas.verdict_labels(),
        "values": {},
        "errors": {},
        "notice": None,
        "new_link": None,
        "link_values": {},
        "link_errors": {},
    }
    context.update(extra)
    return render(request, "evaluation/follow_up.html", context, status_code=status_code)


@router.get("/kursus/{code}/tindak-lanjut", name="follow_up_form")
def follow_up_form(
    request: Request, session: SessionDep, user: CurrentUser, ctx: CurrentCourse
) -> Response:
    today = service.local_today(_settings(request))
    return _follow_up_page(request, ctx, _state(request, session, user, ctx), today)


@router.post("/kursus/{code}/tindak-lanjut", name="follow_up_submit", dependencies=[CsrfChecked])
def follow_up_submit(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    ctx: CurrentCourse,
    fields: PostedFields,
) -> Response:
    today = service.local_today(_settings(request))
    state = _state(request, session, user, ctx)
    try:
        service.check_follow_up_open(state, today)
        data = schemas.parse_follow_up(fields)
        service.report_follow_up(session, user.id, ctx.view.course_id, data, today)
    except EvaluationConflict as exc:
        return _follow_up_page(request, ctx, state, today, notice=exc.message, status_code=409)
    except schemas.InvalidInput as exc:
        return _follow_up_page(
            request, ctx, state, today, errors=exc.errors, values=_first(fields), status_code=400
        )
    return _redirect(request, "follow_up_form", ctx.view.code, "laporan")


@router.post(
    "/kursus/{code}/tindak-lanjut/tautan-atasan",
    name="supervisor_link_create",
    dependencies=[CsrfChecked],
)
def supervisor_link_create(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    ctx: CurrentCourse,
    fields: PostedFields,
) -> Response:
    settings = _settings(request)
    today = service.local_today(settings)
    state = _state(request, session, user, ctx)
    try:
        supervisor.check_link_allowed(state, today)
        data = schemas.parse_supervisor_binding(fields)
        issued = supervisor.issue_supervisor_link(session, user, ctx.view.course_id, today, data)
    except EvaluationConflict as exc:
        return _follow_up_page(request, ctx, state, today, notice=exc.message, status_code=409)
    except schemas.InvalidInput as exc:
        return _follow_up_page(
            request,
            ctx,
            state,
            today,
            link_errors=exc.errors,
            link_values=_first(fields),
            status_code=400,
        )
    expires_on = clock.local_date(issued.expires_at)
    new_link = {
        "url": supervisor.supervisor_url(settings, issued.token),
        "whatsapp": supervisor.whatsapp_share_url(
            settings,
            issued.token,
            learner_name=user.full_name,
            course_title=ctx.view.title,
            supervisor_name=issued.supervisor.name,
            expires_on=expires_on,
        ),
        "expires_on": expires_on,
        "supervisor": issued.supervisor,
    }
    # Shown once, right here: only the token's hash is stored, so there is no page to come back
    # to for it (hence no redirect). The state is read again so the form shows who was named.
    state = _state(request, session, user, ctx)
    return _no_store(_follow_up_page(request, ctx, state, today, new_link=new_link))


# --- The supervisor's page (public: the token in the link is the key) ----------------------


def _supervisor_page(
    request: Request,
    token: str,
    pending: supervisor_answer.SupervisorRequest,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    context: dict[str, Any] = {
        "token": token,
        "pending": pending,
        "step": "nip",  # "nip": who are you; "answer": the questions (NIP carried along)
        "nip": "",
        "long_date": service.long_date,
        "limits": LIMITS,
        "statuses": schemas.follow_up_labels(),
        "verdicts": schemas.verdict_labels(),
        "values": {},
        "errors": {},
        "notice": None,
    }
    context.update(extra)
    response = render(request, "evaluation/supervisor.html", context, status_code=status_code)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return _no_store(response)


def _viewer_id(user: Viewer | None) -> int | None:
    return user.id if user is not None else None


@router.get("/atasan/{token}", name="supervisor_form")
def supervisor_form(
    request: Request, session: SessionDep, user: OptionalUser, token: str
) -> Response:
    pending = supervisor_answer.supervisor_request(session, token, _viewer_id(user))
    return _supervisor_page(request, token, pending)


@router.post("/atasan/{token}", name="supervisor_submit", dependencies=[CsrfChecked])
def supervisor_submit(
    request: Request, session: SessionDep, user: OptionalUser, token: str, fields: PostedFields
) -> Response:
    """Two steps on one URL, told apart by the posted `langkah`: "nip" checks who is answering
    and shows the questions; "jawaban" checks the NIP again and records the answer.

    Wrong NIPs are counted in the database, so every refusal here is a rendered page (the
    request's transaction commits) rather than a raised error (which would roll it back).
    """
    pending = supervisor_answer.supervisor_request(session, token, _viewer_id(user))
    answering = fields.get("langkah") == ["jawaban"]
    try:
        supervisor_answer.check_answerable(pending)
        nip = schemas.parse_own_nip(fields)
        supervisor_answer.verify_nip(session, token, nip)
    except EvaluationConflict as exc:
        return _supervisor_page(request, token, pending, notice=exc.message, status_code=409)
    except supervisor_answer.SelfConfirmation as exc:
        counted = supervisor_answer.supervisor_request(session, token, _viewer_id(user))
        return _supervisor_page(request, token, counted, notice=exc.message, status_code=403)
    except supervisor_answer.WrongNIP as exc:
        counted = supervisor_answer.supervisor_request(session, token, _viewer_id(user))
        if exc.locked:
            return _supervisor_page(
                request, token, counted, notice=exc.errors["nip"], status_code=409
            )
        return _supervisor_page(request, token, counted, errors=exc.errors, status_code=400)
    except schemas.InvalidInput as exc:
        return _supervisor_page(request, token, pending, errors=exc.errors, status_code=400)
    if not answering:
        return _supervisor_page(request, token, pending, step="answer", nip=nip)
    try:
        data = schemas.parse_supervisor(fields)
        supervisor_answer.confirm_by_supervisor(session, token, nip, data)
    except EvaluationConflict as exc:
        return _supervisor_page(request, token, pending, notice=exc.message, status_code=409)
    except schemas.InvalidInput as exc:
        return _supervisor_page(
            request,
            token,
            pending,
            step="answer",
            nip=nip,
            errors=exc.errors,
            values=_first(fields),
            status_code=400,
        )
    url = request.app.url_path_for("supervisor_form", token=token)
    return _no_store(RedirectResponse(f"{url}?terkirim=1", status_code=303))
