from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.models import AuthSession, LoginFailure, Role
from tests.factories import DEFAULT_PASSWORD, csrf_token, login, make_user, nip


def _post_login(client: TestClient, nip_value: str, password: str, **extra: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client)
    return client.post(
        "/masuk", data={"csrf_token": token, "nip": nip_value, "password": password, **extra}
    )


def test_login_with_nip_and_password_opens_a_session_and_reaches_home(
    client: TestClient, session: Session
) -> None:
    user = make_user(session, full_name="Siti Rahmawati")
    response = _post_login(client, user.nip, DEFAULT_PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"].lower()
    assert "lentera_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    home = client.get("/")
    assert home.status_code == 200
    assert "Selamat datang, Siti Rahmawati" in home.text


def test_login_redirects_back_to_the_page_asked_for_but_never_off_site(
    client: TestClient, session: Session
) -> None:
    user = make_user(session)
    assert (
        _post_login(client, user.nip, DEFAULT_PASSWORD, next="/profil").headers["location"]
        == "/profil"
    )
    client.cookies.clear()
    evil = _post_login(client, user.nip, DEFAULT_PASSWORD, next="//evil.example/")
    assert evil.headers["location"] == "/"


def test_wrong_password_and_unknown_nip_get_the_same_generic_message(
    client: TestClient, session: Session
) -> None:
    user = make_user(session)
    wrong_password = _post_login(client, user.nip, "bukan-sandinya")
    unknown = _post_login(client, nip(seq=998, birth="19770707"), DEFAULT_PASSWORD)
    for response in (wrong_password, unknown):
        assert response.status_code == 400
        assert "NIP atau kata sandi salah." in response.text
        assert "lentera_session" not in response.headers.get("set-cookie", "")


def test_malformed_nip_is_explained_without_checking_any_account(
    client: TestClient, session: Session
) -> None:
    response = _post_login(client, "19850315201001200", "apa saja")
    assert response.status_code == 400
    assert "NIP tidak valid: NIP harus 18 digit; yang diisi 17 digit." in response.text
    assert session.scalar(select(func.count()).select_from(LoginFailure)) == 0


def test_repeated_failures_throttle_the_account_even_with_the_right_password(
    client: TestClient, session: Session
) -> None:
    user = make_user(session)
    for _ in range(3):  # settings fixture: 3 failures per account
        assert _post_login(client, user.nip, "salah-terus-1").status_code == 400
    blocked = _post_login(client, user.nip, DEFAULT_PASSWORD)
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan masuk" in blocked.text
    assert int(blocked.headers["retry-after"]) > 0
    assert session.scalar(select(func.count()).select_from(AuthSession)) == 0


def test_failures_from_one_address_across_accounts_throttle_that_address(
    client: TestClient, session: Session
) -> None:
    users = [make_user(session) for _ in range(3)]
    for user in users:  # 2 failures each: under the per-account limit, 6 for the address
        _post_login(client, user.nip, "salah-terus-1")
        _post_login(client, user.nip, "salah-terus-2")
    fresh = make_user(session)
    assert _post_login(client, fresh.nip, DEFAULT_PASSWORD).status_code == 429


def test_an_office_behind_one_address_is_not_paused_by_its_own_typos(
    client: TestClient, session: Session
) -> None:
    # Ten colleagues share the office's NAT address; each mistypes twice (under the account
    # limit of 3), then logs in. 20 failures from the address in all, over the address limit
    # of 6, but each success forgives its own NIP's typos there.
    office = [make_user(session) for _ in range(10)]
    for person in office:
        assert _post_login(client, person.nip, "salah-ketik-1").status_code == 400
        assert _post_login(client, person.nip, "salah-ketik-2").status_code == 400
        assert _post_login(client, person.nip, DEFAULT_PASSWORD).status_code == 303
        client.cookies.clear()
    assert session.scalar(select(func.count()).select_from(LoginFailure)) == 0


def test_repeated_typos_on_one_nip_pause_the_account_not_the_address(
    client: TestClient, session: Session
) -> None:
    clumsy = make_user(session)
    for _ in range(3):
        _post_login(client, clumsy.nip, "salah-terus-1")
    assert _post_login(client, clumsy.nip, DEFAULT_PASSWORD).status_code == 429
    colleague = make_user(session)  # same address, one NIP counted against it so far
    assert _post_login(client, colleague.nip, DEFAULT_PASSWORD).status_code == 303


def test_a_success_forgives_only_its_own_nip_at_the_address(
    client: TestClient, session: Session
) -> None:
    guessed = [make_user(session) for _ in range(5)]
    for user in guessed:
        _post_login(client, user.nip, "Rahasia2026!")
    owner = make_user(session)
    _post_login(client, owner.nip, "salah-ketik-1")  # the 6th different NIP: limit reached
    assert _post_login(client, owner.nip, DEFAULT_PASSWORD).status_code == 429
    address_rows = session.scalars(
        select(LoginFailure.nip).where(LoginFailure.key.like("ip:%"))
    ).all()
    assert sorted(str(n) for n in address_rows) == sorted([u.nip for u in guessed] + [owner.nip])


def test_throttling_is_kept_in_the_database_for_all_workers(
    client: TestClient, session: Session
) -> None:
    user = make_user(session)
    _post_login(client, user.nip, "salah-terus-1")
    keys = set(session.scalars(select(LoginFailure.key)))
    assert f"nip:{user.nip}" in keys
    assert any(key.startswith("ip:") for key in keys)


def test_successful_login_clears_the_account_failures(client: TestClient, session: Session) -> None:
    user = make_user(session)
    _post_login(client, user.nip, "salah-terus-1")
    _post_login(client, user.nip, "salah-terus-2")
    assert _post_login(client, user.nip, DEFAULT_PASSWORD).status_code == 303
    remaining = session.scalars(select(LoginFailure.key).where(LoginFailure.key.like("nip:%")))
    assert list(remaining) == []


def test_login_without_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, session: Session
) -> None:
    user = make_user(session)
    client.get("/masuk")
    response = client.post("/masuk", data={"nip": user.nip, "password": DEFAULT_PASSWORD})
    assert response.status_code == 403
    assert "Formulir ini sudah kedaluwarsa" in response.text
    forged = client.post(
        "/masuk", data={"csrf_token": "0" * 64, "nip": user.nip, "password": DEFAULT_PASSWORD}
    )
    assert forged.status_code == 403
    assert session.scalar(select(func.count()).select_from(AuthSession)) == 0


def test_logout_deletes_the_session_on_the_server(client: TestClient, session: Session) -> None:
    user = make_user(session)
    login(client, user)
    stolen_cookie = client.cookies.get("lentera_session")
    token = csrf_token(client, "/profil")
    assert client.post("/keluar", data={"csrf_token": token}).status_code == 303
    assert session.scalar(select(func.count()).select_from(AuthSession)) == 0
    client.cookies.set("lentera_session", stolen_cookie or "")
    assert client.get("/profil").status_code == 303  # back to the login page


def test_inactive_user_cannot_log_in(client: TestClient, session: Session) -> None:
    user = make_user(session, is_active=False)
    assert _post_login(client, user.nip, DEFAULT_PASSWORD).status_code == 400


def test_demo_accounts_only_work_in_demo_mode(client: TestClient, session: Session) -> None:
    user = make_user(session, is_demo=True, roles={Role.ADMIN})
    response = _post_login(client, user.nip, DEFAULT_PASSWORD)
    assert response.status_code == 400
    assert "NIP atau kata sandi salah." in response.text


def test_a_nip_with_a_full_width_digit_is_refused_before_any_account_is_checked(
    client: TestClient, session: Session
) -> None:
    user = make_user(session)
    typed = user.nip[:-1] + chr(0xFF10 + int(user.nip[-1]))  # the last digit full-width
    response = _post_login(client, typed, DEFAULT_PASSWORD)
    assert response.status_code == 400
    assert "NIP tidak valid: NIP hanya boleh berisi angka 0–9." in response.text
    assert session.scalar(select(func.count()).select_from(AuthSession)) == 0
    assert session.scalar(select(func.count()).select_from(LoginFailure)) == 0
