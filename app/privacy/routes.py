"""Admin pages for personal data: the subject access export and anonymisation.

Include with `app.include_router(privacy_routes.router)`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import person_routes
from app.accounts.models import User
from app.db import SessionDep
from app.errors import Forbidden
from app.i18n import gettext as _
from app.privacy import service
from app.web.deps import AdminUser, CsrfChecked
from app.web.templating import render

router = APIRouter(prefix="/admin/pegawai")


def person_for_admin(user: AdminUser, person: person_routes.Person) -> User:
    """The person with this NIP (the person pages' lookup-or-404), for admins only: the role
    is checked first, so nobody else learns which NIPs exist."""
    return person


Person = Annotated[User, Depends(person_for_admin)]


def _page(
    request: Request,
    session: SessionDep,
    person: User,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "person": person,
        "sections": service.summary(session, person),
        "anonymised": service.is_anonymised(person),
        "error": error,
    }
    return render(request, "privacy/person.html", context, status_code=status_code)


@router.get("/{nip}/data-pribadi", name="privacy_person")
def privacy_page(
    request: Request, session: SessionDep, user: AdminUser, person: Person
) -> Response:
    return _page(request, session, person)


@router.get("/{nip}/data-pribadi.zip", name="privacy_export")
def privacy_export(
    request: Request, session: SessionDep, user: AdminUser, person: Person
) -> Response:
    """Everything Lentera holds about the person, as data.json and their files in a .zip."""
    data = service.export_archive(session, person, actor_id=user.id, via="web")
    return Response(
        data,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="data-pribadi-{person.nip}.zip"',
            "Cache-Control": "private, no-store",
        },
    )


@router.post("/{nip}/anonimkan", name="privacy_anonymise", dependencies=[CsrfChecked])
def privacy_anonymise(
    request: Request,
    session: SessionDep,
    user: AdminUser,
    person: Person,
    confirm_nip: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Anonymise a person who has left; the admin retypes the NIP to confirm."""
    if person.id == user.id:
        raise Forbidden(_("Anda tidak dapat menganonimkan akun Anda sendiri."))
    if not service.is_anonymised(person) and not service.confirmation_matches(person, confirm_nip):
        return _page(
            request,
            session,
            person,
            error=_(
                "NIP yang diketik ulang tidak sama dengan NIP pegawai ini. Tidak ada yang diubah."
            ),
            status_code=400,
        )
    report = service.anonymise(session, person, actor_id=user.id, via="web")
    url = request.app.url_path_for("privacy_person", nip=report.nip)
    return RedirectResponse(f"{url}?{'sudah' if report.already else 'dianonimkan'}=1", 303)
