"""Query plans of the hot and report queries, read from the database itself.

Each check calls the real application function while recording the SQL it sends, then asks the
database how it would run each statement (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN
(FORMAT JSON), with the statistics from ANALYZE and no planner settings changed). A plan
"scans" a big table when SQLite reads it with SCAN (whole table or whole index) or PostgreSQL
with a Seq Scan; a lookup reads it with SEARCH / Index Scan / Bitmap Index Scan.

Used by tests/bench/test_query_plans.py (small scale) and bench/run_all.py (default scale).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.orm import Session

BIG_TABLES = frozenset(
    {"progress_events", "module_progress", "quiz_attempts", "completions", "enrolments"}
)
_SQLITE_SCAN = re.compile(r"^SCAN (\w+)")


@dataclass
class Statement:
    sql: str
    params: Any


@dataclass
class PlanCheck:
    """One application query and how the database plans it."""

    name: str
    function: str
    statements: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)
    full_scans: list[str] = field(default_factory=list)  # big tables read whole
    expected_scans: frozenset[str] = frozenset()  # known and reported (see `missing_index`)
    missing_index: str = ""  # why a scan is expected, or the index that would remove it

    @property
    def ok(self) -> bool:
        return not set(self.full_scans) - self.expected_scans

    def describe(self) -> str:
        plans = "\n".join(self.plans)
        return f"{self.name} ({self.function}): full scans {self.full_scans or 'none'}\n{plans}"


@contextmanager
def recording(engine: Engine) -> Iterator[list[Statement]]:
    """Every SELECT sent through `engine` while the block runs."""
    seen: list[Statement] = []

    def listener(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and not many:
            seen.append(Statement(statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def explain(engine: Engine, statement: Statement) -> tuple[str, list[str]]:
    """The plan as text and the big tables it reads in full."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement.sql}", statement.params
            ).all()
            details = [str(row[-1]) for row in rows]
            scans = [
                m.group(1)
                for d in details
                if (m := _SQLITE_SCAN.match(d)) and m.group(1) in BIG_TABLES
            ]
            return "\n".join(f"  {d}" for d in details), scans
        raw = conn.exec_driver_sql(
            f"EXPLAIN (FORMAT JSON) {statement.sql}", statement.params
        ).scalar()
        plan = raw if isinstance(raw, list) else json.loads(str(raw))
        lines: list[str] = []
        pg_scans: list[str] = []
        _walk(plan[0]["Plan"], 0, lines, pg_scans)
        return "\n".join(lines), pg_scans


def _walk(node: dict[str, Any], depth: int, lines: list[str], scans: list[str]) -> None:
    relation = node.get("Relation Name")
    index = node.get("Index Name")
    label = (
        node["Node Type"]
        + (f" on {relation}" if relation else "")
        + (f" using {index}" if index else "")
    )
    lines.append(f"  {'  ' * depth}{label}")
    if node["Node Type"] == "Seq Scan" and relation in BIG_TABLES:
        scans.append(relation)
    for child in node.get("Plans", []):
        _walk(child, depth + 1, lines, scans)


@dataclass(frozen=True)
class Subjects:
    """Real rows to query for: a learner with attempts, a unit and a course with enrolments."""

    user_id: int
    course_id: int
    course_code: str
    quiz_key: str
    unit_id: int
    session_token: str
    user_ids: list[int]


def pick_subjects(session: Session) -> Subjects:
    from app.accounts import auth
    from app.accounts.models import User
    from app.content.models import Course
    from app.learning.models import QuizAttempt

    user_id, course_id, key = session.execute(
        select(QuizAttempt.user_id, QuizAttempt.course_id, QuizAttempt.quiz_key)
        .order_by(QuizAttempt.id)
        .limit(1)
    ).one()
    user = session.get(User, user_id)
    assert user is not None and user.unit_id is not None
    code = session.scalar(select(Course.code).where(Course.id == course_id))
    assert code is not None
    from app.config import Settings

    settings = Settings(secret_key="plans-" + "s" * 40, _env_file=None)
    token = auth.open_session(session, settings, user, None, None)
    session.commit()
    user_ids = list(session.scalars(select(User.id).where(User.unit_id == user.unit_id)))
    return Subjects(user_id, course_id, code, key, user.unit_id, token, user_ids)


def _checks(
    subjects: Subjects,
) -> list[tuple[str, str, Callable[[Session], Any], frozenset[str], str]]:
    from app import clock
    from app.accounts import auth
    from app.config import Settings
    from app.content.catalog import ContentCache
    from app.learning import jp, progress, quizzes
    from app.learning.dashboard import learner_dashboard
    from app.reports import completions

    settings = Settings(secret_key="plans-" + "s" * 40, _env_file=None)
    today = clock.today()
    # The app keeps the catalogue in memory; its queries are not what a request sends.
    cache = ContentCache()

    def view(session: Session) -> Any:
        catalog = cache.catalog(session)
        return next(v for v in catalog.by_code.values() if v.course_id == subjects.course_id)

    def export(session: Session) -> Any:
        filters = completions.ExportFilters(
            unit_id=subjects.unit_id, course_code=subjects.course_code
        )
        return list(completions.iter_records(session, filters))

    checks: list[tuple[str, str, Callable[[Session], Any], frozenset[str], str]] = [
        (
            "Export, one unit and one course",
            "reports.completions.records_query",
            export,
            frozenset(),
            "",
        ),
        (
            "Learner progress in a course",
            "learning.progress.course_progress",
            lambda s: progress.course_progress(s, subjects.user_id, view(s)),
            frozenset(),
            "",
        ),
        (
            "Module page: enrolment and progress together",
            "learning.progress.enrolled_progress",
            lambda s: progress.enrolled_progress(s, subjects.user_id, view(s)),
            frozenset(),
            "",
        ),
        (
            "Quiz attempts lookup",
            "learning.quizzes.attempts_for",
            lambda s: quizzes.attempts_for(
                s, subjects.user_id, subjects.course_id, subjects.quiz_key
            ),
            frozenset(),
            "",
        ),
        (
            "JP totals for a unit's ASN",
            "learning.jp.jp_by_user",
            lambda s: jp.jp_by_user(s, today.year, subjects.user_ids),
            frozenset(),
            "",
        ),
        (
            "Login session lookup",
            "accounts.auth.resolve_session",
            lambda s: auth.resolve_session(s, settings, subjects.session_token),
            frozenset(),
            "",
        ),
        (
            "Enrolment check",
            "learning.progress.is_enrolled",
            lambda s: progress.is_enrolled(s, subjects.user_id, subjects.course_id),
            frozenset(),
            "",
        ),
        (
            "Learner home (courses, progress, JP)",
            "learning.dashboard.learner_dashboard + jp.jp_for_year",
            lambda s: (
                learner_dashboard(s, subjects.user_id, cache.catalog(s), today),
                jp.jp_for_year(s, subjects.user_id, today.year),
            ),
            frozenset(),
            "",
        ),
    ]
    try:
        from app.reports import dashboard
    except ImportError:  # the HR dashboard is not there yet
        return checks
    whole = "aggregates every enrolment by design (a city-wide rate); cache it, do not index it"
    checks += [
        (
            "HR dashboard: weekly active learners",
            "reports.dashboard.weekly_active_learners",
            lambda s: dashboard.weekly_active_learners(s, today),
            frozenset(),
            "",
        ),
        (
            "HR dashboard: completion rate per unit",
            "reports.dashboard.completion_by_unit",
            lambda s: dashboard.completion_by_unit(s, None),
            frozenset({"enrolments", "completions"}),
            whole,
        ),
        (
            "HR dashboard: completion rate per course",
            "reports.dashboard.completion_by_course",
            lambda s: dashboard.completion_by_course(s, cache.catalog(s), None),
            frozenset({"enrolments", "completions"}),
            whole,
        ),
        (
            "HR dashboard: overdue assignments",
            "reports.dashboard.overdue_by_unit + oldest_overdue",
            lambda s: (
                dashboard.overdue_by_unit(s, today),
                dashboard.oldest_overdue(s, today, cache.catalog(s)),
            ),
            # PostgreSQL may hash-anti-join every completion against all overdue assignments
            # instead of probing uq_completions_user_id per assignment: its cost model's
            # choice for a whole-table anti-join, not a missing index.
            frozenset({"completions"}),
            "PostgreSQL may hash-anti-join all completions instead of probing "
            "uq_completions_user_id per overdue assignment: a cost-model choice",
        ),
    ]
    return checks


def run_checks(engine: Engine, sessionmaker: Callable[[], Session]) -> list[PlanCheck]:
    """Record each key query's statements and explain them."""
    with sessionmaker() as session:
        subjects = pick_subjects(session)
    results: list[PlanCheck] = []
    for name, function, call, expected, missing in _checks(subjects):
        check = PlanCheck(name, function, expected_scans=expected, missing_index=missing)
        with sessionmaker() as session:
            call(session)  # warm the in-memory catalogue, as on a running server
            session.rollback()
        with sessionmaker() as session, recording(engine) as statements:
            call(session)
            session.rollback()
        for statement in statements:
            plan, scans = explain(engine, statement)
            check.statements.append(" ".join(statement.sql.split())[:400])
            check.plans.append(plan)
            for table in scans:
                if table not in check.full_scans:
                    check.full_scans.append(table)
        results.append(check)
    return results


def table_rows(engine: Engine) -> dict[str, int]:
    """Row counts of the big tables (to say at what size the plans were read)."""
    with engine.connect() as conn:
        return {
            name: int(conn.scalar(select(func.count()).select_from(text(name))) or 0)
            for name in sorted(BIG_TABLES)
        }
