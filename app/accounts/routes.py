"""Login, logout, one-time password links and the user's own profile."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import auth, phones
from app.accounts import nip as nip_rules
from app.accounts import service as accounts_service
from app.accounts.golongan import pangkat_golongan
from app.accounts.models import PasswordResetToken, User
from app.accounts.passwords import WeakPassword, verify_password
from app.db import SessionDep
from app.errors import NotFound
from app.i18n import gettext as _
from app.web.deps import SESSION_COOKIE, CsrfChecked, CurrentUser, OptionalUser
from app.web.templating import render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect after login would help phishing."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def _client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _set_session_cookie(request: Request, response: Response, token: str) -> None:
    settings = request.app.state.settings
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_max_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure or request.url.scheme == "https",
    )


@router.get("/masuk", name="login_form")
def login_form(request: Request, user: OptionalUser, next: str | None = None) -> Response:
    if user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "accounts/login.html", {"next": _safe_next(next), "nip": ""})


@router.post("/masuk", name="login", dependencies=[CsrfChecked])
def login(
    request: Request,
    session: SessionDep,
    nip: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    settings = request.app.state.settings
    context = {"next": _safe_next(next), "nip": nip.strip()}
    error: str | None = None
    if not nip.strip() or not password:
        error = _("Isi NIP dan kata sandi.")
    else:
        try:
            nip_rules.parse(nip)
        except nip_rules.InvalidNIP as exc:
            # Saying what is wrong with the *shape* of a NIP reveals nothing about accounts.
            error = _("NIP tidak valid: {reason}").format(reason=exc)
    if error:
        return render(request, "accounts/login.html", {**context, "error": error}, status_code=400)
    try:
        result = auth.authenticate(
            session,
            settings,
            nip=nip,
            password=password,
            client_address=_client_address(request),
            user_agent=request.headers.get("user-agent"),
            reserve_with=request.app.state.sessionmaker,
        )
    except auth.LoginThrottled as exc:
        message = _(
            "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {minutes} menit, "
            "atau minta tautan atur ulang kata sandi kepada admin."
        ).format(minutes=exc.retry_after_minutes)
        response = render(
            request, "accounts/login.html", {**context, "error": message}, status_code=429
        )
        response.headers["Retry-After"] = str(exc.retry_after_minutes * 60)
        return response
    if result is None:
        return render(
            request,
            "accounts/login.html",
            {**context, "error": _("NIP atau kata sandi salah.")},
            status_code=400,
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    _set_session_cookie(request, response, result.token)
    if result.user.locale:
        response.set_cookie("lentera_lang", result.user.locale, max_age=365 * 86400, samesite="lax")
    return response


@router.post("/keluar", name="logout", dependencies=[CsrfChecked])
def logout(request: Request, session: SessionDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth.close_session(session, token)
    response = RedirectResponse(request.app.url_path_for("login_form"), status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _reset_user(session: SessionDep, token: str) -> tuple[PasswordResetToken, User]:
    row = auth.find_reset_token(session, token)
    user = session.get(User, row.user_id) if row else None
    if row is None or user is None or not user.is_active:
        raise NotFound(accounts_service.reset_link_invalid_message())
    return row, user


@router.get("/atur-sandi/{token}", name="reset_form")
def reset_form(request: Request, session: SessionDep, token: str) -> Response:
    _row, user = _reset_user(session, token)
    return render(request, "accounts/reset.html", {"token": token, "target": user})


@router.post("/atur-sandi/{token}", name="reset_password", dependencies=[CsrfChecked])
def reset_password(
    request: Request,
    session: SessionDep,
    token: str,
    password: Annotated[str, Form(max_length=256)] = "",
    password_confirm: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    _row, user = _reset_user(session, token)
    error = None
    if password != password_confirm:
        error = _("Kedua kata sandi tidak sama. Ketik ulang.")
    else:
        try:
            # Used up atomically: of two requests sent with one link, one sets the password
            # and the other is told the link was just used (409).
            accounts_service.set_password_by_link(session, token, password)
        except WeakPassword as exc:
            error = str(exc)
    if error:
        return render(
            request,
            "accounts/reset.html",
            {"token": token, "target": user, "error": error},
            status_code=400,
        )
    return RedirectResponse(request.app.url_path_for("login_form") + "?sandi=baru", status_code=303)


def _profile_context(request: Request, account: User) -> dict[str, object]:
    return {
        "pangkat": pangkat_golongan(account.golongan),
        "mail_enabled": request.app.state.settings.mail_enabled,
        "phone": phones.display(account.phone) if account.phone else "",
        "email_reminders": not account.email_reminders_off,
    }


@router.get("/profil", name="profile")
def profile(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    account = session.get(User, user.id)
    assert account is not None  # the session was just resolved to this row
    return render(request, "accounts/profile.html", _profile_context(request, account))


@router.post("/profil/pengingat", name="reminder_settings", dependencies=[CsrfChecked])
def reminder_settings(
    request: Request,
    session: SessionDep,
    viewer: CurrentUser,
    phone: Annotated[str, Form(max_length=40)] = "",
    email_reminders: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    """The learner's own reminder settings: their WhatsApp number, email reminders on or off."""
    user = session.get(User, viewer.id)
    assert user is not None  # the session was just resolved to this row
    try:
        number = phones.normalize(phone)
    except phones.InvalidPhone as exc:
        context = _profile_context(request, user) | {"reminder_error": str(exc), "phone": phone}
        return render(request, "accounts/profile.html", context, status_code=400)
    accounts_service.set_phone(session, user, number, actor_id=user.id)
    accounts_service.set_email_reminders(session, user, email_reminders == "1", actor_id=user.id)
    return RedirectResponse(request.app.url_path_for("profile") + "?pengingat=disimpan", 303)


@router.post("/profil/sandi", name="change_password", dependencies=[CsrfChecked])
def change_password(
    request: Request,
    session: SessionDep,
    viewer: CurrentUser,
    current_password: Annotated[str, Form(max_length=256)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    password_confirm: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    error = None
    user = session.get(User, viewer.id)
    assert user is not None  # the session was just resolved to this row
    if not verify_password(current_password, user.password_hash):
        error = _("Kata sandi lama salah.")
    elif password != password_confirm:
        error = _("Kedua kata sandi baru tidak sama. Ketik ulang.")
    else:
        try:
            accounts_service.set_password(session, user, password, actor_id=user.id, via="profile")
        except WeakPassword as exc:
            error = str(exc)
    if error:
        return render(
            request,
            "accounts/profile.html",
            _profile_context(request, user) | {"error": error},
            status_code=400,
        )
    # Changing the password ended every session, this one included: open a fresh one.
    settings = request.app.state.settings
    token = auth.open_session(
        session, settings, user, _client_address(request), request.headers.get("user-agent")
    )
    response = RedirectResponse(request.app.url_path_for("profile") + "?sandi=diubah", 303)
    _set_session_cookie(request, response, token)
    return response
