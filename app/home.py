"""The home page: one page, with a section for each role the user holds.

It sits next to main.py because it composes several domains (the learner's courses and JP,
evaluations due, HR's and the admin's counts); the web layer imports no domain.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from app import clock
from app.accounts.models import Role, Unit, User, UserRole
from app.classes import listing as class_listing
from app.db import SessionDep, utcnow
from app.evaluation import observation
from app.evaluation import service as evaluation_service
from app.learning import external, home_cards, jp, paths
from app.learning.dashboard import learner_dashboard
from app.web.deps import OptionalUser
from app.web.templating import render

router = APIRouter()


@router.get("/", name="home")
def home(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    if user is None:
        return RedirectResponse(request.app.url_path_for("login_form"), status_code=303)
    context: dict[str, object] = {"roles": user.roles, "Role": Role}
    settings = request.app.state.settings
    today = clock.today()
    if user.has_role(Role.LEARNER):
        catalog = request.app.state.content.catalog(session)
        dashboard = learner_dashboard(session, user.id, catalog, today)
        context["dashboard"] = dashboard
        context["next_up"] = home_cards.next_actions(dashboard)
        context["learning_paths"] = [
            (p, catalog.by_code.get(p.next_code) if p.next_code else None)
            for p in paths.paths_for_learner(session, user.id)
        ]
        year = jp.current_year(session, user, today=today)
        context["jp_year"] = jp.jp_for_person(session, user, year, settings)
        context["follow_ups"] = evaluation_service.due_follow_ups(session, user.id, today)
        context["evaluations"] = evaluation_service.pending_evaluations(session, user.id)
        context["class_lines"] = class_listing.for_learner(session, user.id, utcnow())
    # Anyone may be named as someone's supervisor (atasan), whatever their roles.
    context["supervised"] = observation.supervised_count(session, user.nip)
    if user.has_role(Role.HR, Role.ADMIN):
        context["people_count"] = session.scalar(select(func.count()).select_from(User))
        context["unit_count"] = session.scalar(select(func.count()).select_from(Unit))
        context["pending_external"] = external.pending_count(session)
    if user.has_role(Role.ADMIN):
        context["role_counts"] = dict(
            session.execute(select(UserRole.role, func.count()).group_by(UserRole.role)).all()
        )
    return render(request, "home/home.html", context)
