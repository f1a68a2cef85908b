"""Observation checklist and follow-up interview pages, for trainers, HR and supervisors.

`/pengamatan` lists the completions the viewer may observe (a course's with `?kursus=CODE`, a
class's with `?kursus=KELAS-12`; a class's roll links each attendee's page);
`/pengamatan/{completion_id}` shows the checklist (the viewer's own observation, editable) and
the interview notes of that completion, with a form for a new one. Who may open them is
`observation.capacity`; the learner is refused their own (403), and reads what was observed
about them at `/riwayat/pengamatan/{completion_id}` (their own completions only, else 404).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.db import SessionDep
from app.evaluation import (
    observation,
    observation_learner,
    observation_listing,
    observation_reads,
    observation_schemas,
    service,
)
from app.evaluation.observation import Target
from app.evaluation.routes import PostedFields, _first
from app.evaluation.schemas import InvalidInput
from app.web.deps import CsrfChecked, CurrentUser
from app.web.params import PathId
from app.web.templating import render

router = APIRouter()

LIMITS = {
    "note": observation_schemas.OBSERVATION_NOTE_MAX,
    "text": observation_schemas.INTERVIEW_TEXT_MAX,
    "skills_min": observation_schemas.SKILLS_MIN,
}


@router.get("/pengamatan", name="observation_list")
def observation_list(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    kursus: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    code = kursus.strip().upper() or None
    rows = observation_listing.observable_completions(session, user, code)
    return render(
        request,
        "evaluation/observation_list.html",
        {"rows": rows, "course_code": code},
    )


def _page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    t: Target,
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    today = service.local_today(request.app.state.settings)
    own = observation_reads.own_observation(session, user.id, t)
    levels = dict(enumerate((level for _b, level in own.ratings), start=1)) if own else {}
    context: dict[str, Any] = {
        "target": t,
        "own": own,
        "today": today,
        "levels": observation_schemas.level_labels(),
        "hints": observation_schemas.level_hints(),
        "interviewees": observation_schemas.interviewee_labels(),
        "field": observation_schemas.behaviour_field,
        "long_date": service.long_date,
        "limits": LIMITS,
        "obs_values": {
            **{observation_schemas.behaviour_field(p): str(v) for p, v in levels.items()},
            "observed_on": own.observed_on.isoformat() if own else today.isoformat(),
            "note": own.note if own else "",
        },
        "obs_errors": {},
        "int_values": {"interviewed_on": today.isoformat()},
        "int_errors": {},
        "interviews": observation_reads.interviews(session, t.completion_id),
    }
    context.update(extra)
    return render(request, "evaluation/observation.html", context, status_code=status_code)


def _redirect(request: Request, completion_id: int, saved: str, anchor: str) -> Response:
    url = request.app.url_path_for("observation_form", completion_id=str(completion_id))
    return RedirectResponse(f"{url}?tersimpan={saved}#{anchor}", status_code=303)


@router.get("/pengamatan/{completion_id}", name="observation_form")
def observation_form(
    request: Request, session: SessionDep, user: CurrentUser, completion_id: PathId
) -> Response:
    return _page(request, session, user, observation.target(session, user, completion_id))


@router.post("/pengamatan/{completion_id}", name="observation_submit", dependencies=[CsrfChecked])
def observation_submit(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    completion_id: PathId,
    fields: PostedFields,
) -> Response:
    t = observation.target(session, user, completion_id)
    today = service.local_today(request.app.state.settings)
    try:
        data = observation_schemas.parse_observation(fields, t.behaviours, today)
        observation.save_observation(session, user, t, data)
    except InvalidInput as exc:
        return _page(
            request,
            session,
            user,
            t,
            obs_errors=exc.errors,
            obs_values=_first(fields),
            status_code=400,
        )
    return _redirect(request, completion_id, "pengamatan", "h-pengamatan")


@router.post(
    "/pengamatan/{completion_id}/wawancara", name="interview_submit", dependencies=[CsrfChecked]
)
def interview_submit(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    completion_id: PathId,
    fields: PostedFields,
) -> Response:
    t = observation.target(session, user, completion_id)
    today = service.local_today(request.app.state.settings)
    try:
        data = observation_schemas.parse_interview(fields, today)
        observation.record_interview(session, user, t, data)
    except InvalidInput as exc:
        return _page(
            request,
            session,
            user,
            t,
            int_errors=exc.errors,
            int_values=_first(fields),
            status_code=400,
        )
    return _redirect(request, completion_id, "wawancara", "h-wawancara")


@router.get("/riwayat/pengamatan/{completion_id}", name="my_observations")
def my_observations(
    request: Request, session: SessionDep, user: CurrentUser, completion_id: PathId
) -> Response:
    """The learner's own observations and interviews of one completion (read only)."""
    return render(
        request,
        "evaluation/my_observations.html",
        {
            "view": observation_learner.details(session, user.id, completion_id),
            "levels": observation_schemas.level_labels(),
            "roles": observation_learner.role_labels(),
            "interviewees": observation_schemas.interviewee_labels(),
            "average_text": observation_learner.average_text,
            "long_date": service.long_date,
        },
    )
