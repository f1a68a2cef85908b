import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from app.db import make_engine
from app.models import Base
from app.ops import alembic_config, head_revisions


def test_migrations_build_the_whole_schema_on_an_empty_database(empty_database_url: str) -> None:
    command.upgrade(alembic_config(empty_database_url), "head")
    engine = make_engine(empty_database_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
    finally:
        engine.dispose()


def test_models_and_migrations_do_not_drift(database_url: str) -> None:
    engine = create_engine(make_engine(database_url).url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == [], f"models differ from migrations; run alembic revision --autogenerate: {diff}"


def test_migrations_downgrade_to_empty_and_up_again(empty_database_url: str) -> None:
    config = alembic_config(empty_database_url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = make_engine(empty_database_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    command.upgrade(config, "head")


def test_there_is_a_single_migration_head() -> None:
    assert len(head_revisions()) == 1


def test_concurrent_migrations_from_several_instances_do_not_collide(
    backend: str, empty_database_url: str, tmp_path: Path
) -> None:
    if backend != "postgresql":
        pytest.skip("instances migrating at once is the PostgreSQL deployment")
    env = {
        **os.environ,
        "LENTERA_DATABASE_URL": empty_database_url,
        "LENTERA_DATA_DIR": str(tmp_path),
    }
    # Separate processes, as separate instances are (Alembic's context is per process).
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "app.cli", "migrate"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120)[0].decode() for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], outputs
    engine = make_engine(empty_database_url)
    try:
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
