"""Every page type, with an account in the state that shows it, for whole-site checks
(accessibility, page weight) that visit pages rather than walk through a flow.

`prepare_site` brings one fresh learner to a known state over plain HTTP (fast, and through
the same forms the browser uses): enrolled in PPP-101 with the pre-test sent and a practice
quiz open, and KOM-101 completed with its certificate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import User
from app.content.models import Course
from app.learning.models import Certificate, Completion
from tests.e2e import flows
from tests.e2e.live_server import (
    DEMO_ADMIN,
    DEMO_HR,
    DEMO_TRAINER,
    LiveServer,
    login_cookies,
)
from tests.factories import DEFAULT_PASSWORD, make_user

COURSE = "PPP-101"
MODULE = "01-dasar-hukum-dan-asas"  # has a practice quiz, keyed by the module's slug
SIMULATION = "06-simulasi-loket-disdukcapil"
IMAGE_MODULE = "03-pengaduan-dan-skm"  # shows gambar/alur-pengaduan.svg
DONE_COURSE = "KOM-101"


# (id, who is logged in, path); {placeholders} are filled in once the site is prepared.
PAGE_TYPES = [
    ("login", "anonymous", "/masuk"),
    ("home-learner", "learner", "/"),
    ("home-trainer", "trainer", "/"),
    ("home-hr", "hr", "/"),
    ("home-admin", "admin", "/"),
    ("catalogue", "learner", "/kursus"),
    ("course", "learner", f"/kursus/{COURSE}"),
    ("course-completed", "learner", f"/kursus/{DONE_COURSE}"),
    ("module", "learner", f"/kursus/{COURSE}/modul/{MODULE}"),
    ("module-with-image", "learner", f"/kursus/{COURSE}/modul/{IMAGE_MODULE}"),
    ("simulation-situation", "learner", "{situation}"),
    ("simulation-choice", "learner", "{choice}"),
    ("quiz-info", "learner", f"/kursus/{COURSE}/tes/tes-awal"),
    ("quiz-attempt", "learner", "{open_attempt}"),
    ("quiz-result", "learner", "{result}"),
    ("verification", "anonymous", "/verifikasi/{certificate}"),
    ("verification-unknown", "anonymous", "/verifikasi/LTR-2026-XXX-00000-ABCD"),
    ("profile", "learner", "/profil"),
    ("learning-record", "learner", "/riwayat"),
    ("external-learning-form", "learner", "/riwayat/eksternal"),
    ("course-evaluation", "learner", f"/kursus/{DONE_COURSE}/evaluasi"),
    ("offline", "learner", "/offline"),
    ("people", "hr", "/pegawai"),
    ("person", "hr", "/pegawai/{learner_nip}"),
    ("roster-import", "hr", "/pegawai/impor"),
    ("assignment", "hr", "/pegawai/penugasan"),
    ("assignment-list", "hr", "/pegawai/penugasan/daftar"),
    ("external-learning-queue", "hr", "/pegawai/verifikasi"),
    ("export", "hr", "/laporan/ekspor"),
    ("api-tokens", "hr", "/laporan/token"),
    ("hr-dashboard", "hr", "/laporan/dasbor"),
    ("jp-compliance", "hr", "/laporan/jp"),
    ("evaluation-overview", "hr", "/laporan/evaluasi"),
    ("course-report-hr", "hr", f"/pengajar/kursus/{COURSE}/laporan"),
    ("observation-list", "hr", "/pengamatan"),
    ("observation", "hr", "/pengamatan/{completion_id}"),
    ("audit-log", "admin", "/admin/audit"),
    ("trainer-home", "trainer", "/pengajar"),
    ("trainer-course", "admin", f"/pengajar/kursus/{COURSE}"),
    ("trainer-preview", "admin", "/pengajar/pratinjau/{version_id}"),
    ("trainer-course-report", "admin", f"/pengajar/kursus/{COURSE}/laporan"),
    ("error-404", "learner", "/halaman-yang-tidak-ada"),
]
PAGE_IDS = [page_id for page_id, _role, _path in PAGE_TYPES]


@dataclass(frozen=True)
class PageType:
    id: str
    role: str  # "anonymous", "learner", "trainer", "hr", "admin"
    path: str


@dataclass(frozen=True)
class Site:
    cookies: dict[str, dict[str, str]]  # role -> cookies of a logged-in session
    pages: dict[str, PageType]
    learner: User


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _post(client: httpx.Client, page: str, action: str, data: dict[str, list[str]]) -> str:
    """Submit a form of `page` to `action` with its CSRF token; returns where it redirected."""
    token = _CSRF.search(client.get(page).text)
    assert token is not None, f"no form on {page}"
    response = client.post(action, data={"csrf_token": token[1], **data})
    assert response.status_code == 303, f"POST {action}: {response.status_code}"
    return response.headers["location"]


def _take_quiz(
    client: httpx.Client,
    db: Session,
    user: User,
    code: str,
    key: str,
    *,
    submit: bool,
    correct: bool = True,
) -> str:
    base = f"/kursus/{code}/tes/{key}"
    attempt_url = _post(client, base, f"{base}/mulai", {})
    if submit:
        number = int(attempt_url.rsplit("/", 1)[1])
        attempt = flows.load_attempt(db, user.id, key, number)
        _post(client, attempt_url, attempt_url, flows.answer_fields(db, attempt, correct=correct))
    return attempt_url


def complete_course(
    client: httpx.Client, db: Session, user: User, code: str, *, pass_final: bool = True
) -> str:
    """Study every module of `code` and take its final test; the final attempt's URL."""
    _post(client, f"/kursus/{code}", f"/kursus/{code}/ikuti", {})
    where = client.get(f"/kursus/{code}/lanjutkan").headers["location"]
    if where.endswith("/tes/tes-awal"):  # the course asks for its pre-test first
        _take_quiz(client, db, user, code, "tes-awal", submit=True)
        where = client.get(f"/kursus/{code}/lanjutkan").headers["location"]
    while "/modul/" in where:
        client.get(where)
        flows.give_study_time(db, user.id)
        where = _post(client, where, f"{where}/selesai", {})
        if where.endswith("/lanjutkan"):
            where = client.get(where).headers["location"]
    return _take_quiz(client, db, user, code, "tes-akhir", submit=True, correct=pass_final)


def prepare_site(server: LiveServer, db: Session) -> Site:
    learner = make_user(db, full_name="Rahmawati Lasaka", unit_name="Kelurahan Lere")
    cookies = {
        "anonymous": {},
        "learner": login_cookies(server.base_url, learner.nip, DEFAULT_PASSWORD),
        "trainer": login_cookies(server.base_url, *DEMO_TRAINER),
        "hr": login_cookies(server.base_url, *DEMO_HR),
        "admin": login_cookies(server.base_url, *DEMO_ADMIN),
    }
    with httpx.Client(
        base_url=server.base_url, cookies=cookies["learner"], follow_redirects=False, timeout=20
    ) as client:
        _post(client, f"/kursus/{COURSE}", f"/kursus/{COURSE}/ikuti", {})
        result = _take_quiz(client, db, learner, COURSE, "tes-awal", submit=True)
        open_attempt = _take_quiz(client, db, learner, COURSE, MODULE, submit=False)
        situation = f"/kursus/{COURSE}/modul/{SIMULATION}/situasi/mulai"
        choice = re.search(rf'href="({re.escape(situation)}/[^"]+)"', client.get(situation).text)
        assert choice is not None, "the simulation's first situation offers choices"
        complete_course(client, db, learner, DONE_COURSE)

    db = flows.fresh(db)
    completion_id = db.scalar(select(Completion.id).where(Completion.user_id == learner.id))
    certificate = db.scalar(
        select(Certificate.number)
        .join(Completion, Completion.id == Certificate.completion_id)
        .where(Completion.user_id == learner.id)
    )
    assert certificate is not None
    version_id = db.scalar(select(Course.current_version_id).where(Course.code == COURSE))
    values = {
        "result": result,
        "open_attempt": open_attempt,
        "situation": situation,
        "choice": choice[1].replace("&amp;", "&"),
        "certificate": certificate,
        "version_id": version_id,
        "learner_nip": learner.nip,
        "completion_id": completion_id,
    }
    pages = {
        page_id: PageType(page_id, role, path.format(**values))
        for page_id, role, path in PAGE_TYPES
    }
    return Site(cookies=cookies, pages=pages, learner=learner)
