"""The read-only JSON API for HR systems, under /api/v1 (documented at /api/openapi.json)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from sqlalchemy import select

from app.accounts.models import Unit, User
from app.audit import service as audit
from app.content.models import Course, CourseVersion
from app.content.routes import Cache
from app.db import SessionDep
from app.errors import AppError, NotAuthenticated
from app.learning.models import Certificate, Completion
from app.reports import tokens
from app.reports.completions import start_of_day
from app.reports.models import ApiToken

router = APIRouter(prefix="/api/v1", tags=["HR"])


class BadRequest(AppError):
    status_code = 400


def api_token(request: Request, session: SessionDep) -> ApiToken:
    """The bearer token of the request (401 when missing, unknown or revoked)."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    token = tokens.authenticate(session, value.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        raise NotAuthenticated("A valid API token is required: Authorization: Bearer lnt_...")
    return token


Token = Annotated[ApiToken, Depends(api_token)]
Limit = Annotated[int, Query(ge=1, le=1000, description="Items per page.")]
Cursor = Annotated[int | None, Query(ge=0, description="`next_cursor` of the previous page.")]


class UserOut(BaseModel):
    nip: str
    name: str
    employee_type: str
    unit: str | None
    jabatan: str | None
    golongan: str | None
    active: bool


class UserPage(BaseModel):
    items: list[UserOut]
    next_cursor: int | None


class CourseOut(BaseModel):
    code: str
    title: str
    category: str
    jp: int
    level: str
    status: str
    version: int


class CompletionOut(BaseModel):
    nip: str
    name: str
    unit: str | None
    course_code: str
    course_title: str
    category: str
    jp: int
    started_at: datetime | None
    completed_at: datetime
    final_score: int
    certificate_number: str | None


class CompletionPage(BaseModel):
    items: list[CompletionOut]
    next_cursor: int | None


@router.get("/users", response_model=UserPage, summary="ASN registered in Lentera")
def list_users(
    session: SessionDep, token: Token, limit: Limit = 200, cursor: Cursor = None
) -> UserPage:
    query = (
        select(User, Unit.name)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .order_by(User.id)
        .limit(limit + 1)
    )
    if cursor is not None:
        query = query.where(User.id > cursor)
    rows = session.execute(query).all()
    items = [
        UserOut(
            nip=u.nip,
            name=u.full_name,
            employee_type=u.employee_type,
            unit=unit,
            jabatan=u.jabatan,
            golongan=u.golongan,
            active=u.is_active,
        )
        for u, unit in rows[:limit]
    ]
    return UserPage(items=items, next_cursor=rows[limit - 1][0].id if len(rows) > limit else None)


@router.get("/courses", response_model=list[CourseOut], summary="Published courses")
def list_courses(session: SessionDep, token: Token, cache: Cache) -> list[CourseOut]:
    return [
        CourseOut(
            code=c.code,
            title=c.title,
            category=c.category,
            jp=c.jp,
            level=c.level,
            status=c.status,
            version=c.version_number,
        )
        for c in sorted(cache.catalog(session).by_code.values(), key=lambda c: c.code)
    ]


@router.get("/completions", response_model=CompletionPage, summary="Completed courses")
def list_completions(
    session: SessionDep,
    token: Token,
    limit: Limit = 500,
    cursor: Cursor = None,
    completed_from: Annotated[date | None, Query(alias="from")] = None,
    completed_to: Annotated[date | None, Query(alias="to")] = None,
    course: Annotated[str | None, Query(max_length=32)] = None,
) -> CompletionPage:
    """Completions in id order; follow `next_cursor` until it is null."""
    if completed_from and completed_to and completed_to < completed_from:
        raise BadRequest("`to` must not be before `from`.")
    query = (
        select(Completion, User, Unit.name, Course.code, CourseVersion, Certificate.number)
        .join(User, User.id == Completion.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .join(Course, Course.id == Completion.course_id)
        .join(CourseVersion, CourseVersion.id == Completion.course_version_id)
        .outerjoin(Certificate, Certificate.completion_id == Completion.id)
        .order_by(Completion.id)
        .limit(limit + 1)
    )
    if cursor is not None:
        query = query.where(Completion.id > cursor)
    if completed_from:
        query = query.where(Completion.completed_at >= start_of_day(completed_from))
    if completed_to:
        until = start_of_day(completed_to) + timedelta(days=1)
        query = query.where(Completion.completed_at < until)
    if course:
        query = query.where(Course.code == course)
    if cursor is None:
        audit.record(
            session, "export.completions", layout="api", via="api", api_token_id=token.id,
            filters={"from": str(completed_from) if completed_from else None,
                     "to": str(completed_to) if completed_to else None, "course": course},
        )  # fmt: skip
    rows = session.execute(query).all()
    items = [
        CompletionOut(
            nip=user.nip,
            name=user.full_name,
            unit=unit,
            course_code=code,
            course_title=version.title,
            category=version.category,
            jp=done.jp,
            started_at=done.started_at,
            completed_at=done.completed_at,
            final_score=done.final_score,
            certificate_number=number,
        )
        for done, user, unit, code, version, number in rows[:limit]
    ]
    next_cursor = rows[limit - 1][0].id if len(rows) > limit else None
    return CompletionPage(items=items, next_cursor=next_cursor)
