"""The admin audit log page: filters, paging both ways, entries in words, the chain head."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from app import clock
from app.accounts.models import Unit, User
from app.audit import sentences
from app.audit.models import AuditChainHead, AuditEvent
from app.db import SessionDep
from app.errors import BadRequest
from app.i18n import gettext as _
from app.web.deps import AdminUser
from app.web.params import MAX_ID, QueryId
from app.web.templating import render

router = APIRouter()
PAGE = 50


def _day(raw: str, label: str) -> date | None:
    """A filter date from the form; an empty field is no filter."""
    text = raw.strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise BadRequest(
            _("{label} '{value}' bukan tanggal (TTTT-BB-HH).").format(label=label, value=text)
        ) from None
    if not date(2000, 1, 1) <= day <= date(2100, 12, 31):
        raise BadRequest(_("Tanggal harus antara tahun 2000 dan 2100."))
    return day


def _conditions(aksi: str, dari: date | None, sampai: date | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if aksi:
        conditions.append(AuditEvent.action.startswith(aksi, autoescape=True))
    if dari:
        conditions.append(AuditEvent.at >= clock.day_start(dari))
    if sampai:
        conditions.append(AuditEvent.at < clock.day_start(sampai + timedelta(days=1)))
    return conditions


def _names(session: Session, events: list[AuditEvent]) -> sentences.Names:
    """The units and people the page's events name, looked up in two queries."""
    unit_ids = {i for e in events for i in sentences.unit_ids(e.details or {})}
    user_ids = {
        i for e in events for i in sentences.user_ids(e.target_type, e.target_id, e.details or {})
    }
    units: dict[int, str] = {}
    if unit_ids:
        found = session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids)))
        units = {unit_id: name for unit_id, name in found}
    users: dict[int, str] = {}
    if user_ids:
        found = session.execute(select(User.id, User.full_name).where(User.id.in_(user_ids)))
        users = {user_id: name for user_id, name in found}
    return sentences.Names(units=units, users=users)


@router.get("/admin/audit", name="audit_log")
def audit_log(
    request: Request,
    session: SessionDep,
    user: AdminUser,
    aksi: Annotated[str, Query(max_length=64)] = "",
    dari: Annotated[str, Query(max_length=10)] = "",
    sampai: Annotated[str, Query(max_length=10)] = "",
    sebelum: QueryId = None,
    sesudah: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> Response:
    """The audit trail, newest first, filtered by action and dates, paged by id both ways."""
    action = aksi.strip()
    day_from = _day(dari, _("Dari tanggal"))
    day_to = _day(sampai, _("Sampai tanggal"))
    conditions = _conditions(action, day_from, day_to)
    query = select(AuditEvent, User.full_name, User.nip).outerjoin(
        User, User.id == AuditEvent.actor_id
    )
    query = query.where(*conditions)
    if sesudah is not None:
        # "Lebih baru": the PAGE events just above the id, read upwards, shown newest first.
        rows = list(
            session.execute(
                query.where(AuditEvent.id > sesudah).order_by(AuditEvent.id).limit(PAGE)
            ).all()
        )
        rows.reverse()
    else:
        if sebelum is not None:
            query = query.where(AuditEvent.id < sebelum)
        rows = list(session.execute(query.order_by(AuditEvent.id.desc()).limit(PAGE)).all())

    def any_where(*extra: ColumnElement[bool]) -> bool:
        return bool(session.scalar(select(exists().where(*conditions, *extra))))

    newest_id = rows[0][0].id if rows else None
    oldest_id = rows[-1][0].id if rows else None
    has_newer = newest_id is not None and any_where(AuditEvent.id > newest_id)
    has_older = oldest_id is not None and any_where(AuditEvent.id < oldest_id)
    names = _names(session, [row[0] for row in rows])
    entries: list[dict[str, Any]] = []
    for event, actor_name, actor_nip in rows:
        details = event.details or {}
        entries.append(
            {
                "event": event,
                "actor_name": actor_name,
                "actor_nip": actor_nip,
                "sentence": sentences.sentence(
                    sentences.Event(
                        action=event.action,
                        actor=actor_name or _("Sistem/CLI"),
                        target_type=event.target_type,
                        target_id=event.target_id,
                        details=details,
                        names=names,
                    )
                ),
            }
        )
    filters = {"aksi": action, "dari": day_from or "", "sampai": day_to or ""}
    return render(
        request,
        "audit/log.html",
        {
            "entries": entries,
            # One row: the chain's head. Walking the whole chain is `lentera audit verify`.
            "chain_head": session.get(AuditChainHead, 1),
            "filters": {k: str(v) for k, v in filters.items()},
            "newer_after": newest_id if has_newer else None,
            "older_before": oldest_id if has_older else None,
        },
    )
