"""Request dependencies: who is logged in, and role checks for every route."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from app.accounts import auth
from app.accounts.models import Role
from app.accounts.viewer import Viewer
from app.db import SessionDep
from app.errors import Forbidden, NotAuthenticated
from app.web.csrf import require_csrf

SESSION_COOKIE = "lentera_session"


async def optional_user(request: Request, session: SessionDep) -> Viewer | None:
    """The logged-in user, or None; also exposed to templates as `user`.

    Answered on the event loop when the session cache can (most requests: a session seen in
    the last minutes, no auth change since); otherwise the database is asked in a thread."""
    token = request.cookies.get(SESSION_COOKIE)
    user = None
    if token and len(token) < 200:
        settings = request.app.state.settings
        cache = getattr(request.app.state, "session_cache", None)
        user = auth.remembered_session(settings, token, cache)
        if user is None:
            user = await run_in_threadpool(auth.resolve_session, session, settings, token, cache)
    request.state.user = user
    return user


OptionalUser = Annotated[Viewer | None, Depends(optional_user)]


# The checks below are `async def` on purpose: they only look at what `optional_user` loaded,
# and FastAPI runs every sync dependency in the thread pool (a hop of ~0.1 ms each).
async def require_user(user: OptionalUser) -> Viewer:
    """Any logged-in user; anonymous visitors are sent to the login page."""
    if user is None:
        raise NotAuthenticated()
    return user


CurrentUser = Annotated[Viewer, Depends(require_user)]


def require_roles(*roles: Role) -> Callable[[Viewer], Awaitable[Viewer]]:
    """A dependency admitting users holding at least one of `roles` (admins always pass)."""
    allowed = {*roles, Role.ADMIN}

    async def check(user: CurrentUser) -> Viewer:
        if not user.has_role(*allowed):
            raise Forbidden()
        return user

    return check


HRUser = Annotated[Viewer, Depends(require_roles(Role.HR))]
TrainerUser = Annotated[Viewer, Depends(require_roles(Role.TRAINER))]
AdminUser = Annotated[Viewer, Depends(require_roles(Role.ADMIN))]

CsrfChecked = Depends(require_csrf)
