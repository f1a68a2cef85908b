"""The key report and learner queries read the big tables through indexes, on both databases.

Runs the real application functions on generated data (bench/generate.py, `small` scale:
2,000 ASN, ~100k module-progress rows) and asks the database for each statement's plan. On
PostgreSQL the plans come from real statistics (the generator runs VACUUM ANALYZE); no planner
setting is changed, so a plan that passes here is the plan production would choose.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.db import make_engine, make_sessionmaker
from bench import plans
from bench.generate import generate
from tests.conftest import _new_database


@pytest.fixture(scope="module")
def plan_checks(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[plans.PlanCheck]]:
    """Generate once per backend (like `fresh_database_url`, but shared by this module's
    tests: generating is the slow part) and read every key query's plan."""
    with _new_database(backend, tmp_path_factory.mktemp("plans")) as url:
        engine = make_engine(url)
        try:
            generate(engine, "small")
            yield plans.run_checks(engine, make_sessionmaker(engine))
        finally:
            engine.dispose()


def test_key_queries_read_big_tables_through_indexes(plan_checks: list[plans.PlanCheck]) -> None:
    assert {c.function for c in plan_checks} >= {
        "reports.completions.records_query",
        "learning.progress.course_progress",
        "learning.progress.enrolled_progress",
        "learning.quizzes.attempts_for",
        "learning.jp.jp_by_user",
        "accounts.auth.resolve_session",
    }
    assert all(c.statements for c in plan_checks), [c.name for c in plan_checks if not c.statements]
    failing = [c.describe() for c in plan_checks if not c.ok]
    assert not failing, "\n\n".join(failing)


def test_hr_dashboard_weekly_activity_reads_only_recent_rows(
    plan_checks: list[plans.PlanCheck],
) -> None:
    weekly = [c for c in plan_checks if c.function == "reports.dashboard.weekly_active_learners"]
    assert weekly, "the HR dashboard is not there yet"
    assert not weekly[0].full_scans, weekly[0].describe()
