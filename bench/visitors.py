"""Who the load benchmark logs in, and what each scenario requests.

Sessions are inserted as `auth_sessions` rows (tokens known to the bench), the CSRF token is
computed from the bench's secret key, and each scenario's requests are written to a file the
wrk scripts in bench/lua/ read. `smoke` checks one real login and one request per scenario.
"""

# ruff: noqa: S311, S608 - request sampling; SQL built from integer ids
from __future__ import annotations

import hashlib
import hmac
import random
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, func, insert, select, text, update

from app.accounts import auth
from app.accounts.auth import token_digest
from app.accounts.models import AuthSession, User
from app.content.format.specs import FINAL_TEST_KEY, PRETEST_KEY
from app.content.models import QuizVersion
from app.db import utcnow
from bench.common import SECRET_KEY, new_token
from bench.people import PASSWORD

LEARNERS = 400
HR_SESSIONS = 10
TOUCH_SESSIONS = 6000  # one per request line: most requests of a run are a session's first
FRESH_AGENT = "wrk (Lentera benchmark)"
TOUCH_AGENT = "wrk (Lentera benchmark, touch due)"


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    script: str  # requests.lua or quiz.lua
    expected: int
    connections: int = 16
    hr: bool = False
    slow: bool = False  # seconds per request: a longer run, no warm-up run

    def duration(self, seconds: float) -> float:
        if self.slow:
            return max(3 * seconds, 30.0)
        return seconds * (2 if self.hr else 1)


SCENARIOS = (
    Scenario("module", "Module page (learner, session seen < 1 min ago)", "requests.lua", 200),
    # A learner reads a module for minutes before opening the next one, so in real use almost
    # every page view is due a session touch (an UPDATE of last_seen_at, once a minute).
    Scenario("module_touch", "Module page (learner, session touch due)", "requests.lua", 200),
    Scenario("progress", "Progress write (mark module complete)", "requests.lua", 303),
    Scenario("quiz", "Quiz submission (start + submit)", "quiz.lua", 303),
    Scenario("catalog", "Catalogue", "requests.lua", 200),
    Scenario("home", "Learner's home", "requests.lua", 200),
    # HR pages: a handful of HR staff, not hundreds of learners, hence fewer connections.
    Scenario("export_page", "HR export page (/laporan/ekspor)", "requests.lua", 200, 4, True),
    # Its figures are cached per process (LENTERA_REPORT_CACHE_SECONDS): warmed up like every
    # other page; the cold computation is measured on its own (`cold_dashboard`).
    Scenario("dashboard", "HR dashboard (/laporan/dasbor)", "requests.lua", 200, 2, True),
)


def csrf_token(seed: str) -> str:
    """What the app expects in `csrf_token` for a browser whose CSRF cookie is `seed`."""
    return hmac.new(SECRET_KEY.encode(), f"csrf:{seed}".encode(), hashlib.sha256).hexdigest()


@dataclass
class Visitor:
    user_id: int
    token: str
    seed: str

    @property
    def cookie(self) -> str:
        return f"lentera_session={self.token}; lentera_csrf={self.seed}"

    @property
    def csrf(self) -> str:
        return csrf_token(self.seed)


@dataclass
class Fixture:
    """Who is logged in and what each scenario requests; the files wrk reads."""

    files: dict[str, Path] = field(default_factory=dict)
    learners: list[Visitor] = field(default_factory=list)
    hr: list[Visitor] = field(default_factory=list)
    login_nip: str = ""
    samples: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)


def _open_sessions(
    engine: Engine, user_ids: Sequence[int], agent: str = FRESH_AGENT
) -> list[Visitor]:
    now = utcnow()
    visitors = [Visitor(uid, new_token(), new_token()) for uid in user_ids]
    with engine.begin() as conn:
        conn.execute(
            insert(AuthSession.__table__),  # type: ignore[arg-type]
            [
                {
                    "id": token_digest(v.token),
                    "user_id": v.user_id,
                    "created_at": now,
                    "last_seen_at": now,
                    "expires_at": now + timedelta(days=2),
                    "client_address": "127.0.0.1",
                    "user_agent": agent,
                }
                for v in visitors
            ],
        )
    return visitors


def _answers_body(row: QuizVersion, csrf: str) -> str:
    """Form fields answering every question of the quiz correctly."""
    fields: list[tuple[str, str]] = [("csrf_token", csrf)]
    for question in row.questions:
        name = f"q-{question['id']}"
        if question["kind"] == "short":
            fields.append((name, question["accepted_answers"][0]))
        else:
            fields += [(name, o["id"]) for o in question["options"] if o["correct"]]
    return urllib.parse.urlencode(fields)


def prepare(engine: Engine, workdir: Path, seed: int = 11) -> Fixture:
    """Open sessions and write the request files for every scenario."""
    rng = random.Random(seed)
    fixture = Fixture()
    with engine.connect() as conn:
        # Plain learners (not HR, trainers or admins) with a course in progress.
        candidates = (
            conn.execute(
                text(
                    "SELECT DISTINCT e.user_id FROM enrolments e JOIN users u ON u.id = e.user_id "
                    "LEFT JOIN completions c "
                    "ON c.user_id = e.user_id AND c.course_id = e.course_id "
                    "WHERE c.id IS NULL AND u.is_active AND NOT EXISTS (SELECT 1 FROM user_roles r "
                    "WHERE r.user_id = u.id AND r.role <> 'learner') ORDER BY e.user_id"
                )
            )
            .scalars()
            .all()
        )
        hr_ids = (
            conn.execute(
                text(
                    "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id "
                    "WHERE r.role = 'hr' AND u.is_active ORDER BY u.id"
                )
            )
            .scalars()
            .all()
        )
        fixture.login_nip = conn.scalar(select(User.nip).where(User.id == candidates[0])) or ""
    chosen = sorted(rng.sample(list(candidates), min(LEARNERS, len(candidates))))
    fixture.learners = _open_sessions(engine, chosen)
    fixture.hr = _open_sessions(engine, [hr_ids[i % len(hr_ids)] for i in range(HR_SESSIONS)])
    by_id = {v.user_id: v for v in fixture.learners}
    ids = ",".join(str(i) for i in chosen)
    with engine.connect() as conn:
        opened = conn.execute(
            text(
                "SELECT mp.user_id, c.code, mp.module_slug FROM module_progress mp "
                f"JOIN courses c ON c.id = mp.course_id WHERE mp.user_id IN ({ids})"
            )
        ).all()
        in_progress = conn.execute(
            text(
                "SELECT e.user_id, c.code, c.id, c.current_version_id FROM enrolments e "
                "JOIN courses c ON c.id = e.course_id LEFT JOIN completions x ON "
                "x.user_id = e.user_id AND x.course_id = e.course_id "
                f"WHERE x.id IS NULL AND e.user_id IN ({ids}) ORDER BY e.user_id, c.code"
            )
        ).all()
        slugs: dict[int, list[str]] = {}
        for version_id, slug in conn.execute(
            text("SELECT course_version_id, slug FROM module_versions")
        ):
            slugs.setdefault(version_id, []).append(slug)
    with engine.connect() as conn:
        quiz_rows = {
            (row.course_version_id, row.key): row
            for row in conn.execute(select(QuizVersion.__table__)).all()
        }
    lines: dict[str, list[tuple[str, str, str, str]]] = {s.name: [] for s in SCENARIOS}
    module_rows = rng.sample(list(opened), min(TOUCH_SESSIONS, len(opened)))
    for user_id, code, slug in module_rows:
        visitor = by_id[user_id]
        lines["module"].append(("GET", f"/kursus/{code}/modul/{slug}", visitor.cookie, ""))
    # The same pages, each line with a session of its own whose touch is due at the start.
    touch = _open_sessions(engine, [uid for uid, _c, _s in module_rows], TOUCH_AGENT)
    for visitor, (_uid, code, slug) in zip(touch, module_rows, strict=True):
        lines["module_touch"].append(("GET", f"/kursus/{code}/modul/{slug}", visitor.cookie, ""))
    quiz_lines: list[str] = []
    taken: set[tuple[str, str]] = set()
    opened_by = {(uid, code): set() for uid, code, _slug in opened}
    for uid, code, slug in opened:
        opened_by[(uid, code)].add(slug)
    for user_id, code, _course_id, version_id in in_progress:
        visitor = by_id[user_id]
        # Only modules the learner has opened (and read: bench/history.py credits the time):
        # marking an unopened module is refused as too early since modules need time on them.
        for slug in slugs.get(version_id, []):
            if slug not in opened_by.get((user_id, code), ()):
                continue
            body = f"csrf_token={visitor.csrf}&event_id={{EVENT}}"
            lines["progress"].append(
                ("POST", f"/kursus/{code}/modul/{slug}/selesai", visitor.cookie, body)
            )
        # One learner per (course, quiz): the quiz script tells attempts apart by that pair.
        for (quiz_version, key), row in quiz_rows.items():
            if (
                quiz_version != version_id
                or key in (FINAL_TEST_KEY, PRETEST_KEY)  # the pre-test closes once studying starts
                or row.max_attempts is not None  # a limited quiz would run out of attempts
                or (code, key) in taken
            ):
                continue
            taken.add((code, key))
            start = f"csrf_token={visitor.csrf}"
            quiz_lines.append(
                "\t".join((code, key, visitor.cookie, start, _answers_body(row, visitor.csrf)))
            )
    for visitor in fixture.learners:
        lines["catalog"].append(("GET", "/kursus", visitor.cookie, ""))
        lines["home"].append(("GET", "/", visitor.cookie, ""))
    for visitor in fixture.hr:
        lines["export_page"].append(("GET", "/laporan/ekspor", visitor.cookie, ""))
        lines["dashboard"].append(("GET", "/laporan/dasbor", visitor.cookie, ""))
    workdir.mkdir(parents=True, exist_ok=True)
    for name, rows in lines.items():
        if name == "quiz":
            continue
        path = workdir / f"{name}.tsv"
        path.write_text("\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
        fixture.files[name] = path
        fixture.samples[name] = rows[0]
    quiz_path = workdir / "quiz.tsv"
    quiz_path.write_text("\n".join(quiz_lines) + "\n", encoding="utf-8")
    fixture.files["quiz"] = quiz_path
    ceiling = workdir / "ceiling.tsv"
    ceiling.write_text("GET\t/\t\t\n", encoding="utf-8")
    fixture.files["ceiling"] = ceiling
    return fixture


# --- smoke checks --------------------------------------------------------------------------


def smoke(base_url: str, fixture: Fixture) -> dict[str, str]:
    """Log in for real once and request every scenario once; 'pending' when a page is absent."""
    status: dict[str, str] = {}
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=120) as client:
        client.get("/masuk")
        seed = client.cookies.get("lentera_csrf") or ""
        response = client.post(
            "/masuk",
            data={
                "csrf_token": csrf_token(seed),
                "nip": fixture.login_nip,
                "password": PASSWORD,
                "next": "/",
            },
        )
        if response.status_code != 303 or "lentera_session" not in response.cookies:
            raise RuntimeError(f"real login failed: {response.status_code} {response.text[:300]}")
        status["login"] = "ok"
        home = client.get("/")
        if home.status_code != 200:
            raise RuntimeError(f"home after login: {home.status_code}")
    for scenario in SCENARIOS:
        if scenario.name == "quiz":
            status["quiz"] = "ok"
            continue
        method, path, cookie, body = fixture.samples[scenario.name]
        headers = {"Cookie": cookie}
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = body.replace("{EVENT}", f"smoke{time.time_ns()}")
        response = httpx.request(
            method, base_url + path, headers=headers, content=body or None, timeout=300
        )
        location = response.headers.get("location", "")
        if response.status_code == 404 and scenario.hr:
            status[scenario.name] = "pending"
        elif response.status_code != scenario.expected or "/masuk" in location:
            raise RuntimeError(
                f"{scenario.name}: {method} {path} answered {response.status_code} {location}"
            )
        else:
            status[scenario.name] = "ok"
    return status


def reset_sessions(engine: Engine, scenario: str) -> None:
    """Before a measured run: every session seen just now, except the touch-due ones (when
    measuring them), last seen just longer ago than the app's touch interval."""
    now = utcnow()
    due = auth.TOUCH_INTERVAL + timedelta(minutes=1)
    table = AuthSession.__table__
    with engine.begin() as conn:
        conn.execute(
            update(table).where(table.c.user_agent == FRESH_AGENT).values(last_seen_at=now)
        )
        conn.execute(
            update(table)
            .where(table.c.user_agent == TOUCH_AGENT)
            .values(last_seen_at=now - (due if scenario == "module_touch" else timedelta(0)))
        )


def touches(engine: Engine, since: Any) -> int:
    """How many touch-due sessions the server touched (UPDATEd) during the run."""
    table = AuthSession.__table__
    with engine.connect() as conn:
        return int(
            conn.scalar(
                select(func.count())
                .select_from(table)
                .where(table.c.user_agent == TOUCH_AGENT, table.c.last_seen_at > since)
            )
            or 0
        )
