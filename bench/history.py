"""Learning histories of the generated ASN: enrolments, progress, attempts, completions.

Rows are built person by person and flushed in bulk (parents before children) through
bench/bulk.py, with explicit ids so children reference parents without round trips.
"""

# ruff: noqa: S311 - synthetic data
from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, text

from app.accounts.models import Unit, User, UserRole
from app.accounts.passwords import hash_password
from app.content.format.specs import FINAL_TEST_KEY, PRETEST_KEY
from app.content.models import Blob, CourseTrainer
from app.evaluation.models import ActionPlan, ReactionSurvey
from app.learning import grading
from app.learning.models import (
    Assignment,
    Certificate,
    Completion,
    Enrolment,
    ExternalLearning,
    ModuleProgress,
    ProgressEvent,
    QuizAttempt,
)
from bench import courses as course_files
from bench.bulk import BulkWriter
from bench.people import (
    DINAS,
    FIRST_NAMES,
    JABATAN,
    LAST_NAMES,
    PASSWORD,
    PNS_GOLONGAN,
    PPPK_GOLONGAN,
    make_nip,
    unit_names,
)
from bench.published import CourseInfo, QuizInfo, Variant
from bench.scales import Scale

WITA_OFFSET = timedelta(hours=8)  # the generated data's local zone (the default, Asia/Makassar)
STUDIED_ENOUGH_SECONDS = 3 * 3600  # longer than any generated module's minimum time


class _Ids:
    def __init__(self) -> None:
        self._next: dict[str, int] = {}

    def __call__(self, table: str) -> int:
        value = self._next.get(table, 0) + 1
        self._next[table] = value
        return value


class Generator:
    """Builds rows person by person and flushes them in bulk, parents before children."""

    ORDER = (
        Enrolment, Assignment, Completion, Certificate, ModuleProgress, ProgressEvent,
        QuizAttempt, ReactionSurvey, ActionPlan, ExternalLearning,
    )  # fmt: skip
    FLUSH_AT = 60_000

    def __init__(self, engine: Engine, scale: Scale, seed: int) -> None:
        self.engine = engine
        self.scale = scale
        self.rng = random.Random(seed)
        self.writer = BulkWriter(engine)
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.today = (self.now + WITA_OFFSET).date()
        self.ids = _Ids()
        self.buffers: dict[str, list[dict[str, Any]]] = {m.__tablename__: [] for m in self.ORDER}
        self.buffered = 0
        self.event_probability = 0.0
        self.hr_ids: list[int] = []
        self.blobs: list[str] = []
        self._attempt_numbers: dict[tuple[int, int, str], int] = {}

    # people

    def people(self) -> list[dict[str, Any]]:
        scale, rng = self.scale, self.rng
        names = unit_names(scale.units)
        self.writer.write(
            Unit.__table__,  # type: ignore[arg-type]
            [{"id": i, "name": n, "created_at": self.now} for i, n in enumerate(names, 1)],
        )
        # Dinas and puskesmas are bigger than kelurahan offices.
        weights = [
            8.0 if i < len(DINAS) else 3.0 if i < len(DINAS) + 8 else 1.0 for i in range(len(names))
        ]
        password_hash = hash_password(PASSWORD)
        taken: set[str] = set()
        users: list[dict[str, Any]] = []
        roles: list[dict[str, Any]] = []
        for user_id in range(1, scale.users + 1):
            pppk = rng.random() < scale.pppk_share
            nip = make_nip(rng, pppk, taken, self.today)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            users.append(
                {
                    "id": user_id,
                    "nip": nip,
                    "employee_type": "PPPK" if pppk else "PNS",
                    "full_name": f"{first} {last}",
                    "email": f"{first.lower().rstrip('.')}.{user_id}@palukota.go.id",
                    "unit_id": rng.choices(range(1, len(names) + 1), weights)[0],
                    "jabatan": rng.choice(JABATAN),
                    "golongan": rng.choice(PPPK_GOLONGAN if pppk else PNS_GOLONGAN),
                    "password_hash": password_hash,
                    "is_active": rng.random() > 0.01,
                    "is_demo": False,
                    "locale": None,
                    "created_at": self.now - timedelta(days=800),
                    "updated_at": self.now - timedelta(days=800),
                    "password_changed_at": None,
                }
            )
            roles.append({"user_id": user_id, "role": "learner"})
            if user_id <= scale.hr_users:
                users[-1]["unit_id"] = 1  # BKPSDM
                users[-1]["is_active"] = True
                roles.append({"user_id": user_id, "role": "hr"})
                self.hr_ids.append(user_id)
            elif user_id <= scale.hr_users + scale.trainers:
                users[-1]["is_active"] = True
                roles.append({"user_id": user_id, "role": "trainer"})
            elif user_id == scale.hr_users + scale.trainers + 1:
                users[-1]["is_active"] = True
                roles.append({"user_id": user_id, "role": "admin"})
        self.writer.write(User.__table__, users)  # type: ignore[arg-type]
        self.writer.write(UserRole.__table__, roles)  # type: ignore[arg-type]
        blobs = []
        for n in range(12):
            data = b"%PDF-1.4\n% sertifikat pelatihan eksternal " + str(n).encode() + b"\n%%EOF\n"
            sha = hashlib.sha256(data).hexdigest()
            self.blobs.append(sha)
            blobs.append({"sha256": sha, "size": len(data), "data": data})
        self.writer.write(Blob.__table__, blobs)  # type: ignore[arg-type]
        return users

    # learning

    def learning(self, users: Sequence[dict[str, Any]], infos: Sequence[CourseInfo]) -> None:
        scale, rng = self.scale, self.rng
        by_code = {c.code: c for c in infos}
        weights = [1.0 / (rank + 4) ** 0.5 for rank in range(len(infos))]
        mean = min(scale.enrolments / scale.users, len(infos))
        # Narrow enough that few draws are cut at the course count, so the total stays on target.
        spread = max(1.0, min(mean / 3, (len(infos) - mean) / 2))
        complete_share = scale.completions / scale.enrolments
        expected_done = scale.completions * 8 + (scale.enrolments - scale.completions) * 2
        self.event_probability = min(1.0, scale.progress_events / max(1, expected_done))
        with self.engine.begin() as conn:
            trainers = [
                {"course_id": c.course_id, "user_id": scale.hr_users + 1 + i % scale.trainers}
                for i, c in enumerate(infos)
            ]
            conn.execute(insert(CourseTrainer.__table__), trainers)  # type: ignore[arg-type]
        for user in users:
            count = max(0, min(len(infos), round(rng.gauss(mean, spread))))
            # Weighted sampling without replacement (Efraimidis-Spirakis): popular courses first.
            keyed = sorted(
                ((rng.random() ** (1.0 / w), c) for w, c in zip(weights, infos, strict=True)),
                key=lambda pair: pair[0],
                reverse=True,
            )
            chosen = [c for _k, c in keyed[:count]]
            done = {c.code for c in chosen if rng.random() < complete_share}
            for course in list(chosen):
                for code in course.prerequisites:  # a prerequisite was completed first
                    if code in by_code and by_code[code] not in chosen:
                        chosen.append(by_code[code])
                    if course.code in done:
                        done.add(code)
            for course in chosen:
                self.enrolment(user, course, course.code in done)
            if rng.random() < scale.external_share:
                self.external(user)
            if self.buffered >= self.FLUSH_AT:
                self.flush()
        self.flush()

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.buffers[table].append(row)
        self.buffered += 1

    def flush(self) -> None:
        self.writer.write_many(
            [(m.__table__, self.buffers[m.__tablename__]) for m in self.ORDER]  # type: ignore[misc]
        )
        for rows in self.buffers.values():
            rows.clear()
        self.buffered = 0

    def enrolment(self, user: dict[str, Any], course: CourseInfo, complete: bool) -> None:
        rng, now = self.rng, self.now
        user_id = user["id"]
        enrolled_at = now - timedelta(seconds=rng.randrange(3600, 720 * 86400))
        assigned = rng.random() < self.scale.assigned_share
        self.add(
            "enrolments",
            {
                "id": self.ids("enrolments"),
                "user_id": user_id,
                "course_id": course.course_id,
                "enrolled_at": enrolled_at,
                "source": "assigned" if assigned else "self",
            },
        )
        if assigned:
            due = (enrolled_at + WITA_OFFSET).date() + timedelta(days=rng.choice((30, 45, 60, 90)))
            self.add(
                "assignments",
                {
                    "id": self.ids("assignments"),
                    "user_id": user_id,
                    "course_id": course.course_id,
                    "due_on": due,
                    "assigned_at": enrolled_at,
                    "assigned_by_id": rng.choice(self.hr_ids) if self.hr_ids else None,
                    "via_unit_id": user["unit_id"],
                    "note": None,
                },
            )
        modules = len(course.slugs)
        if complete:
            finished_at = min(
                now - timedelta(minutes=5), enrolled_at + timedelta(days=rng.uniform(0.2, 60))
            )
            opened, completed = modules, modules
        else:
            finished_at = now - timedelta(minutes=5)
            opened = rng.randint(0, modules)
            completed = rng.randint(0, opened)
        span = (finished_at - enrolled_at).total_seconds()
        times = sorted(
            enrolled_at + timedelta(seconds=rng.uniform(60, max(120, span * 0.9)))
            for _ in range(opened)
        )
        detail = self.scale.learning_detail
        if detail:
            self.pretest(user_id, course, enrolled_at, opened)
        for position, (slug, opened_at) in enumerate(zip(course.slugs, times, strict=False)):
            done_at = (
                opened_at + timedelta(minutes=rng.randint(5, 45)) if position < completed else None
            )
            if done_at is not None and done_at > finished_at:
                done_at = finished_at
            if not detail:
                continue
            self.add(
                "module_progress",
                {
                    "id": self.ids("module_progress"),
                    "user_id": user_id,
                    "course_id": course.course_id,
                    "module_slug": slug,
                    "first_opened_at": opened_at,
                    "completed_at": done_at,
                    "completed_version_id": course.version_id if done_at else None,
                    # Time on the module (app/learning/study_time.py): a finished module took
                    # what it took; one still open has been read long enough to be marked, so
                    # the load test's progress writes are accepted marks, not "too early".
                    "study_seconds": int((done_at - opened_at).total_seconds())
                    if done_at
                    else STUDIED_ENOUGH_SECONDS,
                },
            )
            if done_at is None:
                continue
            if rng.random() < self.event_probability:
                offline = rng.random() < 0.1
                token = base64.urlsafe_b64encode(rng.getrandbits(128).to_bytes(16, "big"))
                self.add(
                    "progress_events",
                    {
                        "id": f"{user_id}:{token.decode().rstrip('=')}",
                        "user_id": user_id,
                        "course_id": course.course_id,
                        "module_slug": slug,
                        "kind": "completed",
                        "occurred_at": done_at,
                        "received_at": done_at + timedelta(hours=rng.randint(1, 30))
                        if offline
                        else done_at,
                        "source": "offline" if offline else "web",
                    },
                )
            practice = course.quizzes.get(slug)
            if practice is not None and rng.random() < self.scale.practice_share:
                self.attempt(
                    user_id, course, practice, done_at - timedelta(minutes=3), rng.uniform(0.5, 1.0)
                )
        if complete:
            self.complete(user, course, enrolled_at, finished_at)
        elif detail and completed == modules and FINAL_TEST_KEY in course.quizzes:
            # Every module done, final test not passed (yet).
            final = course.quizzes[FINAL_TEST_KEY]
            at = finished_at - timedelta(hours=rng.randint(1, 200))
            for _n in range(rng.randint(1, 3)):
                self.attempt(user_id, course, final, at, high=(course.passing - 1) / 100)
                at += timedelta(hours=rng.randint(1, 48))

    def pretest(self, user_id: int, course: CourseInfo, enrolled_at: datetime, opened: int) -> None:
        pre = course.quizzes.get(PRETEST_KEY)
        if pre is not None and opened and self.rng.random() < 0.85:
            self.attempt(user_id, course, pre, enrolled_at + timedelta(minutes=2), high=0.75)

    def attempt(
        self,
        user_id: int,
        course: CourseInfo,
        quiz: QuizInfo,
        started_at: datetime,
        low: float = 0.0,
        high: float = 1.0,
    ) -> Variant:
        variant = quiz.pick(self.rng, low, high)
        key = (user_id, course.course_id, quiz.key)
        number = self._attempt_numbers.get(key, 0) + 1
        self._attempt_numbers[key] = number
        took = timedelta(minutes=self.rng.randint(3, max(4, (quiz.time_limit or 15) - 1)))
        self.add(
            "quiz_attempts",
            {
                "id": self.ids("quiz_attempts"),
                "user_id": user_id,
                "course_id": course.course_id,
                "quiz_key": quiz.key,
                "quiz_version_id": quiz.version_id,
                "number": number,
                "seed": f"{self.rng.getrandbits(64):016x}",
                "drawn": variant.drawn,
                "started_at": started_at,
                "deadline_at": grading.deadline(started_at, quiz.time_limit),
                "submitted_at": started_at + took,
                "answers": variant.answers,
                "score": variant.score,
                "correct_count": variant.correct,
                "total": variant.total,
                "late": False,
            },
        )
        return variant

    def complete(
        self, user: dict[str, Any], course: CourseInfo, enrolled_at: datetime, finished_at: datetime
    ) -> None:
        rng = self.rng
        user_id = user["id"]
        score = rng.randint(course.passing, 100)
        final = course.quizzes.get(FINAL_TEST_KEY)
        if final is not None and self.scale.learning_detail:
            at = finished_at - timedelta(minutes=30)
            if rng.random() < 0.25:  # failed once first
                self.attempt(
                    user_id, course, final, at - timedelta(days=1), high=(course.passing - 1) / 100
                )
            passed = self.attempt(user_id, course, final, at, low=course.passing / 100)
            score = grading.score_percent(passed.score)
        completion_id = self.ids("completions")
        self.add(
            "completions",
            {
                "id": completion_id,
                "user_id": user_id,
                "course_id": course.course_id,
                "course_version_id": course.version_id,
                "started_at": enrolled_at,
                "completed_at": finished_at,
                "final_score": score,
                "jp": course.jp,
            },
        )
        year = (finished_at + WITA_OFFSET).year
        check = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(4))
        revoked = rng.random() < 0.002
        self.add(
            "certificates",
            {
                "id": self.ids("certificates"),
                "number": f"LTR-{year}-{course.code.replace('-', '')}-{completion_id:05d}-{check}",
                "completion_id": completion_id,
                "issued_at": finished_at,
                "full_name": user["full_name"],
                "nip": user["nip"],
                "employee_type": user["employee_type"],
                "golongan": user["golongan"],
                "jabatan": user["jabatan"],
                "unit_name": None,  # filled below from the unit table (kept out of the hot loop)
                "course_code": course.code,
                "course_title": course.title,
                "category": course.category,
                "jp": course.jp,
                "completed_on": (finished_at + WITA_OFFSET).date(),
                "final_score": score,
                "revoked_at": finished_at + timedelta(days=3) if revoked else None,
                "revoked_by_id": None,
                "revoke_reason": "Data kelulusan keliru" if revoked else None,
            },
        )
        if rng.random() < self.scale.evaluation_share:
            self.evaluation(user_id, course, finished_at)

    def evaluation(self, user_id: int, course: CourseInfo, finished_at: datetime) -> None:
        rng = self.rng
        self.add(
            "reaction_surveys",
            {
                "id": self.ids("reaction_surveys"),
                "user_id": user_id,
                "course_id": course.course_id,
                "relevance": rng.randint(3, 5),
                "quality": rng.randint(2, 5),
                "applicability": rng.randint(2, 5),
                "comment": "Materinya relevan dengan tugas di unit kami."
                if rng.random() < 0.2
                else None,
                "submitted_at": finished_at + timedelta(minutes=10),
            },
        )
        follow_up_on = (finished_at + WITA_OFFSET).date() + timedelta(days=30)
        reported = follow_up_on < self.today and rng.random() < 0.6
        self.add(
            "action_plans",
            {
                "id": self.ids("action_plans"),
                "user_id": user_id,
                "course_id": course.course_id,
                "plan": "Menerapkan alur layanan baru di loket dan memantau waktu tunggu warga.",
                "supervisor_name": None,
                "created_at": finished_at + timedelta(minutes=12),
                "follow_up_on": follow_up_on,
                "follow_up_at": finished_at + timedelta(days=31) if reported else None,
                "follow_up_status": rng.choice(("applied", "partly", "not_applied"))
                if reported
                else None,
                "follow_up_note": None,
                "supervisor_token_hash": None,
                "supervisor_link_expires_at": None,
                "supervisor_verdict": None,
                "supervisor_comment": None,
                "supervisor_confirmed_at": None,
            },
        )

    def external(self, user: dict[str, Any]) -> None:
        rng = self.rng
        for _n in range(rng.randint(1, 2)):
            end_on = self.today - timedelta(days=rng.randint(1, 600))
            status = rng.choices(("verified", "pending", "rejected"), (0.6, 0.25, 0.15))[0]
            submitted = datetime.combine(end_on, datetime.min.time(), UTC) + timedelta(days=2)
            self.add(
                "external_learning",
                {
                    "id": self.ids("external_learning"),
                    "user_id": user["id"],
                    "title": rng.choice(
                        ("Pelatihan Kearsipan Digital", "Bimtek SIPD", "Diklat PBJ")
                    ),
                    "organiser": rng.choice(("ANRI", "LKPP", "BPSDM Sulteng", "Kemendagri")),
                    "category": rng.choice(course_files.CATEGORIES),
                    "start_on": end_on - timedelta(days=rng.randint(0, 4)),
                    "end_on": end_on,
                    "jp": rng.randint(2, 32),
                    "certificate_number": f"EXT/{rng.randint(1000, 9999)}/{end_on.year}",
                    "file_sha256": rng.choice(self.blobs),
                    "file_name": "sertifikat.pdf",
                    "file_type": "application/pdf",
                    "status": status,
                    "submitted_at": submitted,
                    "reviewed_at": submitted + timedelta(days=3) if status != "pending" else None,
                    "reviewed_by_id": rng.choice(self.hr_ids)
                    if status != "pending" and self.hr_ids
                    else None,
                    "reject_reason": "Sertifikat tidak terbaca." if status == "rejected" else None,
                },
            )


def fill_certificate_units(engine: Engine) -> None:
    """Certificates freeze the unit name at issue: copy it in one UPDATE after the bulk load."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE certificates SET unit_name = (SELECT units.name FROM completions "
                "JOIN users ON users.id = completions.user_id "
                "JOIN units ON units.id = users.unit_id "
                "WHERE completions.id = certificates.completion_id)"
            )
        )
