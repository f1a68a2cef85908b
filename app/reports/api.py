"""The read-only JSON API for HR systems, under /api/v1 (documented at /api/openapi.json)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from app import clock
from app.accounts.models import Unit, User
from app.audit import service as audit
from app.content.models import Course, CourseVersion
from app.content.routes import Cache
from app.db import SessionDep
from app.errors import BadRequest, NotAuthenticated
from app.learning import credited
from app.learning.credited import current_certificate
from app.learning.models import Completion
from app.reports import compliance, tokens
from app.reports.models import ApiToken
from app.web.params import MAX_ID


class ErrorDetail(BaseModel):
    status: int
    message: str = Field(description="What went wrong, for the person running the client.")
    fields: list[dict[str, object]] | None = Field(
        default=None, description="422 only: each invalid parameter (`loc`, `msg`)."
    )


class ErrorOut(BaseModel):
    """Every error under /api: one JSON shape, from app.errors."""

    error: ErrorDetail


def _error(description: str) -> dict[str, object]:
    return {"model": ErrorOut, "description": description}


# Every answer other than 200 that a route under /api/v1 really gives (app.errors renders
# them all as ErrorOut); schemathesis checks in tests/reports/test_api_fuzz.py that no route
# answers with a status or a body this does not declare.
ERRORS: dict[int | str, dict[str, object]] = {
    400: _error("A parameter's value is refused (a date or year out of range, a NUL byte)."),
    401: _error(
        "No token, or a token that is unknown, revoked, expired, or whose creator is "
        "no longer an active HR officer or admin."
    ),
    422: _error("A parameter has the wrong type or lies outside the bounds in this schema."),
    503: _error("The database cannot be reached; nothing changed. Retry after `Retry-After`."),
}


def _query_names(dependant: Dependant) -> frozenset[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return frozenset(names)


# (path, methods) -> the route's query parameters; the API's routes never change at run time.
_declared: dict[tuple[str, frozenset[str]], frozenset[str]] = {}


def _declared_query(route: APIRoute) -> frozenset[str]:
    key = (route.path, frozenset(route.methods or ()))
    if key not in _declared:
        _declared[key] = _query_names(route.dependant)
    return _declared[key]


async def known_query_only(request: Request) -> None:
    """Refuse query parameters a route does not declare (400): a typo such as `?form=`
    would otherwise be ignored silently and return every row."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    unknown = set(request.query_params) - _declared_query(route)
    if unknown:
        names = ", ".join(sorted(repr(name[:40]) for name in unknown)[:5])
        raise BadRequest(f"Unknown query parameter: {names}.")


router = APIRouter(
    prefix="/api/v1", tags=["HR"], responses=ERRORS, dependencies=[Depends(known_query_only)]
)


# Declares the bearer scheme in the OpenAPI schema; the check itself is `api_token`, which
# words each refusal (auto_error=False: no bare 403 from FastAPI).
bearer = HTTPBearer(auto_error=False, description="A token from /laporan/token: `lnt_…`.")


def api_token(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> ApiToken:
    """The bearer token of the request (401 when missing, unknown, revoked, expired, or when
    its creator no longer holds the rights that created it)."""
    max_days: int = request.app.state.settings.api_token_max_days
    found = (
        tokens.authenticate(session, credentials.credentials.strip(), max_days=max_days)
        if credentials is not None
        else tokens.UNKNOWN
    )
    if isinstance(found, tokens.Refused):
        raise NotAuthenticated(found.message)
    return found


Token = Annotated[ApiToken, Depends(api_token)]
Limit = Annotated[int, Query(ge=1, le=1000, description="Items per page.")]
Cursor = Annotated[
    int | None, Query(ge=0, le=MAX_ID, description="`next_cursor` of the previous page.")
]
# Any text without C0 or C1 control characters (no course code, name or date has one).
NO_CONTROL = r"^[^\x00-\x1f\x7f-\x9f]*$"


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
    jp: int = Field(description="The JP the course was worth when completed.")
    credited_jp: int = Field(
        description="The JP this completion counts toward the learner's year: `jp`, or 0 when "
        "its certificate is revoked."
    )
    started_at: datetime | None
    completed_at: datetime
    final_score: int
    certificate_number: str | None = Field(
        description="The completion's current certificate (the newest, after a re-issue)."
    )
    certificate_revoked: bool = Field(
        description="True when the current certificate is revoked: the completion counts 0 JP."
    )
    revoked_at: datetime | None = Field(description="When the certificate was revoked (UTC).")
    revoke_reason: str | None = Field(description="Why it was revoked ('diganti': re-issued).")


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
    completed_from: Annotated[
        date | None, Query(alias="from", description="A local date from 2000-01-01 to 2100-12-31.")
    ] = None,
    completed_to: Annotated[
        date | None,
        Query(
            alias="to",
            description="A local date from 2000-01-01 to 2100-12-31, not before `from`.",
        ),
    ] = None,
    course: Annotated[
        str | None, Query(max_length=32, pattern=NO_CONTROL, description="A course code.")
    ] = None,
) -> CompletionPage:
    """Completions in id order, each with its current certificate; one whose certificate is
    revoked is listed with `certificate_revoked`, `revoked_at`, `revoke_reason` and
    `credited_jp` 0. `from`/`to` are local dates (LENTERA_TIMEZONE). Follow `next_cursor`
    until it is null."""
    for value in (completed_from, completed_to):
        if value is not None and not date(2000, 1, 1) <= value <= date(2100, 12, 31):
            raise BadRequest("`from` and `to` must lie between 2000-01-01 and 2100-12-31.")
    if completed_from and completed_to and completed_to < completed_from:
        raise BadRequest("`to` must not be before `from`.")
    query = credited.join_current_certificate(
        select(
            Completion,
            User,
            Unit.name,
            Course.code,
            CourseVersion,
            current_certificate.number,
            current_certificate.revoked_at,
            current_certificate.revoke_reason,
            current_certificate.course_code,
            current_certificate.course_title,
            current_certificate.category,
        )
        .join(User, User.id == Completion.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        # Outer: a stand-alone class session's completion has no course; its certificate
        # names it.
        .outerjoin(Course, Course.id == Completion.course_id)
        # The version completed; the current one if that version is gone (as on /riwayat).
        .outerjoin(
            CourseVersion,
            CourseVersion.id
            == func.coalesce(Completion.course_version_id, Course.current_version_id),
        )
    )
    query = query.order_by(Completion.id).limit(limit + 1)
    if cursor is not None:
        query = query.where(Completion.id > cursor)
    if completed_from:
        query = query.where(Completion.completed_at >= clock.day_start(completed_from))
    if completed_to:
        until = clock.day_start(completed_to + timedelta(days=1))
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
            # A stand-alone class has no course: its certificate names it (KELAS-n).
            course_code=code or cert_code,
            course_title=version.title if version is not None else cert_title,
            category=version.category if version is not None else cert_category,
            jp=done.jp,
            credited_jp=0 if revoked_at is not None else done.jp,
            started_at=done.started_at,
            completed_at=done.completed_at,
            final_score=done.final_score,
            certificate_number=number,
            certificate_revoked=revoked_at is not None,
            revoked_at=revoked_at,
            revoke_reason=reason if revoked_at is not None else None,
        )
        for (
            done,
            user,
            unit,
            code,
            version,
            number,
            revoked_at,
            reason,
            cert_code,
            cert_title,
            cert_category,
        ) in rows[:limit]
    ]
    next_cursor = rows[limit - 1][0].id if len(rows) > limit else None
    return CompletionPage(items=items, next_cursor=next_cursor)


# --- JP against the yearly target -----------------------------------------------------------

ReportYear = Annotated[
    int | None,
    Query(
        ge=compliance.MIN_YEAR,
        le=2100,
        description="Calendar year in the zone of LENTERA_TIMEZONE (WITA, UTC+8, by default); "
        "the current year when omitted. A year after next year is refused with 400.",
    ),
]


def _report_year(year: int | None) -> int:
    current = clock.today().year
    if year is None:
        return current
    if not compliance.MIN_YEAR <= year <= current + 1:
        raise BadRequest(f"`year` must be between {compliance.MIN_YEAR} and {current + 1}.")
    return year


class JPPersonOut(BaseModel):
    nip: str
    name: str
    unit: str | None
    jabatan: str | None
    golongan: str | None
    lentera_jp: int = Field(
        description="JP from courses completed on Lentera in the year; a completion whose "
        "certificate is revoked counts 0."
    )
    external_jp: int = Field(description="JP from external learning verified by HR, by end date.")
    total_jp: int
    employee_type: Literal["PNS", "PPPK"]
    rule: Literal["minimum", "allotment"] = Field(
        description="PNS: a yearly minimum (LENTERA_JP_TARGET); PPPK: an allotment of at most "
        "LENTERA_JP_ALLOTMENT_PPPK JP per contract year, never a minimum."
    )
    counted_per: Literal["calendar_year", "contract_year"] = Field(
        description="contract_year for a PPPK whose contract start is known: the contract year "
        "that begins on its anniversary in `year`; calendar_year otherwise."
    )
    target: int = Field(description="The PNS minimum, or the PPPK allotment.")
    shortfall: int = Field(
        description="PNS: JP still missing to reach the minimum (0 when reached); PPPK: always 0."
    )
    reached: bool | None = Field(description="PNS: the minimum is reached; PPPK: null.")
    rule_basis: str = Field(description="The legal basis of the rule (LENTERA_JP_RULE_*).")


class JPPersonPage(BaseModel):
    year: int
    target: int = Field(description="The PNS minimum (LENTERA_JP_TARGET).")
    pppk_allotment: int = Field(description="The PPPK allotment (LENTERA_JP_ALLOTMENT_PPPK).")
    items: list[JPPersonOut]
    next_cursor: int | None


class JPUnitOut(BaseModel):
    unit_id: int | None = Field(description="Null for ASN without a unit kerja (and the city).")
    unit: str | None
    asn: int = Field(description="Active ASN in the unit.")
    below_target: int = Field(description="Of those, how many are below the target.")
    share_below_target: float = Field(description="below_target / asn, from 0 to 1.")
    average_jp: float


class JPUnitSummary(BaseModel):
    year: int
    target: int
    city: JPUnitOut = Field(description="The whole city (unit_id and unit are null).")
    units: list[JPUnitOut] = Field(description="Largest share below target first.")


def _unit_out(unit: compliance.UnitSummary) -> JPUnitOut:
    return JPUnitOut(
        unit_id=unit.unit_id,
        unit=unit.unit_name,
        asn=unit.people,
        below_target=unit.below,
        share_below_target=round(unit.share_below, 4),
        average_jp=round(unit.average_jp, 2),
    )


@router.get("/jp-summary", response_model=JPPersonPage, summary="Each active ASN's JP in a year")
def jp_summary(
    request: Request,
    session: SessionDep,
    token: Token,
    year: ReportYear = None,
    limit: Limit = 500,
    cursor: Cursor = None,
) -> JPPersonPage:
    """Active ASN in id order with their credited JP (Lentera, without revoked certificates,
    + verified external) against the target; follow `next_cursor` until it is null."""
    chosen = _report_year(year)
    settings = request.app.state.settings
    target: int = settings.jp_target
    if cursor is None:
        audit.record(session, "export.jp_compliance", via="api", api_token_id=token.id,
                     filters={"year": chosen})  # fmt: skip
    people = compliance.people_after(
        session,
        chosen,
        target=target,
        allotment=settings.jp_allotment_pppk,
        cursor=cursor,
        limit=limit + 1,
    )
    items = [
        JPPersonOut(
            nip=p.nip,
            name=p.full_name,
            unit=p.unit_name,
            jabatan=p.jabatan,
            golongan=p.golongan,
            lentera_jp=p.lentera_jp,
            external_jp=p.external_jp,
            total_jp=p.total,
            employee_type="PPPK" if p.is_allotment else "PNS",
            rule="allotment" if p.is_allotment else "minimum",
            counted_per="contract_year" if p.contract_year else "calendar_year",
            target=p.target,
            shortfall=p.shortfall,
            reached=None if p.is_allotment else p.reached,
            rule_basis=settings.jp_rule_pppk if p.is_allotment else settings.jp_rule_pns,
        )
        for p in people[:limit]
    ]
    next_cursor = people[limit - 1].user_id if len(people) > limit else None
    return JPPersonPage(
        year=chosen,
        target=target,
        pppk_allotment=settings.jp_allotment_pppk,
        items=items,
        next_cursor=next_cursor,
    )


@router.get(
    "/jp-summary/units", response_model=JPUnitSummary, summary="JP against the target per unit"
)
def jp_summary_units(
    request: Request, session: SessionDep, token: Token, year: ReportYear = None
) -> JPUnitSummary:
    """Per unit kerja: active ASN, how many are below the target, the share and average JP."""
    chosen = _report_year(year)
    target: int = request.app.state.settings.jp_target
    units = compliance.unit_summary(session, chosen, target=target)
    return JPUnitSummary(
        year=chosen,
        target=target,
        city=_unit_out(compliance.city_totals(units)),
        units=[_unit_out(u) for u in units],
    )


def openapi_schema(app: FastAPI) -> dict[str, Any]:
    """The schema at /api/openapi.json: the JSON API only (the HTML pages are not an API)."""
    if app.openapi_schema is None:
        app.openapi_schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description="Read-only JSON API for HR systems. Every error answers with the "
            "`ErrorOut` body and `Cache-Control: no-store`.",
            routes=router.routes,
        )
    return app.openapi_schema
