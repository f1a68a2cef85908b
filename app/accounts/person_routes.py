"""HR and admin page for one person: their learning record (JP for a year by category and
source, courses, external learning, evaluations, the PDF record), their job data (unit kerja,
jabatan, golongan), and reset link, unlock, activation, roles (admins only).

Who may act on which account is `accounts_service.management_refusal`: HR manages learner-only
accounts, admins every other account, nobody their own.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from app.accounts import auth, phones
from app.accounts import service as accounts_service
from app.accounts.anonymised import is_anonymised
from app.accounts.golongan import InvalidGolongan, pangkat_golongan
from app.accounts.models import LoginFailure, Role, Unit, User
from app.accounts.viewer import Viewer
from app.config import Settings
from app.db import SessionDep, utcnow
from app.errors import Forbidden, NotFound
from app.i18n import gettext as _
from app.learning.dashboard import CourseCard
from app.learning.record_routes import selected_year
from app.web import confirm
from app.web.deps import CsrfChecked, HRUser
from app.web.templating import render

router = APIRouter(prefix="/pegawai")


def person_by_nip(nip: str, session: SessionDep, user: HRUser) -> User:
    """The person with this NIP (lookup-or-404)."""
    person = accounts_service.get_by_nip(session, nip)
    if person is None:
        raise NotFound(_("Tidak ada pegawai dengan NIP ini."))
    return person


Person = Annotated[User, Depends(person_by_nip)]
RecordYear = Annotated[int | None, Depends(selected_year)]


def changeable_person(person: Person) -> User:
    """The person, unless their account was anonymised (UU PDP): it stays as it is for good.

    An anonymised account keeps only statistics; giving it a password, roles or an active
    status again would hand someone an identity that no longer belongs to anybody.
    """
    if is_anonymised(person):
        raise Forbidden(
            _("Akun ini sudah dianonimkan sesuai UU PDP dan tidak dapat diubah atau dipakai lagi.")
        )
    return person


ChangeablePerson = Annotated[User, Depends(changeable_person)]


async def manageable_person(person: ChangeablePerson, user: HRUser) -> User:
    """The person, if `user` may manage their account here (403 saying why otherwise)."""
    refusal = accounts_service.management_refusal(user, person)
    if refusal:
        raise Forbidden(refusal)
    return person


ManageablePerson = Annotated[User, Depends(manageable_person)]


def _page(
    request: Request, session: SessionDep, viewer: Viewer, person: User, **extra: object
) -> Response:
    from datetime import timedelta

    settings = request.app.state.settings
    since = utcnow() - timedelta(minutes=settings.login_window_minutes)
    failures = session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.key == f"nip:{person.nip}", LoginFailure.at > since)
    )
    if "record" not in extra:
        extra = {**_learning(request, session, person, None), **extra}
    context = {
        "person": person,
        "pangkat": pangkat_golongan(person.golongan),
        "failures": failures or 0,
        "locked": (failures or 0) >= settings.login_max_failures_per_account,
        "all_roles": list(Role),
        "anonymised": is_anonymised(person),
        "phone": phones.display(person.phone) if person.phone else "",
        "mail_enabled": settings.mail_enabled,
        # Shown instead of the forms, so HR sees why an action is not offered.
        "refusal": accounts_service.management_refusal(viewer, person),
        "units": session.scalars(select(Unit.name).order_by(Unit.name)).all(),
        **extra,
    }
    return render(request, "accounts/person.html", context)


def _learning(
    request: Request, session: SessionDep, person: User, tahun: int | None
) -> dict[str, object]:
    """The person's learning for HR: the same JP record the learner sees (one service,
    `jp.jp_for_person`), their courses, external learning and evaluations."""
    from app import clock
    from app.evaluation import service as evaluation_service
    from app.learning import jp
    from app.learning.dashboard import learner_dashboard

    settings = request.app.state.settings
    year = jp.current_year(session, person) if tahun is None else tahun
    today = clock.today()
    catalog = request.app.state.content.catalog(session)
    record = jp.jp_for_person(session, person, year, settings)
    courses = learner_dashboard(session, person.id, catalog, today)
    return {
        "record": record,
        "years": sorted({year, *jp.record_years(session, person.id)}, reverse=True),
        "courses": courses,
        "whatsapp": _whatsapp_links(settings, person, courses.assigned, today),
        "external": jp.submissions_in(session, person.id, record.window or year),
        "evaluations": evaluation_service.pending_evaluations(session, person.id),
        "follow_ups": evaluation_service.due_follow_ups(session, person.id, today),
    }


def _whatsapp_links(
    settings: Settings, person: User, assigned: list[CourseCard], today: date
) -> dict[str, str]:
    """A wa.me reminder per open assigned course (by code), when the person's number is known."""
    from app.reminders import whatsapp

    if not person.phone:
        return {}
    return {
        card.course.code: whatsapp.assignment_chat_url(
            settings, phone=person.phone, name=person.full_name, course_title=card.course.title,
            course_code=card.course.code, due_on=card.due_on, today=today, locale=person.locale,
        )
        for card in assigned
        if card.due_on is not None and (card.revoked or not card.completed)
    }  # fmt: skip


@router.get("/{nip}", name="person")
def person_page(
    request: Request, session: SessionDep, user: HRUser, person: Person, year: RecordYear
) -> Response:
    return _page(request, session, user, person, **_learning(request, session, person, year))


@router.get("/{nip}/riwayat.pdf", name="person_record_pdf")
def person_record_pdf(
    request: Request, session: SessionDep, user: HRUser, person: Person, year: RecordYear
) -> Response:
    """The same PDF record the learner downloads, for HR and admins (audited: personal data)."""
    from app.audit import service as audit
    from app.learning import jp
    from app.learning.record_routes import record_pdf_response

    chosen = jp.current_year(session, person) if year is None else year
    audit.record(
        session, "export.learning_record", actor_id=user.id, target_type="user",
        target_id=person.id, year=chosen, format="pdf",
    )  # fmt: skip
    return record_pdf_response(request, session, person, chosen)


@router.post("/{nip}/tautan-sandi", name="person_reset_link", dependencies=[CsrfChecked])
def person_reset_link(
    request: Request, session: SessionDep, user: HRUser, person: ManageablePerson
) -> Response:
    """A one-time password link for HR to hand over (Lentera needs no email server)."""
    settings = request.app.state.settings
    link = auth.reset_link(settings, auth.create_reset_token(session, settings, person))
    from app.audit import service as audit

    audit.record(
        session, "user.reset_link_issued", actor_id=user.id, target_type="user",
        target_id=person.id,
    )  # fmt: skip
    return _page(request, session, user, person, reset_link=link)


@router.post("/{nip}/nomor-hp", name="person_phone", dependencies=[CsrfChecked])
def person_phone(
    request: Request,
    session: SessionDep,
    user: HRUser,
    person: ManageablePerson,
    phone: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """HR records the person's WhatsApp number (normalised to 62...; empty removes it)."""
    try:
        number = phones.normalize(phone)
    except phones.InvalidPhone as exc:
        response = _page(request, session, user, person, error=str(exc))
        response.status_code = 400
        return response
    accounts_service.set_phone(session, person, number, actor_id=user.id)
    return RedirectResponse(request.app.url_path_for("person", nip=person.nip) + "?hp=1", 303)


@router.post("/{nip}/buka-kunci", name="person_unlock", dependencies=[CsrfChecked])
def person_unlock(
    request: Request, session: SessionDep, user: HRUser, person: ManageablePerson
) -> Response:
    accounts_service.unlock(session, person, actor_id=user.id)
    return RedirectResponse(request.app.url_path_for("person", nip=person.nip) + "?dibuka=1", 303)


@router.post("/{nip}/status", name="person_active", dependencies=[CsrfChecked])
def person_active(
    request: Request,
    session: SessionDep,
    user: HRUser,
    person: ManageablePerson,
    active: Annotated[bool, Form()] = True,
    konfirmasi: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    if not active and not confirm.is_confirmed(konfirmasi):
        return confirm.confirmation_page(
            request,
            title=_("Nonaktifkan {name}?").format(name=person.full_name),
            consequence=_(
                "Pegawai ini tidak bisa masuk lagi dan tidak dihitung di laporan JP. Semua "
                "catatannya tetap ada, dan akun bisa diaktifkan kembali."
            ),
            confirm_label=_("Ya, nonaktifkan"),
            cancel_url=request.app.url_path_for("person", nip=person.nip),
            fields={"active": "false"},
        )
    accounts_service.set_active(session, person, active, actor_id=user.id)
    return RedirectResponse(request.app.url_path_for("person", nip=person.nip), 303)


@router.post("/{nip}/peran", name="person_roles", dependencies=[CsrfChecked])
def person_roles(
    request: Request,
    session: SessionDep,
    user: HRUser,
    person: ManageablePerson,
    roles: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies defaults
) -> Response:
    """Admins only: set the person's roles (their sessions end so the change applies now)."""
    if not user.has_role(Role.ADMIN):
        raise Forbidden(_("Hanya admin yang dapat mengubah peran."))
    valid = {r.value for r in Role}
    chosen = {Role(v) for v in roles if v in valid}
    if not chosen:
        response = _page(
            request, session, user, person, error=_("Pilih paling sedikit satu peran.")
        )
        response.status_code = 400
        return response
    accounts_service.set_roles(session, person, chosen, actor_id=user.id)
    return RedirectResponse(request.app.url_path_for("person", nip=person.nip) + "?peran=1", 303)


@router.post("/{nip}/data", name="person_job", dependencies=[CsrfChecked])
def person_job(
    request: Request,
    session: SessionDep,
    user: HRUser,
    person: ChangeablePerson,
    unit: Annotated[str, Form(max_length=200)] = "",
    jabatan: Annotated[str, Form(max_length=200)] = "",
    golongan: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Correct one person's unit kerja, jabatan and golongan between roster imports; their
    learning paths follow at once (the change hooks).

    Any HR officer may, for any account that is not anonymised: the roster import, HR's usual
    tool, changes the same fields for everyone, and they open nothing (unlike a reset link).
    """
    try:
        data = accounts_service.job_data(person, unit, jabatan, golongan)
    except InvalidGolongan as exc:
        job_form = {"unit": unit, "jabatan": jabatan, "golongan": golongan}
        response = _page(request, session, user, person, job_error=str(exc), job_form=job_form)
        response.status_code = 400
        return response
    accounts_service.update_job(session, person, data, actor_id=user.id)
    return RedirectResponse(request.app.url_path_for("person", nip=person.nip) + "?data=1", 303)
