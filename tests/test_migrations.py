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
