"""Two app instances on one database behave as one (docs/deployment.md).

A login, a progress write, a content publish and the login-throttling counter made through
one instance are all seen by the other, with no shared memory between them; a session ended or
changed anywhere (each instance caches resolved sessions) ends on both within a second.
"""

from __future__ import annotations

import io
import re
import threading
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from app.accounts import service as accounts_service
from app.accounts.models import Role, User
from app.content import store
from app.db import make_engine, make_sessionmaker
from tests import servers
from tests.factories import DEFAULT_PASSWORD, make_user


def _login(client: httpx.Client, nip: str, password: str) -> httpx.Response:
    page = client.get("/masuk")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    return client.post("/masuk", data={"csrf_token": token[1], "nip": nip, "password": password})


def _parallel_guesses(base_urls: list[str], nip: str, count: int) -> list[int]:
    """`count` wrong logins on `nip`, released at once, spread over the instances."""
    clients = [httpx.Client(base_url=base_urls[i % len(base_urls)]) for i in range(count)]
    tokens = []
    for client in clients:
        found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/masuk").text)
        assert found
        tokens.append(found[1])
    start = threading.Barrier(count)

    def guess(index: int) -> int:
        start.wait()
        return (
            clients[index]
            .post(
                "/masuk",
                data={"csrf_token": tokens[index], "nip": nip, "password": f"tebakan-{index}"},
            )
            .status_code
        )

    try:
        with ThreadPoolExecutor(max_workers=count) as pool:
            return list(pool.map(guess, range(count)))
    finally:
        for client in clients:
            client.close()


def test_two_instances_share_logins_progress_publishing_and_throttling(
    backend: str,
    fresh_database_url: str,
    tmp_path: Path,
    content_copy: Path,
) -> None:
    if backend != "postgresql":
        pytest.skip("scale-out across instances is the PostgreSQL deployment")
    # Not a test of the study rules: the course lets modules open and be marked at once.
    course_file = content_copy / "pelayanan-publik-prima" / "kursus.yaml"
    course_file.write_text(
        course_file.read_text() + "tes_awal_wajib: tidak\nwaktu_minimal_persen: 0\n"
    )
    engine = make_engine(fresh_database_url)
    with Session(engine, expire_on_commit=False) as session:
        store.import_library(session, content_copy)
        learner = make_user(session)
        admin = make_user(session, roles={Role.ADMIN})
        target = make_user(session)
        guessed = make_user(session)
        session.commit()
    engine.dispose()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = servers.start(fresh_database_url, tmp_path / "a")
    b = servers.start(fresh_database_url, tmp_path / "b")
    try:
        with httpx.Client(base_url=a.base_url) as on_a, httpx.Client(base_url=b.base_url) as on_b:
            # A login on A is a valid session on B (sessions live in the database).
            assert _login(on_a, learner.nip, DEFAULT_PASSWORD).status_code == 303
            on_b.cookies.update(on_a.cookies)
            assert on_b.get("/profil").status_code == 200

            # A progress write on A shows on B.
            module = "01-dasar-hukum-dan-asas"
            course = on_a.get("/kursus/PPP-101")
            enrol_token = re.search(r'name="csrf_token" value="([^"]+)"', course.text)
            assert enrol_token  # a GET never enrols: the course page's button does
            on_a.post("/kursus/PPP-101/ikuti", data={"csrf_token": enrol_token[1]})
            page = on_a.get(f"/kursus/PPP-101/modul/{module}")
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert csrf
            on_a.post(
                f"/kursus/PPP-101/modul/{module}/selesai",
                data={"csrf_token": csrf[1], "event_id": "scale-out-mark-1"},
            )
            assert (
                "Modul ini sudah Anda tandai selesai."
                in on_b.get(f"/kursus/PPP-101/modul/{module}").text
            )

            # A publish on A (an admin uploads a new version) is served by A at once and by B
            # within LENTERA_CONTENT_RECHECK_SECONDS (1 s by default).
            with httpx.Client(base_url=a.base_url) as admin_a:
                assert _login(admin_a, admin.nip, DEFAULT_PASSWORD).status_code == 303
                folder = content_copy / "pelayanan-publik-prima"
                (folder / f"{module}.md").write_text(
                    (folder / f"{module}.md").read_text() + "\nKalimat dari instans A.\n"
                )
                buffer = io.BytesIO()
                with zipfile.ZipFile(buffer, "w") as archive:
                    for path in folder.rglob("*"):
                        if path.is_file():
                            archive.write(path, f"ppp/{path.relative_to(folder).as_posix()}")
                home = admin_a.get("/pengajar")
                token = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
                assert token
                upload = admin_a.post(
                    "/pengajar/unggah",
                    data={"csrf_token": token[1]},
                    files={"file": ("ppp.zip", buffer.getvalue(), "application/zip")},
                )
                assert upload.status_code == 303, upload.text[-500:]
                course_page = admin_a.get(upload.headers["location"])
                publish = re.search(r'action="(/pengajar/versi/\d+/terbitkan)"', course_page.text)
                assert publish
                admin_a.post(publish[1], data={"csrf_token": token[1]})
                # Read as the enrolled learner (a GET never enrols the admin).
                assert "Kalimat dari instans A." in on_a.get(f"/kursus/PPP-101/modul/{module}").text
            published_at = time.monotonic()
            while "Kalimat dari instans A." not in on_b.get(f"/kursus/PPP-101/modul/{module}").text:
                assert time.monotonic() - published_at < 5, "B still serves the old version"
                time.sleep(0.1)

            # Failed logins on A count towards the lockout on B.
            with httpx.Client(base_url=a.base_url) as guesser_a:
                for _ in range(5):
                    _login(guesser_a, target.nip, "salah-sandi-x")
            with httpx.Client(base_url=b.base_url) as on_b_fresh:
                assert _login(on_b_fresh, target.nip, DEFAULT_PASSWORD).status_code == 429

            # 30 guesses sent at once to both instances: at most 5 passwords are checked (a
            # 400), the rest are refused (429), and so is the right password afterwards.
            statuses = _parallel_guesses([a.base_url, b.base_url], guessed.nip, 30)
            assert statuses.count(400) <= 5, statuses
            assert statuses.count(429) == 30 - statuses.count(400), statuses
            for server in (a, b):
                with httpx.Client(base_url=server.base_url) as late:
                    assert _login(late, guessed.nip, DEFAULT_PASSWORD).status_code == 429
    finally:
        a.stop()
        b.stop()


# Sessions are cached per process (app/accounts/session_cache.py): a change committed anywhere
# reaches every other instance at its next auth-generation check, at most
# LENTERA_SESSION_RECHECK_SECONDS (1 s) later. The margin is one request on a loaded machine.
SESSION_BOUND_SECONDS = 1.0
REQUEST_MARGIN_SECONDS = 0.5


def _csrf(client: httpx.Client, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, path
    return found[1]


def _seconds_until(clients: list[httpx.Client], done: Callable[[httpx.Response], bool]) -> float:
    """Poll /profil on every client until `done` holds for each; the seconds it took."""
    started = time.monotonic()
    pending = list(clients)
    while pending:
        pending = [c for c in pending if not done(c.get("/profil"))]
        elapsed = time.monotonic() - started
        assert elapsed < 5, "a session change did not reach every instance"
        if pending:
            time.sleep(0.05)
    return time.monotonic() - started


def _logged_out(response: httpx.Response) -> bool:
    return response.status_code == 303 and "/masuk" in response.headers["location"]


def test_sessions_ended_or_changed_anywhere_end_on_every_instance_within_a_second(
    backend: str, fresh_database_url: str, tmp_path: Path
) -> None:
    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    with factory() as session:
        people = {name: make_user(session) for name in EVENTS}
        session.commit()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = servers.start(fresh_database_url, tmp_path / "a")
    b = servers.start(fresh_database_url, tmp_path / "b")
    took: dict[str, float] = {}
    try:
        for name, event in EVENTS.items():
            person = people[name]
            with (
                httpx.Client(base_url=a.base_url) as on_a,
                httpx.Client(base_url=b.base_url) as on_b,
            ):
                assert _login(on_a, person.nip, DEFAULT_PASSWORD).status_code == 303
                on_b.cookies.update(on_a.cookies)
                for client in (on_a, on_b, on_a, on_b):  # resolved, then served from the caches
                    page = client.get("/profil")
                    assert page.status_code == 200 and person.full_name in page.text
                expect_logged_out = event(on_a, factory, person)
                if expect_logged_out:
                    took[name] = _seconds_until([on_a, on_b], _logged_out)
                else:
                    took[name] = _seconds_until([on_a, on_b], lambda page: RENAMED in page.text)
        for name, seconds in took.items():
            assert seconds < SESSION_BOUND_SECONDS + REQUEST_MARGIN_SECONDS, (name, took)
        # The logout went through A's own web form: A refused the cookie on its next request.
    finally:
        a.stop()
        b.stop()
        engine.dispose()


RENAMED = "Nama Baru Dari Instans Lain"


def _logout_on_a(on_a: httpx.Client, _factory: sessionmaker[Session], _person: User) -> bool:
    cookie = on_a.cookies.get("lentera_session")
    response = on_a.post("/keluar", data={"csrf_token": _csrf(on_a, "/profil")})
    assert response.status_code == 303
    _keep_only(on_a, cookie)  # the client dropped it: put it back to prove it is worthless
    return True


def _keep_only(client: httpx.Client, session_cookie: str | None) -> None:
    assert session_cookie
    client.cookies.clear()
    client.cookies.set("lentera_session", session_cookie)


def _password_on_a(on_a: httpx.Client, _factory: sessionmaker[Session], _person: User) -> bool:
    cookie = on_a.cookies.get("lentera_session")
    response = on_a.post(
        "/profil/sandi",
        data={
            "csrf_token": _csrf(on_a, "/profil"),
            "current_password": DEFAULT_PASSWORD,
            "password": "Sandi-Baru-Instans-2026!",
            "password_confirm": "Sandi-Baru-Instans-2026!",
        },
    )
    assert response.status_code == 303
    _keep_only(on_a, cookie)  # the old session's cookie, not the fresh one A just gave
    return True


def _elsewhere(change: Callable[[Session, User], None]) -> Callable[..., bool]:
    """A change committed by a third process (this test's): neither server made it."""

    def run(_on_a: httpx.Client, factory: sessionmaker[Session], person: User) -> bool:
        with factory() as session:
            user = session.get(User, person.id)
            assert user is not None
            change(session, user)
            session.commit()
        return change is not _rename

    return run


def _rename(session: Session, user: User) -> None:
    user.full_name = RENAMED


def _new_roles(session: Session, user: User) -> None:
    accounts_service.set_roles(session, user, {Role.LEARNER, Role.HR}, actor_id=user.id)


def _deactivate(session: Session, user: User) -> None:
    accounts_service.set_active(session, user, False, actor_id=user.id)


EVENTS: dict[str, Callable[..., bool]] = {
    "logout": _logout_on_a,
    "password change": _password_on_a,
    "role change": _elsewhere(_new_roles),
    "deactivation": _elsewhere(_deactivate),
    "name change": _elsewhere(_rename),
}
