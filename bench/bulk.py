"""Bulk inserts for the generator: Core executemany on SQLite, COPY on PostgreSQL."""

# ruff: noqa: S608 - SQL built from table names of the model, never from input
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Engine, Integer, Table, insert, text

BATCH = 10_000  # rows per INSERT statement on SQLite


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
