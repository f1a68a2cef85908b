"""Realistic synthetic data for benchmarks and query-plan tests, on SQLite and PostgreSQL.

`generate(engine, scale)` fills a freshly migrated database: ~60 units kerja with Palu names,
ASN with structurally valid NIPs (PNS and PPPK), the 3 demo courses plus generated ones
published through the real importer (`store.import_library`), then enrolments, module
progress, progress events, quiz attempts (drawn and graded by the real grading code),
completions with certificates, assignments (overdue and not), evaluations and external
learning.

Bulk inserts: SQLAlchemy Core `insert()` with lists of dicts, 10,000 rows a statement, on
SQLite; `COPY ... FROM STDIN` through psycopg on PostgreSQL. Rows carry explicit ids so child
rows can reference parents without round trips; PostgreSQL sequences are moved past them at
the end. One password is hashed once and shared by every generated account.

CLI: python bench/generate.py --database-url URL [--scale default|small|export] [--migrate]
"""

# ruff: noqa: S311, S608 - synthetic data; SQL built from table names
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `app` and `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, Integer, Table, func, insert, select, text

from app.accounts import nip as nip_rules
from app.accounts.models import Unit, User, UserRole
from app.accounts.passwords import hash_password
from app.content import store
from app.content.models import Blob, Course, CourseTrainer, CourseVersion, QuizVersion
from app.content.specs import FINAL_TEST_KEY, PRETEST_KEY
from app.db import make_engine, make_sessionmaker, session_scope
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
from app.learning.quizzes import quiz_spec
from bench import courses as course_files

ROOT = Path(__file__).resolve().parents[1]
DEMO_CONTENT = ROOT / "content"
PASSWORD = "Bench-Palu-2026!"  # noqa: S105 - every generated account; hashed once
BATCH = 10_000
WITA_OFFSET = timedelta(hours=8)


@dataclass(frozen=True)
class Scale:
    """How much to generate. `courses` counts the 3 demo courses."""

    name: str
    users: int
    courses: int
    enrolments: int
    completions: int
    progress_events: int
    units: int = 60
    hr_users: int = 5
    trainers: int = 10
    pppk_share: float = 0.15
    assigned_share: float = 0.12  # enrolments that come from an HR assignment
    practice_share: float = 0.15  # completed modules with a practice quiz that were attempted
    evaluation_share: float = 0.8  # completions followed by a survey and an action plan
    external_share: float = 0.08  # people who reported learning done elsewhere
    learning_detail: bool = True  # module progress, events and quiz attempts

    @property
    def generated_courses(self) -> int:
        return self.courses - 3


SCALES = {
    # Issue 7's default: 10,000 ASN, 50 courses of 8 modules, 1M progress events, 200k
    # completions. 26 enrolments a person so that 200k of them can be complete.
    "default": Scale("default", 10_000, 50, 260_000, 200_000, 1_000_000),
    # Fast enough for the test suite (query plans), big enough that PostgreSQL plans index
    # lookups rather than scanning small tables.
    "small": Scale("small", 2_000, 20, 16_000, 8_000, 40_000),
    # The export benchmark: >= 1,000,000 enrolments (the export's rows). Learning detail is
    # left out: the export does not read it, and it would triple the generation time.
    "export": Scale(
        "export", 25_000, 50, 1_050_000, 400_000, 0, evaluation_share=0.0, learning_detail=False
    ),
    # A few seconds; for smoke tests of the harness itself.
    "tiny": Scale("tiny", 300, 8, 1_200, 500, 2_000),
}


@dataclass
class GenerateReport:
    scale: str
    backend: str
    seconds: float = 0.0
    content_seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        counts = ", ".join(f"{table} {count:,}" for table, count in self.rows.items())
        return (
            f"{self.scale} scale on {self.backend}: {self.seconds:.1f} s "
            f"(content import {self.content_seconds:.1f} s); {counts}"
        )


# --- people ------------------------------------------------------------------------------

DINAS = (
    "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
    "Badan Perencanaan Pembangunan Daerah",
    "Badan Pengelolaan Keuangan dan Aset Daerah",
    "Badan Pendapatan Daerah",
    "Badan Penanggulangan Bencana Daerah",
    "Badan Kesatuan Bangsa dan Politik",
    "Inspektorat Daerah",
    "Sekretariat Daerah",
    "Sekretariat DPRD",
    "Dinas Pendidikan dan Kebudayaan",
    "Dinas Kesehatan",
    "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Dinas Perumahan dan Kawasan Permukiman",
    "Dinas Sosial",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Dinas Perhubungan",
    "Dinas Komunikasi, Informatika, Persandian dan Statistik",
    "Dinas Koperasi dan Usaha Kecil Menengah",
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    "Dinas Lingkungan Hidup",
    "Dinas Pariwisata",
    "Dinas Pemuda dan Olahraga",
    "Dinas Perpustakaan dan Kearsipan",
    "Dinas Pertanian dan Ketahanan Pangan",
    "Dinas Perikanan",
    "Dinas Tenaga Kerja dan Perindustrian",
    "Dinas Perdagangan",
    "Dinas Pemberdayaan Perempuan dan Perlindungan Anak",
    "Dinas Pengendalian Penduduk dan Keluarga Berencana",
    "Satuan Polisi Pamong Praja",
    "Dinas Pemadam Kebakaran dan Penyelamatan",
    "RSUD Anutapura",
    "Puskesmas Talise",
    "Puskesmas Kamonji",
    "Puskesmas Bulili",
)
KECAMATAN = (
    "Palu Barat", "Palu Selatan", "Palu Timur", "Palu Utara", "Tatanga", "Ulujadi",
    "Mantikulore", "Tawaeli",
)  # fmt: skip
KELURAHAN = (
    "Besusu Barat", "Besusu Tengah", "Besusu Timur", "Lolu Utara", "Lolu Selatan", "Talise",
    "Tondo", "Layana Indah", "Kawatuna", "Lasoani", "Poboya", "Tanamodindi", "Birobuli Utara",
    "Birobuli Selatan", "Petobo", "Tatura Utara", "Tatura Selatan", "Kamonji", "Baru", "Siranindi",
    "Ujuna", "Lere", "Balaroa", "Donggala Kodi", "Kabonena", "Silae", "Tipo", "Buluri",
    "Watusampu", "Nunu", "Tavanjuka", "Palupi", "Pengawu", "Duyu", "Boyaoge", "Mamboro",
    "Taipa", "Kayumalue Ngapa", "Pantoloan", "Baiya", "Lambara",
)  # fmt: skip
FIRST_NAMES = (
    "Abdul", "Ahmad", "Andi", "Arif", "Budi", "Dedi", "Fadli", "Hasan", "Irfan", "Iwan",
    "Muhammad", "Moh.", "Rahmat", "Ridwan", "Syamsul", "Taufik", "Wahyu", "Yusuf", "Zulkifli",
    "Agus", "Nur", "Siti", "Sri", "Fitri", "Hasnah", "Indah", "Kartini", "Lestari", "Nurhayati",
    "Rahmawati", "Ratna", "Rina", "Sartika", "Wulan", "Yuliana", "Dewi", "Hadijah", "Marlina",
    "Nurul", "Asmawati", "Jumriati", "Fatmawati", "Haerani", "Irma", "Musdalifah",
)  # fmt: skip
LAST_NAMES = (
    "Lamarauna", "Lasahido", "Labaso", "Tandjumbulu", "Lamakarate", "Pettalolo", "Dg. Malino",
    "Ladjalani", "Mangge", "Rusdi", "Hamzah", "Lamasitudju", "Tombolotutu", "Djanggola",
    "Intje Lolo", "Sibay", "Paturusi", "Yotolembah", "Lapasere", "Masyhuddin", "Pakamundi",
    "Lamadjido", "Mardjun", "Karim", "Saleh", "Ambo Dalle", "Bantilan", "Lataeya", "Rahman",
    "Gani", "Hidayat", "Santoso", "Wijaya", "Panggabean", "Sitorus", "Manoppo", "Pontoh",
)  # fmt: skip
JABATAN = (
    "Analis Kebijakan", "Pengelola Layanan Operasional", "Penata Kelola Sistem dan TI",
    "Analis Sumber Daya Manusia Aparatur", "Pranata Komputer", "Arsiparis", "Bendahara",
    "Pengadministrasi Perkantoran", "Perawat", "Bidan", "Guru", "Penyuluh Pertanian",
    "Kepala Seksi", "Kepala Subbagian", "Lurah", "Sekretaris Kelurahan", "Camat",
    "Pengawas Lingkungan Hidup", "Analis Keuangan Pusat dan Daerah", "Auditor",
)  # fmt: skip
PNS_GOLONGAN = ("II/a", "II/b", "II/c", "II/d", "III/a", "III/b", "III/c", "III/d", "IV/a", "IV/b")
PPPK_GOLONGAN = ("V", "VII", "IX", "X", "XI")


def unit_names(count: int) -> list[str]:
    """`count` units kerja of Palu: dinas and badan, kecamatan, then kelurahan."""
    names = [*DINAS, *(f"Kecamatan {k}" for k in KECAMATAN), *(f"Kelurahan {k}" for k in KELURAHAN)]
    if count > len(names):
        names += [f"Unit Pelaksana Teknis {i}" for i in range(1, count - len(names) + 1)]
    return names[:count]


def make_nip(rng: random.Random, pppk: bool, taken: set[str], today: date) -> str:
    """A structurally valid, unused NIP (PNS) or NI PPPK."""
    while True:
        born = date(1964, 1, 1) + timedelta(days=rng.randrange(0, 365 * 37))
        gender = rng.choice("12")
        if pppk:
            year = rng.randint(max(2019, born.year + 19), min(today.year, 2024))
            middle = f"{year}21"
        else:
            first = born.year + 20
            year = rng.randint(first, max(first, min(today.year, born.year + 38, 2024)))
            middle = f"{year}{rng.randint(1, 12):02d}"
        prefix = f"{born:%Y%m%d}{middle}{gender}"
        for _ in range(5):
            candidate = f"{prefix}{rng.randint(1, 999):03d}"
            if candidate not in taken:
                nip_rules.parse(candidate, "PPPK" if pppk else "PNS")  # never store a bad one
                taken.add(candidate)
                return candidate


# --- writing -----------------------------------------------------------------------------


class BulkWriter:
    """Inserts lists of row dicts: Core executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}

    def write(self, table: Table, rows: list[dict[str, Any]]) -> None:
        self.write_many([(table, rows)])

    def write_many(self, batches: Sequence[tuple[Table, list[dict[str, Any]]]]) -> None:
        """Insert several tables' rows, in the order given, in one transaction."""
        for table, rows in batches:
            self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        if self.postgres:
            for table, rows in batches:
                if rows:
                    self._copy(table, rows)
            return
        with self.engine.connect() as conn:
            # Bench data only: no fsync while loading (a crash means generating again).
            conn.exec_driver_sql("PRAGMA synchronous=OFF")
            for table, rows in batches:
                for start in range(0, len(rows), BATCH):
                    conn.execute(insert(table), rows[start : start + BATCH])
            conn.commit()
            conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
            conn.commit()

    def _copy(self, table: Table, rows: list[dict[str, Any]]) -> None:
        columns = list(rows[0])
        json_columns = {c.name for c in table.columns if c.type.__class__.__name__ == "JSON"}
        raw = self.engine.raw_connection()
        try:
            with raw.cursor() as cursor:  # type: ignore[attr-defined]
                names = ", ".join(f'"{c}"' for c in columns)
                with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(
                            [
                                json.dumps(row[c]) if c in json_columns and row[c] is not None
                                else row[c]
                                for c in columns
                            ]
                        )  # fmt: skip
            raw.commit()
        finally:
            raw.close()

    def finish(self, tables: Iterable[Table]) -> None:
        """Move PostgreSQL sequences past the explicit ids; refresh planner statistics."""
        with self.engine.begin() as conn:
            if self.postgres:
                for table in tables:
                    has_serial = "id" in table.c and isinstance(table.c.id.type, Integer)
                    if has_serial and table.name in self.counts:
                        conn.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                f'(SELECT coalesce(max(id), 1) FROM "{table.name}"))'
                            )
                        )
        if self.postgres:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))


# --- quizzes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """One drawn attempt with one set of answers, graded by the real grading code."""

    drawn: list[Any]
    answers: dict[str, Any]
    score: float
    correct: int
    total: int


@dataclass(frozen=True)
class QuizInfo:
    version_id: int
    key: str
    time_limit: int | None
    variants: tuple[Variant, ...]

    def pick(self, rng: random.Random, low: float = 0.0, high: float = 1.0) -> Variant:
        fitting = [v for v in self.variants if low <= v.score <= high]
        return rng.choice(fitting or list(self.variants))


def _variants(row: QuizVersion, rng: random.Random, seeds: int = 3) -> tuple[Variant, ...]:
    spec = quiz_spec(row)
    out: list[Variant] = []
    for n in range(seeds):
        drawn = grading.draw_questions(spec, f"bench-{row.id}-{n}")
        for share in (0.3, 0.5, 0.65, 0.75, 0.85, 1.0):
            answers: dict[str, Any] = {}
            right = set(rng.sample(range(len(drawn)), k=round(share * len(drawn))))
            for i, item in enumerate(drawn):
                question = spec.question(item.question_id)
                assert question is not None
                answers[item.question_id] = _answer(question, i in right)
            graded = grading.grade(
                spec, drawn, {k: tuple(v) if isinstance(v, list) else v for k, v in answers.items()}
            )
            out.append(
                Variant(
                    drawn=[[d.question_id, list(d.option_ids)] for d in drawn],
                    answers=answers,
                    score=graded.score,
                    correct=graded.correct_count,
                    total=graded.total,
                )
            )
    return tuple(out)


def _answer(question: Any, right: bool) -> Any:
    if question.kind == "short":
        return question.accepted_answers[0] if right else "tidak tahu"
    correct = [o.id for o in question.options if o.correct]
    wrong = [o.id for o in question.options if not o.correct]
    return correct if right or not wrong else wrong[:1]


# --- the generator -----------------------------------------------------------------------


@dataclass(frozen=True)
class CourseInfo:
    course_id: int
    code: str
    version_id: int
    title: str
    category: str
    jp: int
    passing: int
    policy: str
    slugs: tuple[str, ...]
    prerequisites: tuple[str, ...]
    quizzes: dict[str, QuizInfo]


def publish_courses(engine: Engine, scale: Scale, root: Path) -> None:
    """Write the generated course folders next to the demo courses and import them all."""
    course_files.write_library(root, scale.generated_courses, demo_content=DEMO_CONTENT)
    with session_scope(make_sessionmaker(engine)) as session:
        report = store.import_library(session, root)
    if report.broken:
        raise RuntimeError(f"generated content did not load: {sorted(report.broken)}")


def load_courses(engine: Engine, rng: random.Random) -> list[CourseInfo]:
    """Every published course with its modules and quizzes (variants pre-graded)."""
    from app.content.catalog import ContentCache

    infos: list[CourseInfo] = []
    with make_sessionmaker(engine)() as session:
        catalog = ContentCache().catalog(session)
        for view in sorted(catalog.by_code.values(), key=lambda v: v.course_id):
            rows = session.scalars(
                select(QuizVersion).where(QuizVersion.course_version_id == view.version_id)
            ).all()
            quizzes = {
                row.key: QuizInfo(row.id, row.key, row.time_limit_minutes, _variants(row, rng))
                for row in rows
            }
            infos.append(
                CourseInfo(
                    course_id=view.course_id,
                    code=view.code,
                    version_id=view.version_id,
                    title=view.title,
                    category=view.category,
                    jp=view.jp,
                    passing=view.passing_score,
                    policy=view.score_policy,
                    slugs=tuple(m.slug for m in view.modules),
                    prerequisites=view.prerequisites,
                    quizzes=quizzes,
                )
            )
    return infos


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


def _fill_certificate_units(engine: Engine) -> None:
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


def generate(
    engine: Engine,
    scale: Scale | str = "small",
    *,
    seed: int = 7,
    log: Callable[[str], None] | None = None,
) -> GenerateReport:
    """Fill a freshly migrated, empty database with `scale`'s synthetic data."""
    scale = SCALES[scale] if isinstance(scale, str) else scale
    say = log or (lambda _message: None)
    report = GenerateReport(scale=scale.name, backend=engine.dialect.name)
    started = time.perf_counter()
    with engine.connect() as conn:
        if conn.scalar(select(func.count()).select_from(User.__table__)):
            raise RuntimeError("generate() needs an empty, migrated database (users exist)")
    generator = Generator(engine, scale, seed)
    say(f"people: {scale.users:,} ASN in {scale.units} units")
    users = generator.people()
    with tempfile.TemporaryDirectory(prefix="lentera-bench-content-") as folder:
        say(f"content: 3 demo + {scale.generated_courses} generated courses")
        t0 = time.perf_counter()
        publish_courses(engine, scale, Path(folder))
        report.content_seconds = time.perf_counter() - t0
    infos = load_courses(engine, generator.rng)
    say(f"learning: ~{scale.enrolments:,} enrolments, ~{scale.completions:,} completions")
    generator.learning(users, infos)
    _fill_certificate_units(engine)
    say("finishing (sequences, statistics)")
    generator.writer.finish(
        [m.__table__ for m in (Unit, User, *Generator.ORDER)]  # type: ignore[misc]
    )
    report.seconds = time.perf_counter() - started
    report.rows = dict(generator.writer.counts)
    with engine.connect() as conn:
        report.rows["courses"] = (
            conn.scalar(select(func.count()).select_from(Course.__table__)) or 0
        )
        report.rows["course_versions"] = (
            conn.scalar(select(func.count()).select_from(CourseVersion.__table__)) or 0
        )
    return report


def _migrate(url: str) -> None:
    from alembic import command

    from app.ops import alembic_config

    command.upgrade(alembic_config(url), "head")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--scale", choices=sorted(SCALES), default="default")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--migrate", action="store_true", help="run the Alembic migrations first (new database)"
    )
    args = parser.parse_args(argv)
    if args.migrate:
        _migrate(args.database_url)
    engine = make_engine(args.database_url)
    try:
        report = generate(
            engine, args.scale, seed=args.seed, log=lambda m: print(m, file=sys.stderr, flush=True)
        )
    finally:
        engine.dispose()
    print(report.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
