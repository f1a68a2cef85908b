"""Migration 0026 keys observations and interviews on the completion: existing rows find the
learner's completion of their course; downgrading drops only what a course cannot hold."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text

from app.db import make_engine
from app.ops import alembic_config

NOW = datetime.now(UTC).replace(tzinfo=None)


def _run(url: str, *statements: tuple[str, Mapping[str, object]]) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        for sql, params in statements:
            conn.execute(text(sql), params)
    engine.dispose()


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(text(sql))]
    engine.dispose()
    return rows


USER = (
    "INSERT INTO users (id, nip, employee_type, full_name, is_active, is_demo, created_at, "
    "updated_at) VALUES (:id, :nip, 'PNS', :name, :t, :f, :now, :now)"
)
COMPLETION = (
    "INSERT INTO completions (id, user_id, course_id, completed_at, final_score, jp) "
    "VALUES (:id, :user, :course, :now, 90, 2)"
)


def test_observations_and_interviews_move_to_the_completion_and_back(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    config = alembic_config(url)
    command.upgrade(config, "0025")
    people = [(1, "Pegawai Satu"), (2, "Pegawai Dua"), (3, "Pengamat BKPSDM")]
    _run(
        url,
        *[
            (
                USER,
                {
                    "id": i,
                    "nip": f"19900101201503100{i}",
                    "name": n,
                    "t": True,
                    "f": False,
                    "now": NOW,
                },
            )
            for i, n in people
        ],
        *[
            (
                "INSERT INTO courses (id, code, folder, status, created_at) "
                "VALUES (:id, :code, :code, 'active', :now)",
                {"id": i, "code": f"KRS-{i}", "now": NOW},
            )
            for i in (1, 2)
        ],
        # Learner 1 completed both courses, learner 2 the second: ids 10, 11, 12.
        (COMPLETION, {"id": 10, "user": 1, "course": 1, "now": NOW}),
        (COMPLETION, {"id": 11, "user": 1, "course": 2, "now": NOW}),
        (COMPLETION, {"id": 12, "user": 2, "course": 2, "now": NOW}),
        *[
            (
                "INSERT INTO observations (id, user_id, course_id, observer_id, observer_role, "
                "observed_on, created_at, updated_at) "
                "VALUES (:id, :user, :course, 3, 'hr', :on, :now, :now)",
                {"id": i, "user": u, "course": c, "on": NOW.date(), "now": NOW},
            )
            for i, u, c in ((1, 1, 2), (2, 2, 2), (3, 1, 1))
        ],
        (
            "INSERT INTO observation_ratings (observation_id, position, behaviour, level) "
            "VALUES (1, 1, 'Menyapa warga lebih dahulu.', 3)",
            {},
        ),
        (
            "INSERT INTO follow_up_interviews (id, user_id, course_id, interviewer_id, "
            "interviewer_role, interviewed_on, interviewee, skills_applied, created_at) "
            "VALUES (1, 2, 2, 3, 'hr', :on, 'learner', 'Daftar periksa.', :now)",
            {"on": NOW.date(), "now": NOW},
        ),
    )
    # A class with a registration: rebuilding class_sessions would cascade to registrations.
    _run(
        url,
        (
            "INSERT INTO class_sessions (id, title, description, jp, category, starts_at, "
            "ends_at, place, online_url, capacity, registration, status, created_at, updated_at) "
            "VALUES (1, 'Kelas', '', 2, 'teknis', :now, :later, 'Aula', '', 5, 'open', "
            "'finalised', :now, :now)",
            {"now": NOW, "later": NOW.replace(year=NOW.year + 1)},
        ),
        (
            "INSERT INTO class_registrations (id, session_id, user_id, status, source, "
            "registered_at, late) VALUES (1, 1, 2, 'registered', 'self', :now, :f)",
            {"now": NOW, "f": False},
        ),
    )
    command.upgrade(config, "0026")
    assert _rows(url, "SELECT id, completion_id, user_id FROM observations ORDER BY id") == [
        (1, 11, 1),
        (2, 12, 2),
        (3, 10, 1),
    ]
    assert _rows(url, "SELECT completion_id FROM follow_up_interviews") == [(12,)]
    assert _rows(url, "SELECT observation_id, level FROM observation_ratings") == [(1, 3)]
    assert _rows(url, "SELECT id FROM class_registrations") == [(1,)]

    # A stand-alone class's observation cannot survive the older schema; the others do.
    _run(
        url,
        (
            "INSERT INTO completions (id, user_id, class_session_id, completed_at, final_score, "
            "jp) VALUES (13, 2, 1, :now, 100, 2)",
            {"now": NOW},
        ),
        (
            "INSERT INTO observations (id, user_id, completion_id, observer_id, observer_role, "
            "observed_on, created_at, updated_at) VALUES (4, 2, 13, 3, 'hr', :on, :now, :now)",
            {"on": NOW.date(), "now": NOW},
        ),
    )
    command.downgrade(config, "0025")
    assert _rows(url, "SELECT id, course_id FROM observations ORDER BY id") == [
        (1, 2),
        (2, 2),
        (3, 1),
    ]
    assert _rows(url, "SELECT course_id FROM follow_up_interviews") == [(2,)]
    assert _rows(url, "SELECT observation_id, level FROM observation_ratings") == [(1, 3)]
    command.upgrade(config, "head")
    assert _rows(url, "SELECT observation_id, level FROM observation_ratings") == [(1, 3)]
